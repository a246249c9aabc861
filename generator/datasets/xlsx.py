"""The data tables as one workbook: a sheet per table, a sheet of column docs, and the hidden `_data` sheet.

The long `cells` table is in the CSV, JSON and SQLite files only: in the workbook, `_data` holds every value.

Amounts are numeric cells (exact, see `cells.put_amount`), counts and fen integers, everything else text.
The `_data` sheet holds every form of the year, so the workbook can be imported like a form's workbook; each
value a table shows verbatim is named in `_data` and compared on import.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from generator.datasets.columns import Table
from generator.excel.cells import FONT_NAME, data_rows, new_workbook, put_amount, put_text, workbook_bytes, write_data_sheet
from generator.excel.formdata import FieldPath
from generator.forms.form import Form

_HEADER_FONT = Font(name=FONT_NAME, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DOC_SHEET = "字段说明"
#: Tables left out of the workbook: `cells` holds what `_data` holds (and would double the workbook's size).
LONG_TABLES = ("cells",)


def _sheet(ws: Any, table: Table, shown: dict[tuple[str, FieldPath], str]) -> None:
    header = Alignment(wrap_text=True, vertical="center")
    for col, column in enumerate(table.columns, 1):
        cell = put_text(ws, 1, col, column.label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = header
        ws.column_dimensions[get_column_letter(col)].width = column.width
    letters = [get_column_letter(col) for col in range(1, len(table.columns) + 1)]
    for r, (row, (rel, decimals), paths) in enumerate(zip(table.rows, table.forms, table.paths), 2):
        for col, column in enumerate(table.columns, 1):
            value = row.get(column.name)
            if value is None:
                pass
            elif column.kind == "money":
                put_amount(ws, r, col, value, max(decimals, 2))
            elif column.kind in ("int", "fen"):
                ws.cell(row=r, column=col, value=value).number_format = "0"
            else:
                put_text(ws, r, col, str(value))
            path = paths.get(column.name)
            if path is not None:
                shown.setdefault((rel, path), f"{table.sheet}!{letters[col - 1]}{r}")
    ws.freeze_panes = "A2"
    if table.rows:
        ws.auto_filter.ref = f"A1:{letters[-1]}{len(table.rows) + 1}"
    ws.row_dimensions[1].height = 30


def _docs(ws: Any, tables: list[Table]) -> None:
    for col, label in enumerate(("工作表", "列名", "字段", "类型", "说明", "表样"), 1):
        cell = put_text(ws, 1, col, label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    r = 1
    for table in tables:
        if table.name in LONG_TABLES:
            continue
        for column in table.columns:
            r += 1
            texts = (table.sheet, column.label, column.name, column.kind, column.description, " ".join(column.layouts))
            for col, text in enumerate(texts, 1):
                if text:
                    put_text(ws, r, col, text)
    for letter, width in zip("ABCDEF", (8, 26, 22, 9, 60, 24)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def tables_xlsx(year: int, tables: list[Table], forms: list[tuple[str, Form]]) -> bytes:
    """Return the year workbook: the tables, their column docs, and `_data` with every form of the year."""
    wb = new_workbook(f"{year} 年度预算绩效目标公开数据")
    shown: dict[tuple[str, FieldPath], str] = {}
    for index, table in enumerate(t for t in tables if t.name not in LONG_TABLES):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = table.sheet
        _sheet(ws, table, shown)
    _docs(wb.create_sheet(DOC_SHEET), tables)
    by_form: dict[str, dict[FieldPath, str]] = {}
    for (rel, path), ref in shown.items():
        by_form.setdefault(rel, {})[path] = ref
    write_data_sheet(wb, (row for rel, form in forms for row in data_rows(rel, form, by_form.get(rel, {}))))
    return workbook_bytes(wb)
