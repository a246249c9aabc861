"""Visible cells an import would lose: anything the editor typed that no field of the form holds.

`_data` maps each value to the visible cell that shows it, so edits of those cells are imported
(generator.excel.visible). Text typed anywhere else — a new indicator row below the table, a changed label,
a note in a margin, a new sheet — has no field to go to. To find it, the imported forms are exported again
and every visible sheet of the workbook is compared with the fresh export, cell by cell: a non-empty cell
that the fresh export does not hold (or holds with other text) is reported, and nothing is written.
"""

from __future__ import annotations

import io
import warnings
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from generator.excel.cells import SHEET_DATA, SHEET_FORM
from generator.excel.reading import SheetProblem

#: Reported cells per workbook before the rest are summed up in one line.
MAX_REPORTED = 50


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return format(number.normalize(), "f")
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value).strip()


def _expected_workbook(source: Any, forms: list[tuple[str, Any]]) -> bytes:
    from generator.excel.workbook import form_workbook

    if SHEET_FORM in source.sheetnames and len(forms) == 1:
        rel, form = forms[0]
        return form_workbook(form, rel)
    from generator.datasets.files import data_name, year_files

    year = int(forms[0][0].split("/")[0])
    return year_files(forms)[data_name(year, ".xlsx")]


def unmapped_cells(values_wb: Any, shown: str, forms: list[tuple[str, Any]], mapped: set[str]) -> list[SheetProblem]:
    """Return a problem for every visible cell of `values_wb` (cached values) that the imported `forms` do not hold.

    `mapped`: the cells (`Sheet!D7`) that `_data` maps to a field; those were decided by generator.excel.visible.
    """
    from openpyxl import load_workbook

    if not forms:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = load_workbook(io.BytesIO(_expected_workbook(values_wb, forms)), read_only=False)
    problems: list[SheetProblem] = []
    more = 0
    for ws in values_wb.worksheets:
        if ws.title == SHEET_DATA or not hasattr(ws, "iter_rows"):
            continue
        if ws.title not in expected.sheetnames:
            if any(_text(c.value) for row in ws.iter_rows() for c in row):
                problems.append(
                    SheetProblem(
                        shown,
                        ws.title,
                        1,
                        1,
                        "workbook-unmapped",
                        f"工作表“{ws.title}”不是导出的内容，其中的文字不会导入：请删除这个工作表，或把内容写进 YAML 文件",
                    )
                )
            continue
        fresh = expected[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                text = _text(cell.value)
                if not text or f"{ws.title}!{cell.coordinate}" in mapped:
                    continue
                want = _text(fresh.cell(cell.row, cell.column).value)
                if text == want:
                    continue
                if len(problems) >= MAX_REPORTED:
                    more += 1
                    continue
                if want:
                    message = f"单元格内容“{_short(text)}”与导出时的“{_short(want)}”不同，而这里不是任何字段的值（标签或说明文字）：改动不会导入"
                else:
                    message = f"单元格内容“{_short(text)}”不对应表单中的任何字段（新增的行或列？）：改动不会导入"
                problems.append(
                    SheetProblem(
                        shown,
                        ws.title,
                        cell.row,
                        cell.column,
                        "workbook-unmapped",
                        message + "；新增指标、资金来源等请直接修改 YAML 文件（或用 disclosure new），标签不能改",
                    )
                )
    if more:
        problems.append(SheetProblem(shown, "", 0, 0, "workbook-unmapped", f"另有 {more} 个单元格同样不对应任何字段"))
    expected.close()
    return problems


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
