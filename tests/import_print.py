"""Test documents for `disclosure import`: a content file printed as units print it, as DOCX, XLSX, HTML (and PDF).

`printed(layout, kind, data)` lays a form out from its layout the way the published forms are: the title and
subtitle above a table; label | value rows (several pairs in a row for `same_row` fields, a group label merged
down on the left); money tables with their title merged down the left and the column titles in a header row;
the indicator table with its title merged down the left and the level cells merged down where they repeat.
The writers turn that grid into real files with python-docx (gridSpan / vMerge), openpyxl (merged ranges) and
HTML (rowspan / colspan), built in a temporary folder at test time (no binaries are committed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

from generator.forms.layout import fill

WIDTH = 8


@dataclass
class Printed:
    above: list[str] = field(default_factory=list)
    title: str = ""
    subtitle: Optional[str] = None
    #: rows of (text, rowspan, colspan); a position covered by a span has no entry
    rows: list[list[Optional[tuple[str, int, int]]]] = field(default_factory=list)
    below: list[str] = field(default_factory=list)
    width: int = WIDTH


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def printed(layout: Any, kind: str, data: dict[str, Any]) -> Printed:
    spec = layout.form(kind)
    money_unit = data.get("money_unit") or layout.spec.money_unit
    year = str(data.get("fiscal_year", ""))
    title = spec.title
    for category in spec.categories:
        if category.name == data.get("category") and category.title:
            title = category.title
    out = Printed(title=data.get("title") or fill(title, fiscal_year=year))
    if spec.subtitle:
        out.subtitle = fill(spec.subtitle, fiscal_year=year, money_unit=money_unit)
    ind_width = max((len(p.indicators.columns) + 1 for p in spec.parts if p.indicators is not None), default=0)
    tab_width = max((len(p.table.columns) + 2 for p in spec.parts if p.table is not None), default=0)
    width = out.width = max(WIDTH, ind_width, tab_width)
    grid: list[list[Optional[tuple[str, int, int]]]] = []

    def pairs_row(pairs: list[tuple[str, str]], group: Optional[str] = None) -> list[Optional[tuple[str, int, int]]]:
        row: list[Optional[tuple[str, int, int]]] = []
        start = 1 if group is not None else 0
        free = width - start
        each = max(2, free // max(1, len(pairs)))
        for i, (label, value) in enumerate(pairs):
            span = each - 1 if i < len(pairs) - 1 else free - each * (len(pairs) - 1) - 1
            row.append((label, 1, 1))
            row.append((value, 1, max(1, span)))
        return row

    started_outside_below = False
    for index, part in enumerate(spec.parts):
        if part.fields is not None:
            if part.outside is not None:
                line = []
                for f in part.fields:
                    value = _text(data.get(f.name))
                    if f.bare:
                        if value:
                            line.append(value)
                    else:
                        line.append(f"{f.title}{'' if f.title.endswith((':', '：')) else ':'}{value}")
                text = " ".join(line)
                if not text:
                    continue
                if part.outside == "above":
                    out.above.append(text)
                elif grid:
                    out.below.append(text)
                    started_outside_below = True
                else:
                    out.above.append(text) if index == 0 else out.below.append(text)
                continue
            groups: dict[str, list[list[tuple[str, str]]]] = {}
            lines: list[tuple[Optional[str], list[tuple[str, str]]]] = []
            for f in part.fields:
                pair = (f.title, _text(data.get(f.name)))
                if f.same_cell is not None and lines:
                    label, value = lines[-1][1][-1]
                    lines[-1][1][-1] = (label, f"{value}{f.same_cell}{f.title}{pair[1]}")
                    continue
                if f.same_row and lines and lines[-1][0] == f.group:
                    lines[-1][1].append(pair)
                else:
                    lines.append((f.group, [pair]))
            del groups
            i = 0
            while i < len(lines):
                group, pairs = lines[i]
                if group is None:
                    grid.append(pairs_row(pairs))
                    i += 1
                    continue
                members = [ln for ln in lines[i:] if ln[0] == group]
                members = []
                j = i
                while j < len(lines) and lines[j][0] == group:
                    members.append(lines[j][1])
                    j += 1
                for k, member in enumerate(members):
                    row = pairs_row(member, group)
                    grid.append(([(group, len(members), 1)] if k == 0 else [None]) + row)
                i = j
        elif part.table is not None:
            table = part.table
            values = data.get(table.name) or {}
            title_text = fill(table.title, money_unit=money_unit)
            rows = [r for r in table.rows if not (r.optional and r.name not in values)]
            if table.items and table.columns:
                base = values.get("items", []) if table.rows else values
                items = [i for i in (base or []) if isinstance(i, dict)]
                fixed = [r for r in rows if isinstance(values, dict) and r.name in values]
                height = 1 + len(items) + len(fixed)
                header = [(title_text, height, 1)] + [
                    (c.title, 1, 1 if n < len(table.columns) - 1 else width - 1 - n) for n, c in enumerate(table.columns)
                ]
                grid.append(header)
                for item in items:
                    grid.append(
                        [None]
                        + [
                            (_text(item.get(c.name)), 1, 1 if n < len(table.columns) - 1 else width - 1 - n)
                            for n, c in enumerate(table.columns)
                        ]
                    )
                for row in fixed:
                    line = values.get(row.name) or {}
                    grid.append(
                        [None, (row.title, 1, 1)]
                        + [
                            (_text(line.get(c.name)), 1, 1 if n < len(table.columns) - 2 else width - 2 - n)
                            for n, c in enumerate(table.columns[1:])
                        ]
                    )
            elif not table.columns:
                for k, row in enumerate(rows):
                    cells = [(title_text, len(rows), 1)] if k == 0 else [None]
                    cells += [(row.title, 1, 1), (_text(values.get(row.name)), 1, width - 2)]
                    grid.append(cells)
            else:
                present = {c for r in values.values() if isinstance(r, dict) for c in r}
                columns = [c for c in table.columns if not (c.optional and c.name not in present)]
                header = [(title_text, len(rows) + 1, 1), (table.corner or "", 1, 1)]
                header += [(c.title, 1, 1 if n < len(columns) - 1 else width - 2 - n) for n, c in enumerate(columns)]
                grid.append(header)
                for row in rows:
                    cells: list[Optional[tuple[str, int, int]]] = [None, (row.title, 1, 1)]
                    line = values.get(row.name) or {}
                    cells += [
                        (_text(line.get(c.name)), 1, 1 if n < len(columns) - 1 else width - 2 - n) for n, c in enumerate(columns)
                    ]
                    grid.append(cells)
        elif part.indicators is not None:
            ind = part.indicators
            items = data.get(ind.name) or []
            columns = ind.columns
            header = [(ind.title, len(items) + 1, 1)]
            header += [(c.title, 1, 1 if n < len(columns) - 1 else width - 1 - n) for n, c in enumerate(columns)]
            grid.append(header)
            spans: dict[tuple[int, int], int] = {}
            for n, column in enumerate(columns):
                if not column.merges_down:
                    continue
                r = 0
                while r < len(items):
                    key = [_text(items[r].get(c.name)) for c in columns[: n + 1]]
                    k = r + 1
                    while k < len(items) and [_text(items[k].get(c.name)) for c in columns[: n + 1]] == key:
                        k += 1
                    spans[(r, n)] = k - r
                    for covered in range(r + 1, k):
                        spans[(covered, n)] = 0
                    r = k
            for r, item in enumerate(items):
                cells = [None]
                for n, column in enumerate(columns):
                    rowspan = spans.get((r, n), 1)
                    colspan = 1 if n < len(columns) - 1 else width - 1 - n
                    cells.append(None if rowspan == 0 else (_text(item.get(column.name)), rowspan, colspan))
                grid.append(cells)
    del started_outside_below
    out.rows = grid
    return out


def _positions(doc: Printed) -> list[list[tuple[int, Optional[tuple[str, int, int]]]]]:
    """Each row's entries with their grid column (covered positions skipped)."""
    covered: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(doc.rows):
        c = 0
        line = []
        for entry in row:
            while (r, c) in covered:
                c += 1
            if entry is None:  # a position covered by a span from above
                continue
            text, rowspan, colspan = entry
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr or dc:
                        covered.add((r + dr, c + dc))
            line.append((c, entry))
            c += colspan
        out.append(line)
    return out


