"""The data tables as CSV (one file per table) and as one JSON document.

Amounts never pass through float: both hold them as exact decimal text (as written in the YAML), with an
integer `<column>_fen` beside each one (amount × 100, i.e. hundredths of the form's money unit; 468.95 万元 →
46895), empty when the amount has more than two decimals.

CSV: UTF-8 with a byte-order mark (Excel on Chinese Windows otherwise opens UTF-8 as GBK and shows mojibake;
Python's `utf-8-sig`, pandas, R and csvkit all skip the mark), CRLF line ends and RFC 4180 quoting. Text that
Excel would run as a formula (starting with = + - @, tab or CR) gets a leading `'` in the CSV only — the
usual CSV-injection guard; JSON, SQLite and the xlsx keep the exact text.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from generator.datasets.columns import Table
from generator.excel.cells import FORMULA_START

#: Version of the data files' layout (2: columns derived from the layouts, the `cells` table).
FORMAT_VERSION = 2
NOTE = "金额为精确十进制文本（不经浮点数）；*_fen 为金额 × 100 的整数（金额单位的百分之一）。各表的列由当年所用表样决定，见 columns。"


def plain(value: Any) -> Any:
    """JSON / SQLite value: amounts and decimals as exact text, integers as integers, blanks as null."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.name for c in table.columns])
    kinds = [(c.name, c.kind) for c in table.columns]
    for row in table.rows:
        cells = []
        for name, kind in kinds:
            value = row.get(name)
            text = "" if value is None else str(value)
            if kind == "text" and text.startswith(FORMULA_START):
                text = "'" + text
            cells.append(text)
        writer.writerow(cells)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def columns_doc(tables: list[Table]) -> dict[str, list[dict[str, Any]]]:
    """Return table -> its columns: name, label, type, description and the layouts that have it."""
    return {
        t.name: [
            {"name": c.name, "label": c.label, "type": c.kind, "description": c.description, "layouts": list(c.layouts)}
            for c in t.columns
        ]
        for t in tables
    }


def tables_json(year: int, tables: list[Table]) -> bytes:
    doc = {
        "format": "disclosure-year-data",
        "version": FORMAT_VERSION,
        "year": year,
        "note": NOTE,
        "columns": columns_doc(tables),
        **{t.name: [{c.name: plain(row.get(c.name)) for c in t.columns} for row in t.rows] for t in tables},
    }
    # Compact (the C encoder; `indent` would force the slow pure-Python one on big years).
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
