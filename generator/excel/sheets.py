"""The visible sheet of a form's workbook, laid out like the printed 申报表 (A4 portrait).

Title row merged across, （2025年度）, label cells on the left, amounts as numeric cells, and the indicator
table with 一级 / 二级 cells merged over consecutive equal rows exactly like the printed form and the web page
(`render.indicator_rows`). Borders, wrapped text, row heights estimated from the text (Excel and LibreOffice
do not grow rows for wrapped text in merged cells), print setup: A4 portrait, fit to one page wide, title
rows repeated on every page, page numbers in the footer.

`form_sheet` returns, for every field shown verbatim in one cell, where it is (`申报表!D7`): import compares
those cells with the `_data` sheet.
"""

from __future__ import annotations

import math
import unicodedata
from copy import copy
from typing import Any

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins

from generator.excel.workbook import FONT_NAME, SHEET_FORM, put_amount, put_text
from generator.forms.model import ProjectForm, UnitForm
from generator.site.render import OPTIONAL_COLUMNS, indicator_rows, optional_columns

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FONT = Font(name=FONT_NAME, size=11)
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=12)
NOTE_FONT = Font(name=FONT_NAME, size=9, color="555555")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
RIGHT = Alignment(horizontal="right", vertical="center", indent=1)
#: Points per line of 11 pt text, and the smallest height of a table row.
LINE_PT = 15.0
MIN_ROW_PT = 21.0
OPTIONAL_WIDTHS = {"nature": 8, "measure_unit": 8, "weight": 9, "direction": 8, "medium_term_value": 16, "explanation": 18, "note": 14}


def display_width(text: str) -> float:
    """Width of text in Excel column units (one unit ≈ one digit): CJK characters count about two."""
    return sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def text_lines(text: str, width: float, indent: int = 0) -> int:
    """Estimated wrapped line count of `text` in a cell `width` units wide (`indent`: Excel's indent level)."""
    usable = max(width - 0.8 - 1.5 * indent, 1.0)  # cell padding and the indent
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