def write_docx(doc: Printed, path: Path) -> Path:
    import docx

    document = docx.Document()
    for text in doc.above + [doc.title] + ([doc.subtitle] if doc.subtitle else []):
        document.add_paragraph(text)
    table = document.add_table(rows=len(doc.rows), cols=doc.width)
    table.style = "Table Grid"
    for r, line in enumerate(_positions(doc)):
        for c, entry in line:
            if entry is None:
                continue
            text, rowspan, colspan = entry
            cell = table.cell(r, c)
            if rowspan > 1 or colspan > 1:
                cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
            cell.text = text
    for text in doc.below:
        document.add_paragraph(text)
    document.save(path)
    return path


def write_xlsx(doc: Printed, path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    row = 1
    for text in doc.above + [doc.title] + ([doc.subtitle] if doc.subtitle else []):
        sheet.cell(row, 1, text)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=doc.width)
        row += 1
    for r, line in enumerate(_positions(doc)):
        for c, entry in line:
            if entry is None:
                continue
            text, rowspan, colspan = entry
            cell = sheet.cell(row + r, c + 1, text or None)
            if re.fullmatch(r"-?[0-9]{1,12}(\.[0-9]{1,6})?", text or ""):  # numbers typed as numbers, shown as typed
                cell.value = Decimal(text)
                places = len(text.partition(".")[2])
                cell.number_format = "0." + "0" * places if places else "0"
            if rowspan > 1 or colspan > 1:
                sheet.merge_cells(start_row=row + r, start_column=c + 1, end_row=row + r + rowspan - 1, end_column=c + colspan)
    row += len(doc.rows)
    for text in doc.below:
        sheet.cell(row, 1, text)
        row += 1
    book.save(path)
    return path


