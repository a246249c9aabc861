"""How many cells an import got right, against a content file typed by hand (tests and the benchmark).

Both sides are flattened to cells (`budget.total.fiscal`, `indicators.3.value`, `goal` …); blank, missing and
empty count the same; the id, `layout`, `source` and `acknowledge` are left out (they are not printed in the
form), and a missing `money_unit` is the layout's default. Every cell of either side counts once.
"""

from __future__ import annotations

from typing import Any

IGNORED = ("id", "layout", "source", "acknowledge")


def cells(data: Any, prefix: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], str]:
    """Flatten form data to {path: text} (blank cells included, as "")."""
    out: dict[tuple[Any, ...], str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if not prefix and key in IGNORED:
                continue
            if prefix and key == "acknowledge":
                continue
            out.update(cells(value, prefix + (str(key),)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.update(cells(value, prefix + (index,)))
    else:
        out[prefix] = "" if data is None else str(data)
    return out


def compare(expected: dict[str, Any], got: dict[str, Any], money_unit: str = "万元") -> tuple[int, int, list[str]]:
    """Return (cells right, cells in all, the paths that differ) of an import against the typed content."""
    want = cells(expected)
    have = cells(got)
    for side in (want, have):
        side.setdefault(("money_unit",), money_unit)
        if not side[("money_unit",)]:
            side[("money_unit",)] = money_unit
    paths = set(want) | set(have)
    wrong = sorted(".".join(map(str, p)) for p in paths if want.get(p, "") != have.get(p, ""))
    total = sum(1 for p in paths if want.get(p, "") or have.get(p, "") or p in want)
    return total - len(wrong), total, wrong
