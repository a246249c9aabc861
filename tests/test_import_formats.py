"""`disclosure import` of Word, Excel, HTML and PDF files printed from every shipped layout, and of the real forms.

The test documents are built at test time from content files (`tests/import_print.py`: merged cells as
units print them) and imported back; each must give the content's cells (≥ 99 % right, in practice all).
The real public forms of tests/fixtures/real/ are imported from their published text (`source.txt`) and
from their transcribed grid (`grid.tsv`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.forms.load import load_file
from generator.forms.registry import registry_for
from generator.importing.accuracy import compare
from generator.importing.session import Options, Session
from tests.import_print import printed, write_docx, write_html, write_xls, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"
FORMS = sorted((ROOT / "content" / "2025" / "renhe-shehui-gongzuobu").glob("*.yml")) + sorted(REAL.glob("*/content/*/*/*.yml"))
WRITERS = {"docx": write_docx, "xlsx": write_xlsx, "html": write_html}


def _import(path: Path):
    session = Session(registry_for(ROOT / "content"), Path("/nonexistent-content"), Options())
    session.read(str(path))
    return session


def _expected(path: Path):
    data = load_file(path).data
    registry = registry_for(ROOT / "content")
    layout = registry.layouts[data.get("layout") or registry.default_for(data["fiscal_year"])]
    data.pop("order", None)  # a form printed alone does not print its place among the unit's projects
    return data, layout, "unit" if path.stem == "unit" else "project"


def _check(session, data, layout, kind):
    errors = [p.format() for p in session.problems if p.level == "error"]
    assert errors == []
    (form,) = session.forms
    assert (form.built.layout.name, form.kind) == (layout.name, kind)
    right, total, wrong = compare(data, form.built.data, layout.spec.money_unit)
    assert right / total >= 0.99, wrong
    return right, total, wrong


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("path", FORMS, ids=[f"{p.parent.name}/{p.stem}" for p in FORMS])
def test_printed_form_imports_back(path, fmt, tmp_path):
    data, layout, kind = _expected(path)
    document = WRITERS[fmt](printed(layout, kind, data), tmp_path / f"{path.stem}.{fmt}")
    _, _, wrong = _check(_import(document), data, layout, kind)
    assert wrong == []


def test_word_merged_cells_are_read_from_the_grid(tmp_path):
    path = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml"
    data, layout, kind = _expected(path)
    document = write_docx(printed(layout, kind, data), tmp_path / "form.docx")
    from generator.importing.documents import read_document

    rows = read_document(str(document)).rows
    merged = [c for row in rows for c in row if c.merged]
    assert merged, "vertically merged cells (vMerge) are placeholders below their first row"
    level1 = [row for row in rows if any(c.text == "项目完成" for c in row)]
    assert len(level1) == 1, "项目完成 is printed once, merged down over its rows"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="PDF test documents are printed by Chromium (apt-get install chromium)")
@pytest.mark.parametrize("path", FORMS[:2] + FORMS[-3:], ids=[f"{p.parent.name}/{p.stem}" for p in FORMS[:2] + FORMS[-3:]])
def test_pdf_printed_by_a_browser_imports_back(path, tmp_path):
    data, layout, kind = _expected(path)
    html = write_html(printed(layout, kind, data), tmp_path / "form.html")
    pdf = tmp_path / "form.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    _check(_import(pdf), data, layout, kind)


try:
    import xlwt  # noqa: F401  (test-only writer of .xls files)
except ImportError:
    xlwt = None


@pytest.mark.skipif(
    xlwt is None, reason=".xls test documents are written by xlwt (pip install xlwt); the importer reads them with xlrd"
)
@pytest.mark.parametrize("path", FORMS[:2] + FORMS[-2:], ids=[f"{p.parent.name}/{p.stem}" for p in FORMS[:2] + FORMS[-2:]])
def test_xls_workbook_imports_back(path, tmp_path):
    data, layout, kind = _expected(path)
    document = write_xls(printed(layout, kind, data), tmp_path / "form.xls")
    _, _, wrong = _check(_import(document), data, layout, kind)
    assert wrong == []


REAL_FORMS = sorted(p for p in REAL.iterdir() if (p / "content").is_dir())


@pytest.mark.parametrize("source", ["source.txt", "grid.tsv"])
@pytest.mark.parametrize("slug", REAL_FORMS, ids=[p.name for p in REAL_FORMS])
def test_real_public_form_imports_with_every_cell_right(slug, source):
    (path,) = list((slug / "content").rglob("*.yml"))
    data, layout, kind = _expected(path)
    session = _import(slug / source)
    right, total, wrong = _check(session, data, layout, kind)
    assert wrong == [] and right == total


def test_forms_without_a_layout_are_reported_not_guessed():
    slug = REAL / "neimenggu-2021-wuhai-gongxiaoshe-project-zaisheng-ziyuan"
    session = _import(slug / "source.txt")
    assert session.forms == []
    assert [p.code for p in session.problems] == ["unknown-form"]


def test_a_unit_file_with_all_its_forms_imports_every_form(tmp_path):
    """One Word file with the whole-unit form and every project form, one after the other, as the sample publishes."""
    import docx

    from tests.import_print import write_docx as _one

    paths = sorted((ROOT / "content" / "2025" / "renhe-shehui-gongzuobu").glob("*.yml"))
    paths = [p for p in paths if p.stem == "unit"] + sorted(
        (p for p in paths if p.stem != "unit"), key=lambda p: int(load_file(p).data["order"])
    )
    combined = docx.Document()
    for n, path in enumerate(paths):
        data, layout, kind = _expected(path)
        single = docx.Document(_one(printed(layout, kind, data), tmp_path / f"{n}.docx"))
        for element in list(single.element.body):
            if not element.tag.endswith("}sectPr"):
                combined.element.body.append(element)
    combined.save(tmp_path / "unit.docx")
    session = _import(tmp_path / "unit.docx")
    assert [p.format() for p in session.problems if p.level == "error"] == []
    assert len(session.forms) == len(paths)
    for path, form in zip(paths, session.forms):
        want = load_file(path).data
        right, total, wrong = compare(want, form.built.data)
        assert wrong == [] and right == total, path.stem


def test_an_extra_row_in_a_word_table_is_reported_at_its_cell(tmp_path):
    path = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml"
    data, layout, kind = _expected(path)
    doc = printed(layout, kind, data)
    doc.rows.insert(2, [("备注", 1, 1), ("单位自己加的一行", 1, doc.width - 1)])
    session = _import(write_docx(doc, tmp_path / "form.docx"))
    unmapped = [(p.where, p.code) for p in session.problems if p.code == "unmapped-cell"]
    assert unmapped == [("t1/r3/c1", "unmapped-cell"), ("t1/r3/c2", "unmapped-cell")]


def test_html_page_fills_the_source_from_its_meta_tags(tmp_path):
    path = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml"
    data, layout, kind = _expected(path)
    page = write_html(printed(layout, kind, data), tmp_path / "page.html")
    meta = (
        '<meta name="ArticleTitle" content="2025年项目支出绩效目标"><meta name="PubDate" content="2025-02-10 09:30">'
        '<meta name="Url" content="http://www.example.gov.cn/a/1.html"><script>document.write("x")</script>'
    )
    page.write_text(page.read_text(encoding="utf-8").replace("<title>", meta + "<title>"), encoding="utf-8")
    (form,) = _import(page).forms
    assert form.built.data["source"] == {
        "title": "2025年项目支出绩效目标",
        "url": "http://www.example.gov.cn/a/1.html",
        "published": "2025-02-10",
        "file": "page.html",
    }


def test_doc_files_go_through_soffice_when_it_is_installed(tmp_path, monkeypatch):
    """A stand-in `soffice` on PATH converts by copying a .docx: the importer's call and the reading are exercised."""
    path = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml"
    data, layout, kind = _expected(path)
    docx_file = write_docx(printed(layout, kind, data), tmp_path / "converted.docx")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(
        '#!/bin/sh\nwhile [ "$1" != "--outdir" ]; do shift; done\ncp "' + str(docx_file) + '" "$2/source.docx"\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    session = _import(tmp_path / "old.doc")
    (form,) = session.forms
    assert compare(data, form.built.data)[2] == []
    assert form.built.data["source"]["file"] == "old.doc"


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="PDF test documents are printed by Chromium (apt-get install chromium)")
def test_a_unit_pdf_of_several_pages_imports_every_form(tmp_path):
    """All nine sample forms in one PDF (tables and rows running over page breaks): ≥ 99 % of cells right.

    A multi-line text (the 两新 project's goal) comes back as one line: a PDF does not tell a line break the
    author typed from one the layout made, so lines are joined.
    """
    paths = sorted((ROOT / "content" / "2025" / "renhe-shehui-gongzuobu").glob("*.yml"))
    paths = [p for p in paths if p.stem == "unit"] + sorted(
        (p for p in paths if p.stem != "unit"), key=lambda p: int(load_file(p).data["order"])
    )
    bodies = []
    for n, path in enumerate(paths):
        data, layout, kind = _expected(path)
        page = write_html(printed(layout, kind, data), tmp_path / f"{n}.html").read_text(encoding="utf-8")
        head, _, rest = page.partition("<body>")
        bodies.append(rest.replace("</body></html>", ""))
    html = tmp_path / "unit.html"
    html.write_text(head + "<body>" + "".join(bodies) + "</body></html>", encoding="utf-8")
    pdf = tmp_path / "unit.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    session = _import(pdf)
    assert [p.format() for p in session.problems if p.level == "error"] == []
    assert len(session.forms) == len(paths)
    right = total = 0
    for path, form in zip(paths, session.forms):
        r, t, _ = compare(load_file(path).data, form.built.data)
        right, total = right + r, total + t
    assert right / total >= 0.99