def write_html(doc: Printed, path: Path) -> Path:
    from html import escape

    parts = [
        '<!doctype html><html><head><meta charset="utf-8"><title>导入测试</title>',
        "<style>table{border-collapse:collapse}td{border:1px solid #000;padding:2px}</style></head><body>",
    ]
    parts += [f"<p>{escape(t)}</p>" for t in doc.above + [doc.title] + ([doc.subtitle] if doc.subtitle else [])]
    parts.append("<table>")
    for line in doc.rows:
        parts.append("<tr>")
        for entry in line:
            if entry is None:
                continue
            text, rowspan, colspan = entry
            body = "<br>".join(escape(x) for x in text.split("\n"))
            parts.append(f'<td rowspan="{rowspan}" colspan="{colspan}">{body}</td>')
        parts.append("</tr>")
    parts.append("</table>")
    parts += [f"<p>{escape(t)}</p>" for t in doc.below]
    parts.append("</body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def write_xls(doc: Printed, path: Path) -> Path:
    """An Excel 97-2003 workbook (xlwt, a test-only writer: the importer reads .xls with xlrd)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    row = 0
    for text in doc.above + [doc.title] + ([doc.subtitle] if doc.subtitle else []):
        sheet.write_merge(row, row, 0, doc.width - 1, text)
        row += 1
    for r, line in enumerate(_positions(doc)):
        for c, entry in line:
            if entry is None:
                continue
            text, rowspan, colspan = entry
            if rowspan > 1 or colspan > 1:
                sheet.write_merge(row + r, row + r + rowspan - 1, c, c + colspan - 1, text)
            else:
                sheet.write(row + r, c, text)
    row += len(doc.rows)
    for text in doc.below:
        sheet.write(row, 0, text)
        row += 1
    book.save(str(path))
    return path
