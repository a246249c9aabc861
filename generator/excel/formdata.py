"""A form as `(path, text)` rows, and what the value at each path is, according to its layout.

The hidden `_data` sheet of every workbook and the `cells` data table hold a form this way: one row per value
of the content file, its path written `table.row.column` / `indicators[0].value`. Nothing here knows a field
by name: `path_type` asks the layout (printed fields, tables, indicator columns) and the model (the system
fields every form has), so a layout's new field, column or section is typed like the others.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Iterator, Optional

from pydantic import BaseModel

from generator.forms.discover import UNIT_FILE
from generator.forms.layout import FormSpec, cell_title, field_spec, find_part
from generator.forms.model import inner_model

if TYPE_CHECKING:
    from generator.forms.form import Form
    from generator.forms.registry import Layout

FieldPath = tuple[Any, ...]

#: `_data` values that stand for an empty list or mapping the file sets (`indicators: []`), where the path
#: holds a list or mapping (anywhere else they are text).
EMPTY = {"list": "[]", "mapping": "{}"}

#: What the system fields every form has hold (the layout's own fields are typed by the layout).
_SYSTEM_TYPES = {"fiscal_year": "year", "order": "count", "money_decimals": "count", "money_unit": "choice",
                 "category": "choice", "source": "mapping", "acknowledge": "mapping"}  # fmt: skip


# --------------------------------------------------------------------------- data


def form_data(form: "Form") -> dict[str, Any]:
    """Return the form's data as its content file holds it: the keys it sets, every value as text."""
    from generator.editing.yamlout import plain_data

    return plain_data(form)


def form_yaml(layout: "Layout", kind: str, data: dict[str, Any]) -> tuple[str, dict[FieldPath, int]]:
    """Return the content file for imported data and the line of each path (the one call into the YAML writer)."""
    from generator.editing import yamlout

    return yamlout.form_yaml(layout, kind, data)


