"""A form's layout parts -> rows and cells for the page templates (what is printed, merged and labelled).

Views are plain data: the templates only place them in HTML. Blank cells stay blank; optional rows,
columns and fields are shown only when the form fills them, as the source did.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from generator.forms.form import Form, table_items
from generator.forms.layout import FieldSpec, IndicatorsPart, TablePart, money_cell
from generator.forms.merges import grouped, merged_rows
from generator.forms.scalars import is_blank


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _field_value(spec: FieldSpec, value: Any) -> str:
    if spec.type == "choice" and spec.ticks and spec.choices:
        return "　".join(f"{choice}{'√' if choice == value else '□'}" for choice in spec.choices)
    return _text(value)


def _labelled(spec: FieldSpec, text: str) -> str:
    """`label：value` as printed in one cell or line (no second colon where the label ends with one)."""
    if spec.bare:
        return text
    colon = "" if spec.title.endswith((":", "：")) else "："
    return f"{spec.title}{colon}{text}" if text else f"{spec.title}{colon}"


def _value(form: Form, spec: FieldSpec) -> Any:
    return getattr(form.data, spec.name, None) if spec.name != "fiscal_year" else form.fiscal_year


def line_view(form: Form, specs: list[FieldSpec], where: str) -> dict[str, Any]:
    """Return a fields part printed as one line of text outside the table (above the title, or in place)."""
    pieces: list[str] = []
    for spec in specs:
        value = _value(form, spec)
        if spec.optional and is_blank(value):
            continue
        text = _labelled(spec, _field_value(spec, value))
        if spec.same_cell is not None and pieces:
            pieces[-1] += spec.same_cell + text
        else:
            pieces.append(text)
    return {"kind": "line", "where": where, "pieces": pieces}


def fields_view(form: Form, specs: list[FieldSpec]) -> dict[str, Any]:
    """Return the printed rows of a fields part: label/value pairs, several per row where the layout says so."""
    printed: list[dict[str, Any]] = []
    for spec in specs:
        value = _value(form, spec)
        if spec.optional and is_blank(value):
            continue
        if spec.same_cell is not None and printed:
            last = printed[-1]["pairs"][-1]
            last["value"] += spec.same_cell + _labelled(spec, _field_value(spec, value))
            continue
        pair = {"label": spec.title, "value": _field_value(spec, value), "long": spec.type == "longtext", "colspan": 1}
        if spec.same_row and printed:
            printed[-1]["pairs"].append(pair)
        else:
            printed.append({"group": spec.group, "pairs": [pair]})
    width = max((len(r["pairs"]) for r in printed), default=1)
    for row in printed:
        row["pairs"][-1]["colspan"] = 2 * (width - len(row["pairs"])) + 1
    rows = [{**item, "groupspan": span} for item, _, span in grouped(printed, lambda r: r["group"])]
    return {"kind": "fields", "rows": rows, "grouped": any(r["group"] for r in rows)}


def table_view(form: Form, table: TablePart, data: Any) -> Optional[dict[str, Any]]:
    caption = form.label(table.title)
    fixed = (
        []
        if isinstance(data, list)
        else [r for r in table.rows if not (r.optional and (data is None or getattr(data, r.name) is None))]
    )
    if not table.columns:  # one amount per row
        rows = [{"label": r.title, "group": r.group, "value": None if data is None else getattr(data, r.name)} for r in fixed]
        spanned = [{**item, "groupspan": span} for item, _, span in grouped(rows, lambda r: r["group"])]
        return {
            "kind": "table",
            "one_column": True,
            "caption": caption,
            "rows": spanned,
            "grouped": any(r["group"] for r in rows),
        }
    items = table_items(table, data)
    row_data = [(r, None if data is None else getattr(data, r.name)) for r in fixed]
    columns = [
        c for c in table.columns
        if not c.optional or any(v is not None and getattr(v, c.name) is not None for _, v in row_data) or any(getattr(i, c.name) is not None for i in items)
    ]  # fmt: skip
    head_groups = grouped(columns, lambda c: c.group)
    header_top = []
    for column, group, span in head_groups:
        if group is None:
            header_top.append({"label": column.title, "colspan": 1, "rowspan": 2 if any(c.group for c in columns) else 1})
        elif span:
            header_top.append({"label": group, "colspan": span, "rowspan": 1})
    header_sub = [{"label": c.title} for c in columns if c.group]
    body = []
    if table.items:
        lead = 0
        for column in columns:
            if column.type == "money":
                break
            lead += 1
        item_rows = [{"label": None, "cells": [_cell(c, getattr(i, c.name)) for c in columns]} for i in items]
        fixed_rows = [
            {
                "label": r.title,
                "labelspan": max(lead, 1),
                "cells": [_cell(c, None if v is None else getattr(v, c.name)) for c in columns[max(lead, 1) :]],
            }
            for r, v in row_data
        ]
        body = item_rows + fixed_rows if table.items_first else fixed_rows + item_rows
        return {"kind": "table", "one_column": False, "has_items": True, "caption": caption, "header_top": header_top,
                "header_sub": header_sub, "rows": body, "grouped": False, "corner": None}  # fmt: skip
    labelled = [
        {"label": r.title, "group": r.group, "cells": [_cell(c, None if v is None else getattr(v, c.name)) for c in columns]}
        for r, v in row_data
    ]
    rows = [{**item, "groupspan": span} for item, _, span in grouped(labelled, lambda r: r["group"])]
    has_groups = any(r["group"] for r in rows)
    return {"kind": "table", "one_column": False, "has_items": False, "caption": caption, "header_top": header_top,
            "header_sub": header_sub, "rows": rows, "grouped": has_groups, "corner": table.corner or ""}  # fmt: skip


def _cell(column: Any, value: Any) -> dict[str, Any]:
    return {"value": value, "money": column.type in ("money", "number", "percent")}


def indicators_view(form: Form, part: IndicatorsPart, rows: list[Any]) -> dict[str, Any]:
    columns = [
        c for c in part.columns
        if not c.optional or any(not is_blank(getattr(r, c.name)) for r in rows)
    ]  # fmt: skip
    body = []
    for merged in merged_rows(part, rows):
        cells = []
        for column in columns:
            if merged.covered(column.name):
                continue
            span = merged.rowspan.get(column.name)
            level = column.role in ("level1", "level2")
            cells.append({
                "value": _text(getattr(merged.row, column.name)),
                "header": level,
                "rowspan": span,
                "colspan": merged.colspan.get(column.name, 1),
                "cls": "value" if column.role == "target" else None,
                "label": column.title,
            })  # fmt: skip
        body.append(cells)
    return {"kind": "indicators", "caption": part.title, "columns": [c.title for c in columns], "rows": body}


def part_views(form: Form) -> list[dict[str, Any]]:
    """Return one view per printed part of the form, in printed order (empty optional tables left out)."""
    views = []
    for part in form.spec.parts:
        if part.fields is not None and part.outside is not None:
            line = line_view(form, part.fields, part.outside)
            if line["pieces"]:
                views.append(line)
        elif part.fields is not None:
            view = fields_view(form, part.fields)
            if view["rows"]:
                views.append(view)
        elif part.table is not None:
            data = getattr(form.data, part.table.name, None)
            if data is None or (isinstance(data, list) and not data and part.table.optional):
                continue
            table = table_view(form, part.table, data)
            if table is not None:
                views.append(table)
        elif part.indicators is not None:
            rows = list(getattr(form.data, part.indicators.name, None) or [])
            views.append(indicators_view(form, part.indicators, rows))
    return views


def composition_rows(form: Form) -> list[tuple[str, Decimal]]:
    """Return (label, amount) of the rows that add up to the form's 年度资金总额, per the layout's sums."""
    where = form.spec.totals.get("total")
    path = money_cell(form.spec, where) if where else None
    if path is None or len(path) < 2:
        return []
    table_name, total_row = path[0], path[1]
    column = path[2] if len(path) > 2 else None
    table = next((t for t, _ in form.tables() if t.name == table_name), None)
    data = getattr(form.data, table_name, None)
    if table is None or data is None or isinstance(data, list):
        return []
    rows = {r.name: r for r in table.rows}
    for rule in table.sums:
        if rule.total != total_row or (column is not None and rule.each != "column"):
            continue
        out = []
        for name in rule.parts:
            if name not in rows:
                continue
            value = getattr(data, name)
            amount = getattr(value, column) if column is not None and value is not None else value
            if amount is not None:
                out.append((rows[name].short or rows[name].title, amount))
        return out
    return []


def without_project_forms(form: Form, projects: list[Form]) -> list[tuple[str, Decimal]]:
    """Return (category, amount) of the unit's budget lines that no project form covers, per the layout.

    The layout's `cross_form` rules say which unit cell sums which category of project forms; a rule whose
    category has no project form here, with an amount above 0 in the unit form, is money the project list
    cannot show (e.g. 人员类 and 公用经费, for which this layout has no project forms).
    """
    project_spec = form.layout.form("project")
    total_cell = project_spec.totals.get("total") if project_spec is not None else None
    out = []
    for rule in form.layout.spec.cross_form:
        if rule.category is None or any(p.category == rule.category for p in projects):
            continue
        first = next((u for u, p in rule.sums.items() if p == total_cell), next(iter(rule.sums)))
        amount = form.cell(first)
        if amount is not None and amount > 0:
            out.append((rule.category, amount))
    return out
