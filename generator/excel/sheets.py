"""The visible sheet of a form's workbook, laid out like the printed 申报表 (A4 portrait), from its layout.

Everything printed comes from `form.spec.parts`, in order: the title and subtitle rows merged across; a
`fields` part as label | value rows (several pairs on one row where the layout says `same_row`, a `group`
label merged down on the left, `ticks` choices printed as all options with □/√); a `table` as its grid (its
caption merged down the left column like "预算资金\\n（万元）", the corner and column headers with a row of
column groups where columns have groups, fixed rows with their group merged down, item rows, optional
rows and columns only when filled); an indicator table with the layout's column titles, 一级 / 二级 cells
merged down over consecutive equal values and `merge` cells across (`forms.merges`, as on the web page); the
source rows at the end.

The sheet's columns are shared by all parts: column A holds captions and labels, and the other columns are
as many as the widest part needs. A part with fewer cells stretches one of them (a field's value, a table's
row labels, an indicator table's first target column); the width of each column is the largest a
single-column cell in it asks for. Amounts are numeric cells (exact, see `put_amount`), text is always a
string cell. Borders, wrapped text, row heights estimated from the text (Excel and LibreOffice do not grow
rows for wrapped text in merged cells), print setup: A4 portrait, fit to one page wide, title rows repeated
on every page, page numbers in the footer.

`form_sheet` returns, for every value shown verbatim in one cell, where it is (`申报表!D7`): import compares
those cells with the `_data` sheet.
"""

from __future__ import annotations

from typing import Any, Optional

from generator.excel.blocks import DEFAULT_WIDTH, LABEL_WIDTH, Block, fields_block, indicators_block, table_block
from generator.excel.grid import CENTER, NOTE_FONT, SUBTITLE_FONT, TITLE_FONT, Sheet
from generator.forms.form import Form


# --------------------------------------------------------------------------- the sheet


def _source(sheet: Sheet, row: int, form: Form) -> int:
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


def form_blocks(form: Form) -> list[Block]:
    """Return the printed blocks of a form, in the layout's order (empty optional parts left out)."""
    blocks: list[Optional[Block]] = []
    for part in form.spec.parts:
        if part.fields is not None:
            blocks.append(fields_block(form, part.fields))
        elif part.table is not None:
            blocks.append(table_block(form, part.table, getattr(form.data, part.table.name, None)))
        elif part.indicators is not None:
            blocks.append(indicators_block(form, part.indicators, list(getattr(form.data, part.indicators.name, None) or [])))
    return [b for b in blocks if b is not None]


def column_widths(blocks: list[Block]) -> list[float]:
    """Return the sheet's column widths: column A, then as many columns as the widest block needs."""
    width = max([b.need for b in blocks] + [1])
    asked: dict[int, float] = {}
    for block in blocks:
        for offset, value in block.widths(width).items():
            asked[offset] = max(asked.get(offset, 0), value)
    return [LABEL_WIDTH] + [float(asked.get(i, DEFAULT_WIDTH)) for i in range(width)]


def form_sheet(ws: Any, form: Form) -> dict[tuple[Any, ...], str]:
    """Lay out the form on `ws`; return data path -> `申报表!<cell>` for values shown verbatim."""
    blocks = form_blocks(form)
    sheet = Sheet(ws, column_widths(blocks))
    sheet.text(1, 1, form.title, sheet.last, align=CENTER, font=TITLE_FONT, border=False)
    subtitle = form.subtitle
    if subtitle:
        sheet.text(2, 1, subtitle, sheet.last, align=CENTER, font=SUBTITLE_FONT, border=False)
    title_rows = 2 if subtitle else 1
    row = title_rows + 1
    for block in blocks:
        row = block.write(sheet, row, sheet.last - 1)
    last = _source(sheet, row, form) - 1
    sheet.finish(last, title_rows)
    return sheet.shown


__all__ = ["form_sheet", "form_blocks", "column_widths"]
