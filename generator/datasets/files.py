"""Per-year data downloads: the tables (units, projects, indicators, cells) as xlsx, CSV, JSON and SQLite.

The tables' columns come from the layouts used that year (`columns`); amounts are exact everywhere (decimal
text and integer fen; numeric cells only when Excel holds them exactly).
"""

from __future__ import annotations

from typing import Any, Iterable

from generator.datasets.sqlite import tables_sqlite
from generator.datasets.tables import year_tables
from generator.datasets.text import table_csv, tables_json
from generator.datasets.xlsx import tables_xlsx
from generator.excel.formdata import form_kind
from generator.forms.form import Form


def data_name(year: int, suffix: str) -> str:
    return f"{year}/data/disclosure-{year}{suffix}"


def year_files(forms: Iterable[tuple[str, Form]]) -> dict[str, bytes]:
    """Return the data files of every year: `<year>/data/disclosure-<year>{.xlsx,.json,.sqlite,-<table>.csv}`."""
    by_year: dict[int, list[tuple[str, Any]]] = {}
    for rel, form in forms:
        by_year.setdefault(int(rel.split("/")[0]), []).append((rel, form))
    out: dict[str, bytes] = {}
    for year, items in sorted(by_year.items()):
        items.sort(key=lambda item: (item[0].split("/")[1], form_kind(item[0]) != "unit", item[0]))
        tables = year_tables(year, items)
        lookup = dict(items)
        ordered = [(rel, lookup[rel]) for table in tables[:2] for rel, _ in table.forms]
        layouts = sorted({form.layout.name: form.layout for _, form in items}.values(), key=lambda layout: layout.name)
        out[data_name(year, ".xlsx")] = tables_xlsx(year, tables, ordered)
        out[data_name(year, ".json")] = tables_json(year, tables)
        out[data_name(year, ".sqlite")] = tables_sqlite(year, tables, layouts)
        for table in tables:
            out[data_name(year, f"-{table.name}.csv")] = table_csv(table)
    return out