def test_spreadsheet_numbers_read_as_the_sheet_shows_them(tmp_path):
    """A money cell typed as 1000 and shown as 1000.00 reads 1000.00 (never rounded: 1.234 shown as 1.23 stays exact)."""
    from openpyxl import Workbook

    from generator.importing.documents import read_document

    book = Workbook()
    sheet = book.active
    for row, (value, fmt) in enumerate([(1000, "0.00"), (0, "0.00"), (16.47, "General"), (1.234, "0.00")], start=1):
        sheet.cell(row, 1, "金额")
        sheet.cell(row, 2, value).number_format = fmt
    book.save(tmp_path / "n.xlsx")
    rows = read_document(str(tmp_path / "n.xlsx")).rows
    assert [row[1].text for row in rows] == ["1000.00", "0.00", "16.47", "1.234"]


def test_word_content_controls_and_nested_tables_are_read(tmp_path):
    """Cells wrapped in content controls (w:sdt) and a table nested in a cell: nothing is skipped."""
    import docx
    from docx.oxml.ns import qn

    path = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml"
    data, layout, kind = _expected(path)
    document = docx.Document(write_docx(printed(layout, kind, data), tmp_path / "plain.docx"))
    table = document.tables[0]
    tr = table._tbl.tr_lst[0]
    for tc in list(tr.tc_lst):  # wrap the first row's cells in a content control each
        sdt = tc.makeelement(qn("w:sdt"), {})
        content = sdt.makeelement(qn("w:sdtContent"), {})
        sdt.append(content)
        tc.addprevious(sdt)
        content.append(tc)
    goal_cell = next(c for row in table.rows for c in row.cells if c.text == data["goal"])
    nested = goal_cell.add_table(rows=1, cols=2)
    nested.cell(0, 0).text, nested.cell(0, 1).text = "附注", "嵌套表格中的文字"
    document.save(tmp_path / "wrapped.docx")
    session = _import(tmp_path / "wrapped.docx")
    (form,) = session.forms
    assert form.built.data["name"] == data["name"]
    assert form.built.data["goal"].endswith("附注 嵌套表格中的文字")