def flatten(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Yield (path, text) for every value, in the file's order; an empty list or mapping as `[]` / `{}`."""
    if isinstance(data, dict):
        if not data and path:
            yield path, EMPTY["mapping"]
        for key, value in data.items():
            yield from flatten(value, path + (key,))
    elif isinstance(data, list):
        if not data:
            yield path, EMPTY["list"]
        for index, item in enumerate(data):
            yield from flatten(item, path + (index,))
    else:
        yield path, "" if data is None else str(data)


def form_rows(form: "Form") -> Iterator[tuple[FieldPath, str]]:
    """Yield the `_data` rows of a form: (path, text)."""
    return flatten(form_data(form))


def form_kind(rel: str) -> str:
    """Return "unit" or "project" for a content-relative path (`2025/<unit>/unit.yml` is the unit's form)."""
    return "unit" if rel.rsplit("/", 1)[-1] == UNIT_FILE else "project"


def form_rel(ff: Any) -> str:
    """Return the content-relative path of a checked form file: `2025/<unit>/<stem>.yml`."""
    return f"{ff.year}/{ff.unit_id}/{ff.stem}.yml"


# --------------------------------------------------------------------------- paths as text

_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
#: The deepest field path of a form is `table.items[0].acknowledge.<code>`.
MAX_PATH_DEPTH = 6
_PATH_TOKEN = re.compile(r'\.?([A-Za-z0-9_-]+)|\[(0|[1-9][0-9]{0,5})\]|\[("(?:[^"\\]|\\.)*")\]')


def path_text(path: FieldPath) -> str:
    """`("indicators", 0, "value")` -> `indicators[0].value`; unusual keys as `["json string"]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _SIMPLE_KEY.match(part):
            out += ("." if out else "") + part
        else:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return out


def parse_path(text: str) -> FieldPath | None:
    """Inverse of `path_text`; None when the text is not a path."""
    parts: list[Any] = []
    pos = 0
    while pos < len(text):
        match = _PATH_TOKEN.match(text, pos)
        if (
            not match
            or (match.group(0).startswith(".") and pos == 0)
            or (pos > 0 and match.group(1) and not match.group(0).startswith("."))
        ):
            return None
        if match.group(1) is not None:
            parts.append(match.group(1))
        elif match.group(2) is not None:
            parts.append(int(match.group(2)))
        else:
            try:
                parts.append(json.loads(match.group(3)))
            except ValueError:
                return None
        pos = match.end()
    if not parts or not isinstance(parts[0], str) or len(parts) > MAX_PATH_DEPTH:
        return None
    return tuple(parts)


# --------------------------------------------------------------------------- what a path holds


def path_type(spec: FormSpec, model: type[BaseModel], path: FieldPath) -> Optional[str]:
    """Return what the value at `path` is, per the layout and the system fields; None for an unknown path.

    Leaf types are the layout's (text, longtext, money, number, year, period, code, choice, date, percent)
    plus `count` (a small whole number); containers are `list` and `mapping`. Names the layout does not
    print are the form model's system fields (`model`: the layout's model of this kind of form).
    """
    if not path or not isinstance(path[0], str):
        return None
    name, rest = path[0], path[1:]
    part = find_part(spec, name)
    if part is None:
        if name not in model.model_fields:
            return None
        kind = _SYSTEM_TYPES.get(name, "text")
        if not rest:
            return kind
        return "text" if kind == "mapping" and len(rest) == 1 and isinstance(rest[0], str) else None
    if part.fields is not None:
        field = field_spec(spec, name)
        return field.type if field is not None and not rest else None
    if part.table is not None:
        return _table_type(part.table, rest)
    assert part.indicators is not None
    if not rest:
        return "list"
    if not isinstance(rest[0], int):
        return None
    if len(rest) == 1:
        return "mapping"
    key, tail = rest[1], rest[2:]
    if key in ("merge", "acknowledge"):
        if not tail:
            return "list" if key == "merge" else "mapping"
        ok = len(tail) == 1 and isinstance(tail[0], int if key == "merge" else str)
        return "text" if ok else None
    column = next((c for c in part.indicators.columns if c.name == key), None)
    if column is None or tail:
        return None
    if column.role == "weight":
        return "number"
    return "choice" if column.choices else "text"


def _table_type(table: Any, rest: FieldPath) -> Optional[str]:
    rows = {r.name for r in table.rows}
    columns = {c.name: c for c in table.columns}

    def item(tail: FieldPath) -> Optional[str]:
        if not tail or not isinstance(tail[0], int):
            return None
        if len(tail) == 1:
            return "mapping"
        if tail[1] == "acknowledge":
            return "mapping" if len(tail) == 2 else "text" if len(tail) == 3 and isinstance(tail[2], str) else None
        column = columns.get(tail[1])
        return column.type if column is not None and len(tail) == 2 else None

    if table.items and not table.rows:
        return "list" if not rest else item(rest)
    if not rest:
        return "mapping"
    if table.items and rest[0] == "items":
        return "list" if len(rest) == 1 else item(rest[1:])
    if rest[0] not in rows:
        return None
    if not table.columns:
        return "money" if len(rest) == 1 else None
    if len(rest) == 1:
        return "mapping"
    column = columns.get(rest[1])
    return column.type if column is not None and len(rest) == 2 else None


def cell_want(kind: Optional[str]) -> str:
    """Return how a workbook cell of a path type is read: "money", "number" (whole or decimal) or "text"."""
    if kind == "money":
        return "money"
    return "number" if kind in ("number", "year", "count") else "text"


def path_label(form: "Form", path: FieldPath) -> str:
    """Return the short printed label of a data path: the layout's, else the model's field titles."""
    label = cell_title(form.spec, path)
    if label:
        return label
    labels: list[str] = []
    model: Any = type(form.data)
    for step in path:
        if isinstance(step, int):
            labels.append(f"第 {step + 1} 项")
            continue
        info = model.model_fields.get(step) if isinstance(model, type) and issubclass(model, BaseModel) else None
        labels.append(info.title if info is not None and info.title else str(step))
        model = inner_model(info.annotation) if info is not None else None
    return " ".join(labels)
