"""One printed form and its layout -> the data of a content file, with where each value came from.

The title row gives the fiscal year (`{fiscal_year}` in the layout's title) and the project category (the
category whose printed title it is); the subtitle row (`（2025年度）`) gives the year too. Lines above the
title fill the layout's `outside: above` fields. The parts are mapped in printed order (`mapping`,
`indicators`); a money table's printed title gives the money unit (`项目资金（元）`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from generator.forms.layout import FormSpec, fill
from generator.importing.grid import Cell, norm
from generator.importing.indicators import read_indicators
from generator.importing.labels import title_pattern
from generator.importing.mapping import Mapped, Mapper, Note
from generator.importing.recognise import Candidate, Chunk, title_matches, year_cell

if TYPE_CHECKING:
    from generator.forms.registry import Layout

Path = tuple[Any, ...]


@dataclass
class Built:
    """A form read from a document: its layout and kind, data (without id), origins, and what to tell the editor."""

    layout: "Layout"
    kind: str
    data: dict[str, Any]
    origin: dict[Path, Cell]
    notes: list[Note] = field(default_factory=list)
    title: Optional[Cell] = None
    year: Optional[str] = None
    category: Optional[str] = None
    recognised: list[str] = field(default_factory=list)


def _subtitle(mapper: Mapper, spec: FormSpec) -> Optional[str]:
    """Consume the subtitle row (`（2025年度）`) and return the year it prints."""
    if spec.subtitle is None:
        return None
    pattern = title_pattern(spec.subtitle)
    for row in mapper.rows[:3]:
        for cell in row:
            if cell.empty or id(cell) in mapper.used:
                continue
            match = pattern.match(cell.key)
            if match:
                mapper.use(cell)
                groups = match.groupdict()
                if groups.get("unit"):
                    mapper.out.money_unit = groups["unit"]
                return groups.get("year")
    return None


def _category(spec: FormSpec, title: Optional[Cell]) -> Optional[str]:
    if title is None:
        return None
    for category in spec.categories:
        if category.title and title_pattern(category.title).match(title.key):
            return category.name
    return None


def _above(mapper: Mapper, spec: FormSpec, chunk: Chunk) -> list[Cell]:
    """Fill `outside: above` bare fields from the lines above the title; return the cells left over."""
    cells = [c for row in chunk.above for c in row if not c.empty]
    for part in spec.parts:
        if part.outside != "above" or part.fields is None:
            continue
        for spec_field in part.fields:
            if not cells:
                break
            if spec_field.bare:
                cell = cells.pop(0)
                mapper.out.data[spec_field.name] = cell.text
                mapper.out.origin[(spec_field.name,)] = cell
    return cells


def build_form(chunk: Chunk, candidate: Candidate, full_rows: bool) -> Built:
    layout, kind = candidate.layout, candidate.kind
    spec = layout.form(kind)
    assert spec is not None
    mapper = Mapper(chunk.rows, spec, full_rows)
    year = None
    printed_title_matches = False
    if chunk.title is not None:
        match = title_matches(spec, chunk.title.key)
        if match:
            printed_title_matches = True
            year = match.groupdict().get("year")
    year = _subtitle(mapper, spec) or year
    guessed = None
    if year is None:
        found = year_cell(chunk)
        if found is not None:
            year, guessed = found
    above_left = _above(mapper, spec, chunk)
    parts = spec.parts
    for index, part in enumerate(parts):
        if part.indicators is not None:
            read_indicators(mapper, part, parts[index + 1 :])
        elif part.table is not None:
            mapper.table(part)
        elif part.outside != "above":
            mapper.fields(part)
    mapped: Mapped = mapper.finish()
    data = dict(mapped.data)
    category = _category(spec, chunk.title) if spec.categories else None
    if category is not None:
        data["category"] = category
    if mapped.money_unit is not None:
        data["money_unit"] = mapped.money_unit
    if chunk.title is not None and not printed_title_matches:
        data["title"] = re.sub(r"\s*\n\s*", "", chunk.title.text)
    built = Built(layout, kind, data, dict(mapped.origin), list(mapped.notes), chunk.title, year, category)
    if guessed is not None:
        built.notes.append(
            Note(
                "year-from-text",
                guessed,
                f"原表没有年度行，年度 {year} 取自“{_short(guessed.text)}”；请核对（或用 --year 指定）",
                ("fiscal_year",),
            )
        )
    for cell in above_left + mapped.leftovers:
        built.notes.append(Note("unmapped-cell", cell, f"单元格“{_short(cell.text)}”没有对应到表样“{layout.name}”的任何字段"))
    built.recognised = [_said(spec, name, value) for name, value in mapped.data.items()]
    return built


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _said(spec: FormSpec, name: str, value: Any) -> str:
    from generator.forms.layout import cell_title

    label = cell_title(spec, (name,)) or name
    if isinstance(value, list):
        return f"{label}：{len(value)} 条"
    if isinstance(value, dict):
        filled = sum(1 for v in value.values() if (v if isinstance(v, str) else any(v.values())))
        return f"{label}：{filled}/{len(value)} 行"
    return f"{label}：{_short(str(value), 24) or '（空）'}"


def printed_title(spec: FormSpec, year: Optional[str]) -> str:
    return norm(fill(spec.title, fiscal_year=year or ""))
