"""Per-year data downloads: the same three tables (units, projects, indicators) as xlsx, CSV, JSON and SQLite.

Amounts never pass through float: JSON, CSV and SQLite hold them as exact decimal text (as written in the
YAML), with an integer `<column>_fen` beside each one (amount × 100, i.e. hundredths of the form's money unit;
468.95 万元 → 46895), empty when the amount has more than two decimals. The xlsx holds numeric cells (exact,
see `excel.excel_number`) and a hidden `_data` sheet with every form of the year, so it can be imported.

CSV: UTF-8 with a byte-order mark (Excel on Chinese Windows otherwise opens UTF-8 as GBK and shows mojibake;
Python's `utf-8-sig`, pandas, R and csvkit all skip the mark), CRLF line ends and RFC 4180 quoting. Text that
Excel would run as a formula (starting with = + - @, tab or CR) gets a leading `'` in the CSV only — the
usual CSV-injection guard; JSON, SQLite and the xlsx keep the exact text.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from generator.excel.workbook import (
    FONT_NAME, FORMULA_START, SHEET_DATA, flatten, form_data, form_kind, money_format, new_workbook, put_amount,
    put_text, workbook_bytes, write_data_sheet,
)  # fmt: skip
from generator.forms.model import ProjectForm, UnitForm

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    #: text | int | money | fen | decimal (a number kept as text)
    kind: str = "text"
    description: str = ""
    #: Where the value comes from in the form (for the import cross-check), when it is one field verbatim.
    path: tuple[Any, ...] | None = None


def _money(name: str, label: str, path: tuple[Any, ...] | None) -> list[Column]:
    return [
        Column(name, label, "money", f"{label}，精确十进制文本（金额单位见 money_unit）", path),
        Column(f"{name}_fen", f"{label}（×100 整数）", "fen", f"{label} × 100 的整数（金额单位的百分之一）；小数超过 2 位时为空"),
    ]


_SOURCE = [
    Column("source_title", "原始公开文件", path=("source", "title")),
    Column("source_url", "原始文件网址", path=("source", "url")),
    Column("source_published", "原始文件公开日期", path=("source", "published")),
]

UNIT_COLUMNS = [
    Column("year", "年度", "int", "预算年度", ("fiscal_year",)),
    Column("unit_id", "单位编号", description="单位编号（网址中的名称）", path=("id",)),
    Column("unit_name", "预算单位", path=("unit_name",)),
    Column("department", "主管部门", path=("department",)),
    Column("money_unit", "金额单位", description="万元 或 元", path=("money_unit",)),
    *_money("total", "年度资金总额（合计）", ("budget", "total", "total")),
    *_money("fiscal", "年度资金总额（财政资金）", ("budget", "total", "fiscal")),
    *_money("other", "年度资金总额（其他资金）", ("budget", "total", "other")),
    *_money("carryover", "年度资金总额（上年结转）", ("budget", "total", "carryover")),
    *_money("personnel", "人员类项目支出", ("budget", "personnel", "total")),
    *_money("operating", "运转类项目支出（小计）", ("budget", "operating", "total")),
    *_money("public_funds", "公用经费项目支出", ("budget", "public_funds", "total")),
    *_money("other_operating", "其他运转类项目支出", ("budget", "other_operating", "total")),
    *_money("specific", "特定目标类项目经费", ("budget", "specific", "total")),
    Column("project_count", "项目表数", "int", "本单位公开的项目支出绩效目标申报表数"),
    Column("indicator_count", "整体表指标数", "int"),
    Column("tasks", "年度主要任务及拟达到的目标", path=("tasks",)),
    Column("medium_term_tasks", "中期目标", path=("medium_term_tasks",)),
    *_SOURCE,
    Column("file", "源文件", description="content/ 中的 YAML 文件"),
    Column("page", "网页", description="网站中的页面路径"),
]

PROJECT_COLUMNS = [
    Column("year", "年度", "int", "预算年度", ("fiscal_year",)),
    Column("unit_id", "单位编号"),
    Column("project_id", "项目编号", path=("id",)),
    Column("order", "序号", "int", "在单位项目列表中的序号", ("order",)),
    Column("name", "项目名称", path=("name",)),
    Column("unit_name", "预算单位", path=("unit_name",)),
    Column("department", "主管部门", path=("department",)),
    Column("implementing_unit", "实施单位", path=("implementing_unit",)),
    Column("category", "项目类别", description="人员类 / 公用经费 / 其他运转类 / 特定目标类", path=("category",)),
    Column("attribute", "项目属性", path=("attribute",)),
    Column("money_unit", "金额单位", path=("money_unit",)),
    *_money("total", "年度资金总额", ("funding", "total")),
    *_money("fiscal", "财政拨款", ("funding", "fiscal")),
    *_money("other", "其他资金", ("funding", "other")),
    *_money("carryover", "上年结转", ("funding", "carryover")),
    Column("period_start", "项目期起始年度", "int", path=("period", "start")),
    Column("period_end", "项目期结束年度", "int", path=("period", "end")),
    *_money("period_funding", "实施期资金总额", ("period_funding",)),
    Column("contact_name", "项目负责人", path=("contact", "name")),
    Column("contact_phone", "联系电话", path=("contact", "phone")),
    Column("goal", "总体目标", path=("goal",)),
    Column("medium_term_goal", "中期目标", path=("medium_term_goal",)),
    Column("indicator_count", "指标数", "int"),
    *_SOURCE,
    Column("file", "源文件", description="content/ 中的 YAML 文件"),
    Column("page", "网页", description="网站中的页面路径"),
]

INDICATOR_COLUMNS = [
    Column("year", "年度", "int"),
    Column("unit_id", "单位编号"),
    Column("form", "表单", description="unit（整体表）或 project（项目表）"),
    Column("form_id", "表单编号", description="整体表为单位编号，项目表为项目编号"),
    Column("form_name", "表单名称", description="项目名称；整体表为预算单位名称"),
    Column("seq", "序号", "int", "指标在表中的顺序（从 1 起）"),
    Column("level1", "一级指标"),
    Column("level2", "二级指标"),
    Column("level3", "三级指标"),
    Column("value", "指标值", description="原样照录"),
    Column("kind", "解析类型", description="quantity（数量）/ range（区间）/ text（文字）"),
    Column("operator", "比较符号", description="≥ ≤ = > < 或 range"),
    Column("number", "数值", "decimal", "解析出的数值（区间的下限），精确十进制文本"),
    Column("upper", "上限", "decimal", "区间的上限"),
    Column("value_unit", "单位", description="解析出的单位，如 %、人、万元"),
    Column("medium_term_value", "中期指标值"),
    Column("nature", "指标性质"),
    Column("measure_unit", "度量单位"),
    Column("weight", "权重（分值）", "decimal"),
    Column("direction", "指标方向"),
    Column("explanation", "指标解释"),
    Column("note", "备注"),
    Column("file", "源文件", description="content/ 中的 YAML 文件"),
]
_INDICATOR_PATHS = {
    "level1": "level1", "level2": "level2", "level3": "name", "value": "value", "medium_term_value": "medium_term_value",
    "nature": "nature", "measure_unit": "measure_unit", "weight": "weight", "direction": "direction",
    "explanation": "explanation", "note": "note",
}  # fmt: skip


@dataclass
class Table:
    name: str
    sheet: str
    label: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: per row: the form it comes from (content-relative path) and its money_decimals
    forms: list[tuple[str, int]] = field(default_factory=list)
    #: per row: column -> field path in that form (for the `_data` cross-check)
    paths: list[dict[str, tuple[Any, ...]]] = field(default_factory=list)

    def add(self, rel: str, decimals: int, values: dict[str, Any], paths: dict[str, tuple[Any, ...]]) -> None:
        self.rows.append(values)
        self.forms.append((rel, decimals))
        self.paths.append(paths)


def fen(amount: Decimal | None) -> int | None:
    """Amount × 100 as an integer, or None when that is not a whole number."""
    if amount is None:
        return None
    scaled = amount * 100
    return int(scaled) if scaled == scaled.to_integral_value() else None


def _fill(values: dict[str, Any], paths: dict[str, tuple[Any, ...]], columns: list[Column], form: Any, data_paths: set) -> None:
    """Fill the columns that are one form field verbatim."""
    for col in columns:
        if col.path is None or col.name in values:
            continue
        obj: Any = form
        for part in col.path:
            obj = getattr(obj, part, None) if obj is not None else None
        if col.kind == "money":
            values[col.name] = obj
            values[f"{col.name}_fen"] = fen(obj)
        else:
            values[col.name] = obj
        if col.path in data_paths:
            paths[col.name] = col.path


def year_tables(year: int, forms: list[tuple[str, UnitForm | ProjectForm]]) -> list[Table]:
    """Build the three tables of one year from its checked forms (content-relative path, form)."""
    units = Table("units", "单位", "预算单位", UNIT_COLUMNS)
    projects = Table("projects", "项目", "项目", PROJECT_COLUMNS)
    indicators = Table("indicators", "指标", "绩效指标", INDICATOR_COLUMNS)
    by_unit: dict[str, list[tuple[str, ProjectForm]]] = {}
    unit_forms: dict[str, tuple[str, UnitForm]] = {}
    for rel, form in forms:
        unit_id = rel.split("/")[1]
        if isinstance(form, UnitForm):
            unit_forms[unit_id] = (rel, form)
        else:
            by_unit.setdefault(unit_id, []).append((rel, form))
    for unit_id in sorted(set(unit_forms) | set(by_unit)):
        listed = sorted(by_unit.get(unit_id, []), key=lambda p: (p[1].order is None, p[1].order or 0, p[1].id))
        if unit_id in unit_forms:
            rel, unit = unit_forms[unit_id]
            values: dict[str, Any] = {
                "project_count": len(listed), "indicator_count": len(unit.indicators),
                "file": rel, "page": f"{year}/{unit_id}/",
            }  # fmt: skip
            paths: dict[str, tuple[Any, ...]] = {}
            _fill(values, paths, UNIT_COLUMNS, unit, _leaf_paths(unit))
            units.add(rel, unit.money_decimals, values, paths)
            _indicator_rows(indicators, year, unit_id, rel, "unit", unit.id, unit.unit_name, unit)
        for rel, project in listed:
            values = {
                "unit_id": unit_id, "indicator_count": len(project.indicators), "file": rel,
                "page": f"{year}/{unit_id}/{project.id}/",
            }  # fmt: skip
            paths = {}
            _fill(values, paths, PROJECT_COLUMNS, project, _leaf_paths(project))
            projects.add(rel, project.money_decimals, values, paths)
            _indicator_rows(indicators, year, unit_id, rel, "project", project.id, project.name, project)
    return [units, projects, indicators]


def _leaf_paths(form: Any) -> set:
    return {path for path, _ in flatten(form_data(form), form.kind)}


def _indicator_rows(table: Table, year: int, unit_id: str, rel: str, kind: str, form_id: str, name: str, form: Any) -> None:
    data_paths = _leaf_paths(form)
    for index, ind in enumerate(form.indicators):
        parsed = ind.parsed.as_dict()
        values = {
            "year": year, "unit_id": unit_id, "form": kind, "form_id": form_id, "form_name": name, "seq": index + 1,
            "kind": parsed["kind"], "operator": parsed["operator"], "number": parsed["number"], "upper": parsed["upper"],
            "value_unit": parsed["unit"], "file": rel,
        }  # fmt: skip
        paths = {}
        for column, attr in _INDICATOR_PATHS.items():
            value = getattr(ind, attr)
            values[column] = str(value) if isinstance(value, Decimal) else value
            path = ("indicators", index, attr)
            if path in data_paths:
                paths[column] = path
        table.add(rel, form.money_decimals, values, paths)


# --------------------------------------------------------------------------- formats


def _plain(value: Any) -> Any:
    """JSON / SQLite value: amounts and decimals as exact text, integers as integers, blanks as null."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        cells = []
        for col in table.columns:
            value = row.get(col.name)
            text = "" if value is None else str(value)
            if col.kind == "text" and text.startswith(FORMULA_START):
                text = "'" + text
            cells.append(text)
        writer.writerow(cells)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _columns_doc(tables: list[Table]) -> dict[str, list[dict[str, str]]]:
    return {
        t.name: [{"name": c.name, "label": c.label, "type": c.kind, "description": c.description} for c in t.columns]
        for t in tables
    }