def test_html_form_inside_a_page_layout_table(tmp_path):
    """Portal pages wrap the form in layout tables: the title in an outer cell, the form a table nested in another."""
    path = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml"
    data, layout, kind = _expected(path)
    page = write_html(printed(layout, kind, data), tmp_path / "inner.html").read_text(encoding="utf-8")
    head, _, body = page.partition("<body>")
    body = body.replace("</body></html>", "")
    paragraphs, _, table = body.partition("<table>")
    wrapped = (
        head
        + "<body><table><tr><td>首页 &gt; 财政预决算</td></tr><tr><td>"
        + paragraphs.replace("</p><p>", "<br>").replace("<p>", "").replace("</p>", "")
        + "</td></tr><tr><td><table>"
        + table
        + "</td></tr><tr><td>打印本页 关闭窗口</td></tr></table></body></html>"
    )
    (tmp_path / "page.html").write_text(wrapped, encoding="utf-8")
    session = _import(tmp_path / "page.html")
    (form,) = session.forms
    assert compare(data, form.built.data)[2] == []
    unmapped = sorted(p.message for p in session.problems if p.code == "unmapped-cell")
    assert len(unmapped) == 2 and "首页" in unmapped[1] + unmapped[0] and "打印本页" in "".join(unmapped)


def test_a_title_and_its_year_in_one_cell(tmp_path):
    """Units often type the title and “（2025年度）” in one merged cell above the table."""
    path = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml"
    data, layout, kind = _expected(path)
    doc = printed(layout, kind, data)
    doc.rows.insert(0, [(f"{doc.title}\n{doc.subtitle}", 1, doc.width)])
    doc.title, doc.subtitle = "", None
    session = _import(write_docx(doc, tmp_path / "form.docx"))
    (form,) = session.forms
    assert [p.code for p in session.problems if p.level == "error" or p.code == "year-from-text"] == []
    assert compare(data, form.built.data)[2] == []


