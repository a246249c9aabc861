"""Which forms a document holds, and which layout each one follows.

A document often holds a unit's whole-unit form and all its project forms, one after the other. A form starts
at its title: a row of one cell that is some layout's title or category title (its `{fiscal_year}` filled
with any year), or any short line ending in 表 that names a 绩效目标 table. Lines such as `附件2-1` just
before a title belong to the form that follows.

Each form is scored against every form of every registered layout: the share of the layout's printed labels
found in it (optional labels count only when present), with its title counted three times, and with labels
of other layouts found in it counted against it. The best layout wins; a tie is left to the editor unless one
of the tied layouts is the site's default for the form's year, or `--layout` names one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Optional

from generator.importing.grid import Cell, Row, norm
from generator.importing.labels import form_labels, title_pattern

if TYPE_CHECKING:
    from generator.forms.layout import FormSpec
    from generator.forms.registry import Layout, Registry

_GENERIC_TITLE = re.compile(r"^.{0,60}绩效目标.{0,12}表$")
_ATTACHMENT = re.compile(r"^附(件|表)[0-9０-９\-－—:：.、 ]*$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
TITLE_WEIGHT = 3
#: Below this score a form is not taken to follow any layout.
MIN_SCORE = 0.5
#: Scores closer than this are a tie.
TIE = 0.02


@dataclass
class Chunk:
    """The rows of one printed form, from its title (or the document start) to the next form's title."""

    rows: list[Row]
    title: Optional[Cell]
    #: Rows before the title (e.g. "附件2-1").
    above: list[Row]


@dataclass
class Candidate:
    layout: "Layout"
    kind: str
    score: float


def _cells(row: Row) -> list[Cell]:
    return [c for c in row if not c.empty]


@lru_cache(maxsize=None)
def _title_patterns(spec_id: int, titles: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(title_pattern(t) for t in titles)


def spec_titles(spec: "FormSpec") -> tuple[str, ...]:
    return (spec.title,) + tuple(c.title for c in spec.categories if c.title)


def title_matches(spec: "FormSpec", key: str) -> Optional[re.Match[str]]:
    for pattern in _title_patterns(id(spec), spec_titles(spec)):
        match = pattern.match(key)
        if match:
            return match
    return None


def _title_key(key: str, registry: "Registry") -> bool:
    if _GENERIC_TITLE.match(key):
        return True
    for layout in registry.layouts.values():
        for kind in ("unit", "project"):
            spec = layout.form(kind)
            if spec is not None and title_matches(spec, key):
                return True
    return False


def is_title(row: Row, registry: "Registry") -> bool:
    """A row of one cell that is a title, or whose first line is (`项目支出绩效目标申报表\n（2025年度）` in one cell)."""
    cells = _cells(row)
    if len(cells) != 1:
        return False
    return _title_key(cells[0].key, registry) or _title_key(norm(cells[0].text.split("\n")[0]), registry)


def _title_cell(row: Row, registry: "Registry") -> tuple[Cell, list[Row]]:
    """The title cell of a title row, and the lines under the title when they share its cell (as a row of their own)."""
    cell = _cells(row)[0]
    if _title_key(cell.key, registry) or "\n" not in cell.text:
        return cell, []
    first, rest = cell.text.split("\n", 1)
    title = Cell(first.strip(), cell.page, cell.table, cell.row, cell.col, cell.line)
    return title, [[Cell(rest.strip(), cell.page, cell.table, cell.row, cell.col, cell.line)]]


def split_forms(rows: list[Row], registry: "Registry") -> list[Chunk]:
    """Split a document's rows into forms at their titles (a document without a title is one form)."""
    starts = [i for i, row in enumerate(rows) if is_title(row, registry)]
    if not starts:
        body = [r for r in rows if _cells(r)]
        return [Chunk(body, None, [])] if body else []
    chunks: list[Chunk] = []
    pending_above: list[Row] = [r for r in rows[: starts[0]] if _cells(r)]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(rows)
        body = [r for r in rows[start + 1 : end] if _cells(r)]
        above, pending_above = pending_above, []
        while body and len(_cells(body[-1])) == 1 and _ATTACHMENT.match(_cells(body[-1])[0].key) and n + 1 < len(starts):
            pending_above.insert(0, body.pop())
        title, under = _title_cell(rows[start], registry)
        chunks.append(Chunk(under + body, title, above))
    return chunks


def chunk_year(chunk: Chunk) -> Optional[str]:
    """The fiscal year printed in the title or the first rows (`（2025年度）`, `2023年项目支出…`)."""
    found = year_cell(chunk)
    return found[0] if found else None


def year_cell(chunk: Chunk) -> Optional[tuple[str, Cell]]:
    """(year, the cell it is printed in) from the title or the first rows, or None."""
    cells = [chunk.title] if chunk.title is not None else []
    cells += [c for row in chunk.rows[:3] for c in _cells(row)]
    for cell in cells:
        match = _YEAR.search(cell.text)
        if match:
            return match.group(1), cell
    return None


def _keys(chunk: Chunk) -> set[str]:
    keys: set[str] = set()
    for row in chunk.above + chunk.rows:
        for cell in _cells(row):
            key = cell.key
            keys.add(key)
            keys.update(key[:i] for i, ch in enumerate(key) if ch == ":")
    return keys


def _label_sets(spec: "FormSpec") -> tuple[set[str], set[str]]:
    required: set[str] = set()
    optional: set[str] = set()
    for label in form_labels(spec):
        if label.kind in ("table", "corner"):  # printed titles of money tables vary most ({money_unit}, wrapping)
            optional.add(label.key)
        else:
            (optional if label.optional else required).add(label.key)
    return required - {""}, optional - required - {""}


def score_all(chunk: Chunk, registry: "Registry") -> list[Candidate]:
    """Every layout's form scored against the chunk, best first."""
    keys = _keys(chunk)
    forms = [(lay, kind, lay.form(kind)) for lay in registry.layouts.values() for kind in ("unit", "project")]
    sets = {(lay.name, kind): _label_sets(spec) for lay, kind, spec in forms if spec is not None}
    every = set().union(*(req | opt for req, opt in sets.values())) if sets else set()
    title_key = chunk.title.key if chunk.title is not None else ""
    out = []
    for lay, kind, spec in forms:
        if spec is None:
            continue
        required, optional = sets[(lay.name, kind)]
        own = required | optional
        found = len(required & keys) + len(optional & keys)
        foreign = len((keys & every) - own)
        titled = TITLE_WEIGHT if title_key and title_matches(spec, title_key) else 0
        total = len(required) + len(optional & keys) + TITLE_WEIGHT + foreign
        out.append(Candidate(lay, kind, (found + titled) / total if total else 0.0))
    out.sort(key=lambda c: (-c.score, c.layout.name, c.kind))
    return out


def choose(
    candidates: list[Candidate], default: Optional[str], wanted: Optional[str]
) -> tuple[Optional[Candidate], list[Candidate]]:
    """Return (the chosen candidate or None, the tied candidates when the choice is the editor's)."""
    if wanted is not None:
        named = [c for c in candidates if c.layout.name == wanted]
        return (named[0] if named else None), []
    if not candidates or candidates[0].score < MIN_SCORE:
        return None, []
    best = candidates[0]
    tied = [c for c in candidates if best.score - c.score < TIE]
    if len(tied) == 1:
        return best, []
    preferred = [c for c in tied if c.layout.name == default]
    if len(preferred) == 1:
        return preferred[0], []
    return None, tied
