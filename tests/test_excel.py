"""Excel in and out: per-form workbooks laid out from their layout, and import back to YAML."""

from __future__ import annotations

import io
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from tests.support import CONTENT, SEED_UNIT
from tests.excel_corpus import XLSX_LINE, data_row, edit, exported, tree_hash

from generator.cli import main
from generator.editing.yamlout import form_text
from generator.excel.cells import (
    DATA_HEADER,
    SHEET_DATA,
    SHEET_FORM,
    excel_number,
    ooxml_escape,
    ooxml_unescape,
    put_text,
    workbook_bytes,
)
from generator.excel.formdata import form_data, form_rel, form_yaml, parse_path, path_text, path_type
from generator.excel.importer import read_workbook
from generator.excel.reading import SheetProblem, cell_text
from generator.excel.workbook import form_workbook, site_files
from generator.forms.form import Form
from generator.forms.load import load_text
from generator.forms.merges import merged_rows
from generator.forms.validate import check_content


@pytest.fixture(scope="module")
def checked():
    result = check_content(CONTENT, jobs=1)
    assert not result.errors
    return result


def same_file(text: str, original: str) -> bool:
    """Whether `text` is the file `original`, apart from a modeline not yet moved to the layout's schema."""
    head, _, body = text.partition("\n")
    old_head, _, old_body = original.partition("\n")
    return (
        body == old_body
        and head.startswith("# yaml-language-server: $schema=")
        and old_head.startswith("# yaml-language-server: $schema=")
    )


@pytest.fixture
def canonical_copy(content_copy: Path) -> Path:
    """A copy of content/ with every file as the YAML writer writes it (what an import writes back)."""
    result = check_content(content_copy, jobs=1)
    assert not result.errors
    for ff in result.files:
        Path(ff.path).write_text(form_text(ff.form), encoding="utf-8")
    return content_copy


# --------------------------------------------------------------------------- round trip


def test_every_form_round_trips_through_its_workbook(checked):
    """YAML -> model -> xlsx -> `_data` -> YAML -> model: the same model, the same file."""
    assert len(checked.files) == 9
    for ff in checked.files:
        rel = form_rel(ff)
        forms, problems = read_workbook(form_workbook(ff.form, rel), "x.xlsx", checked.registry)
        assert problems == [], (rel, problems)
        assert [f.rel for f in forms] == [rel]
        assert forms[0].layout is ff.form.layout
        assert forms[0].data == form_data(ff.form)
        text, _lines = form_yaml(ff.form.layout, ff.kind, forms[0].data)
        assert ff.form.layout.models[ff.kind].model_validate(load_text(text).data) == ff.form.data
        assert same_file(text, Path(ff.path).read_text(encoding="utf-8")), ff.path


