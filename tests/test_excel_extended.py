"""A layout's new indicator column, header field and text section reach the workbooks and data files unaided.

The site (tests/layout_extend.py) copies the sample layout into <tmp>/layouts/ and adds 主管部门 (a header
field), 立项依据 (a long text section) and 指标解释 (an indicator column); one project form fills them. Each
must be printed under its label on the form's 申报表 sheet, come back from export-xlsx → import-xlsx as the same
YAML (the same data; the file as the YAML writer writes it), and be in the CSV and SQLite data under its name, with its label in the column docs.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from layout_extend import ADDED, NAME, PROJECT, write_extended_site
from openpyxl import load_workbook

from generator.cli import main
from generator.editing.yamlout import form_text
from generator.excel.cells import SHEET_FORM
from generator.forms.load import load_file, load_text
from generator.forms.validate import check_content

UNIT = "renhe-shehui-gongzuobu"
REL = f"2025/{UNIT}/{PROJECT}.yml"


@pytest.fixture
def site(tmp_path, monkeypatch):
    content = write_extended_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = check_content("content", jobs=1)
    assert not result.errors, [p.format() for p in result.errors]
    form = next(ff.form for ff in result.files if ff.stem == PROJECT)
    assert form.layout.name == NAME and not form.layout.builtin
    return tmp_path, content, result, form


def _row_of(ws, text: str) -> tuple[int, int]:
    return next((c.row, c.column) for row in ws.iter_rows() for c in row if c.value == text)


def test_additions_are_on_the_form_sheet_under_their_labels(site):
    root, _content, _result, form = site
    assert main(["export-xlsx", "--content", "content", "-o", "xlsx"]) == 0
    ws = load_workbook(root / "xlsx" / "2025" / UNIT / f"{PROJECT}.xlsx")[SHEET_FORM]
    (field, field_label, field_value), (section, section_label, section_value), (column, column_label, column_value) = (
        ADDED[k] for k in ("field", "section", "column")
    )
    row, col = _row_of(ws, field_label)
    assert col == 1 and ws.cell(row, 2).value == field_value  # a header field: label | value
    row, col = _row_of(ws, section_label)
    assert col == 1 and ws.cell(row, 2).value == section_value  # a section: label | text
    assert row > _row_of(ws, "总体目标")[0]  # printed where the layout puts it: after 总体目标
    head, col = _row_of(ws, column_label)
    values = [ws.cell(r, col).value for r in range(head + 1, ws.max_row + 1)]
    assert column_value in values and head == _row_of(ws, "一级指标")[0]  # a column of the indicator table
    assert ws.cell(head, col - 1).value == "指标值（包含数字及文字描述）"
    # A form of the same layout that fills none of them: the blank field is printed, the optional ones are not.
    other = load_workbook(root / "xlsx" / "2025" / UNIT / "cun-ganbu-huachengbao.xlsx")[SHEET_FORM]
    texts = {c.value for row in other.iter_rows() for c in row}
    assert field_label in texts and section_label not in texts and column_label not in texts


def test_additions_survive_export_and_import(site, capsys):
    root, content, _result, form = site
    original = (content / REL).read_text(encoding="utf-8")
    assert main(["export-xlsx", "--content", "content", "-o", "xlsx"]) == 0
    book = str(root / "xlsx" / "2025" / UNIT / f"{PROJECT}.xlsx")
    books = sorted(str(p) for p in (root / "xlsx").rglob("*.xlsx"))
    capsys.readouterr()
    status = main(["import-xlsx", *books, "--content", "fresh"])  # with its unit: check needs the whole folder
    out = capsys.readouterr()
    assert status == 0, out.out + out.err
    written = (root / "fresh" / REL).read_text(encoding="utf-8")
    assert written == form_text(form)  # what the YAML writer writes for this form, byte for byte
    back = load_file(root / "fresh" / REL).data
    assert back == load_text(original).data  # the same keys and values as the file it came from
    for key in ("field", "section"):
        assert back[ADDED[key][0]] == ADDED[key][2]
    assert any(ind.get(ADDED["column"][0]) == ADDED["column"][2] for ind in back["indicators"])
    assert form.layout.models["project"].model_validate(back) == form.data
    # Imported into the site itself (its file as the writer writes it): nothing changes.
    (content / REL).write_text(written, encoding="utf-8")
    assert main(["import-xlsx", book, "--content", "content"]) == 0
    assert "0 file(s) written, 1 unchanged" in capsys.readouterr().err


def test_additions_are_in_the_csv_and_sqlite_data(site):
    root, _content, _result, form = site
    assert main(["export-data", "--content", "content", "-o", "data"]) == 0
    folder = root / "data" / "2025" / "data"
    field, section, column = (ADDED[k] for k in ("field", "section", "column"))

    def rows(table: str) -> list[dict[str, str]]:
        return list(
            csv.DictReader(io.StringIO((folder / f"disclosure-2025-{table}.csv").read_text(encoding="utf-8-sig"), newline=""))
        )

    project = next(r for r in rows("projects") if r["project_id"] == PROJECT)
    assert project[field[0]] == field[2] and project[section[0]] == section[2] and project["layout"] == NAME
    assert column[2] in {r[column[0]] for r in rows("indicators") if r["form_id"] == PROJECT}
    labelled = {
        (r["path"].split(".")[-1], r["label"].split(" ")[-1]): r["value"] for r in rows("cells") if r["form_id"] == PROJECT
    }
    assert labelled[(field[0], field[1])] == field[2] and labelled[(section[0], section[1])] == section[2]
    assert labelled[(column[0], column[1])] == column[2]
    conn = sqlite3.connect(folder / "disclosure-2025.sqlite")
    try:
        got = conn.execute(f"SELECT {field[0]}, {section[0]} FROM projects WHERE project_id = ?", (PROJECT,)).fetchone()
        assert got == (field[2], section[2])
        assert conn.execute(
            f"SELECT COUNT(*) FROM indicators WHERE form_id = ? AND {column[0]} = ?", (PROJECT, column[2])
        ).fetchone() == (1,)
        docs = {
            (t, c): (label, description, layouts)
            for t, c, label, _type, description, layouts in conn.execute("SELECT * FROM _columns")
        }
        assert docs[("projects", field[0])][0] == field[1] and docs[("projects", field[0])][2] == NAME
        assert docs[("projects", section[0])][1] == section[1]
        assert docs[("indicators", column[0])][0] == column[1]
        cells = conn.execute(
            "SELECT label, value, type FROM cells WHERE form_id = ? AND path = ?", (PROJECT, section[0])
        ).fetchone()
        assert cells == (section[1], section[2], "longtext")
    finally:
        conn.close()
    assert Path(folder / "disclosure-2025.xlsx").is_file()


def test_a_form_keeps_its_layout_in_a_site_whose_default_differs(site, capsys):
    """Imported into a site that has the layout but defaults to another, the file names its layout."""
    root, _content, _result, _form = site
    assert main(["export-xlsx", "--content", "content", "-o", "xlsx"]) == 0
    other = root / "other"
    (other / "layouts").mkdir(parents=True)
    (other / "layouts" / f"{NAME}.yml").write_bytes((root / "layouts" / f"{NAME}.yml").read_bytes())
    (other / "disclosure.yml").write_text("layout: sichuan-panzhihua-2025\n", encoding="utf-8")
    books = sorted(str(p) for p in (root / "xlsx").rglob("*.xlsx"))
    capsys.readouterr()
    status = main(["import-xlsx", *books, "--content", str(other / "content")])
    out = capsys.readouterr()
    assert status == 0, out.out + out.err
    written = load_file(other / "content" / REL).data
    assert written["layout"] == NAME and written[ADDED["field"][0]] == ADDED["field"][2]
    assert main(["check", "--content", str(other / "content")]) == 0
