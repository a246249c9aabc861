"""`disclosure import`: every problem code on a bad input, hostile documents refused in bounded time, nothing written."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from generator.cli import main
from generator.importing.problems import IMPORT_CODES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_TEXT = ROOT / "tests" / "fixtures" / "2025-renhe-shehui-gongzuobu.txt"
JINZHAI = ROOT / "tests" / "fixtures" / "real" / "anhui-2021-jinzhai-kaifaqu-project-wuye-guanli" / "source.txt"
WUHAI = ROOT / "tests" / "fixtures" / "real" / "neimenggu-2021-wuhai-gongxiaoshe-project-zaisheng-ziyuan" / "source.txt"
CODE = re.compile(r"^(?P<where>\S+): (?P<level>error|warning): .* \((?P<code>[a-z0-9-]+)\)$")


@pytest.fixture
def site(tmp_path, monkeypatch):
    shutil.copy(ROOT / "disclosure.yml", tmp_path / "disclosure.yml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, list[tuple[str, str, str]], str]:
    status = main(["import", *args, "--content", "content"])
    captured = capsys.readouterr()
    found = [(m["where"], m["level"], m["code"]) for m in map(CODE.match, captured.out.splitlines()) if m]
    return status, found, captured.out + captured.err


def written(site: Path) -> list[Path]:
    return sorted((site / "content").rglob("*")) if (site / "content").exists() else []


def codes(found) -> set[str]:
    return {code for _, _, code in found}


def edited(site: Path, source: Path, old: str, new: str, name: str = "form.txt") -> str:
    text = source.read_text(encoding="utf-8")
    assert old in text
    (site / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return name


def test_every_import_code_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| [^|]+ \| 导入 (error|warning) \|", readme, re.M))
    assert rows == {code: level for code, (level, _, _) in IMPORT_CODES.items()}


# --------------------------------------------------------------------------- decisions


def test_no_form_found(site, capsys):
    (site / "empty.txt").write_text("\n\n  \n", encoding="utf-8")
    status, found, _ = run(capsys, "empty.txt")
    assert status == 1 and codes(found) == {"no-form-found"} and written(site) == []


def test_unknown_form(site, capsys):
    status, found, out = run(capsys, str(WUHAI))
    assert status == 1 and codes(found) == {"unknown-form"} and "最接近的是" in out and written(site) == []


def test_ambiguous_layout_and_the_flag_that_settles_it(site, capsys):
    (site / "layouts").mkdir()
    shutil.copy(ROOT / "generator" / "forms" / "layouts" / "anhui-jinzhai-2021.yml", site / "layouts" / "jinzhai-copy.yml")
    status, found, out = run(capsys, str(JINZHAI))
    assert status == 1 and codes(found) == {"ambiguous-layout"} and "jinzhai-copy" in out and written(site) == []
    status, found, _ = run(capsys, str(JINZHAI), "--layout", "anhui-jinzhai-2021")
    assert status == 0 and "error" not in {level for _, level, _ in found}


def test_unmapped_cell_is_reported_with_its_place(site, capsys):
    name = edited(site, JINZHAI, "\t年度目标\n", "\t备注说明\n\t这一格不在表样中\n\n\t年度目标\n")
    status, found, out = run(capsys, name)
    assert status == 1 and ("form.txt:L23", "error", "unmapped-cell") in found
    assert "这一格不在表样中" in out and written(site) == []


def test_missing_label_is_a_warning(site, capsys):
    name = edited(site, JINZHAI, "\t主管部门\n\t县财政局\n", "")
    status, found, _ = run(capsys, name)
    assert status == 0 and ("missing-label" in codes(found))
    assert [level for _, level, code in found if code == "missing-label"] == ["warning"]


def test_choose_category(site, capsys):
    name = edited(site, SAMPLE_TEXT, "\t其他运转类项目支出绩效目标申报表\n", "\t项目支出绩效目标申报表\n")
    status, found, _ = run(capsys, name)
    assert status == 1 and codes(found) == {"choose-category", "indicator-taxonomy"} and written(site) == []
    status, found, _ = run(capsys, name, "--category", "其他运转类")
    assert status == 0


def test_choose_year(site, capsys):
    name = edited(site, JINZHAI, "\t(2021年度)\n", "")
    status, found, _ = run(capsys, name)
    assert status == 1 and codes(found) == {"choose-year"} and written(site) == []
    assert run(capsys, name, "--year", "2021")[0] == 0


def test_choose_id_when_one_id_is_given_for_many_projects(site, capsys):
    status, found, _ = run(capsys, str(SAMPLE_TEXT), "--id", "x")
    assert status == 1 and "choose-id" in codes(found) and written(site) == []


def test_totals_that_do_not_add_up_in_the_source(site, capsys):
    name = edited(site, JINZHAI, "\t年度资金总额:\n\t1125\n", "\t年度资金总额:\n\t1126\n")
    status, found, out = run(capsys, name)
    assert status == 1 and ("form.txt:L15", "error", "source-total-mismatch") in found
    assert "请与单位核实" in out and written(site) == []


# --------------------------------------------------------------------------- hostile documents


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused(site, capsys):
    (site / "bomb.docx").write_bytes(_zip({"word/document.xml": b"<a/>", "word/media/x.bin": b"\0" * (8 * 1024 * 1024)}))
    status, found, _ = run(capsys, "bomb.docx")
    assert status == 1 and codes(found) == {"document-too-large"} and written(site) == []


def test_xml_entity_expansion_is_refused(site, capsys):
    lol = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;">]><a>&y;</a>'
    (site / "lol.docx").write_bytes(_zip({"[Content_Types].xml": lol, "word/document.xml": lol}))
    status, found, out = run(capsys, "lol.docx")
    assert status == 1 and codes(found) == {"invalid-document"} and "DTD" in out and written(site) == []


@pytest.mark.parametrize("name", ["broken.docx", "broken.xlsx", "broken.xls", "broken.pdf", "broken.doc"])
def test_malformed_files_are_refused_clearly(site, capsys, name, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _: None)
    payload = b"%PDF-1.4\n1 0 obj garbage" if name.endswith(".pdf") else b"\xd0\xcf\x11\xe0" + b"\0" * 600
    if name.endswith((".docx", ".xlsx")):
        payload = b"PK\x03\x04 not really a zip"
    (site / name).write_bytes(payload)
    status, found, out = run(capsys, name)
    expected = "needs-conversion" if name.endswith(".doc") else "invalid-document"
    assert status == 1 and codes(found) == {expected} and "Traceback" not in out and written(site) == []
    if expected == "needs-conversion":
        assert "另存为 .docx" in out and "libreoffice" in out.lower()


def _pdf(pages: int) -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>")
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_a_500_page_pdf_is_refused(site, capsys):
    (site / "big.pdf").write_bytes(_pdf(500))
    status, found, out = run(capsys, "big.pdf")
    assert status == 1 and codes(found) == {"document-too-large"} and "500 页" in out and written(site) == []


def test_a_pdf_without_text_is_called_a_scan(site, capsys):
    (site / "scan.pdf").write_bytes(_pdf(2))
    status, found, out = run(capsys, "scan.pdf")
    assert status == 1 and codes(found) == {"invalid-document"} and "扫描件" in out


def test_one_bad_file_stops_the_whole_import(site, capsys):
    (site / "bomb.docx").write_bytes(_zip({"word/media/x.bin": b"\0" * (8 * 1024 * 1024)}))
    status, found, _ = run(capsys, str(SAMPLE_TEXT), "bomb.docx")
    assert status == 1 and written(site) == []


def test_a_symlink_or_a_fifo_is_not_read(site, capsys):
    (site / "link.txt").symlink_to(SAMPLE_TEXT)
    status, found, out = run(capsys, "link.txt")
    assert status == 1 and codes(found) == {"invalid-document"} and "符号链接" in out


def test_a_workbook_bomb_is_refused_by_the_workbook_caps(site, capsys):
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = f'<worksheet xmlns="{main_ns}"><mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>'
    (site / "merged.xlsx").write_bytes(_zip({"xl/worksheets/sheet1.xml": sheet.encode()}))
    status, found, _ = run(capsys, "merged.xlsx")
    assert status == 1 and codes(found) == {"document-too-large"} and written(site) == []


def test_word_xml_and_pdf_page_caps(site, capsys, monkeypatch):
    """The caps on a Word file's XML and on a PDF page's objects refuse, with nothing written (small caps for the test)."""
    from generator.importing import pdf, zipsafe

    xml = b'<?xml version="1.0"?><w:document xmlns:w="x">' + b"<w:p/>" * 400 + b"</w:document>"
    (site / "big.docx").write_bytes(_zip({"word/document.xml": xml}))
    monkeypatch.setattr(zipsafe, "MAX_XML", 1000)
    status, found, out = run(capsys, "big.docx")
    assert status == 1 and codes(found) == {"document-too-large"} and "XML" in out
    monkeypatch.setattr(pdf, "MAX_PAGE_OBJECTS", -1)
    (site / "p.pdf").write_bytes(_pdf(1))
    status, found, out = run(capsys, "p.pdf")
    assert status == 1 and codes(found) == {"document-too-large"} and "第 1 页" in out and written(site) == []


@pytest.mark.parametrize(
    "flags", [["--unit-id", "../../etc"], ["--id", "a/b"], ["--unit-id", "Renhe"], ["--year", "25"], ["--id", "unit"]]
)
def test_ids_and_years_from_flags_cannot_leave_the_content_folder(site, capsys, flags):
    assert main(["import", str(JINZHAI), "--content", "content", *flags]) == 2
    assert "error" in capsys.readouterr().err and written(site) == []


def test_text_from_the_document_cannot_forge_log_lines(site, capsys):
    name = edited(site, JINZHAI, "\t物业管理\n", "\t物业\u001b[31m管理\n::error::forged\n")
    status, found, out = run(capsys, name, "--dry-run")
    assert "\u001b" not in out
    assert not any(line.lstrip().startswith("::") for line in out.splitlines())


def test_a_year_taken_from_text_is_said(site, capsys):
    nanyue = ROOT / "tests" / "fixtures" / "real" / "hunan-nanyue-2018-fupin-jidi-project" / "source.txt"
    status, found, out = run(capsys, str(nanyue), "--dry-run")
    assert status == 0 and [(level, code) for _, level, code in found if code == "year-from-text"] == [
        ("warning", "year-from-text")
    ]
    assert "2018" in out
    status, found, _ = run(capsys, str(nanyue), "--dry-run", "--year", "2018")
    assert status == 0 and "year-from-text" not in codes(found)
