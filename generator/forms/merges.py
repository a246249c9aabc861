"""Which cells of an indicator table are merged, as printed: level cells down, `merge` rows across.

Consecutive equal 一级 cells are one merged cell, and within them consecutive equal 二级 cells; a row's
`merge` list joins adjacent cells into one. The site and the workbooks both print from this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.forms.layout import IndicatorsPart


@dataclass
class MergedRow:
    """One indicator row: for each column, its row span (0 = covered by the cell above) and column span."""

    row: Any
    index: int
    rowspan: dict[str, int] = field(default_factory=dict)
    colspan: dict[str, int] = field(default_factory=dict)

    def covered(self, name: str) -> bool:
        """Return whether the cell of column `name` is covered by a merged cell (above or to the left)."""
        return self.rowspan.get(name, 1) == 0 or self.colspan.get(name, 1) == 0


def merged_rows(part: IndicatorsPart, rows: list[Any]) -> list[MergedRow]:
    """Return the rows with their spans: level1 merged down, level2 within level1 (as the layout says), `merge` across."""
    out = [MergedRow(row, index) for index, row in enumerate(rows)]
    names = [c.name for c in part.columns]
    # Outer merges first: level1, then level2, then any other column the layout merges down.
    order = {"level1": 0, "level2": 1}
    levels = [c.name for c in sorted(part.columns, key=lambda c: order.get(c.role, 2)) if c.merges_down]
    bounds = [(0, len(out))]
    for name in levels:
        inner: list[tuple[int, int]] = []
        for start, end in bounds:
            run = start
            for i in range(start, end + 1):
                if i == end or getattr(out[i].row, name) != getattr(out[run].row, name):
                    if run < end:
                        out[run].rowspan[name] = i - run
                        for j in range(run + 1, i):
                            out[j].rowspan[name] = 0
                        inner.append((run, i))
                    run = i
        bounds = inner
    for item in out:
        merged = [n for n in (getattr(item.row, "merge", None) or ()) if n in names]
        if len(merged) > 1:
            item.colspan[merged[0]] = len(merged)
            for name in merged[1:]:
                item.colspan[name] = 0
    return out


def grouped(items: list[Any], key: Any) -> list[tuple[Any, Any, int]]:
    """Return (item, group label, row span of the group cell: n on its first row, 0 below) for consecutive groups."""
    out: list[tuple[Any, Any, int]] = []
    i = 0
    while i < len(items):
        group = key(items[i])
        j = i + 1
        while group is not None and j < len(items) and key(items[j]) == group:
            j += 1
        out.append((items[i], group, j - i if group is not None else 1))
        out += [(items[k], group, 0) for k in range(i + 1, j)]
        i = j
    return out
