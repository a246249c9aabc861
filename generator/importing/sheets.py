"""Spreadsheets as units publish them (the province's template, not our own export): .xlsx and .xls.

`.xlsx` is bounded by `excel.safety.check_archive` (zip bombs, DTDs and entities, rows, columns, cells and
merged ranges counted on the XML stream) before openpyxl reads it in read-only mode with cached values (a
formula without one reads as blank); read-only sheets do not know their merged ranges, so those are read from
each sheet's XML (`<mergeCell ref=…>`, already bounded) by `merged_ranges`. `.xls` is read by xlrd with its merged ranges (`formatting_info`), at most `MAX_XLS_CELLS`.
Each sheet is a table; a merged range is one cell at its top-left (covered positions to the right dropped,
below it empty placeholders). Numbers are written as the sheet shows them (`189`, `682.42`), dates as ISO dates.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from generator.importing.grid import Document, Row, grid_rows
from generator.importing.problems import Refused

MAX_XLS_CELLS = 1_000_000
MAX_SHEETS = 50


_DECIMALS = re.compile(r"0\.(0+)")


def cell_text(value: Any, number_format: str = "") -> str:
    """The text a cell shows: numbers with the decimals their format prints (never rounded away), dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        shown = _DECIMALS.search(number_format or "")
        places = len(shown.group(1)) if shown else 0
        if places and exact == exact.quantize(Decimal(1).scaleb(-places)):
            return format(exact.quantize(Decimal(1).scaleb(-places)), "f")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return format(exact, "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _rows_of(values: "list[list[str]]", merges: list[tuple[int, int, int, int]], page: int) -> list[Row]:
    """Rows from a grid of texts and merged ranges (0-based, inclusive: top, left, bottom, right)."""
    height = len(values)
    width = max((len(r) for r in values), default=0)
    grid: list[list[Optional[str]]] = [list(r) + [None] * (width - len(r)) for r in values]
    origins = [[(r, c) for c in range(width)] for r in range(height)]
    for top, left, bottom, right in merges:
        for r in range(top, min(bottom, height - 1) + 1):
            for c in range(left, min(right, width - 1) + 1):
                origins[r][c] = (top, left)
    # trailing empty columns of a sheet are not cells of the form
    while width and all(
        not (grid[r][width - 1] or "").strip() and origins[r][width - 1] == (r, width - 1) for r in range(height)
    ):
        width -= 1
        for r in range(height):
            grid[r].pop()
            origins[r].pop()
    rows = grid_rows(grid, origins, page, page)
    return [r for r in rows if any(not c.empty for c in r)]


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _ref(ref: str) -> Optional[tuple[int, int]]:
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    try:
        letters, row = coordinate_from_string(ref.replace("$", ""))
        return row - 1, column_index_from_string(letters) - 1
    except ValueError:
        return None


def merged_ranges(raw: bytes) -> dict[str, tuple[str, list[tuple[int, int, int, int]]]]:
    """Sheet name -> (state, merged ranges as (top, left, bottom, right), 0-based) from the workbook's XML."""
    import posixpath
    import zipfile
    from xml.parsers import expat

    def parse(data: bytes, wanted: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        parser = expat.ParserCreate(namespace_separator=" ")

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag.rpartition(" ")[2] == wanted:
                found.append(attrs)

        parser.StartElementHandler = start
        parser.Parse(data, True)
        return found

    out: dict[str, tuple[str, list[tuple[int, int, int, int]]]] = {}
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return out
        targets = {}
        for rel in parse(archive.read("xl/_rels/workbook.xml.rels"), "Relationship"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            )
        for sheet in parse(archive.read("xl/workbook.xml"), "sheet"):
            part = targets.get(sheet.get(f"{_REL} id"))
            merges = []
            if part in names:
                for cell in parse(archive.read(part), "mergeCell"):
                    first, _, last = cell.get("ref", "").partition(":")
                    a, b = _ref(first), _ref(last or first)
                    if a and b:
                        merges.append((a[0], a[1], b[0], b[1]))
            out[sheet.get("name", "")] = (sheet.get("state", "visible"), merges)
    return out


def read_xlsx(path: str, raw: bytes) -> Document:
    from generator.excel.reading import Refused as SheetRefused
    from generator.excel.safety import check_archive

    try:
        check_archive(raw, path)
    except SheetRefused as exc:
        code = "document-too-large" if exc.problem.code == "file-too-large" else "invalid-document"
        raise Refused(code, exc.problem.message) from None
    try:
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False, rich_text=False)
        sheets = merged_ranges(raw)
    except Exception as exc:  # openpyxl raises many kinds on malformed parts
        raise Refused("invalid-document", f"工作簿无法读取（{type(exc).__name__}）") from None
    rows: list[Row] = []
    try:
        for page, sheet in enumerate(book.worksheets[:MAX_SHEETS], start=1):
            state, merges = sheets.get(sheet.title, ("visible", []))
            if state != "visible":
                continue
            values = [
                [cell_text(getattr(c, "value", None), getattr(c, "number_format", "") or "") for c in line]
                for line in sheet.iter_rows()
            ]
            rows.extend(_rows_of(values, merges, page))
        title = (book.properties.title or "").strip() or None
    finally:
        book.close()
    return Document(path, rows, title=title)


def _xls_format(book: Any, cell: Any) -> str:
    try:
        return str(book.format_map[book.xf_list[cell.xf_index].format_key].format_str)
    except (AttributeError, IndexError, KeyError, TypeError):
        return ""


def read_xls(path: str, raw: bytes) -> Document:
    try:
        import xlrd

        book = xlrd.open_workbook(file_contents=raw, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors ...
        raise Refused("invalid-document", f"Excel 97-2003 工作簿无法读取（{type(exc).__name__}）") from None
    rows: list[Row] = []
    try:
        cells = 0
        for page in range(min(book.nsheets, MAX_SHEETS)):
            sheet = book.sheet_by_index(page)
            cells += sheet.nrows * sheet.ncols
            if cells > MAX_XLS_CELLS:
                raise Refused("document-too-large", f"工作簿超过 {MAX_XLS_CELLS} 个单元格的上限")
            values = []
            for r in range(sheet.nrows):
                line = []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        line.append(cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                    elif cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        line.append("")
                    else:
                        line.append(cell_text(cell.value, _xls_format(book, cell)))
                values.append(line)
            merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
            rows.extend(_rows_of(values, merges, page + 1))
            book.unload_sheet(page)
    finally:
        book.release_resources()
    return Document(path, rows)
