"""Per-year data files: columns from the layouts, amounts exact to the fen, the same rows in every format."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from decimal import Decimal

import pytest
from excel_layouts import layout_registry
from openpyxl import load_workbook
from tests.support import CONTENT

from generator.datasets.columns import Column, Table
from generator.datasets.files import year_files
from generator.datasets.tables import year_tables
from generator.datasets.text import table_csv
from generator.excel.cells import SHEET_DATA
from generator.excel.formdata import form_rel
from generator.excel.importer import read_workbook
from generator.excel.workbook import site_files
from generator.forms.form import Form
from generator.forms.validate import check_content


@pytest.fixture(scope="module")
def checked():
    result = check_content(CONTENT, jobs=1)
    assert not result.errors
    return result


@pytest.fixture(scope="module")
def year(checked):
    return site_files(checked, forms=False)


def _csv(blob: bytes) -> list[dict[str, str]]:
    assert blob.startswith(b"\xef\xbb\xbf") and b"\r\n" in blob
    return list(csv.DictReader(io.StringIO(blob.decode("utf-8-sig"), newline="")))


def _db(blob: bytes, tmp_path) -> sqlite3.Connection:
    path = tmp_path / "d.sqlite"
    path.write_bytes(blob)
    return sqlite3.connect(path)


# --------------------------------------------------------------------------- the sample's year


def test_sqlite_sums_fen_without_floats(year, tmp_path):
    conn = _db(year["2025/data/disclosure-2025.sqlite"], tmp_path)
    assert conn.execute("SELECT SUM(total_fen) FROM projects WHERE year = 2025 AND category = '其他运转类'").fetchone() == (
        46895,
    )
    assert conn.execute("SELECT typeof(total), typeof(total_fen) FROM projects LIMIT 1").fetchone() == ("text", "integer")
    assert conn.execute("SELECT total FROM category_totals WHERE category = '其他运转类'").fetchone() == ("468.95",)
    check = conn.execute(
        "SELECT unit_fen, projects_fen, projects FROM unit_category_check WHERE category = '其他运转类' AND unit_cell = 'budget.other_operating.total'"
    ).fetchone()
    assert check == (46895, 46895, 7)
    assert conn.execute("SELECT total, total_fen, budget_personnel_total, budget_personnel_total_fen FROM units").fetchone() == (
        "682.42",
        68242,
        "189",
        18900,
    )
    count = conn.execute("SELECT SUM(indicator_count) FROM projects").fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM indicators").fetchone()[0] == 11 + count
    assert conn.execute("SELECT label FROM _columns WHERE table_name = 'units' AND column_name = 'tasks'").fetchone() == (
        "年度主要任务及拟达到的目标",
    )
    assert conn.execute(
        "SELECT value, type, fen FROM cells WHERE form = 'unit' AND path = 'budget.public_funds.total'"
    ).fetchone() == ("16.47", "money", 1647)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_csv_and_json_match_the_forms(year, checked):
    projects = {ff.stem: ff.form for ff in checked.files if ff.kind == "project"}
    rows = _csv(year["2025/data/disclosure-2025-projects.csv"])
    assert {r["project_id"] for r in rows} == set(projects)
    for row in rows:
        form = projects[row["project_id"]]
        assert row["total"] == str(form.total) and row["total_fen"] == str(int(form.total * 100))
        assert row["other"] == "" and row["name"] == form.name and row["goal"] == form.get(("goal",))
        assert row["layout"] == "sichuan-panzhihua-2025" and row["title"] == form.title
    doc = json.loads(year["2025/data/disclosure-2025.json"])
    assert doc["year"] == 2025 and doc["version"] == 2 and len(doc["projects"]) == 8 and len(doc["units"]) == 1
    for item in doc["projects"]:
        form = projects[item["project_id"]]
        assert item["total"] == str(form.total) and isinstance(item["total_fen"], int)
        assert item["other"] is None and item["category"] == form.category
    indicators = [i for i in doc["indicators"] if i["form_id"] == "cun-shequ-ganbu-jixiao"]
    form = projects["cun-shequ-ganbu-jixiao"]
    assert [i["value"] for i in indicators] == [ind.cell("target") for ind in form.indicators]
    assert [i["level3"] for i in indicators] == [i["name"] for i in indicators] == [ind.cell("level3") for ind in form.indicators]
    for item, ind in zip(indicators, form.indicators):
        parsed = ind.parsed.as_dict()
        assert (item["kind"], item["operator"], item["number"], item["upper"], item["value_unit"]) == tuple(parsed.values())
    assert indicators[0]["number"] == "536" and indicators[0]["value_unit"] == "人"
    assert len(_csv(year["2025/data/disclosure-2025-indicators.csv"])) == len(doc["indicators"])
    cells = _csv(year["2025/data/disclosure-2025-cells.csv"])
    assert len(cells) == len(doc["cells"])
    goal = next(c for c in cells if c["form_id"] == "cun-shequ-ganbu-jixiao" and c["path"] == "goal")
    assert goal["label"] == "总体目标" and goal["type"] == "longtext" and goal["value"] == form.get(("goal",))
    described = {c["name"]: c for c in doc["columns"]["units"]}
    assert described["budget_specific_fiscal"]["layouts"] == ["sichuan-panzhihua-2025"]
    assert described["budget_specific_fiscal"]["label"] == "预算资金 特定目标类项目经费 财政资金"


def test_every_amount_has_its_exact_fen(year):
    for table in ("units", "projects", "cells"):
        rows = _csv(year[f"2025/data/disclosure-2025-{table}.csv"])
        pairs = [(k, f"{k}_fen") for k in rows[0] if f"{k}_fen" in rows[0]] or [("value", "fen")]
        seen = 0
        for row in rows:
            for amount, fen in pairs:
                if row[fen]:
                    assert Decimal(row[amount]) * 100 == int(row[fen]), (table, row)
                    seen += 1
        assert seen


def test_csv_guards_formula_like_text():
    table = Table("t", "t", "t", [Column("a", "a"), Column("n", "n", "money")])
    table.rows = [{"a": '=HYPERLINK("x")', "n": Decimal("1.50")}, {"a": 'a,"b"\nc', "n": None}]
    text = table_csv(table).decode("utf-8-sig")
    assert text == 'a,n\r\n"\'=HYPERLINK(""x"")",1.50\r\n"a,""b""\nc",\r\n'


def test_year_workbook_sheets(year):
    wb = load_workbook(io.BytesIO(year["2025/data/disclosure-2025.xlsx"]))
    assert wb.sheetnames == ["单位", "项目", "指标", "字段说明", SHEET_DATA]  # `cells` is in the other formats: `_data` has it
    ws = wb["项目"]
    header = [c.value for c in ws[1]]
    total = header.index("年度资金总额") + 1
    values = [ws.cell(r, total).value for r in range(2, ws.max_row + 1)]
    assert sum(Decimal(repr(v)) for v in values) == Decimal("476.95")
    assert all(ws.cell(r, total).number_format == "0.00" for r in range(2, ws.max_row + 1))
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    docs = {(r[0], r[2]): r for r in wb["字段说明"].iter_rows(min_row=2, values_only=True)}
    assert docs[("单位", "tasks")][1] == "年度主要任务及拟达到的目标"


def _leaves(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
    else:
        yield node


def test_edits_to_a_data_table_are_imported_and_listed(year, checked):
    """A value changed only in a visible table (not in `_data`) is imported, and listed as a visible edit at its cell."""
    wb = load_workbook(io.BytesIO(year["2025/data/disclosure-2025.xlsx"]))
    ws = wb["单位"]
    col = [c.value for c in ws[1]].index("年度主要任务及拟达到的目标") + 1
    ws.cell(2, col).value = "改过的任务"
    out = io.BytesIO()
    wb.save(out)
    forms, problems = read_workbook(out.getvalue(), "d.xlsx", checked.registry)
    assert problems == []
    [unit] = [f for f in forms if f.kind == "unit"]
    [edit] = unit.edits
    assert edit.where == f"单位!{ws.cell(2, col).column_letter}2" and edit.side == "visible"
    assert "改过的任务" in [v for v in _leaves(unit.data)]


# --------------------------------------------------------------------------- several layouts in one year


@pytest.fixture(scope="module")
def mixed(checked, tmp_path_factory):
    """The sample's forms plus a project of the extended corpus layout and a unit of the columns layout."""
    registry = layout_registry(tmp_path_factory.mktemp("mixed"))
    extended, columns = registry.layouts["corpus-extended"], registry.layouts["corpus-columns"]
    project = extended.models["project"].model_validate({
        "id": "extra", "fiscal_year": "2025", "name": "扩展项目", "unit_name": "另一单位", "category": "特定目标类",
        "period": "2024—2026", "funding": {"total": "10.05", "fiscal": "10.05", "other": ""}, "goal": "目标",
        "funding_sources": [{"name": "本级", "amount": "6"}, {"name": "上级", "amount": "4.05"}],
        "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "人数", "value": "≥10人", "nature": "≥"}],
    })  # fmt: skip
    unit = columns.models["unit"].model_validate({
        "id": "other", "fiscal_year": "2025", "unit_name": "另一单位", "unit_code": "510401",
        "income": {"total": {"amount": "100", "share": "100%"}, "fiscal": {"amount": "80", "share": "80%"}},
        "indicators": [{"level1": "产出", "level2": "数量", "name": "人数", "operator": "≥", "value": "10", "unit": "人"}],
    })  # fmt: skip
    forms = [(form_rel(ff), ff.form) for ff in checked.files]
    forms += [("2025/other/extra.yml", Form(extended, "project", project)), ("2025/other/unit.yml", Form(columns, "unit", unit))]
    return forms


