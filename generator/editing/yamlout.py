"""Form data (nested dicts, lists and text) -> a content file laid out like the shipped ones.

Everything about the layout of the file comes from the form's layout: the key order is the model's field
order, the modeline points at the layout's JSON Schema, the title comment is the form's printed title,
each table and indicator table gets a comment line from its printed title and its sums, the rows of a
money table with columns are aligned flow maps, `longtext` fields are folded (`>-`) and multi-line text is
literal (`|-`). Amounts, numbers and years are written plain when they have the model's exact form; any
other text is quoted wherever a plain scalar would be read differently (by our loader or by other YAML
tools: `'2025'` in a text field, `'-'`, `'on'`).

Every document is parsed back with the project's own loader and, when the data is a valid form, validated
with the layout's model before it is returned; if anything came back different, the whole document is
written again with every scalar double-quoted (always exact).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel, ValidationError

from generator.editing.yamllayout import (
    indicators_comment,
    model_at,
    modeline,
    money_unit_of,
    ordered_keys,
    paragraph,
    printed_title,
    table_comment,
    value_kind,
)
from generator.editing.yamlscalars import (
    KEY_RE,
    double_quoted,
    needs_escapes,
    plain_ok,
    scalar,
    yaml_key,
)
from generator.forms.layout import (
    FormSpec,
    TablePart,
    find_part,
)
from generator.forms.load import load_text

if TYPE_CHECKING:
    from generator.forms.form import Form
    from generator.forms.registry import Layout

Path = tuple[Any, ...]

#: System keys written in the file's header (before the first table or section).
HEADER_KEYS = ("layout", "id", "fiscal_year", "title", "order", "category", "money_unit", "money_decimals")
#: System keys that are counts (written plain when they are).
_COUNT_KEYS = ("order", "money_decimals")


# --------------------------------------------------------------------------- writing


class _Writer:
    def __init__(self, layout: "Layout", kind: str, quote_all: bool = False) -> None:
        spec = layout.form(kind)
        assert spec is not None, f"layout {layout.name} has no {kind} form"
        self.layout = layout
        self.kind = kind
        self.spec: FormSpec = spec
        self.model = layout.models[kind]
        self.quote_all = quote_all
        self.lines: list[str] = []
        self.paths: dict[Path, int] = {}

    # ---------------------------------------------------------------- primitives

    def scalar(self, text: str, path: Path, flow: bool = False) -> str:
        if self.quote_all:
            return double_quoted(text) if text != "" else ""
        return scalar(text, value_kind(self.spec, path), flow)

    def emit(self, line: str, path: Optional[Path] = None) -> None:
        self.lines.append(line)
        if path is not None:
            self.paths.setdefault(path, len(self.lines))

    def block_text(self, indent: int, head: str, text: str, path: Path) -> None:
        """`key: value` with a block scalar for long (`longtext`) or multi-line text."""
        pad = " " * (indent + 2)
        if not self.quote_all and text and not needs_escapes(text):
            folded = value_kind(self.spec, path) == "longtext"
            if "\n" not in text and folded and text == text.strip() and "\\" not in text:
                self.emit(f"{head} >-", path)
                self.emit(pad + text)
                return
            if "\n" in text:
                body = text[:-1] if text.endswith("\n") else text
                chomp = "+" if text.endswith("\n") else "-"
                lines = body.split("\n")
                first = next((ln for ln in lines if ln.strip()), "")
                indicator = "2" if first[:1] in (" ", "\t") or any(ln[:1] == " " for ln in lines) else ""
                if not any(ln != ln.rstrip() and not ln.strip() for ln in lines):
                    self.emit(f"{head} |{indicator}{chomp}", path)
                    for ln in lines:
                        self.emit(pad + ln if ln else "")
                    return
        value = self.scalar(text, path)
        self.emit(f"{head} {value}" if value else head, path)

    def value(self, indent: int, head: str, value: Any, path: Path) -> None:
        """Write `head` (`key:` or `- key:`) and its value."""
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            self.block_text(indent, head, value, path)
        elif isinstance(value, dict):
            if not value:
                self.emit(f"{head} {{}}", path)
                return
            self.emit(head, path)
            self.mapping(indent + 2, value, path)
        elif isinstance(value, list):
            if not value:
                self.emit(f"{head} []", path)
                return
            flow = self.flow_list(value, path)
            if flow is not None:
                self.emit(f"{head} {flow}", path)
                return
            self.emit(head, path)
            self.sequence(indent + 2, value, path)
        elif value is None:
            self.emit(head, path)
        else:
            raise TypeError(f"unexpected {type(value).__name__} at {path}")

    def flow_list(self, items: list[Any], path: Path) -> Optional[str]:
        """`[a, b]` for a short list of plain words (an indicator row's `merge`), else None."""
        if self.quote_all or not all(isinstance(i, str) and KEY_RE.match(i) and plain_ok(i, True) for i in items):
            return None
        return "[" + ", ".join(items) + "]"

    def order(self, path: Path) -> Any:
        model = model_at(self.model, path)
        return model.model_fields if model is not None else ()

    def mapping(self, indent: int, data: dict[str, Any], path: Path, first_prefix: str = "") -> None:
        pad = " " * indent
        for index, key in enumerate(ordered_keys(data, self.order(path))):
            prefix = first_prefix if index == 0 and first_prefix else pad
            self.value(indent, f"{prefix}{yaml_key(key)}:", data[key], path + (key,))

    def sequence(self, indent: int, items: list[Any], path: Path) -> None:
        pad = " " * indent
        for index, item in enumerate(items):
            here = path + (index,)
            if isinstance(item, dict) and item:
                self.paths.setdefault(here, len(self.lines) + 1)
                self.mapping(indent + 2, item, here, first_prefix=f"{pad}- ")
            else:
                self.value(indent, f"{pad}-", item, here)

    # ---------------------------------------------------------------- tables

    def _flowable(self, row: Any) -> bool:
        return (
            isinstance(row, dict)
            and bool(row)
            and all(KEY_RE.match(str(k)) for k in row)
            and all((v is None or isinstance(v, (str, Decimal, int))) and "\n" not in str(v or "") for v in row.values())
        )

    def table_rows(self, table: TablePart, data: dict[str, Any], path: Path) -> None:
        """A table with columns and fixed rows: one aligned flow map per row, as in the shipped files."""
        names = ordered_keys(data, self.order(path))
        fixed = {r.name for r in table.rows}
        flow = [] if self.quote_all else [n for n in names if n in fixed and self._flowable(data[n])]
        cells: dict[str, list[tuple[str, str]]] = {}
        widths: dict[int, int] = {}
        for name in flow:
            row = data[name]
            items = []
            for column in ordered_keys(row, self.order(path + (name,))):
                text = "" if row[column] is None else str(row[column])
                items.append((yaml_key(column), self.scalar(text, path + (name, column), flow=True)))
            cells[name] = items
            for i, (c, v) in enumerate(items):
                widths[i] = max(widths.get(i, 0), len(f"{c}: {v},"))
        key_width = max((len(yaml_key(n)) for n in flow), default=0) + 2
        for name in names:
            if name not in cells:
                self.value(2, f"  {yaml_key(name)}:", data[name], path + (name,))
                continue
            items = cells[name]
            parts = []
            for i, (c, v) in enumerate(items):
                text = f"{c}: {v}"
                parts.append(text if i == len(items) - 1 else (text + ",").ljust(widths[i]))
            self.emit(f"  {(yaml_key(name) + ':').ljust(key_width)}{{{' '.join(parts)}}}", path + (name,))

    # ---------------------------------------------------------------- the document

    def comment(self, key: str, value: Any, data: dict[str, Any]) -> Optional[str]:
        part = find_part(self.spec, key)
        if part is None:
            return None
        if part.table is not None:
            return table_comment(self.spec, part.table, value, money_unit_of(self.layout, data))
        if part.indicators is not None:
            return indicators_comment(part.indicators, value)
        return None

    def top(self, key: str, value: Any) -> None:
        part = find_part(self.spec, key)
        table = part.table if part is not None else None
        if table is not None and table.columns and table.rows and isinstance(value, dict) and value:
            self.emit(f"{yaml_key(key)}:", (key,))
            self.table_rows(table, value, (key,))
        else:
            self.value(0, f"{yaml_key(key)}:", value, (key,))

    def document(self, data: dict[str, Any]) -> None:
        self.emit(modeline(self.layout.name, self.kind))
        self.emit(f"# {printed_title(self.spec, data)}")
        previous: Any = "start"
        for key in ordered_keys(data, self.model.model_fields):
            group = paragraph(self.spec, key)
            if group is None:  # a key the model does not know: keep it with the one before
                group = previous
            if group != previous and previous != "start":
                self.emit("")
                line = self.comment(key, data[key], data)
                if line:
                    self.emit(line)
            self.top(key, data[key])
            previous = group
        self.emit("")


def _normal(value: Any) -> Any:
    """Plain data as the loader returns it: text for every scalar, "" for blanks."""
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if value is None:
        return ""
    return str(value)


def _validated(model: type[BaseModel], data: Any) -> Optional[BaseModel]:
    try:
        return model.model_validate(data)
    except (ValidationError, ValueError, TypeError):
        return None


def form_yaml(layout: "Layout", kind: str, data: dict[str, Any]) -> tuple[str, dict[Path, int]]:
    """Return the YAML text of a form of `layout` and the line of every written path (for locating problems)."""
    expected = _validated(layout.models[kind], data)
    writer = _Writer(layout, kind)
    writer.document(data)
    text = "\n".join(writer.lines)
    back = load_text(text)
    if (
        back.problems
        or _normal(back.data) != _normal(data)
        or (expected is not None and _validated(layout.models[kind], back.data) != expected)
    ):
        # Every scalar double-quoted is exact for any text; text the loader refuses whatever its quoting
        # (control or bidirectional characters) is still written, escaped, for `check` to report at its line.
        writer = _Writer(layout, kind, quote_all=True)
        writer.document(data)
        text = "\n".join(writer.lines)
    return text, writer.paths


def key_yaml(layout: "Layout", kind: str, key: str, value: Any) -> list[str]:
    """Return the lines of one top-level key as `form_yaml` writes it (no comment, no blank line)."""
    writer = _Writer(layout, kind)
    writer.top(key, value)
    text = "\n".join(writer.lines) + "\n"
    back = load_text(text)
    if back.problems or _normal(back.data) != _normal({key: value}):
        writer = _Writer(layout, kind, quote_all=True)
        writer.top(key, value)
    return writer.lines


def plain_data(form: "Form") -> dict[str, Any]:
    """Return a checked form's data as a content file holds it: the fields it sets, every value as text."""
    return _plain(form.data)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name)) for name in type(value).model_fields if name in value.model_fields_set}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None:
        return ""
    return str(value)


def form_text(form: "Form") -> str:
    """Return the content file of a checked form."""
    return form_yaml(form.layout, form.kind, plain_data(form))[0]
