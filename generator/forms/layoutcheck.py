"""The rules of a layout file that span several entries: names that must exist and be unique, sums over
money columns, totals and cross-form cells that point at money cells, known title placeholders."""

from __future__ import annotations

from typing import Any, Iterator

from pydantic import BaseModel

from generator.forms.layout import (
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    FormSpec,
    LayoutFile,
    TablePart,
    item_column,
    money_cell,
)

#: Keys every form has, set by the system (not by a layout); layouts may print some of them as fields.
SYSTEM_KEYS = (
    "layout",
    "id",
    "fiscal_year",
    "title",
    "order",
    "category",
    "money_unit",
    "money_decimals",
    "source",
    "acknowledge",
)
#: System keys a layout may place as printed header fields.
PRINTABLE_SYSTEM = {"fiscal_year": "year", "category": "choice"}
#: Names a form must print, per kind.
REQUIRED_FIELDS = {"unit": ("unit_name",), "project": ("name", "unit_name")}
#: Reserved inside indicator rows and table rows.
ROW_KEYS = ("acknowledge", "merge", "items")


def _names_ok(name: str) -> bool:
    return not hasattr(BaseModel, name) and not name.startswith("model_")


def check_layout(layout: LayoutFile) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Yield (path in the layout file, Chinese message) for every rule across entries that does not hold."""
    forms = {kind: spec for kind, spec in (("unit", layout.unit), ("project", layout.project)) if spec is not None}
    for kind, spec in forms.items():
        yield from _check_form(kind, spec)
    for index, rule in enumerate(layout.cross_form):
        here = ("cross_form", index)
        if "unit" not in forms or "project" not in forms:
            yield here, "cross_form 需要表样同时有 unit 和 project"
            continue
        if rule.category is not None and rule.category not in [c.name for c in forms["project"].categories]:
            yield here + ("category",), f"类别“{rule.category}”不在 project.categories 中"
        for unit_cell, project_cell in rule.sums.items():
            if money_cell(forms["unit"], unit_cell) is None:
                yield here + ("sums", unit_cell), f"“{unit_cell}”不是整体表的金额单元格（应如 budget.personnel.total）"
            if money_cell(forms["project"], project_cell) is None:
                yield here + ("sums", unit_cell), f"“{project_cell}”不是项目表的金额单元格（应如 funding.total）"


def _check_form(kind: str, spec: FormSpec) -> Iterator[tuple[tuple[Any, ...], str]]:
    where = (kind,)
    for key, text in (("title", spec.title), ("subtitle", spec.subtitle)):
        if text is not None:
            yield from ((where + (key,), m) for m in _placeholder_problems(text))
    seen: dict[str, tuple[Any, ...]] = {}
    for p_index, part in enumerate(spec.parts):
        p_where = where + ("parts", p_index)
        if part.fields is not None:
            for f_index, field in enumerate(part.fields):
                f_where = p_where + ("fields", f_index, "name")
                yield from _name_problem(field.name, f_where, seen, kind)
                if field.name in PRINTABLE_SYSTEM and field.type != PRINTABLE_SYSTEM[field.name]:
                    yield f_where, f"“{field.name}”应为 {PRINTABLE_SYSTEM[field.name]} 类型"
                if field.name == "category" and not spec.categories:
                    yield f_where, "印出 category 需要在 categories 中列出项目类别"
        elif part.table is not None:
            table = part.table
            yield from _name_problem(table.name, p_where + ("table", "name"), seen, kind)
            yield from ((p_where + ("table", "title"), m) for m in _placeholder_problems(table.title))
            yield from _check_table(table, p_where + ("table",))
        else:
            ind = part.indicators
            assert ind is not None
            yield from _name_problem(ind.name, p_where + ("indicators", "name"), seen, kind)
            column_names: set[str] = set()
            roles = [c.role for c in ind.columns]
            for c_index, column in enumerate(ind.columns):
                c_where = p_where + ("indicators", "columns", c_index, "name")
                if column.name in column_names:
                    yield c_where, f"列名“{column.name}”重复"
                if column.name in ROW_KEYS or not _names_ok(column.name):
                    yield c_where, f"“{column.name}”是保留名称"
                column_names.add(column.name)
            for role in ("level1", "level2", "level3", "operator", "unit", "weight", "direction", "nature"):
                if roles.count(role) > 1:
                    yield p_where + ("indicators", "columns"), f"含义为 {role} 的列只能有一列"
            primaries = [i for i, c in enumerate(ind.columns) if c.primary]
            for i in primaries:
                if ind.columns[i].role != "target":
                    yield p_where + ("indicators", "columns", i, "primary"), "primary 只用于指标值列（role: target）"
            if len(primaries) > 1:
                yield p_where + ("indicators", "columns", primaries[1], "primary"), "只能有一列指标值写 primary: true"
            if "level1" not in roles or "target" not in roles:
                yield p_where + ("indicators", "columns"), "指标表至少要有一级指标（role: level1）和指标值（role: target）列"
    for name in REQUIRED_FIELDS[kind]:
        if name not in seen:
            yield where + ("parts",), f"表中必须印出字段“{name}”（{'项目名称' if name == 'name' else '预算单位'}）"
    if spec.required and kind == "project":
        yield where + ("required",), "required 只用于整体表（unit）"
    if spec.categories and kind == "unit":
        yield where + ("categories",), "categories 只用于项目表（project）"
    for c_index, category in enumerate(spec.categories):
        if category.title:
            yield from ((where + ("categories", c_index, "title"), m) for m in _placeholder_problems(category.title))
    names = [c.name for c in spec.categories]
    if len(set(names)) != len(names):
        yield where + ("categories",), "项目类别重复"
    for role, cell in spec.totals.items():
        if money_cell(spec, cell) is None:
            yield where + ("totals", role), f"“{cell}”不是本表的金额单元格"
    if spec.totals and "total" not in spec.totals:
        yield where + ("totals",), "totals 必须有 total（年度资金总额）"
    for s_index, rule in enumerate(spec.sums):
        for cell in [rule.total] + rule.parts:
            if money_cell(spec, cell) is None and item_column(spec, cell) is None:
                yield where + ("sums", s_index), f"“{cell}”不是本表的金额单元格或明细表的金额列"


def _name_problem(
    name: str, where: tuple[Any, ...], seen: dict[str, tuple[Any, ...]], kind: str
) -> Iterator[tuple[tuple[Any, ...], str]]:
    if name in seen:
        yield where, f"名称“{name}”在本表中重复"
    elif name in SYSTEM_KEYS and name not in PRINTABLE_SYSTEM:
        yield where, f"“{name}”是系统字段，不能作为表样字段"
    elif not _names_ok(name):
        yield where, f"“{name}”是保留名称"
    seen[name] = where


def _check_table(table: TablePart, where: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    rows = {r.name: r for r in table.rows}
    cols = {c.name: c for c in table.columns}
    if len(rows) != len(table.rows):
        yield where + ("rows",), "行名重复"
    if len(cols) != len(table.columns):
        yield where + ("columns",), "列名重复"
    for name in list(rows) + list(cols):
        if name in ROW_KEYS or not _names_ok(name):
            yield where, f"“{name}”是保留名称"
    if not table.rows and not table.items:
        yield where, "表格要有固定行（rows）或明细行（items: true）"
    if table.items and not table.columns:
        yield where, "有明细行的表格必须列出 columns"
    for c_index, column in enumerate(table.columns):
        if column.share_of is not None:
            if column.type != "percent":
                yield where + ("columns", c_index, "share_of"), "share_of 只用于 percent 列"
            elif cols.get(column.share_of) is None or cols[column.share_of].type != "money":
                yield where + ("columns", c_index, "share_of"), f"“{column.share_of}”不是本表的金额列"
    for s_index, rule in enumerate(table.sums):
        s_where = where + ("sums", s_index)
        names = [rule.total] + [p for p in rule.parts if p != "items"]
        if "items" in rule.parts and not table.items:
            yield s_where, "parts 中的 items 需要 items: true"
        if not table.columns:
            if rule.each is not None:
                yield s_where, "一列表格的合计关系不写 each"
            bad = [n for n in names if n not in rows]
        elif rule.each == "row":
            bad = [n for n in names if n not in cols or cols[n].type != "money"]
            if "items" in rule.parts:
                yield s_where, "each: row 的 parts 是列名，不能是 items"
        elif rule.each == "column":
            bad = [n for n in names if n not in rows]
        else:
            yield s_where, "多列表格的合计关系要写 each: row 或 each: column"
            continue
        for name in bad:
            yield s_where, f"“{name}”不是本表的{'列' if rule.each == 'row' else '行'}（或不是金额列）"


def _placeholder_problems(text: str) -> Iterator[str]:
    for match in PLACEHOLDER_RE.finditer(text):
        if match.group(1) not in PLACEHOLDERS:
            yield f"不认识的占位符 {{{match.group(1)}}}（可用：{'、'.join('{' + p + '}' for p in PLACEHOLDERS)}）"
