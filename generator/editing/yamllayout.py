"""What a form's layout says about its content file: the modeline, the comments, each value's type and key order.

Used by the YAML writer (`yamlout`) and by `new` (`scaffold`): the title comment is the form's printed title,
each table and indicator table gets a comment line from its printed title and its sums, and keys follow the
model's field order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel

from generator.editing.yamlscalars import (
    YEAR_RE,
)
from generator.forms.layout import (
    FormSpec,
    IndicatorsPart,
    TablePart,
    cell_title,
    field_spec,
    fill,
    find_part,
)
from generator.forms.model import inner_model
from generator.forms.schemas import schema_path

if TYPE_CHECKING:
    from generator.forms.registry import Layout

Path = tuple[Any, ...]

#: System keys written in the file's header (before the first table or section).
HEADER_KEYS = ("layout", "id", "fiscal_year", "title", "order", "category", "money_unit", "money_decimals")
#: System keys that are counts (written plain when they are).
_COUNT_KEYS = ("order", "money_decimals")


def modeline(layout_name: str, kind: str) -> str:
    """Return the first line of a content file: the editor's pointer to the layout's JSON Schema."""
    return f"# yaml-language-server: $schema=../../../schema/{schema_path(layout_name, kind)}"


def money_unit_of(layout: "Layout", data: dict[str, Any]) -> str:
    unit = data.get("money_unit")
    return unit if unit in ("万元", "元") else layout.spec.money_unit


def printed_title(spec: FormSpec, data: dict[str, Any]) -> str:
    """Return the form's printed title with its subtitle, as in the title comment (`其他运转类项目支出绩效目标申报表（2025年度）`)."""
    own = data.get("title")
    title = own if isinstance(own, str) and own.strip() else spec.title
    if not (isinstance(own, str) and own.strip()):
        category = data.get("category")
        for item in spec.categories:
            if item.name == category and item.title:
                title = item.title
    year = data.get("fiscal_year")
    year = str(year) if isinstance(year, (int, str)) else ""
    if spec.subtitle is not None and YEAR_RE.match(year):
        title += fill(spec.subtitle, fiscal_year=year)
    return " ".join(title.split("\n"))


def _label(item: Any) -> str:
    return item.short or item.title


def table_comment(spec: FormSpec, table: TablePart, value: Any, money_unit: str) -> str:
    """Return the comment line above a table: its printed title and the sums that must hold."""
    title = fill(table.title, money_unit=money_unit)
    notes: list[str] = []
    rows = {r.name: r for r in table.rows}
    columns = {c.name: c for c in table.columns}
    given = value if isinstance(value, dict) else {}
    if not table.columns:
        for rule in table.sums:
            parts = [p for p in rule.parts if p in rows and not (rows[p].optional and p not in given)]
            if rule.total in rows and parts:
                notes.append(f"{_label(rows[rule.total])} = {' + '.join(_label(rows[p]) for p in parts)}")
        return "# " + title + ("：" + "；".join(notes) if notes else "")
    if table.rows:
        present = {k for r in given.values() if isinstance(r, dict) for k in r}
        for rule in table.sums:
            if rule.each != "row" or rule.total not in columns:
                continue
            parts = [p for p in rule.parts if p in columns and not (columns[p].optional and p not in present)]
            notes.append(f"每行 {_label(columns[rule.total])} = {' + '.join(_label(columns[p]) for p in parts)}")
        notes.append("空白单元格留空")
        return "# " + title + "：" + "；".join(notes) + "。"
    for form_sum in spec.sums:
        for part in form_sum.parts:
            name, _, column = part.partition(".")
            if name == table.name and column in columns:
                total = cell_title(spec, tuple(form_sum.total.split("."))) or form_sum.total
                notes.append(f"{_label(columns[column])}之和 = {total}")
    return "# " + title + ("：" + "；".join(notes) if notes else "")


def indicators_comment(part: IndicatorsPart, rows: Any) -> str:
    """Return the comment line above an indicator table: its title and its columns' printed labels."""
    used = {k for r in rows if isinstance(r, dict) for k in r} if isinstance(rows, list) else set()
    labels = [c.title for c in part.columns if not c.optional or c.name in used]
    return f"# {part.title}：{' / '.join(labels)}"


def value_kind(spec: FormSpec, path: Path) -> Optional[str]:
    """Return what the value at a data path is: money, number, year, count, longtext, or None (text)."""
    if not path or not isinstance(path[0], str):
        return None
    name = path[0]
    if len(path) == 1:
        if name == "fiscal_year":
            return "year"
        if name in _COUNT_KEYS:
            return "count"
        field = field_spec(spec, name)
        if field is not None and field.type in ("money", "number", "year", "longtext"):
            return field.type
        return None
    part = find_part(spec, name)
    if part is None:
        return None
    if part.table is not None:
        table = part.table
        rest = list(path[1:])
        if rest and rest[0] == "items" and table.rows:
            rest = rest[1:]
        if not table.columns:
            return "money" if len(rest) == 1 and rest[0] in {r.name for r in table.rows} else None
        if len(rest) == 2:
            column = next((c for c in table.columns if c.name == rest[1]), None)
            if column is not None and column.type in ("money", "number"):
                return column.type
        return None
    if part.indicators is not None and len(path) == 3:
        ind_column = next((c for c in part.indicators.columns if c.name == path[2]), None)
        if ind_column is not None and ind_column.role == "weight":
            return "number"
    return None


def paragraph(spec: FormSpec, key: str) -> Any:
    """Return which paragraph of a content file a top-level key belongs to (a blank line separates paragraphs).

    The header (system keys and the first part's fields), then one paragraph per part of the layout and
    per `longtext` field, then `source` and `acknowledge`. None for keys the layout does not know.
    """
    if key in ("source", "acknowledge"):
        return key
    part = find_part(spec, key)
    if part is None:
        return "header" if key in HEADER_KEYS else None
    index = spec.parts.index(part)
    if part.fields is not None:
        field = field_spec(spec, key)
        if field is not None and field.type == "longtext":
            return ("longtext", key)
        return "header" if index == 0 else index
    return index


def model_at(model: type[BaseModel], path: Path) -> Optional[type[BaseModel]]:
    """Return the model class of the mapping at `path` (None for free mappings such as acknowledge)."""
    current: Optional[type[BaseModel]] = model
    for step in path:
        if current is None:
            return None
        if isinstance(step, int):
            continue  # list items have the list's model
        info = current.model_fields.get(step)
        current = inner_model(info.annotation) if info is not None else None
    return current


def ordered_keys(data: dict[str, Any], order: Any) -> list[str]:
    known = [k for k in order if k in data]
    return known + [k for k in data if k not in order]