class Sheet:
    """Writes bordered, merged cells and keeps what the row heights and the import cross-check need."""

    def __init__(self, ws: Any, widths: list[float]) -> None:
        self.ws = ws
        self.widths = widths
        self.last = len(widths)
        self.shown: dict[tuple[Any, ...], str] = {}
        #: (first row, last row, points needed)
        self.needs: list[tuple[int, int, float]] = []
        self._styles: dict[tuple[Any, ...], Any] = {}
        for index, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width

    def _style(self, cell: Any, align: Alignment, font: Font, border: bool) -> None:
        """Style a cell; styles are built once per combination and copied (openpyxl's setters are slow)."""
        key = (id(align), id(font), border, cell.number_format)
        quote = cell.quotePrefix
        cached = self._styles.get(key)
        if cached is None:
            cell.font = font
            cell.alignment = align
            if border:
                cell.border = BORDER
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(cached)
        if quote:
            cell.quotePrefix = True

    def _place(self, cell: Any, row: int, col: int, rows: int, to_col: int, align: Alignment, font: Font, border: bool) -> None:
        self._style(cell, align, font, border)
        last_row, last_col = row + rows - 1, max(to_col, col)
        if last_row > row or last_col > col:
            if border:  # every cell of the range carries the border (Excel draws each cell's own)
                for r in range(row, last_row + 1):
                    for c in range(col, last_col + 1):
                        if (r, c) != (row, col):
                            self._style(self.ws.cell(row=r, column=c), align, font, True)
            # Added directly: Worksheet.merge_cells re-styles the range's edges cell by cell (slow) and
            # would turn the covered cells into MergedCell objects; the file written is the same.
            self.ws.merged_cells.add(MergedCellRange(self.ws, f"{get_column_letter(col)}{row}:{get_column_letter(last_col)}{last_row}"))

    def text(self, row: int, col: int, text: str | None, to_col: int | None = None, rows: int = 1,
             align: Alignment = LEFT, font: Font = FONT, path: tuple[Any, ...] | None = None, border: bool = True,
             also: tuple[tuple[Any, ...], ...] = ()) -> None:
        to_col = to_col or col
        cell = put_text(self.ws, row, col, text) if text else self.ws.cell(row=row, column=col)
        self._place(cell, row, col, rows, to_col, align, font, border)
        where = f"{SHEET_FORM}!{cell.coordinate}"
        for p in ((path,) if path else ()) + also:
            self.shown[p] = where
        if text:
            width = sum(self.widths[col - 1 : to_col])
            size = font.sz or 11
            lines = text_lines(text, width * 11 / size, int(align.indent or 0))
            self.needs.append((row, row + rows - 1, lines * LINE_PT * size / 11 + 6))

    def amount(self, row: int, col: int, amount: Any, decimals: int, to_col: int | None = None,
               path: tuple[Any, ...] | None = None) -> None:
        cell = put_amount(self.ws, row, col, amount, decimals)
        self._place(cell, row, col, 1, to_col or col, RIGHT, FONT, True)
        if path:
            self.shown[path] = f"{SHEET_FORM}!{cell.coordinate}"

    def finish(self, last_row: int, title_rows: int = 2) -> None:
        heights = {r: MIN_ROW_PT for r in range(title_rows + 1, last_row + 1)}
        heights.update({1: 34.0, 2: 22.0})
        for first, last, need in sorted(self.needs, key=lambda n: n[1] - n[0]):
            if first <= title_rows:
                continue
            have = sum(heights[r] for r in range(first, last + 1))
            if need > have:
                heights[last] += need - have
        for row, height in heights.items():
            self.ws.row_dimensions[row].height = round(min(height, 409.0), 1)  # 409 pt: Excel's maximum
        ws = self.ws
        last_col = get_column_letter(self.last)
        ws.print_area = f"A1:{last_col}{last_row}"
        ws.print_title_rows = f"1:{title_rows}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.55, right=0.55, top=0.6, bottom=0.7, header=0.3, footer=0.3)
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.size = 9
        ws.sheet_view.showGridLines = False


def _title(sheet: Sheet, form: UnitForm | ProjectForm) -> int:
    sheet.text(1, 1, form.title, sheet.last, align=CENTER, font=TITLE_FONT, border=False)
    sheet.text(2, 1, f"（{form.fiscal_year}年度）", sheet.last, align=CENTER, font=SUBTITLE_FONT, border=False)
    return 3


def _label_row(sheet: Sheet, row: int, label: str, value: str | None, path: tuple[Any, ...] | None) -> int:
    sheet.text(row, 1, label, align=CENTER)
    sheet.text(row, 2, value, sheet.last, path=path)
    return row + 1


def _indicators(sheet: Sheet, row: int, form: UnitForm | ProjectForm, has_name: bool, value_col: int) -> int:
    """The indicator table: 绩效指标 | 一级 | 二级 | [三级] | 指标值 | optional columns; returns the next row."""
    columns = optional_columns(form.indicators)
    value_to = sheet.last - len(columns)
    rows = indicator_rows(form.indicators)
    sheet.text(row, 1, "绩效指标", rows=len(rows) + 1, align=CENTER)
    sheet.text(row, 2, "一级指标", align=CENTER)
    sheet.text(row, 3, "二级指标", align=CENTER)
    if has_name:
        sheet.text(row, 4, "三级指标", align=CENTER)
    sheet.text(row, value_col, "指标值（包含数字及文字描述）", value_to, align=CENTER)
    for offset, (name, label) in enumerate(columns):
        sheet.text(row, value_to + 1 + offset, label, align=CENTER)
    for index, item in enumerate(rows):
        r = row + 1 + index
        ind = item.indicator
        if item.span1:
            span = tuple(("indicators", j, "level1") for j in range(index, index + item.span1))
            sheet.text(r, 2, ind.level1, rows=item.span1, align=CENTER, also=span)
        if item.span2:
            span = tuple(("indicators", j, "level2") for j in range(index, index + item.span2))
            sheet.text(r, 3, ind.level2, rows=item.span2, align=CENTER, also=span)
        here = ("indicators", index)
        if has_name:
            sheet.text(r, 4, ind.name, align=LEFT, path=here + ("name",))
        sheet.text(r, value_col, ind.value, value_to, path=here + ("value",))
        for offset, (name, _label) in enumerate(columns):
            col = value_to + 1 + offset
            if name == "weight":
                sheet.amount(r, col, ind.weight, max(form.money_decimals, 2), path=here + ("weight",))
            else:
                sheet.text(r, col, getattr(ind, name), align=CENTER if name in ("nature", "direction", "measure_unit") else LEFT,
                           path=here + (name,))
    return row + len(rows) + 1


