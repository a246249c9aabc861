"""The indicator table of a printed form -> the layout's indicator rows.

The header is the row that holds most of the layout's printed column titles; the row-label column before it
(`绩效指标`, often printed downwards as `绩\\n效\\n指\\n标`) is recognised by the table's title. Each row
below is aligned to the header from the right (cells merged down are missing on the left in pasted text);
rows that a paste broke over blank lines are joined again. An empty level cell takes the level above when
the layout merges that column down, and level names are spelled as in the layout's taxonomy
(`社会效益\\n指标` -> `社会效益指标`). The table ends where a label of a later part starts a row, or at a line
printed below the table (outside any table).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from generator.forms.layout import IndicatorsPart, Part
from generator.importing.grid import Row, norm
from generator.importing.labels import part_labels
from generator.importing.mapping import Mapper, Note


def _taxonomy_names(part: IndicatorsPart) -> dict[str, str]:
    names: dict[str, str] = {}
    for level1, level2s in (part.taxonomy or {}).items():
        names.setdefault(norm(level1), level1)
        for level2 in level2s:
            names.setdefault(norm(level2), level2)
    return names


def _header(mapper: Mapper, part: IndicatorsPart) -> Optional[int]:
    titles = {norm(c.title) for c in part.columns}
    best, best_count = None, 1
    start = mapper.cursor[0]
    for r in range(start, len(mapper.rows)):
        count = sum(1 for cell in mapper.rows[r] if cell.key in titles and id(cell) not in mapper.used)
        if count > best_count:
            best, best_count = r, count
    return best


def _end_keys(later: list[Part]) -> set[str]:
    return {label.key for part in later for label in part_labels(part)}


def _starts_later_part(row: Row, keys: set[str]) -> bool:
    first = next((c for c in row if not c.empty), None)
    if first is None:
        return False
    key = first.key
    return key in keys or any(key[:i] in keys for i, ch in enumerate(key) if ch == ":")


def _joined(rows: list[Row], width: int) -> list[Row]:
    """Join rows a paste broke apart: a short row that starts with an empty cell, completed exactly by the next ones."""
    out: list[Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if len(row) < width and row and row[0].empty:
            total, j = list(row), i + 1
            while len(total) < width and j < len(rows):
                total += rows[j]
                j += 1
            if len(total) == width:
                out.append(total)
                i = j
                continue
        out.append(row)
        i += 1
    return out


def read_indicators(mapper: Mapper, part: Part, later: list[Part]) -> None:
    ind = part.indicators
    assert ind is not None
    title_key = norm(ind.title)
    head = _header(mapper, ind)
    if head is None:
        mapper.out.notes.append(
            Note("missing-label", None, f"没有找到{ind.title}的表头（{'、'.join(c.title for c in ind.columns)}）", (ind.name,))
        )
        return
    for r in range(max(0, head - 2), head + 1):  # the title: in the header row or a row of its own just above
        for cell in mapper.rows[r]:
            if cell.key == title_key and id(cell) not in mapper.used:
                mapper.use(cell)
    by_title = {norm(c.title): c for c in ind.columns}
    header: list[Optional[str]] = []
    for cell in mapper.rows[head]:
        if cell.empty or id(cell) in mapper.used and cell.key == title_key:
            header.append(None)
            continue
        column = by_title.get(cell.key)
        header.append(column.name if column is not None else "?")
        if column is not None:
            mapper.use(cell)
    while header and header[0] is None:
        header.pop(0)
    end = _end_keys(later)
    body: list[Row] = []
    for row in mapper.rows[head + 1 :]:
        if _starts_later_part(row, end) or all(cell.table == 0 for cell in row):  # a later label, or a line below the table
            break
        body.append(row)
    lengths = Counter(len(r) for r in body if len(r) >= len(header))
    width = lengths.most_common(1)[0][0] if lengths else len(header)
    if not mapper.full_rows:
        body = _joined(body, width)
    columns = {c.name: c for c in ind.columns}
    names = _taxonomy_names(ind)
    items: list[dict[str, Any]] = []
    previous: dict[str, str] = {}
    titles = set(by_title)
    for row in body:
        if all(cell.empty for cell in row):
            mapper.use(*row)
            continue
        if sum(1 for cell in row if cell.key in titles) >= 2:  # the header printed again (a new page)
            mapper.use(*(cell for cell in row if cell.key in titles or cell.empty or cell.key == title_key))
            continue
        cells = row[len(row) - len(header) :] if len(row) >= len(header) else [None] * (len(header) - len(row)) + list(row)
        extra = row[: len(row) - len(header)] if len(row) > len(header) else []
        for spare in extra:
            if spare.empty or spare.key == title_key:
                mapper.use(spare)
        item: dict[str, Any] = {}
        index = len(items)
        for name, entry in zip(header, cells):
            if name is None or name == "?":
                continue
            column = columns[name]
            text = entry.text if entry is not None else ""
            if entry is not None:
                mapper.use(entry)
            if not text.strip() and column.merges_down and column.role in ("level1", "level2", "level3"):
                text = previous.get(name, "")
            elif column.role in ("level1", "level2"):
                text = names.get(norm(text), text)
            item[name] = text
            if entry is not None and entry.text.strip():
                mapper.out.origin[(ind.name, index, name)] = entry
        for name in header:
            if name is not None and name != "?":
                previous[name] = item.get(name, "")
        if all(cell is None or cell.empty for cell in cells):
            continue
        first = next((c for c in row if not c.empty), row[0])
        mapper.out.origin.setdefault((ind.name, index), first)
        items.append(item)
    mapper.out.data[ind.name] = items
