"""The printed parts of a form as blocks of a sheet: fields, tables and indicator tables, from the layout.

A block knows how many columns (after column A) it needs, which widths its single-column cells ask for once
the sheet's width is known, and how to write itself. A part with fewer cells than the sheet has columns
stretches one of them: a field's value, a table's row labels (about half the width for a one-column table),
an item table's first text column, an indicator table's first target column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from openpyxl.styles import Alignment

from generator.excel.grid import CENTER, LEFT, RIGHT, Sheet
from generator.forms.form import Form, table_items
from generator.forms.layout import (
    ColumnSpec,
    FieldSpec,
    IndicatorColumn,
    IndicatorsPart,
    RowSpec,
    TablePart,
    item_base,
    primary_target,
)
from generator.forms.merges import grouped, merged_rows
from generator.forms.scalars import is_blank

#: Width of column A (captions and field labels), and of a column no single-column cell asks a width for.
LABEL_WIDTH = 10.0
DEFAULT_WIDTH = 12.0
#: Widths single-column cells ask for: indicator columns by role, table columns by type, table row labels.
ROLE_WIDTHS = {"level1": 10, "level2": 12, "level3": 20, "target": 30, "operator": 8, "unit": 8, "weight": 9,
               "direction": 8, "nature": 8, "text": 18}  # fmt: skip
#: A second (third …) target column, such as 中期指标值.
MORE_TARGET_WIDTH = 16
TYPE_WIDTHS = {"money": 12, "number": 10, "percent": 10, "text": 16}
GROUP_WIDTH = 13
ROW_TITLE_WIDTH = 18
#: Indicator columns printed centred (short words and symbols).
_CENTRED_ROLES = ("level1", "level2", "operator", "unit", "direction", "nature")
TICKED, UNTICKED = "√", "□"


def _spans(items: list[Any], key: Callable[[Any], Optional[str]]) -> list[tuple[Any, int]]:
    """(item, span of its group cell: n on the group's first row, 0 below, 1 without a group)."""
    return [(item, span) for item, _, span in grouped(items, key)]


# --------------------------------------------------------------------------- sharing the columns


def spread(count: int, width: int, stretch: tuple[int, ...]) -> list[tuple[int, int]]:
    """Place `count` cells side by side over `width` columns: (first, last) offsets of each.

    Every cell takes one column; the columns left over go to the `stretch` cells, the first ones first.
    """
    spare = max(width - count, 0)
    extra = [0] * count
    targets = [i for i in stretch if 0 <= i < count] or [count - 1]
    for n in range(spare):
        extra[targets[n % len(targets)]] += 1
    out, at = [], 0
    for i in range(count):
        out.append((at, at + extra[i]))
        at += extra[i] + 1
    return out


def caption(text: str) -> str:
    """A caption for the narrow left column: the unit in brackets on its own line ("预算资金\\n（万元）")."""
    at = text.rfind("（")
    return text[:at] + "\n" + text[at:] if at > 0 and text.endswith("）") else text


@dataclass
class Block:
    """One printed part: how many columns (after column A) it needs, the widths it asks, how to write it."""

    need: int
    #: (columns available) -> {content column offset: width} for its single-column cells
    widths: Callable[[int], dict[int, float]]
    #: (sheet, first row, columns available) -> next row
    write: Callable[[Sheet, int, int], int]
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- fields


def _tick(spec: FieldSpec, value: Any) -> str:
    return "　".join(f"{choice}{TICKED if choice == value else UNTICKED}" for choice in spec.choices or ())


def _put_value(
    sheet: Sheet,
    form: Form,
    row: int,
    first: int,
    last: int,
    kind: str,
    value: Any,
    path: Optional[tuple[Any, ...]],
    align: Alignment = LEFT,
    rows: int = 1,
) -> None:
    """Write one value cell of a layout type: amounts and numbers numeric, the rest as text."""
    if kind == "money":
        sheet.amount(row, first, value, form.money_decimals, last, path=path)
    elif kind in ("number", "year") and value is not None:
        sheet.number(row, first, value, last, path=path)
    else:
        sheet.text(row, first, None if value is None else str(value), last, rows=rows, align=align, path=path)


def _field_value(form: Form, spec: FieldSpec) -> Any:
    return getattr(form.data, spec.name, None)


def fields_block(form: Form, specs: list[FieldSpec]) -> Optional[Block]:
    """Label | value rows; `same_row` fields share a row; `group` labels merged down column A."""
    lines: list[list[FieldSpec]] = []
    for spec in specs:
        if spec.optional and is_blank(_field_value(form, spec)):
            continue
        if spec.same_row and lines:
            lines[-1].append(spec)
        else:
            lines.append([spec])
    if not lines:
        return None
    grouped = any(line[0].group for line in lines)
    need = max(2 * len(line) - 1 for line in lines) + grouped

    def write(sheet: Sheet, row: int, width: int) -> int:
        for line, span in _spans(lines, lambda ln: ln[0].group):
            first = 2
            if grouped:
                if line[0].group is None:
                    sheet.text(row, 1, line[0].title, 2, align=CENTER)
                else:
                    if span:
                        sheet.text(row, 1, line[0].group, rows=span, align=CENTER)
                    sheet.text(row, 2, line[0].title, align=CENTER)
                first = 3
            else:
                sheet.text(row, 1, line[0].title, align=CENTER)
            cells = spread(2 * len(line) - 1, width - (first - 2), tuple(range(0, 2 * len(line) - 1, 2)))
            for index, (start, end) in enumerate(cells):
                col, to = first + start, first + end
                spec = line[(index + 1) // 2]
                if index % 2:  # the label of the next pair on this row
                    sheet.text(row, col, spec.title, to, align=CENTER)
                    continue
                value = _field_value(form, spec)
                if spec.type == "choice" and spec.ticks:
                    sheet.text(row, col, _tick(spec, value), to)  # not verbatim: not cross-checked
                else:
                    _put_value(sheet, form, row, col, to, spec.type, value, (spec.name,))
            row += 1
        return row

    return Block(need, lambda width: {}, write)


# --------------------------------------------------------------------------- tables


def _row_value(data: Any, row: RowSpec) -> Any:
    return None if data is None or isinstance(data, list) else getattr(data, row.name, None)


def _printed_columns(columns: list[ColumnSpec], values: list[Any]) -> list[ColumnSpec]:
    return [c for c in columns if not c.optional or any(v is not None and getattr(v, c.name, None) is not None for v in values)]


def _header(sheet: Sheet, row: int, columns: list[ColumnSpec], places: list[tuple[int, int]], depth: int) -> None:
    """Column titles; with column groups, a row of group labels above the grouped columns' titles."""
    if depth == 1:
        for column, (col, to) in zip(columns, places):
            sheet.text(row, col, column.title, to, align=CENTER)
        return
    for (column, span), (col, to) in zip(_spans(columns, lambda c: c.group), places):
        if column.group is None:
            sheet.text(row, col, column.title, to, rows=2, align=CENTER)
            continue
        if span:
            last = places[columns.index(column) + span - 1][1]
            sheet.text(row, col, column.group, last, align=CENTER)
        sheet.text(row + 1, col, column.title, to, align=CENTER)


def table_block(form: Form, table: TablePart, data: Any) -> Optional[Block]:
    """A table as printed: caption down column A, header rows, fixed rows (grouped) and item rows."""
    if data is None or (table.optional and table.items and not table_items(table, data) and not table.rows):
        return None
    rows = [r for r in table.rows if not (r.optional and _row_value(data, r) is None)]
    title = caption(form.label(table.title))
    if not table.columns:
        return _one_column(form, table, data, rows, title)
    items = table_items(table, data)
    columns = _printed_columns(table.columns, [_row_value(data, r) for r in rows] + list(items))
    if table.items:
        return _item_table(form, table, data, rows, items, columns, title)
    return _row_table(form, table, data, rows, columns, title)


def _labels(sheet: Sheet, row: int, rows: list[RowSpec], grouped: bool, label_to: int, align: Alignment = LEFT) -> None:
    """Row titles in columns B..label_to, each row's group label merged down column B."""
    for index, (spec, span) in enumerate(_spans(rows, lambda r: r.group)):
        r = row + index
        if grouped and spec.group is not None:
            if span:
                sheet.text(r, 2, spec.group, rows=span, align=CENTER)
            sheet.text(r, 3, spec.title, label_to, align=align)
        else:
            sheet.text(r, 2, spec.title, label_to, align=align)


def _one_column(form: Form, table: TablePart, data: Any, rows: list[RowSpec], title: str) -> Block:
    grouped = any(r.group for r in rows)
    labels = 1 + grouped

    def label_columns(width: int) -> int:
        return min(max(labels, width // 2), width - 1)  # about half the width for the row titles, as printed

    def widths(width: int) -> dict[int, float]:
        used = label_columns(width)
        out: dict[int, float] = {}
        if grouped:
            out[0] = GROUP_WIDTH
        if used == labels:
            out[labels - 1] = ROW_TITLE_WIDTH
        if width - used == 1:
            out[width - 1] = TYPE_WIDTHS["money"]
        return out

    def write(sheet: Sheet, row: int, width: int) -> int:
        used = label_columns(width)
        sheet.text(row, 1, title, rows=max(len(rows), 1), align=CENTER)
        _labels(sheet, row, rows, grouped, 1 + used)
        for index, spec in enumerate(rows):
            sheet.amount(
                row + index, 2 + used, _row_value(data, spec), form.money_decimals, sheet.last, path=(table.name, spec.name)
            )
        return row + max(len(rows), 1)

    return Block(labels + 1, widths, write)


def _column_width(column: ColumnSpec) -> float:
    return TYPE_WIDTHS.get(column.type, DEFAULT_WIDTH)


def _put_cell(
    sheet: Sheet, form: Form, row: int, col: int, to: int, column: ColumnSpec, value: Any, path: tuple[Any, ...]
) -> None:
    _put_value(sheet, form, row, col, to, column.type, value, path, align=RIGHT if column.type == "percent" else LEFT)


def _row_table(form: Form, table: TablePart, data: Any, rows: list[RowSpec], columns: list[ColumnSpec], title: str) -> Block:
    grouped = any(r.group for r in rows)
    labels = 1 + grouped
    depth = 2 if any(c.group for c in columns) else 1

    def places(width: int) -> tuple[int, list[tuple[int, int]]]:
        used = width - len(columns)
        return used, [(2 + used + i, 2 + used + i) for i in range(len(columns))]

    def widths(width: int) -> dict[int, float]:
        used, _ = places(width)
        out = {used + i: _column_width(c) for i, c in enumerate(columns)}
        if grouped:
            out[0] = GROUP_WIDTH
        if used == labels:
            out[labels - 1] = ROW_TITLE_WIDTH
        return out

    def write(sheet: Sheet, row: int, width: int) -> int:
        used, at = places(width)
        sheet.text(row, 1, title, rows=depth + len(rows), align=CENTER)
        sheet.text(row, 2, table.corner, 1 + used, rows=depth, align=CENTER)
        _header(sheet, row, columns, at, depth)
        body = row + depth
        _labels(sheet, body, rows, grouped, 1 + used)
        for index, spec in enumerate(rows):
            value = _row_value(data, spec)
            for column, (col, to) in zip(columns, at):
                cell = None if value is None else getattr(value, column.name)
                _put_cell(sheet, form, body + index, col, to, column, cell, (table.name, spec.name, column.name))
        return body + len(rows)

    return Block(labels + len(columns), widths, write)


def _item_table(
    form: Form, table: TablePart, data: Any, rows: list[RowSpec], items: list[Any], columns: list[ColumnSpec], title: str
) -> Block:
    depth = 2 if any(c.group for c in columns) else 1
    texts = tuple(i for i, c in enumerate(columns) if c.type == "text")[:1]
    lead = next((i for i, c in enumerate(columns) if c.type == "money"), len(columns))
    lead = min(max(lead, 1), max(len(columns) - 1, 1))  # a fixed row's title covers the columns before the first amount
    base = item_base(table)

    def places(width: int) -> list[tuple[int, int]]:
        return [(2 + a, 2 + b) for a, b in spread(len(columns), width, texts)]

    def widths(width: int) -> dict[int, float]:
        return {a - 2: _column_width(c) for c, (a, b) in zip(columns, places(width)) if a == b}

    def write(sheet: Sheet, row: int, width: int) -> int:
        at = places(width)
        count = len(items) + len(rows)
        sheet.text(row, 1, title, rows=depth + count, align=CENTER)
        _header(sheet, row, columns, at, depth)
        r = row + depth
        item_rows: list[tuple[str, Any, Any]] = [("item", i, item) for i, item in enumerate(items)]
        fixed_rows: list[tuple[str, Any, Any]] = [("row", spec, _row_value(data, spec)) for spec in rows]
        for what, key, value in item_rows + fixed_rows if table.items_first else fixed_rows + item_rows:
            if what == "item":
                for column, (col, to) in zip(columns, at):
                    _put_cell(sheet, form, r, col, to, column, getattr(value, column.name), base + (key, column.name))
            else:
                sheet.text(r, at[0][0], key.title, at[lead - 1][1], align=CENTER)
                for column, (col, to) in list(zip(columns, at))[lead:]:
                    cell = None if value is None else getattr(value, column.name)
                    _put_cell(sheet, form, r, col, to, column, cell, (table.name, key.name, column.name))
            r += 1
        return r

    return Block(len(columns), widths, write)


# --------------------------------------------------------------------------- indicators


def _indicator_width(column: IndicatorColumn, first_target: bool) -> float:
    if column.role == "target" and not first_target:
        return MORE_TARGET_WIDTH
    return ROLE_WIDTHS.get(column.role, DEFAULT_WIDTH)


def indicators_block(form: Form, part: IndicatorsPart, rows: list[Any]) -> Block:
    """The indicator table: caption down column A, the layout's column titles, merged level cells."""
    columns = [c for c in part.columns if not c.optional or any(not is_blank(getattr(r, c.name)) for r in rows)]
    primary = primary_target(part)
    targets = [i for i, c in enumerate(columns) if c is primary] or [i for i, c in enumerate(columns) if c.role == "target"]
    stretch = tuple(targets[:1]) or (len(columns) - 1,)
    first_target = targets[0] if targets else -1

    def places(width: int) -> list[tuple[int, int]]:
        return [(2 + a, 2 + b) for a, b in spread(len(columns), width, stretch)]

    def widths(width: int) -> dict[int, float]:
        return {
            a - 2: _indicator_width(c, i == first_target) for i, (c, (a, b)) in enumerate(zip(columns, places(width))) if a == b
        }

    def write(sheet: Sheet, row: int, width: int) -> int:
        at = places(width)
        sheet.text(row, 1, caption(form.label(part.title)), rows=len(rows) + 1, align=CENTER)
        for column, (col, to) in zip(columns, at):
            sheet.text(row, col, column.title, to, align=CENTER)
        names = [c.name for c in columns]
        for item in merged_rows(part, rows):
            r = row + 1 + item.index
            for index, (column, (col, to)) in enumerate(zip(columns, at)):
                if item.covered(column.name):
                    continue
                if item.colspan.get(column.name, 1) > 1:  # merged across: up to the last printed column of the run
                    run = [names.index(n) for n in item.row.merge if n in names]
                    to = at[max(run + [index])][1]
                down = item.rowspan.get(column.name, 1)
                here = (part.name, item.index, column.name)
                value = getattr(item.row, column.name)
                also = tuple((part.name, j, column.name) for j in range(item.index + 1, item.index + down))
                if column.role == "weight":
                    sheet.number(r, col, value, to, path=here, rows=down, also=also)
                    continue
                align = CENTER if column.role in _CENTRED_ROLES else LEFT
                sheet.text(r, col, None if value is None else str(value), to, rows=down, align=align, path=here, also=also)
        return row + len(rows) + 1

    return Block(len(columns), widths, write)
