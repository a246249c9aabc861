"""The per-year data tables, filled from the checked forms: units, projects, indicators and every cell.

`units` and `projects` have a row per form, `indicators` a row per indicator of every indicator table, and
`cells` a row per value of every form (its path, printed label, text and type), so that every cell of any
layout is in the data even where no wide column holds it (item rows, acknowledgements, the source).
Which columns there are is `columns`' business; this module only reads values by the paths it gives.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from generator.datasets.columns import (
    CELLS_COLUMNS, Column, Table, Union, common_paths, fen, form_union, indicator_union, tail,
)  # fmt: skip
from generator.excel.formdata import EMPTY, FieldPath, form_rows, path_label, path_text, path_type
from generator.forms.form import Form, Indicator
from generator.forms.layout import primary_target

Item = tuple[str, Form]
__all__ = ["Column", "Table", "year_tables", "fen"]


def _cell(kind: str, value: Any) -> Any:
    """A value as the column kind holds it: amounts and numbers exact (Decimal / text), counts as integers."""
    if value is None:
        return None
    if kind == "money":
        return value if isinstance(value, Decimal) else None
    if kind == "int":
        return value if isinstance(value, int) else None
    return str(value)


def _put(values: dict[str, Any], column: str, kind: str, value: Any) -> None:
    values[column] = _cell(kind, value)
    if kind == "money":
        values[f"{column}_fen"] = fen(values[column])


def _kinds(table: Table) -> dict[str, str]:
    return {c.name: c.kind for c in table.columns}


def _fill(
    table: Table, union: Union, form: Form, values: dict[str, Any], paths: dict[str, FieldPath], leaves: set[FieldPath]
) -> None:
    """Fill a form's common columns that are one value verbatim, and its layout's columns."""
    kinds = _kinds(table)
    held = common_paths(form.spec, form.kind)
    for name, path in held.items():
        if name in kinds and name not in values:
            _put(values, name, kinds[name], form.get(path))
    for (layout, name), path in union.sources.items():
        if layout == form.layout.name:
            _put(values, name, kinds[name], form.get(path))
            held[name] = path
    for name, path in held.items():
        if path in leaves and name in kinds:
            paths[name] = path


def _row(table: Table, union: Union, rel: str, form: Form, values: dict[str, Any], leaves: set[FieldPath]) -> None:
    paths: dict[str, FieldPath] = {}
    values.update({"layout": form.layout.name, "title": form.title, "money_unit": form.money_unit, "file": rel})
    totals = form.totals()
    for role in ("total", "fiscal", "other", "carryover"):
        _put(values, role, "money", totals.get(role))
    _fill(table, union, form, values, paths, leaves)
    table.add(rel, form.money_decimals, values, paths)


def _indicator_rows(table: Table, union: Union, year: int, unit_id: str, rel: str, form: Form, leaves: set[FieldPath]) -> None:
    kinds = _kinds(table)
    own = [(name, path[-1]) for (layout, name), path in union.sources.items() if layout == form.layout.name]
    for ind in form.indicators:
        parsed = ind.parsed.as_dict()
        values: dict[str, Any] = {
            "year": year, "unit_id": unit_id, "form": form.kind, "form_id": form.id, "form_name": form.name,
            "layout": form.layout.name, "table_name": ind.part.name, "seq": ind.index + 1,
            "kind": parsed["kind"], "operator": parsed["operator"], "number": parsed["number"], "upper": parsed["upper"],
            "value_unit": parsed["unit"], "file": rel,
        }  # fmt: skip
        paths: dict[str, FieldPath] = {}
        for column, name in _role_columns(ind).items():
            values[column] = _cell("text", getattr(ind.row, name))
            paths[column] = ind.path + (name,)
        for column, name in own:
            if name in type(ind.row).model_fields:
                _put(values, column, kinds[column], getattr(ind.row, name))
                paths[column] = ind.path + (name,)
        table.add(rel, form.money_decimals, values, {k: p for k, p in paths.items() if p in leaves})


def _role_columns(ind: Indicator) -> dict[str, str]:
    """Common column -> the indicator table's column holding it: the first of each level role, the primary target."""
    out: dict[str, str] = {}
    for column in ind.part.columns:
        if column.role in ("level1", "level2", "level3"):
            out.setdefault(column.role, column.name)
    primary = primary_target(ind.part)
    if primary is not None:
        out["value"] = primary.name
    return out