def test_word_cells_merged_across_the_old_way(tmp_path):
    """`w:hMerge` (Word 97-style horizontal merge): the continued cell is part of the one on its left."""
    import docx
    from docx.oxml.ns import qn

    path = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml"
    data, layout, kind = _expected(path)
    document = docx.Document(write_docx(printed(layout, kind, data), tmp_path / "plain.docx"))
    for tc in list(document.tables[0]._tbl.iter(qn("w:tc"))):  # every gridSpan written as hMerge cells instead
        span = tc.tcPr.find(qn("w:gridSpan")) if tc.tcPr is not None else None
        if span is None:
            continue
        tc.tcPr.remove(span)
        tc.tcPr.append(tc.tcPr.makeelement(qn("w:hMerge"), {qn("w:val"): "restart"}))
        for _ in range(int(span.get(qn("w:val"))) - 1):
            extra = tc.makeelement(qn("w:tc"), {})
            pr = extra.makeelement(qn("w:tcPr"), {})
            pr.append(pr.makeelement(qn("w:hMerge"), {}))
            extra.append(pr)
            extra.append(extra.makeelement(qn("w:p"), {}))
            tc.addnext(extra)
    document.save(tmp_path / "hmerge.docx")
    from generator.importing.documents import read_document

    def cells(name: str) -> list[list[tuple[str, int]]]:
        return [[(c.text, c.col) for c in row] for row in read_document(str(tmp_path / name)).rows]

    assert cells("hmerge.docx") == cells("plain.docx")
    session = _import(tmp_path / "hmerge.docx")
    (form,) = session.forms
    assert [p.format() for p in session.problems if p.level == "error"] == []
    assert compare(data, form.built.data)[2] == []


def test_a_table_of_item_rows_from_a_site_layout(tmp_path):
    """A layout of the site's own with an item table (资金来源: one row per source) imports its rows."""
    import shutil as _shutil

    site = tmp_path / "site"
    (site / "layouts").mkdir(parents=True)
    _shutil.copy(ROOT / "tests" / "corpus" / "_layouts" / "corpus-extended.yml", site / "layouts" / "corpus-extended.yml")
    registry = registry_for(site / "content")
    layout = registry.layouts["corpus-extended"]
    data = load_file(ROOT / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-ganbu-jixiao.yml").data
    data.pop("order")
    data["funding_sources"] = [{"name": "区级财政", "amount": "200"}, {"name": "上级补助", "amount": "60"}]
    document = write_docx(printed(layout, "project", data), tmp_path / "items.docx")
    session = Session(registry, site / "content", Options(layout="corpus-extended"))
    session.read(str(document))
    assert [p.format() for p in session.problems if p.level == "error"] == []
    (form,) = session.forms
    assert form.built.data["funding_sources"] == data["funding_sources"]
    assert compare(data, form.built.data)[2] == []