def _source(sheet: Sheet, row: int, form: UnitForm | ProjectForm) -> int:
    src = form.source
    if src is None:
        return row
    for label, name in (("原始文件", "title"), ("网址", "url"), ("公开日期", "published")):
        value = getattr(src, name)
        if value:
            sheet.text(row, 1, label, font=NOTE_FONT, border=False)
            sheet.text(row, 2, value, sheet.last, font=NOTE_FONT, border=False, path=("source", name))
            row += 1
    return row


def _optional_widths(form: UnitForm | ProjectForm) -> list[float]:
    return [OPTIONAL_WIDTHS[name] for name, _ in optional_columns(form.indicators)]


def project_sheet(ws: Any, form: ProjectForm) -> dict[tuple[Any, ...], str]:
    sheet = Sheet(ws, [10, 10, 12, 20, 30] + _optional_widths(form))
    row = _title(sheet, form)
    row = _label_row(sheet, row, "项目名称", form.name, ("name",))
    row = _label_row(sheet, row, "预算单位", form.unit_name, ("unit_name",))
    for label, name in (("主管部门", "department"), ("实施单位", "implementing_unit"), ("项目属性", "attribute")):
        if getattr(form, name):
            row = _label_row(sheet, row, label, getattr(form, name), (name,))
    if form.period:
        row = _label_row(sheet, row, "项目期", f"{form.period.start}年—{form.period.end}年", None)
    if form.contact and (form.contact.name or form.contact.phone):
        sheet.text(row, 1, "项目负责人", align=CENTER)
        sheet.text(row, 2, form.contact.name, 3, path=("contact", "name"))
        sheet.text(row, 4, "联系电话", align=CENTER)
        sheet.text(row, 5, form.contact.phone, sheet.last, path=("contact", "phone"))
        row += 1
    decimals = form.money_decimals
    money = [("年度资金总额：", "total"), ("其中：财政拨款", "fiscal"), ("其他资金", "other")]
    if form.funding.carryover is not None:
        money.append(("上年结转", "carryover"))
    count = len(money) + len(form.funding_sources) + (form.period_funding is not None)
    sheet.text(row, 1, f"项目资金\n（{form.money_unit}）", rows=count, align=CENTER)
    for label, name in money:
        sheet.text(row, 2, label, 3)
        sheet.amount(row, 4, getattr(form.funding, name), decimals, sheet.last, path=("funding", name))
        row += 1
    if form.funding_sources:
        sheet.text(row, 2, "资金来源", rows=len(form.funding_sources), align=CENTER)
        for index, src in enumerate(form.funding_sources):
            sheet.text(row, 3, src.name, path=("funding_sources", index, "name"))
            sheet.amount(row, 4, src.amount, decimals, sheet.last, path=("funding_sources", index, "amount"))
            row += 1
    if form.period_funding is not None:
        sheet.text(row, 2, "实施期资金总额", 3)
        sheet.amount(row, 4, form.period_funding, decimals, sheet.last, path=("period_funding",))
        row += 1
    row = _label_row(sheet, row, "总体目标", form.goal, ("goal",))
    if form.medium_term_goal:
        row = _label_row(sheet, row, "中期目标", form.medium_term_goal, ("medium_term_goal",))
    row = _indicators(sheet, row, form, True, 5)
    last = _source(sheet, row, form) - 1
    sheet.finish(last)
    return sheet.shown