def test_columns_unite_the_layouts_of_the_year(mixed):
    units, projects, indicators, cells = year_tables(2025, mixed)
    for table in (units, projects, indicators, cells):
        names = [c.name for c in table.columns]
        assert len(names) == len(set(names)), table.name
    by_name = {c.name: c for c in projects.columns}
    assert by_name["period"].layouts == ("corpus-extended",) and by_name["period"].label == "项目期"
    assert set(by_name["goal"].layouts) == {"corpus-extended", "sichuan-panzhihua-2025"}
    unit_cols = {c.name: c for c in units.columns}
    assert unit_cols["unit_code"].layouts == ("corpus-columns",) and unit_cols["income_fiscal_amount"].kind == "money"
    other = next(r for r in units.rows if r["unit_id"] == "other")
    assert (
        other["total"] == Decimal("100") and other["income_fiscal_amount_fen"] == 8000 and other["income_fiscal_share"] == "80%"
    )
    assert other["project_count"] == 1 and other.get("budget_personnel_total") is None
    ind_cols = {c.name for c in indicators.columns}
    assert {"nature", "unit", "field_operator", "name"} <= ind_cols  # `operator` is the parsed symbol's column
    row = next(r for r in indicators.rows if r["form_id"] == "other")
    assert (row["field_operator"], row["operator"], row["number"], row["unit"], row["value_unit"]) == ("≥", "≥", "10", "人", "人")
    source = next(r for r in cells.rows if r["form_id"] == "extra" and r["path"] == "funding_sources[1].amount")
    assert (source["value"], source["type"], source["fen"], source["label"]) == ("4.05", "money", 405, "资金来源 第 2 行 金额")


def test_mixed_year_files_load_everywhere(mixed, tmp_path):
    files = year_files(mixed)
    conn = _db(files["2025/data/disclosure-2025.sqlite"], tmp_path)
    assert conn.execute("SELECT period, total_fen FROM projects WHERE project_id = 'extra'").fetchone() == ("2024—2026", 1005)
    assert conn.execute("SELECT layouts FROM _columns WHERE table_name = 'units' AND column_name = 'unit_code'").fetchone() == (
        "corpus-columns",
    )
    layouts = {r[0] for r in conn.execute("SELECT DISTINCT layout FROM unit_category_check")}
    assert layouts == {"sichuan-panzhihua-2025"}  # the only layout with cross-form sums
    assert conn.execute("SELECT COUNT(*) FROM quantitative_indicators WHERE form_id IN ('extra', 'other')").fetchone() == (2,)
    doc = json.loads(files["2025/data/disclosure-2025.json"])
    assert {r["project_id"] for r in doc["projects"]} >= {"extra"}
    wb = load_workbook(io.BytesIO(files["2025/data/disclosure-2025.xlsx"]))
    assert "unit_code" in [c.value for c in wb["字段说明"]["C"]]
