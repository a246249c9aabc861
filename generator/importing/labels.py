"""The printed labels of a layout's form, and how to find them in a cell.

Labels are compared normalised (`grid.norm`: NFKC, no whitespace, no trailing colon), so `项目资金\\n（万元）`
in a Word cell is the layout's `项目资金({money_unit})`. A cell may hold a label and its value
(`年初预算资金:183.58`): `split_label` finds the label at the start of the raw text, with any spacing
between its characters and either width of punctuation, and returns the text after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

from generator.forms.layout import FormSpec, Part, fill
from generator.importing.grid import norm

MONEY_UNITS = ("万元", "元")

#: Characters printed in either width.
_PAIRS = {"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", "[": "【", "]": "】", "-": "－—", "~": "～"}


@dataclass(frozen=True)
class Label:
    """A printed label of a form: its text, what it labels, and whether the form prints it always."""

    text: str
    kind: str  # title, subtitle, field, table, corner, row, column, group, indicators, indicator-column
    name: str = ""
    optional: bool = False

    @property
    def key(self) -> str:
        return norm(self.text)


def _variants(title: str) -> list[str]:
    """A title with {money_unit} filled each way ({fiscal_year} is matched by `title_pattern`)."""
    if "{money_unit}" not in title:
        return [title]
    return [fill(title, money_unit=unit) for unit in MONEY_UNITS]


def form_labels(spec: FormSpec) -> list[Label]:
    """Every label the form prints, in printed order (titles of categories included)."""
    out: list[Label] = []
    for part in spec.parts:
        out.extend(part_labels(part))
    return out


def part_labels(part: Part) -> Iterator[Label]:
    if part.fields is not None:
        groups: set[str] = set()
        for spec in part.fields:
            if spec.group and spec.group not in groups:
                groups.add(spec.group)
                yield Label(spec.group, "group")
            if not spec.bare:
                yield Label(spec.title, "field", spec.name, spec.optional or part.outside is not None)
    elif part.table is not None:
        table = part.table
        for text in _variants(table.title):
            yield Label(text, "table", table.name, True)
        if table.corner:
            yield Label(table.corner, "corner", table.name, True)
        for column in table.columns:
            if column.group:
                yield Label(column.group, "group", table.name, True)
            yield Label(column.title, "column", column.name, column.optional)
        row_groups: set[str] = set()
        for row in table.rows:
            if row.group and row.group not in row_groups:
                row_groups.add(row.group)
                yield Label(row.group, "group", table.name, True)
            yield Label(row.title, "row", row.name, row.optional)
    elif part.indicators is not None:
        ind = part.indicators
        yield Label(ind.title, "indicators", ind.name, True)
        for ind_column in ind.columns:
            yield Label(ind_column.title, "indicator-column", ind_column.name, ind_column.optional)


def title_pattern(title: str) -> re.Pattern[str]:
    """A regex over normalised text for a printed title with `{fiscal_year}` / `{money_unit}` placeholders."""
    pieces = re.split(r"(\{fiscal_year\}|\{money_unit\})", title)
    out = []
    for piece in pieces:
        if piece == "{fiscal_year}":
            out.append(r"(?P<year>\d{4})")
        elif piece == "{money_unit}":
            out.append(r"(?P<unit>万元|元)")
        else:
            out.append(re.escape(norm(piece, colon=True)) if piece.strip() else "")
    return re.compile("^" + "".join(out).rstrip(":") + "$")


@lru_cache(maxsize=4096)
def _label_regex(text: str) -> re.Pattern[str]:
    chars = [ch for ch in norm(text)]
    parts = []
    for ch in chars:
        alts = {ch} | set(_PAIRS.get(ch, ""))
        if "!" <= ch <= "~":
            alts.add(chr(ord(ch) + 0xFEE0))
        parts.append("[" + "".join(re.escape(a) for a in sorted(alts)) + "]" if len(alts) > 1 else re.escape(ch))
    return re.compile(r"^\s*" + r"\s*".join(parts) + r"\s*(?P<colon>[:：]?)\s*", re.S)


def split_label(raw: str, label: str) -> Optional[tuple[str, bool]]:
    """Return (the text after `label` at the start of `raw`, whether a colon followed), or None."""
    match = _label_regex(label).match(raw)
    if match is None:
        return None
    return raw[match.end() :], bool(match.group("colon")) or label.rstrip().endswith((":", "："))


def find_inside(raw: str, label: str) -> Optional[tuple[int, int]]:
    """Return (start, end) of `label` followed by a colon somewhere inside `raw` (for several labels in one cell)."""
    pattern = _label_regex(label).pattern[len(r"^\s*") :]
    if not label.rstrip().endswith((":", "：")):
        pattern = pattern.replace("(?P<colon>[:：]?)", "(?P<colon>[:：])")
    match = re.compile(pattern, re.S).search(raw)
    return (match.start(), match.end()) if match else None