def test_the_data_sheet_names_each_forms_layout(checked):
    ff = next(f for f in checked.files if f.stem == "cun-shequ-huanjie")
    ws = load_workbook(io.BytesIO(form_workbook(ff.form, form_rel(ff))))[SHEET_DATA]
    assert tuple(c.value for c in ws[1]) == DATA_HEADER
    layouts = [row[4] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert layouts[0] == "sichuan-panzhihua-2025" and set(layouts[1:]) == {None}


def test_the_year_workbook_round_trips_every_form(checked):
    blob = site_files(checked, forms=False)["2025/data/disclosure-2025.xlsx"]
    forms, problems = read_workbook(blob, "d.xlsx", checked.registry)
    assert problems == []
    by_rel = {form_rel(ff): ff.form for ff in checked.files}
    assert sorted(f.rel for f in forms) == sorted(by_rel)
    for form in forms:
        assert form.data == form_data(by_rel[form.rel])
        # Every value of the form is on a visible sheet; acknowledgements (editors' notes, not cells of the
        # published form) are only in `_data` and the YAML.
        editorial = {path for path in form.cells if "acknowledge" in path}
        assert set(form.shown) == set(form.cells) - editorial, "every value is cross-checked against a visible table"


def _run(argv: list[str], capsys) -> tuple[int, list[re.Match], str]:
    status = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    lines = [XLSX_LINE.match(line) for line in out.out.splitlines() if ".xlsx:" in line]
    assert all(lines), out.out
    return status, lines, out.out + out.err


def test_export_then_import_into_an_empty_tree(canonical_copy, tmp_path, capsys):
    assert main(["export-xlsx", "--content", "content", "-o", "xlsx"]) == 0
    assert main(["export-data", "--content", "content", "-o", "data"]) == 0
    capsys.readouterr()
    workbooks = sorted(str(p) for p in (tmp_path / "xlsx").rglob("*.xlsx"))
    assert len(workbooks) == 9
    for target, files in (("fresh", workbooks), ("fresh-year", ["data/2025/data/disclosure-2025.xlsx"])):
        status, lines, out = _run(["import-xlsx", *files, "--content", target], capsys)
        assert status == 0, out
        assert {m["code"] for m in lines} == set()  # the shipped forms' own warnings are acknowledged
        for original in sorted(canonical_copy.rglob("*.yml")):
            rel = original.relative_to(canonical_copy)
            assert (tmp_path / target / rel).read_bytes() == original.read_bytes(), rel
        assert main(["check", "--content", target]) == 0
    before = tree_hash(canonical_copy)
    status, _, out = _run(["import-xlsx", *workbooks, "--content", "content"], capsys)
    assert status == 0 and "0 file(s) written, 9 unchanged" in out
    assert tree_hash(canonical_copy) == before


def _changed(raw: bytes, path: str, new: str) -> bytes:
    def change(wb) -> None:
        for row in wb[SHEET_DATA].iter_rows(min_row=2):
            if row[1].value == path:
                row[2].value = new
                sheet, ref = row[3].value.split("!")
                wb[sheet][ref].value = new

    return edit(raw, change)


def test_dry_run_force_and_refusal(canonical_copy, tmp_path, capsys, checked):
    ff = next(f for f in checked.files if f.stem == "cun-shequ-huanjie")
    book = tmp_path / "changed.xlsx"
    book.write_bytes(_changed(form_workbook(ff.form, form_rel(ff)), "goal", "新的总体目标：=A1 不是公式\n第二行"))
    before = tree_hash(canonical_copy)
    status, _, out = _run(["import-xlsx", str(book), "--content", "content", "--dry-run"], capsys)
    assert status == 0
    assert "--- content/2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml" in out
    assert "+goal: |-\n+  新的总体目标：=A1 不是公式\n+  第二行\n" in out
    assert "dry run: 1 file(s) would change" in out
    assert tree_hash(canonical_copy) == before
    status, _, out = _run(["import-xlsx", str(book), "--content", "content"], capsys)
    assert status == 1 and "exists and differs (use --force" in out
    assert tree_hash(canonical_copy) == before
    status, _, out = _run(["import-xlsx", str(book), "--content", "content", "--force"], capsys)
    assert status == 0 and "1 file(s) written" in out
    written = (canonical_copy / "2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml").read_text(encoding="utf-8")
    assert "goal: |-\n  新的总体目标：=A1 不是公式\n  第二行\n" in written
    assert main(["check", "--content", "content"]) == 0


def test_usage_errors(content_copy, capsys):
    assert main(["import-xlsx", "missing.xlsx", "--content", "content"]) == 2
    assert "file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["import-xlsx"])
    assert exc.value.code == 2


# --------------------------------------------------------------------------- which layout a workbook's forms follow


def test_a_data_sheet_without_the_layout_column_follows_the_sites_default(checked):
    """Workbooks exported before layouts: four `_data` columns; the form's year's default layout applies."""

    def drop_layout(wb) -> None:
        ws = wb[SHEET_DATA]
        for row in ws.iter_rows(min_row=1, min_col=5, max_col=6):
            for cell in row:
                cell.value = None

    forms, problems = read_workbook(edit(exported(), drop_layout), "old.xlsx", checked.registry)
    assert problems == [] and forms[0].layout.name == "sichuan-panzhihua-2025"


def test_an_unknown_layout_is_refused_at_its_cell(checked):
    raw = edit(exported(), lambda wb: wb[SHEET_DATA].__setitem__("E2", "no-such-layout"))
    forms, problems = read_workbook(raw, "x.xlsx", checked.registry)
    assert forms == [] and [(p.where, p.code) for p in problems] == [("_data!E2", "unknown-layout")]
    assert "no-such-layout" in problems[0].message


def test_two_layouts_for_one_form_are_refused(checked):
    raw = exported()
    row = data_row(raw, "goal")
    forms, problems = read_workbook(
        edit(raw, lambda wb: wb[SHEET_DATA].__setitem__(f"E{row}", "other-layout")), "x.xlsx", checked.registry
    )
    assert [(p.where, p.code) for p in problems] == [(f"_data!E{row}", "invalid-value")]


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\tTab", "\rCR", "a\r\nb", "_x0041_", "_x005F_", "x_x000D_y", "  两端空格  ", "\n换行\n"],
)
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