def tables_json(year: int, tables: list[Table]) -> bytes:
    doc = {
        "format": "disclosure-year-data",
        "version": FORMAT_VERSION,
        "year": year,
        "note": "金额为精确十进制文本（不经浮点数）；*_fen 为金额 × 100 的整数（金额单位的百分之一）。",
        "columns": _columns_doc(tables),
        **{t.name: [{c.name: _plain(row.get(c.name)) for c in t.columns} for row in t.rows] for t in tables},
    }
    # Compact (the C encoder; `indent` would force the slow pure-Python one on big years).
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


_SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "money": "TEXT", "fen": "INTEGER", "decimal": "TEXT"}
_KEYS = {"units": ("year", "unit_id"), "projects": ("year", "project_id"), "indicators": ("year", "unit_id", "form", "form_id", "seq")}
VIEWS = {
    "category_totals": """
        SELECT year, unit_id, category, money_unit, COUNT(*) AS projects,
               SUM(total_fen) AS total_fen,
               printf('%d.%02d', SUM(total_fen) / 100, SUM(total_fen) % 100) AS total
        FROM projects GROUP BY year, unit_id, category, money_unit""",
    "unit_category_check": """
        SELECT u.year, u.unit_id, u.unit_name,
               u.other_operating_fen AS unit_other_operating_fen,
               (SELECT SUM(p.total_fen) FROM projects p WHERE p.year = u.year AND p.unit_id = u.unit_id
                  AND p.category = '其他运转类') AS projects_other_operating_fen,
               u.specific_fen AS unit_specific_fen,
               (SELECT SUM(p.total_fen) FROM projects p WHERE p.year = u.year AND p.unit_id = u.unit_id
                  AND p.category = '特定目标类') AS projects_specific_fen
        FROM units u""",
    "quantitative_indicators": """
        SELECT year, unit_id, form, form_id, form_name, seq, level1, level2, level3, value,
               operator, number, upper, value_unit
        FROM indicators WHERE kind <> 'text'""",
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables_sqlite(year: int, tables: list[Table]) -> bytes:
    """A SQLite database of the tables (amounts TEXT + INTEGER fen), with views and a column dictionary."""
    conn = sqlite3.connect(":memory:")
    try:
        _fill_sqlite(conn, year, tables)
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


def _fill_sqlite(conn: sqlite3.Connection, year: int, tables: list[Table]) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA page_size = 4096")
    for table in tables:
        cols = ", ".join(f"{_quote(c.name)} {_SQL_TYPES[c.kind]}" for c in table.columns)
        keys = ", ".join(_quote(k) for k in _KEYS[table.name])
        cur.execute(f"CREATE TABLE {_quote(table.name)} ({cols}, PRIMARY KEY ({keys}))")
        marks = ", ".join("?" for _ in table.columns)
        cur.executemany(
            f"INSERT INTO {_quote(table.name)} VALUES ({marks})",
            [[_plain(row.get(c.name)) for c in table.columns] for row in table.rows],
        )
    for name, sql in VIEWS.items():
        cur.execute(f"CREATE VIEW {_quote(name)} AS {sql.strip()}")
    cur.execute("CREATE TABLE _columns (table_name TEXT, column_name TEXT, label TEXT, type TEXT, description TEXT)")
    for table in tables:
        cur.executemany(
            "INSERT INTO _columns VALUES (?, ?, ?, ?, ?)",
            [(table.name, c.name, c.label, _SQL_TYPES[c.kind], c.description) for c in table.columns],
        )
    cur.execute("CREATE TABLE _about (key TEXT PRIMARY KEY, value TEXT)")
    cur.executemany(
        "INSERT INTO _about VALUES (?, ?)",
        [
            ("title", f"{year} 年度预算绩效目标公开数据"),
            ("format", f"disclosure-year-data {FORMAT_VERSION}"),
            ("amounts", "金额列为精确十进制文本；*_fen 为金额 × 100 的整数（金额单位见 money_unit），可直接 SUM"),
            ("views", "category_totals：各单位各类项目合计；unit_category_check：单位表与项目表之和对照；quantitative_indicators：可解析为数值的指标"),
        ],
    )
    conn.commit()
    cur.execute("VACUUM")


_HEADER_FONT = Font(name=FONT_NAME, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TEXT_WIDTH = {"tasks": 50, "goal": 50, "medium_term_goal": 30, "medium_term_tasks": 30, "value": 40, "name": 30,
               "unit_name": 28, "form_name": 28, "explanation": 24, "note": 16, "source_title": 24, "source_url": 30,
               "unit_id": 24, "project_id": 26, "form_id": 26, "file": 48, "page": 40, "level1": 14, "level2": 16, "level3": 24}  # fmt: skip


def tables_xlsx(year: int, tables: list[Table], forms: list[tuple[str, UnitForm | ProjectForm]]) -> bytes:
    wb = new_workbook(f"{year} 年度预算绩效目标公开数据")
    first = True
    shown: dict[tuple[str, tuple[Any, ...]], str] = {}
    for table in tables:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = table.sheet
        for col, column in enumerate(table.columns, 1):
            cell = put_text(ws, 1, col, column.label)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            width = _TEXT_WIDTH.get(column.name, 14 if column.kind in ("money", "fen") else 12)
            ws.column_dimensions[get_column_letter(col)].width = width
        for r, (row, (rel, decimals), paths) in enumerate(zip(table.rows, table.forms, table.paths), 2):
            for col, column in enumerate(table.columns, 1):
                value = row.get(column.name)
                if value is None:
                    cell = None
                elif column.kind == "money":
                    cell = put_amount(ws, r, col, value, max(decimals, 2))
                elif column.kind in ("int", "fen"):
                    cell = ws.cell(row=r, column=col, value=value)
                    cell.number_format = "0"
                else:
                    cell = put_text(ws, r, col, str(value))
                if column.name in paths:
                    shown[(rel, paths[column.name])] = f"{table.sheet}!{get_column_letter(col)}{r}"
        ws.freeze_panes = "A2"
        if table.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
        ws.row_dimensions[1].height = 30
    doc = wb.create_sheet("字段说明")
    for col, label in enumerate(("工作表", "列名", "字段", "类型", "说明"), 1):
        cell = put_text(doc, 1, col, label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    r = 1
    for table in tables:
        for column in table.columns:
            r += 1
            for col, text in enumerate((table.sheet, column.label, column.name, column.kind, column.description), 1):
                if text:
                    put_text(doc, r, col, text)
    for col, width in zip("ABCDE", (8, 26, 22, 9, 60)):
        doc.column_dimensions[col].width = width
    doc.freeze_panes = "A2"
    rows = (
        (rel, path, value, shown.get((rel, path), ""))
        for rel, form in forms
        for path, value in flatten(form_data(form), form.kind)
    )
    write_data_sheet(wb, rows)
    return workbook_bytes(wb)


def data_name(year: int, suffix: str) -> str:
    return f"{year}/data/disclosure-{year}{suffix}"


def year_files(forms: Iterable[tuple[str, UnitForm | ProjectForm]]) -> dict[str, bytes]:
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
        out[data_name(year, ".xlsx")] = tables_xlsx(year, tables, ordered)
        out[data_name(year, ".json")] = tables_json(year, tables)
        out[data_name(year, ".sqlite")] = tables_sqlite(year, tables)
        for table in tables:
            out[data_name(year, f"-{table.name}.csv")] = table_csv(table)
    return out


__all__ = ["year_files", "year_tables", "table_csv", "tables_json", "tables_sqlite", "tables_xlsx", "fen", "SHEET_DATA", "money_format"]
