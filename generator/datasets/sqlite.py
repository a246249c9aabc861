"""The data tables as one SQLite database: amounts as exact decimal TEXT with INTEGER `*_fen`, views, column docs.

The views are written from the layouts used that year: `category_totals` (projects per category),
`unit_category_check` (every `cross_form` sum of the layouts: the unit form's cell beside the sum of its
project forms' cells, in fen) and `quantitative_indicators` (indicators whose value parses as a number).
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from generator.datasets.columns import Table, cell_column
from generator.datasets.text import FORMAT_VERSION, plain
from generator.forms.layout import money_cell

if TYPE_CHECKING:
    from generator.forms.registry import Layout

_SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "money": "TEXT", "fen": "INTEGER", "decimal": "TEXT"}
_CHECK_COLUMNS = (
    "year",
    "unit_id",
    "unit_name",
    "layout",
    "category",
    "unit_cell",
    "unit_fen",
    "project_cell",
    "projects_fen",
    "projects",
)


def quote(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: Optional[str]) -> str:
    """A quoted SQL string literal (or NULL)."""
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def _check_view(tables: dict[str, Table], layouts: list["Layout"]) -> str:
    """SQL of `unit_category_check`: one SELECT per cross-form sum of each layout, united."""
    units, projects = tables["units"], tables["projects"]
    selects = []
    for layout in layouts:
        unit_spec, project_spec = layout.form("unit"), layout.form("project")
        if unit_spec is None or project_spec is None:
            continue
        for rule in layout.spec.cross_form:
            for unit_cell, project_cell in rule.sums.items():
                u_path, p_path = money_cell(unit_spec, unit_cell), money_cell(project_spec, project_cell)
                u_col = cell_column(units, unit_spec, "unit", u_path) if u_path else None
                p_col = cell_column(projects, project_spec, "project", p_path) if p_path else None
                where = "p.year = u.year AND p.unit_id = u.unit_id" + (
                    f" AND p.category = {literal(rule.category)}" if rule.category else ""
                )
                summed = f"(SELECT SUM(p.{quote(p_col + '_fen')}) FROM projects p WHERE {where})" if p_col else "NULL"
                selects.append(
                    f"SELECT u.year, u.unit_id, u.unit_name, u.layout, {literal(rule.category)} AS category, "
                    f"{literal(unit_cell)} AS unit_cell, {('u.' + quote(u_col + '_fen')) if u_col else 'NULL'} AS unit_fen, "
                    f"{literal(project_cell)} AS project_cell, {summed} AS projects_fen, "
                    f"(SELECT COUNT(*) FROM projects p WHERE {where}) AS projects "
                    f"FROM units u WHERE u.layout = {literal(layout.name)}"
                )
    if not selects:
        return "SELECT " + ", ".join(f"NULL AS {c}" for c in _CHECK_COLUMNS) + " WHERE 0"
    return "\nUNION ALL\n".join(selects)


def views(tables: dict[str, Table], layouts: list["Layout"]) -> dict[str, str]:
    return {
        "category_totals": """
            SELECT year, unit_id, layout, category, money_unit, COUNT(*) AS projects,
                   SUM(total_fen) AS total_fen,
                   printf('%d.%02d', SUM(total_fen) / 100, SUM(total_fen) % 100) AS total
            FROM projects GROUP BY year, unit_id, layout, category, money_unit""",
        "unit_category_check": _check_view(tables, layouts),
        "quantitative_indicators": """
            SELECT year, unit_id, form, form_id, form_name, table_name, seq, level1, level2, level3, value,
                   operator, number, upper, value_unit
            FROM indicators WHERE kind <> 'text'""",
    }


def tables_sqlite(year: int, tables: list[Table], layouts: list["Layout"]) -> bytes:
    """A SQLite database of the tables (amounts TEXT + INTEGER fen), with views and a column dictionary."""
    conn = sqlite3.connect(":memory:")
    try:
        _fill(conn, year, tables, layouts)
        if hasattr(conn, "serialize"):
            return conn.serialize()
        with tempfile.TemporaryDirectory() as tmp:  # pragma: no cover - Python < 3.11
            path = Path(tmp) / "db.sqlite"
            disk = sqlite3.connect(path)
            conn.backup(disk)
            disk.close()
            return path.read_bytes()
    finally:
        conn.close()


def _fill(conn: sqlite3.Connection, year: int, tables: list[Table], layouts: list["Layout"]) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA page_size = 4096")
    for table in tables:
        cols = ", ".join(f"{quote(c.name)} {_SQL_TYPES[c.kind]}" for c in table.columns)
        keys = ", ".join(quote(k) for k in table.key)
        # The long table without a rowid: its rows live in the key's b-tree (no second copy of the key columns).
        rowid = " WITHOUT ROWID" if table.name == "cells" else ""
        cur.execute(f"CREATE TABLE {quote(table.name)} ({cols}, PRIMARY KEY ({keys})){rowid}")
        marks = ", ".join("?" for _ in table.columns)
        cur.executemany(
            f"INSERT INTO {quote(table.name)} VALUES ({marks})",
            [[plain(row.get(c.name)) for c in table.columns] for row in table.rows],
        )
    for name, sql in views({t.name: t for t in tables}, layouts).items():
        cur.execute(f"CREATE VIEW {quote(name)} AS {sql.strip()}")
    cur.execute(
        "CREATE TABLE _columns (table_name TEXT, column_name TEXT, label TEXT, type TEXT, description TEXT, layouts TEXT)"
    )
    for table in tables:
        cur.executemany(
            "INSERT INTO _columns VALUES (?, ?, ?, ?, ?, ?)",
            [(table.name, c.name, c.label, _SQL_TYPES[c.kind], c.description, " ".join(c.layouts)) for c in table.columns],
        )
    cur.execute("CREATE TABLE _about (key TEXT PRIMARY KEY, value TEXT)")
    cur.executemany(
        "INSERT INTO _about VALUES (?, ?)",
        [
            ("title", f"{year} 年度预算绩效目标公开数据"),
            ("format", f"disclosure-year-data {FORMAT_VERSION}"),
            ("layouts", " ".join(layout.name for layout in layouts)),
            ("amounts", "金额列为精确十进制文本；*_fen 为金额 × 100 的整数（金额单位见 money_unit），可直接 SUM"),
            ("cells", "cells：每张表单的每个值一行（字段路径、表样标签、原样文本、类型），含宽表中没有的明细行等"),
            (
                "views",
                "category_totals：各单位各类项目合计；unit_category_check：表样规定的单位表与项目表之和对照（分）；quantitative_indicators：可解析为数值的指标",
            ),
        ],
    )
    conn.commit()
    cur.execute("VACUUM")
