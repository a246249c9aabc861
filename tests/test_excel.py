"""Excel in and out: per-form workbooks, the per-year data files, and import back to YAML."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sqlite3
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from tests.conftest import CONTENT, SEED_UNIT
from tests.excel_corpus import XLSX_LINE, tree_hash
from openpyxl import Workbook, load_workbook

from generator.cli import main
from generator.excel.workbook import (
    SHEET_DATA, SHEET_FORM, excel_number, form_data, form_rel, form_workbook, is_money_path,
    ooxml_escape, ooxml_unescape, parse_path, path_text, put_text, site_files, workbook_bytes,
)  # fmt: skip
from generator.excel.importer import cell_text, read_workbook
from generator.forms.load import load_text
from generator.forms.model import ProjectForm, UnitForm
from generator.site.render import indicator_rows
from generator.forms.validate import check_content
from generator.editing.yamlout import form_yaml

@pytest.fixture(scope="module")
def checked():
    result = check_content(CONTENT, jobs=1)
    assert not result.errors
    return result


# --------------------------------------------------------------------------- round trip


def test_every_form_round_trips_through_its_workbook(checked):
    """YAML -> model -> xlsx -> `_data` -> YAML -> model: the same model, and check passes on it."""
    assert len(checked.files) == 9
    for ff in checked.files:
        rel = form_rel(ff)
        forms, problems = read_workbook(form_workbook(ff.form, rel), "x.xlsx")
        assert problems == [], (rel, problems)
        assert [f.rel for f in forms] == [rel]
        assert forms[0].data == form_data(ff.form)
        text, _lines = form_yaml(ff.kind, forms[0].data)
        model = UnitForm if ff.kind == "unit" else ProjectForm
        assert model.model_validate(load_text(text).data) == ff.form


def test_yaml_writer_reproduces_the_shipped_files(checked):
    """The import writes files in the hand-written layout: the seed files come back byte for byte.

    (If a content file's layout was changed on purpose, compare with `disclosure import-xlsx --dry-run`.)
    """
    for ff in checked.files:
        text, _ = form_yaml(ff.kind, form_data(ff.form))
        assert text == Path(ff.path).read_text(encoding="utf-8"), ff.path


def test_the_year_workbook_round_trips_every_form(checked):
    blob = site_files(checked, forms=False)["2025/data/disclosure-2025.xlsx"]
    forms, problems = read_workbook(blob, "d.xlsx")
    assert problems == []
    by_rel = {form_rel(ff): ff.form for ff in checked.files}
    assert sorted(f.rel for f in forms) == sorted(by_rel)
    for form in forms:
        assert form.data == form_data(by_rel[form.rel])
        assert form.shown, "amounts and texts are cross-checked against the visible tables"


def _run(argv: list[str], capsys) -> tuple[int, list[re.Match], str]:
    status = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    lines = [XLSX_LINE.match(line) for line in out.out.splitlines() if ".xlsx:" in line]
    assert all(lines), out.out
    return status, lines, out.out + out.err


def test_export_then_import_into_an_empty_tree(content_copy, tmp_path, capsys):
    assert main(["export-xlsx", "--content", "content", "-o", "xlsx"]) == 0
    assert main(["export-data", "--content", "content", "-o", "data"]) == 0
    capsys.readouterr()
    workbooks = sorted(str(p) for p in (tmp_path / "xlsx").rglob("*.xlsx"))
    assert len(workbooks) == 9
    for target, files in (("fresh", workbooks), ("fresh-year", ["data/2025/data/disclosure-2025.xlsx"])):
        status, lines, out = _run(["import-xlsx", *files, "--content", target], capsys)
        assert status == 0, out
        assert {m["code"] for m in lines} == {"indicator-taxonomy"}  # the shipped forms' own warnings
        for original in sorted(content_copy.rglob("*.yml")):
            rel = original.relative_to(content_copy)
            assert (tmp_path / target / rel).read_bytes() == original.read_bytes(), rel
        assert main(["check", "--content", target]) == 0
    before = tree_hash(content_copy)
    status, _, out = _run(["import-xlsx", *workbooks, "--content", "content"], capsys)
    assert status == 0 and "0 file(s) written, 9 unchanged" in out
    assert tree_hash(content_copy) == before


def _changed_goal(raw: bytes, new: str) -> bytes:
    wb = load_workbook(io.BytesIO(raw))
    data = wb[SHEET_DATA]
    for row in data.iter_rows(min_row=2):
        if row[1].value == "goal":
            row[2].value = new
            sheet, ref = row[3].value.split("!")
            wb[sheet][ref].value = new
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_dry_run_force_and_refusal(content_copy, tmp_path, capsys, checked):
    ff = next(f for f in checked.files if f.stem == "cun-shequ-huanjie")
    book = tmp_path / "changed.xlsx"
    book.write_bytes(_changed_goal(form_workbook(ff.form, form_rel(ff)), "新的总体目标：=A1 不是公式\n第二行"))
    before = tree_hash(content_copy)
    status, _, out = _run(["import-xlsx", str(book), "--content", "content", "--dry-run"], capsys)
    assert status == 0
    assert "--- content/2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml" in out
    assert "+goal: |-\n+  新的总体目标：=A1 不是公式\n+  第二行\n" in out
    assert "dry run: 1 file(s) would change" in out
    assert tree_hash(content_copy) == before
    status, _, out = _run(["import-xlsx", str(book), "--content", "content"], capsys)
    assert status == 1 and "exists and differs (use --force" in out
    assert tree_hash(content_copy) == before
    status, _, out = _run(["import-xlsx", str(book), "--content", "content", "--force"], capsys)
    assert status == 0 and "1 file(s) written" in out
    written = (content_copy / "2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml").read_text(encoding="utf-8")
    assert "goal: |-\n  新的总体目标：=A1 不是公式\n  第二行\n" in written
    assert main(["check", "--content", "content"]) == 0


def test_usage_errors(content_copy, capsys):
    assert main(["import-xlsx", "missing.xlsx", "--content", "content"]) == 2
    assert "file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["import-xlsx"])
    assert exc.value.code == 2


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tTab", "\rCR", "a\r\nb", "_x0041_", "_x005F_", "x_x000D_y", "  两端空格  ", "\n换行\n"])
def test_text_cells_are_strings_and_read_back_exactly(text):
    wb = Workbook()
    cell = put_text(wb.active, 1, 1, text)
    assert cell.data_type == "s"
    raw = workbook_bytes(wb)
    sheet = zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and 't="inlineStr"' in sheet
    fwb = load_workbook(io.BytesIO(raw))
    vwb = load_workbook(io.BytesIO(raw), data_only=True)
    assert fwb.active["A1"].data_type == "s"
    assert cell_text(fwb.active["A1"], vwb.active["A1"], "text") == (text, None)
    if text.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert fwb.active["A1"].quotePrefix  # Excel keeps it text when the cell is edited, too


def test_ooxml_escaping_is_reversible():
    for text in ["_x0041_", "_x005F_x0041_", "\r", "a\x01b", "plain", "_x12_", "_X0041_"]:
        assert ooxml_unescape(ooxml_escape(text)) == text


def test_amounts_are_exact_floats_up_to_99999999_99():
    rng = random.Random(2025)
    cents = list(range(0, 100_000)) + [rng.randrange(0, 10_000_000_000) for _ in range(100_000)] + [9_999_999_999]
    for c in cents:
        amount = Decimal(c).scaleb(-2)
        number = excel_number(amount)
        assert number is not None and Decimal(repr(number)) == amount and float("%.16g" % number) == number, amount
    assert excel_number(Decimal("99999999.99")) == 99999999.99
    assert excel_number(Decimal("0.00")) == 0.0
    # beyond Excel's 15 significant digits: refused (written as text with a note)
    assert excel_number(Decimal("123456789012.123456")) is None
    assert excel_number(Decimal("123456789012.3456")) is None  # 16 digits
    assert excel_number(Decimal("123456789012.345")) == 123456789012.345  # 15 digits: fine


def test_paths_round_trip():
    for path in [("id",), ("budget", "total", "other"), ("indicators", 12, "acknowledge", "indicator-taxonomy"),
                 ("acknowledge", "a.b[c]"), ("x", "中文")]:  # fmt: skip
        assert parse_path(path_text(path)) == path
    for bad in ["", "fiscal year", "[0]", ".id", "a..b", "a[01]", 'a["x]', "a b"]:
        assert parse_path(bad) is None, bad


# --------------------------------------------------------------------------- the workbook as a person sees it


def test_amounts_are_numeric_cells_equal_to_the_yaml(checked):
    for ff in checked.files:
        wb = load_workbook(io.BytesIO(form_workbook(ff.form, form_rel(ff))))
        sheet = wb[SHEET_FORM]
        data = wb[SHEET_DATA]
        seen = 0
        for row in data.iter_rows(min_row=2, values_only=True):
            rel, raw_path, value, where = row
            path = parse_path(raw_path)
            if not where or not is_money_path(path):
                continue
            cell = sheet[where.split("!")[1]]
            if value is None:
                assert cell.value is None
                continue
            assert cell.data_type == "n" and isinstance(cell.value, (int, float)), where
            assert Decimal(repr(cell.value)) == Decimal(value)
            assert cell.number_format == "0.00"
            seen += 1
        assert seen >= (5 * 2 if ff.kind == "unit" else 2)


def test_unit_sheet_merges_and_print_setup(checked):
    ff = next(f for f in checked.files if f.kind == "unit")
    ws = load_workbook(io.BytesIO(form_workbook(ff.form, form_rel(ff))))[SHEET_FORM]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:F1", "A2:F2"} <= merged  # title and （2025年度） across the sheet
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "一级指标")
    expected = set()
    for index, row in enumerate(indicator_rows(ff.form.indicators)):
        r = header + 1 + index
        if row.span1 > 1:
            expected.add(f"B{r}:B{r + row.span1 - 1}")
        if row.span2 > 1:
            expected.add(f"C{r}:C{r + row.span2 - 1}")
    assert expected == {"B12:B15", "B16:B19", "B20:B21"}
    assert expected <= merged
    assert ws.cell(header + 1, 2).value == "基本经费" and ws.cell(header + 5, 2).value == "项目经费"
    assert f"A{header}:A{header + len(ff.form.indicators)}" in merged  # 绩效指标 down the side
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "portrait", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"
    assert ws.print_area == f"'{SHEET_FORM}'!$A$1:$F${ws.max_row}"
    assert ws.cell(4, 1).value == "预算资金\n（万元）" and ws.cell(4, 4).value == "合计"
    assert all(ws.row_dimensions[r].height for r in range(1, ws.max_row + 1))


def test_project_sheet_layout(checked):
    ff = next(f for f in checked.files if f.stem == "cun-shequ-ganbu-jixiao")
    wb = load_workbook(io.BytesIO(form_workbook(ff.form, form_rel(ff))))
    assert wb.sheetnames == [SHEET_FORM, SHEET_DATA] and wb[SHEET_DATA].sheet_state == "hidden"
    ws = wb[SHEET_FORM]
    assert ws["A1"].value == "其他运转类项目支出绩效目标申报表" and ws["A2"].value == "（2025年度）"
    assert [ws[f"A{r}"].value for r in (3, 4, 5)] == ["项目名称", "预算单位", "项目资金\n（万元）"]
    assert ws["D5"].value == 260 and ws["D5"].number_format == "0.00"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:E1", "B3:E3", "A5:A7", "D5:E5", "B10:B13", "B14:B15", "C14:C15"} <= merged
    assert ws["B14"].value == "项目效益" and ws["C14"].value == "社会效益指标" and ws["B15"].value is None
    assert wb.properties.creator == "disclosure" and wb.properties.title.startswith("其他运转类项目支出绩效目标申报表")


def test_exports_are_byte_identical_and_dated_by_source_date_epoch(checked, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    ff = checked.files[0]
    first = form_workbook(ff.form, form_rel(ff))
    assert form_workbook(ff.form, form_rel(ff)) == first
    data = site_files(checked, forms=False)
    assert site_files(checked, forms=False) == data
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert "1980-01-01T00:00:00Z" in core
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(1980, 1, 1, 0, 0, 0)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740000000")  # 2025-02-19T21:20:00Z
    dated = form_workbook(ff.form, form_rel(ff))
    assert dated != first and dated == form_workbook(ff.form, form_rel(ff))
    assert "2025-02-19T21:20:00Z" in zipfile.ZipFile(io.BytesIO(dated)).read("docProps/core.xml").decode()


def test_site_files_paths(checked):
    files = site_files(checked)
    stems = sorted(p.stem for p in SEED_UNIT.glob("*.yml"))
    expected = {f"2025/renhe-shehui-gongzuobu/{s}.xlsx" for s in stems}
    expected |= {f"2025/data/disclosure-2025{s}" for s in (".xlsx", ".json", ".sqlite", "-units.csv", "-projects.csv", "-indicators.csv")}
    assert set(files) == expected
    assert all(files[k][:2] == b"PK" for k in files if k.endswith(".xlsx"))


# --------------------------------------------------------------------------- per-year data


@pytest.fixture(scope="module")
def year(checked):
    return site_files(checked, forms=False)


def test_sqlite_sums_fen_without_floats(year, tmp_path):
    db = tmp_path / "d.sqlite"
    db.write_bytes(year["2025/data/disclosure-2025.sqlite"])
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT SUM(total_fen) FROM projects WHERE year = 2025 AND category = '其他运转类'").fetchone() == (46895,)
    assert conn.execute("SELECT typeof(total), typeof(total_fen) FROM projects LIMIT 1").fetchone() == ("text", "integer")
    assert conn.execute("SELECT total FROM category_totals WHERE category = '其他运转类'").fetchone() == ("468.95",)
    row = conn.execute("SELECT unit_other_operating_fen, projects_other_operating_fen FROM unit_category_check").fetchone()
    assert row == (46895, 46895)
    assert conn.execute("SELECT total, total_fen FROM units").fetchone() == ("682.42", 68242)
    count = conn.execute("SELECT SUM(indicator_count) FROM projects").fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM indicators").fetchone()[0] == 11 + count
    assert conn.execute("SELECT COUNT(*) FROM _columns").fetchone()[0] > 50
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_csv_and_json_match_the_model(year, checked):
    projects = {ff.stem: ff.form for ff in checked.files if ff.kind == "project"}
    raw = year["2025/data/disclosure-2025-projects.csv"]
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert {r["project_id"] for r in rows} == set(projects)
    for row in rows:
        form = projects[row["project_id"]]
        assert row["total"] == str(form.funding.total) and row["total_fen"] == str(int(form.funding.total * 100))
        assert row["other"] == "" and row["name"] == form.name and row["goal"] == form.goal
    doc = json.loads(year["2025/data/disclosure-2025.json"])
    assert doc["year"] == 2025 and len(doc["projects"]) == 8 and len(doc["units"]) == 1
    for item in doc["projects"]:
        form = projects[item["project_id"]]
        assert item["total"] == str(form.funding.total) and isinstance(item["total_fen"], int)
        assert item["other"] is None and item["category"] == form.category
    indicators = [i for i in doc["indicators"] if i["form_id"] == "cun-shequ-ganbu-jixiao"]
    form = projects["cun-shequ-ganbu-jixiao"]
    assert [i["value"] for i in indicators] == [ind.value for ind in form.indicators]
    for item, ind in zip(indicators, form.indicators):
        parsed = ind.parsed.as_dict()
        assert (item["kind"], item["operator"], item["number"], item["upper"], item["value_unit"]) == tuple(parsed.values())
    assert indicators[0]["number"] == "536" and indicators[0]["value_unit"] == "人"
    text = year["2025/data/disclosure-2025-indicators.csv"].decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text, newline="")))) == len(doc["indicators"])


def test_csv_guards_formula_like_text():
    from generator.datasets.tables import Column, Table, table_csv

    table = Table("t", "t", "t", [Column("a", "a"), Column("n", "n", "money")])
    table.rows = [{"a": "=HYPERLINK(\"x\")", "n": Decimal("1.50")}, {"a": "a,\"b\"\nc", "n": None}]
    text = table_csv(table).decode("utf-8-sig")
    assert text == 'a,n\r\n"\'=HYPERLINK(""x"")",1.50\r\n"a,""b""\nc",\r\n'


def test_year_workbook_sheets(year):
    wb = load_workbook(io.BytesIO(year["2025/data/disclosure-2025.xlsx"]))
    assert wb.sheetnames == ["单位", "项目", "指标", "字段说明", SHEET_DATA]
    ws = wb["项目"]
    header = [c.value for c in ws[1]]
    total = header.index("年度资金总额") + 1
    values = [ws.cell(r, total).value for r in range(2, ws.max_row + 1)]
    assert sum(Decimal(repr(v)) for v in values) == Decimal("476.95")
    assert all(ws.cell(r, total).number_format == "0.00" for r in range(2, ws.max_row + 1))
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_cache_gives_the_same_files(checked, tmp_path):
    fresh = site_files(checked)
    assert site_files(checked, cache_dir=tmp_path / "cache") == fresh
    assert any((tmp_path / "cache").rglob("*.xlsx"))
    assert site_files(checked, cache_dir=tmp_path / "cache") == fresh  # now from the cache


def test_amount_beyond_excel_precision_is_text_and_exact():
    form = ProjectForm.model_validate({
        "id": "big", "fiscal_year": "2025", "unit_name": "单位", "name": "项目", "category": "特定目标类", "money_decimals": "4",
        "funding": {"total": Decimal("123456789012.3456"), "fiscal": Decimal("123456789012.3456")}, "goal": "目标", "indicators": [],
    })  # fmt: skip
    raw = form_workbook(form, "2025/u/big.yml")
    ws = load_workbook(io.BytesIO(raw))[SHEET_FORM]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "123456789012.3456")
    assert cell.data_type == "s" and cell.comment is not None
    forms, problems = read_workbook(raw, "big.xlsx")
    assert problems == [] and forms[0].data["funding"]["total"] == "123456789012.3456"
    assert forms[0].data["indicators"] == []


def test_problem_lines_and_annotations():
    from generator.excel.importer import SheetProblem

    problem = SheetProblem("a.xlsx", "申报表", 7, 3, "invalid-value", "值不一致\n第二行 100%", "funding.total")
    assert problem.format() == "a.xlsx:申报表!C7: error: funding.total: 值不一致\\n第二行 100% (invalid-value)"
    assert XLSX_LINE.match(problem.format())
    assert problem.format_github() == "::error file=a.xlsx,title=invalid-value 申报表!C7::值不一致\\n第二行 100%25"
    whole = SheetProblem("a.xlsx", "", 0, 0, "invalid-workbook", "坏了")
    assert whole.format() == "a.xlsx: error: 坏了 (invalid-workbook)" and XLSX_LINE.match(whole.format())


def test_deep_or_odd_paths_are_refused_not_crashed():
    assert parse_path(".".join(["a"] * 7)) is None
    assert parse_path("indicators[0].acknowledge.indicator-taxonomy") == ("indicators", 0, "acknowledge", "indicator-taxonomy")


def test_site_files_only_one_unit(checked):
    files = site_files(checked, only="2025/renhe-shehui-gongzuobu")
    assert len([k for k in files if k.endswith(".xlsx")]) == 10
    assert site_files(checked, only="2024") == {}