def test_path_types_come_from_the_layout(checked):
    form = next(ff.form for ff in checked.files if ff.kind == "unit")
    spec, model = form.spec, type(form.data)
    expect = {
        ("budget", "personnel", "fiscal"): "money", ("budget",): "mapping", ("budget", "total"): "mapping",
        ("tasks",): "longtext", ("unit_name",): "text", ("fiscal_year",): "year", ("money_decimals",): "count",
        ("indicators",): "list", ("indicators", 3): "mapping", ("indicators", 3, "value"): "text",
        ("indicators", 0, "merge"): "list", ("indicators", 0, "acknowledge", "empty-value"): "text",
        ("source", "url"): "text", ("acknowledge",): "mapping", ("nothing",): None, ("budget", "nothing"): None,
    }  # fmt: skip
    assert {path: path_type(spec, model, path) for path in expect} == expect


# --------------------------------------------------------------------------- the workbook as a person sees it


def test_amounts_are_numeric_cells_equal_to_the_yaml(checked):
    for ff in checked.files:
        wb = load_workbook(io.BytesIO(form_workbook(ff.form, form_rel(ff))))
        sheet = wb[SHEET_FORM]
        seen = 0
        for rel, raw_path, value, where, _layout, _digest in wb[SHEET_DATA].iter_rows(min_row=2, values_only=True):
            if not where or path_type(ff.form.spec, type(ff.form.data), parse_path(raw_path)) != "money":
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
    part = ff.form.indicators[0].part
    expected = set()
    for row in merged_rows(part, [ind.row for ind in ff.form.indicators]):
        r = header + 1 + row.index
        for col, name in ((2, "level1"), (3, "level2")):
            if row.rowspan.get(name, 1) > 1:
                expected.add(f"{'BC'[col - 2]}{r}:{'BC'[col - 2]}{r + row.rowspan[name] - 1}")
    assert expected == {"B12:B15", "B16:B19", "B20:B21"}
    assert expected <= merged
    assert ws.cell(header + 1, 2).value == "基本经费" and ws.cell(header + 5, 2).value == "项目经费"
    assert f"A{header}:A{header + len(ff.form.indicators)}" in merged  # 绩效指标 down the side
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "portrait", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"
    assert ws.print_area == f"'{SHEET_FORM}'!$A$1:$F${ws.max_row}"
    # The budget table: caption down the side, the layout's corner and column titles, grouped rows.
    assert ws["A4"].value == "预算资金\n（万元）" and "A4:A9" in merged
    assert [ws.cell(4, c).value for c in range(2, 7)] == ["项目", None, "合计", "财政资金", "其他资金"]
    assert ws["B5"].value == "年度资金总额：" and ws["D5"].value == 682.42
    assert ws["B7"].value == "运转类项目支出" and "B7:B8" in merged and ws["C7"].value == "公用经费项目支出"
    assert [ws.column_dimensions[c].width for c in "ABCDEF"] == [10, 13, 18, 12, 12, 12]
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
    assert [ws.cell(9, c).value for c in range(2, 6)] == ["一级指标", "二级指标", "三级指标", "指标值（包含数字及文字描述）"]
    assert [ws.column_dimensions[c].width for c in "ABCDE"] == [10, 10, 12, 20, 30]
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
    tables = ("-units.csv", "-projects.csv", "-indicators.csv", "-cells.csv")
    expected |= {f"2025/data/disclosure-2025{s}" for s in (".xlsx", ".json", ".sqlite") + tables}
    assert set(files) == expected
    assert all(files[k][:2] == b"PK" for k in files if k.endswith(".xlsx"))


def test_cache_gives_the_same_files(checked, tmp_path):
    fresh = site_files(checked)
    assert site_files(checked, cache_dir=tmp_path / "cache") == fresh
    assert any((tmp_path / "cache").rglob("*.xlsx"))
    assert site_files(checked, cache_dir=tmp_path / "cache") == fresh  # now from the cache


def test_amount_beyond_excel_precision_is_text_and_exact(checked):
    layout = checked.registry.layouts["sichuan-panzhihua-2025"]
    data = layout.models["project"].model_validate({
        "id": "big", "fiscal_year": "2025", "unit_name": "单位", "name": "项目", "category": "特定目标类", "money_decimals": "4",
        "funding": {"total": "123456789012.3456", "fiscal": "123456789012.3456"}, "goal": "目标", "indicators": [],
    })  # fmt: skip
    raw = form_workbook(Form(layout, "project", data), "2025/u/big.yml")
    ws = load_workbook(io.BytesIO(raw))[SHEET_FORM]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "123456789012.3456")
    assert cell.data_type == "s" and cell.comment is not None
    forms, problems = read_workbook(raw, "big.xlsx", checked.registry)
    assert problems == [] and forms[0].data["funding"]["total"] == "123456789012.3456"
    assert forms[0].data["indicators"] == []  # an empty list the file sets comes back as one


def test_problem_lines_and_annotations():
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
