"""Two versions of a form compared cell by cell, under the labels their layout prints.

Amounts are every money cell of the layout (`Form.money_cells`); indicators are matched within each
indicator table by (一级, 二级, 三级 by column role, and ordinal); every other value of the model is a
field change, long texts with a word-level diff. Item rows of a table (资金来源 …) are matched by their
first text column, not by position. A unit form's cells in the layout's `cross_form` rules are compared
with the sums of its project forms. Changes to a file that are not form fields (the modeline, comments,
key order) are reported with an excerpt of the line diff.
"""

from __future__ import annotations

import difflib
import logging
from collections import Counter
from decimal import Decimal
from typing import Any, Iterator, Optional

from pydantic import BaseModel

from generator.editing.changes import AmountChange, CellEffect, FieldChange, IndicatorChange, TextChange
from generator.forms.form import Form, Indicator, table_items
from generator.forms.layout import TablePart, cell_title, find_part, item_base, money_cell
from generator.forms.document import dotted
from generator.forms.model import inner_model

Path = tuple[Any, ...]
#: Characters of unchanged text shown on each side of a change (about 60 in all).
CONTEXT = 30
#: Longer deleted or inserted runs are cut (the full text is in the file's own diff).
MAX_PIECE = 160
#: Values at most this long are shown whole (old → new) instead of as a word diff.
SHORT = 40
#: Changed lines shown of a file's line diff when its changes are not form fields.
MAX_EXCERPT = 10

# --------------------------------------------------------------------------- words


_TOKENIZER = None


def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    global _TOKENIZER
    if _TOKENIZER is None:
        # A private tokenizer: the search index build changes the global one's dictionary.
        _TOKENIZER = jieba.Tokenizer()
    return _TOKENIZER


def tokens(text: str) -> list[str]:
    """Split text into words (jieba for Chinese; runs of ASCII letters and digits stay whole)."""
    if not text:
        return []
    return _tokenizer().lcut(text)


def word_diff(old: str, new: str, context: int = CONTEXT, max_piece: int = MAX_PIECE) -> list[tuple[str, str]]:
    """Return a word-level diff as (op, text) pieces, unchanged runs cut to `context` characters each side."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    raw: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            raw.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(("+", "".join(b[j1:j2])))
    if all(op == "=" for op, _ in raw):
        return []
    out: list[tuple[str, str]] = []
    last = len(raw) - 1
    for index, (op, text) in enumerate(raw):
        if op != "=":
            if len(text) > max_piece:
                text = f"{text[:max_piece]}…（共 {len(text)} 字）"
            out.append((op, text))
        elif index == 0:
            out += [("…", ""), ("=", text[-context:])] if len(text) > context else [("=", text)]
        elif index == last:
            out += [("=", text[:context]), ("…", "")] if len(text) > context else [("=", text)]
        elif len(text) > 2 * context:
            out += [("=", text[:context]), ("…", ""), ("=", text[-context:])]
        else:
            out.append(("=", text))
    return out


# --------------------------------------------------------------------------- labels and values


def model_label(model: type[BaseModel], path: Path) -> str:
    """Return the label of a path by the model's field titles (原始公开文件 网址, 已确认的警告 empty-value)."""
    labels: list[str] = []
    current: Optional[type[BaseModel]] = model
    for step in path:
        if isinstance(step, int):
            labels.append(f"第 {step + 1} 条")
            continue
        info = current.model_fields.get(step) if current is not None else None
        if info is None:
            labels.append(str(step))
            current = None
            continue
        labels.append(info.title or str(step))
        current = inner_model(info.annotation)
    return " ".join(labels)


def label_for(form: Form, path: Path) -> str:
    """Return the short printed label of a data path: the layout's for its parts, the model's for system fields."""
    if path and isinstance(path[0], str) and find_part(form.spec, path[0]) is not None:
        return cell_title(form.spec, path) or dotted(path)
    return model_label(type(form.data), path)