def unit_sheet(ws: Any, form: UnitForm) -> dict[tuple[Any, ...], str]:
    budget = form.budget
    rows_all = [getattr(budget, name) for name in type(budget).model_fields if getattr(budget, name) is not None]
    money = [("total", "合计"), ("fiscal", "财政资金"), ("other", "其他资金")]
    if any(r.carryover is not None for r in rows_all):
        money.append(("carryover", "上年结转"))
    has_name = any(ind.name for ind in form.indicators)
    optional = _optional_widths(form)
    # Columns: A label | B, C row labels | amounts (D..) ; the indicator table needs A B C [D] value + optional.
    need_indicators = 4 + has_name + len(optional)
    amount_cols = max(len(money), need_indicators - 3)
    widths = [10, 13, 18] + [12] * amount_cols
    if has_name:
        widths[3] = 18
    for offset, width in enumerate(optional):
        widths[len(widths) - len(optional) + offset] = max(width, 10)
    sheet = Sheet(ws, widths)
    row = _title(sheet, form)
    row = _label_row(sheet, row, "预算单位", form.unit_name, ("unit_name",))
    if form.department:
        row = _label_row(sheet, row, "主管部门", form.department, ("department",))
    decimals = form.money_decimals
    last_money = 3 + len(money)

    def amounts(r: int, name: str) -> None:
        line = getattr(budget, name)
        for offset, (column, _label) in enumerate(money):
            col = 4 + offset
            to = sheet.last if col == last_money else col
            sheet.amount(r, col, getattr(line, column), decimals, to, path=("budget", name, column))

    lines = [("personnel", "其中：人员类项目支出")]
    count = 2 + 1 + (budget.operating is not None) + 2 + 1 + len(form.funding_sources)
    sheet.text(row, 1, f"预算资金\n（{form.money_unit}）", rows=count, align=CENTER)
    sheet.text(row, 2, "年度资金总额：", 3, rows=2, align=LEFT)
    for offset, (_column, label) in enumerate(money):
        col = 4 + offset
        sheet.text(row, col, label, sheet.last if col == last_money else col, align=CENTER)
    amounts(row + 1, "total")
    row += 2
    for name, label in lines:
        sheet.text(row, 2, label, 3)
        amounts(row, name)
        row += 1
    operating_rows = 2 + (budget.operating is not None)
    sheet.text(row, 2, "运转类项目支出", rows=operating_rows, align=CENTER)
    if budget.operating is not None:
        sheet.text(row, 3, "小计")
        amounts(row, "operating")
        row += 1
    for name, label in (("public_funds", "公用经费项目支出"), ("other_operating", "其他运转类项目支出")):
        sheet.text(row, 3, label)
        amounts(row, name)
        row += 1
    sheet.text(row, 2, "特定目标类项目经费", 3)
    amounts(row, "specific")
    row += 1
    for index, src in enumerate(form.funding_sources):
        sheet.text(row, 2, "资金来源", align=CENTER)
        sheet.text(row, 3, src.name, path=("funding_sources", index, "name"))
        sheet.amount(row, 4, src.amount, decimals, sheet.last, path=("funding_sources", index, "amount"))
        row += 1
    row = _label_row(sheet, row, "年度主要任务及拟达到的目标", form.tasks, ("tasks",))
    if form.medium_term_tasks:
        row = _label_row(sheet, row, "中期目标", form.medium_term_tasks, ("medium_term_tasks",))
    row = _indicators(sheet, row, form, has_name, 4 + has_name)
    last = _source(sheet, row, form) - 1
    sheet.finish(last)
    return sheet.shown


def form_sheet(ws: Any, form: UnitForm | ProjectForm) -> dict[tuple[Any, ...], str]:
    """Lay out the form on `ws`; return field path -> `申报表!<cell>` for fields shown verbatim."""
    if isinstance(form, UnitForm):
        return unit_sheet(ws, form)
    return project_sheet(ws, form)


__all__ = ["form_sheet", "OPTIONAL_COLUMNS", "display_width", "text_lines"]