#: (layout, digest, kind, path) -> (type, label, path text): forms of one layout share most paths.
_Described = dict[tuple[str, str, str, FieldPath], tuple[str, str, str]]


def _cell_rows(
    table: Table, year: int, unit_id: str, rel: str, form: Form, rows: list[tuple[FieldPath, str]], seen: _Described
) -> None:
    model = type(form.data)
    layout = form.layout
    for path, text in rows:
        key = (layout.name, layout.digest, form.kind, path)
        described = seen.get(key)
        if described is None:
            described = seen[key] = (path_type(form.spec, model, path) or "text", path_label(form, path), path_text(path))
        kind, label, where = described
        if text == "" or (kind in EMPTY and text == EMPTY[kind]):
            continue
        values = {
            "year": year, "unit_id": unit_id, "form": form.kind, "form_id": form.id, "path": where,
            "label": label, "value": text, "type": kind, "fen": fen(Decimal(text)) if kind == "money" else None,
        }  # fmt: skip
        table.add(rel, form.money_decimals, values, {"value": path})


def _add(
    table: Table,
    union: Union,
    indicator_union: Union,
    indicators: Table,
    cells: Table,
    year: int,
    unit_id: str,
    rel: str,
    form: Form,
    values: dict[str, Any],
    seen: _Described,
) -> None:
    """Add a form's row, its indicators' rows and its cells' rows."""
    rows = list(form_rows(form))
    leaves = {path for path, _ in rows}
    _row(table, union, rel, form, values, leaves)
    _indicator_rows(indicators, indicator_union, year, unit_id, rel, form, leaves)
    _cell_rows(cells, year, unit_id, rel, form, rows, seen)


def _layouts(forms: list[Item], kind: str) -> list[Any]:
    """Return the layouts the year's `kind` forms follow, by name."""
    found = {form.layout.name: form.layout for _, form in forms if form.kind == kind}
    return [found[name] for name in sorted(found)]


def year_tables(year: int, forms: list[Item]) -> list[Table]:
    """Build the tables of one year from its checked forms (content-relative path, form)."""
    used = {kind: _layouts(forms, kind) for kind in ("unit", "project")}
    unit_cols, project_cols = form_union(used["unit"], "unit"), form_union(used["project"], "project")
    indicator_cols = indicator_union([(layout, kind) for kind in ("unit", "project") for layout in used[kind]])
    file_column = [c for c in tail() if c.name == "file"]
    units = Table("units", "单位", "预算单位", unit_cols.columns(tail()), ("year", "unit_id"))
    projects = Table("projects", "项目", "项目", project_cols.columns(tail()), ("year", "unit_id", "project_id"))
    indicators = Table("indicators", "指标", "绩效指标", indicator_cols.columns(file_column),
                       ("year", "unit_id", "form", "form_id", "table_name", "seq"))  # fmt: skip
    cells = Table("cells", "单元格", "全部字段", list(CELLS_COLUMNS), ("year", "unit_id", "form", "form_id", "path"))
    seen: _Described = {}
    by_unit: dict[str, list[Item]] = {}
    unit_forms: dict[str, Item] = {}
    for rel, form in forms:
        unit_id = rel.split("/")[1]
        if form.kind == "unit":
            unit_forms[unit_id] = (rel, form)
        else:
            by_unit.setdefault(unit_id, []).append((rel, form))
    for unit_id in sorted(set(unit_forms) | set(by_unit)):
        listed = sorted(by_unit.get(unit_id, []), key=lambda p: (p[1].order is None, p[1].order or 0, p[1].id))
        if unit_id in unit_forms:
            rel, unit = unit_forms[unit_id]
            values: dict[str, Any] = {"year": year, "unit_id": unit_id, "project_count": len(listed),
                                      "indicator_count": len(unit.indicators), "page": f"{year}/{unit_id}/"}  # fmt: skip
            _add(units, unit_cols, indicator_cols, indicators, cells, year, unit_id, rel, unit, values, seen)
        for rel, project in listed:
            values = {"year": year, "unit_id": unit_id, "indicator_count": len(project.indicators),
                      "page": f"{year}/{unit_id}/{project.id}/"}  # fmt: skip
            _add(projects, project_cols, indicator_cols, indicators, cells, year, unit_id, rel, project, values, seen)
    return [units, projects, indicators, cells]