def _leaves(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _leaves(getattr(value, name), path + (name,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        if all(not isinstance(v, (BaseModel, dict, list)) for v in value):
            if value:
                yield path, ", ".join(str(v) for v in value)  # a list of names (merge): one value
            return
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))
    elif value is not None:
        yield path, value


def _item_keys(table: TablePart, items: list[BaseModel]) -> list[str]:
    """Name item rows by their first text column (资金来源“一般公共预算”), else by position (as the rules do)."""
    column = next((c.name for c in table.columns if c.type == "text"), None)
    seen: Counter[str] = Counter()
    keys = []
    for index, item in enumerate(items):
        text = str(getattr(item, column) or "").strip() if column else ""
        key = f"“{text}”" if text else f"第 {index + 1} 行"
        seen[key] += 1
        keys.append(key if seen[key] == 1 else f"{key}（{seen[key]}）")
    return keys


#: (path in the data, label, value) under a key that matches the same cell on both sides.
Value = tuple[Path, str, Any]


def form_values(form: Form) -> dict[Path, Value]:
    """Return every value of a form except its indicator tables, item rows keyed by name."""
    out: dict[Path, Value] = {}
    indicator_parts = {part.name for part, _ in form.indicator_parts()}
    for name in type(form.data).model_fields:
        if name in indicator_parts:
            continue
        value = getattr(form.data, name)
        part = find_part(form.spec, name)
        table = part.table if part is not None else None
        if table is None or not table.items or value is None:
            out.update({path: (path, label_for(form, path), v) for path, v in _leaves(value, (name,))})
            continue
        for row in table.rows:
            out.update({p: (p, label_for(form, p), v) for p, v in _leaves(getattr(value, row.name), (name, row.name))})
        items = table_items(table, value)
        title = table.short or form.label(table.title)
        name_column = next((c.name for c in table.columns if c.type == "text"), None)
        for index, (item, key) in enumerate(zip(items, _item_keys(table, items), strict=True)):
            for rel, v in _leaves(item, ()):
                if rel == (name_column,):
                    continue  # the row's name is its key: shown in every label of the row
                path = item_base(table) + (index,) + rel
                out[(name, key) + rel] = (path, f"{title}{key} {model_label(type(item), rel)}", v)
    return out


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _field_change(path: Path, label: str, old: Any, new: Any) -> FieldChange:
    pieces: tuple[tuple[str, str], ...] = ()
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > SHORT:
        pieces = tuple(word_diff(old, new))
    return FieldChange(dotted(path), label, _text(old), _text(new), pieces)


def _ordered(a: dict[Any, Any], b: dict[Any, Any]) -> list[Any]:
    seen = dict.fromkeys(a)
    seen.update(dict.fromkeys(b))
    return list(seen)


def compare_forms(old: Form, new: Form) -> tuple[list[AmountChange], list[FieldChange], list[IndicatorChange]]:
    """Return the amount, field and indicator changes between two versions of a form."""
    a, b = form_values(old), form_values(new)
    money = {path for path, _ in old.money_cells()} | {path for path, _ in new.money_cells()}
    amounts: list[AmountChange] = []
    fields: list[FieldChange] = []
    for key in _ordered(a, b):
        path, label, _ = b.get(key) or a[key]
        before = a[key][2] if key in a else None
        after = b[key][2] if key in b else None
        is_money = (a.get(key, (None,))[0] in money or b.get(key, (None,))[0] in money) and all(
            v is None or isinstance(v, Decimal) for v in (before, after)
        )
        if is_money:
            if before != after:  # 8 and 8.00 are the same amount
                amounts.append(AmountChange(dotted(path), label, before, after, new.money_unit))
        elif before != after or type(before) is not type(after):
            fields.append(_field_change(path, label, before, after))
    return amounts, fields, compare_indicators(old, new)


# --------------------------------------------------------------------------- indicators


def _indicator_rows(form: Form, part_name: str) -> dict[tuple[str, str, str, int], Indicator]:
    rows: dict[tuple[str, str, str, int], Indicator] = {}
    seen: Counter[tuple[str, str, str]] = Counter()
    for ind in form.indicators:
        if ind.part.name != part_name:
            continue
        level1, level2, level3 = ((ind.cell(role) or "").strip() for role in ("level1", "level2", "level3"))
        base = (level1, level2, level3)
        rows[base + (seen[base],)] = ind
        seen[base] += 1
    return rows


def _first_target(ind: Indicator) -> Optional[str]:
    targets = ind.targets()
    return targets[0][1] if targets else None


def _other_cells(ind: Indicator) -> dict[Path, Any]:
    """The row's cells besides its levels and first target value (指标性质, 中期指标值, 备注, merge, acknowledge)."""
    skip = {c.name for c in ind.part.columns if c.role in ("level1", "level2", "level3")}
    targets = [c.name for c in ind.part.columns if c.role == "target"]
    skip.update(targets[:1])
    return {path: value for path, value in _leaves(ind.row, ()) if path[0] not in skip}


def compare_indicators(old: Form, new: Form) -> list[IndicatorChange]:
    """Match indicator rows per table by (一级, 二级, 三级, ordinal) and report what differs."""
    parts_old = {part.name: part for part, _ in old.indicator_parts()}
    parts_new = {part.name: part for part, _ in new.indicator_parts()}
    several = len(set(parts_old) | set(parts_new)) > 1
    out: list[IndicatorChange] = []
    for name in _ordered(parts_old, parts_new):
        part = parts_new.get(name) or parts_old[name]
        table = (part.short or part.title) if several else ""
        a, b = _indicator_rows(old, name), _indicator_rows(new, name)
        for key in _ordered(a, b):
            l1, l2, l3, _n = key
            before, after = a.get(key), b.get(key)
            if before is None:
                assert after is not None
                out.append(IndicatorChange("added", l1, l2, l3, None, _first_target(after), table=table))
                continue
            if after is None:
                out.append(IndicatorChange("removed", l1, l2, l3, _first_target(before), None, table=table))
                continue
            ca, cb = _other_cells(before), _other_cells(after)
            extra = []
            for path in _ordered(ca, cb):
                x, y = ca.get(path), cb.get(path)
                if x != y:
                    row = after.row if path in cb else before.row
                    extra.append(_field_change((name, after.index) + path, model_label(type(row), path), x, y))
            old_value, new_value = _first_target(before), _first_target(after)
            if old_value != new_value or extra:
                out.append(IndicatorChange("changed", l1, l2, l3, old_value, new_value, tuple(extra), table))
    return out


# --------------------------------------------------------------------------- the file's text


def _lines(raw: bytes) -> list[str]:
    return raw.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")


def _excerpt(a: list[tuple[int, str]], b: list[tuple[int, str]]) -> tuple[tuple[str, int, str], ...]:
    """Return the changed lines of a line diff as ("-"/"+", line number, text), cut after MAX_EXCERPT."""
    matcher = difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b], autojunk=False)
    lines: list[tuple[str, int, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lines += [("-", n, t) for n, t in a[i1:i2]]
        lines += [("+", n, t) for n, t in b[j1:j2]]
    if len(lines) > MAX_EXCERPT:
        lines = lines[:MAX_EXCERPT] + [("…", len(lines), "")]
    return tuple(lines)


def text_change(
    old_raw: bytes, new_raw: bytes, content_changed: bool, old_data: Any = None, new_data: Any = None
) -> Optional[TextChange]:
    """Describe what changed in a file besides its form content (modeline, comments, key order, layout of the text)."""
    if old_raw == new_raw:
        return None
    a, b = _lines(old_raw), _lines(new_raw)
    if not content_changed:
        if a == b:
            return TextChange(("文件的编码或换行符有改动，表单内容未变",))
        return TextChange(("文件有格式或注释改动，表单内容未变",), _excerpt(list(enumerate(a, 1)), list(enumerate(b, 1))))
    messages: list[str] = []
    excerpt: tuple[tuple[str, int, str], ...] = ()
    ca = [(n, t) for n, t in enumerate(a, 1) if t.lstrip().startswith("#")]
    cb = [(n, t) for n, t in enumerate(b, 1) if t.lstrip().startswith("#")]
    if [t for _, t in ca] != [t for _, t in cb]:
        messages.append("注释有改动")
        excerpt = _excerpt(ca, cb)
    if isinstance(old_data, dict) and isinstance(new_data, dict):
        common = [k for k in old_data if k in new_data]
        if common != [k for k in new_data if k in old_data]:
            messages.append("字段的先后顺序有改动")
    return TextChange(tuple(messages), excerpt) if messages else None


# --------------------------------------------------------------------------- unit against its projects


def _side(
    unit: Optional[Form], projects: list[Form], unit_cell: str, project_cell: str, category: Optional[str]
) -> tuple[Optional[Decimal], Decimal, int]:
    declared = unit.cell(unit_cell) if unit is not None else None
    chosen = [
        p for p in projects if (category is None or p.category == category) and money_cell(p.spec, project_cell) is not None
    ]
    return declared, sum((p.cell(project_cell) or Decimal(0) for p in chosen), Decimal(0)), len(chosen)


def unit_cells(
    unit_old: Optional[Form],
    unit_new: Optional[Form],
    projects_old: list[Form],
    projects_new: list[Form],
    complete_old: bool = True,
    complete_new: bool = True,
) -> list[CellEffect]:
    """Return the unit's cross_form cells whose declared amount or project sum changed."""
    unit = unit_new or unit_old
    if unit is None:
        return []
    out = []
    for rule in unit.layout.spec.cross_form:
        for unit_cell, project_cell in rule.sums.items():
            old = _side(unit_old, projects_old, unit_cell, project_cell, rule.category)
            new = _side(unit_new, projects_new, unit_cell, project_cell, rule.category)
            if old == new:
                continue
            if all(not declared for declared, _, _ in (old, new)) and old[1] == new[1] == 0:
                continue  # a blank cell against projects that have nothing in it, before and after
            label = cell_title(unit.spec, tuple(unit_cell.split("."))) or unit_cell
            out.append(
                CellEffect(
                    unit_cell,
                    label,
                    rule.category,
                    project_cell,
                    old[0],
                    new[0],
                    old[1],
                    new[1],
                    old[2],
                    new[2],
                    complete_old,
                    complete_new,
                    unit_new is not None,
                )
            )
    return out


def total_label(form: Form) -> str:
    """Return the label of the form's 年度资金总额 cell (the layout's `totals.total`)."""
    where = form.spec.totals.get("total")
    return (cell_title(form.spec, tuple(where.split("."))) if where else None) or "年度资金总额"
