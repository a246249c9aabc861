"""Issue 12, finding 2: a tiny workbook cannot exhaust the import (openpyxl never sees what it would expand).

Each hostile workbook is an exported one with a few bytes changed. The import runs in a subprocess with a
memory limit (1 GiB of address space) and a timeout: before the stream checks, the first two needed
gigabytes and minutes; now each is refused with a problem in well under a second.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.excel.importer import read_workbook
from tests.support import ROOT
from tests.excel_corpus import exported, patch, sheet_part


def _insert_merge(raw: bytes, sheet: str, ref: str) -> bytes:
    def change(xml: str) -> str:
        if "<mergeCells" in xml:
            return re.sub(
                r"<mergeCells count=\"(\d+)\">", lambda m: f'<mergeCells count="{int(m[1]) + 1}"><mergeCell ref="{ref}"/>', xml, 1
            )
        return xml.replace("</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>', 1)

    return patch(raw, sheet_part(raw, sheet), change)


def _insert_row(raw: bytes, sheet: str, row_xml: str) -> bytes:
    return patch(raw, sheet_part(raw, sheet), lambda xml: xml.replace("</sheetData>", row_xml + "</sheetData>", 1))


def _hyperlink(raw: bytes, ref: str) -> bytes:
    def change(xml: str) -> str:
        link = f'<hyperlinks><hyperlink ref="{ref}" display="x" location="A1"/></hyperlinks>'
        for anchor in ("<printOptions", "<pageMargins", "<pageSetup", "</worksheet>"):
            if anchor in xml:
                return xml.replace(anchor, link + anchor, 1)
        return xml

    return patch(raw, sheet_part(raw, "申报表"), change)


def _renamed_sheet_part(raw: bytes) -> bytes:
    """The `_data` sheet moved to a part without an .xml name (openpyxl follows the relationship anyway)."""
    part = sheet_part(raw, "_data")
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            name = info.filename
            if name == part:
                name = part[: -len(".xml")]
                data = data.replace(
                    b"</sheetData>", b'<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>', 1
                )
            elif name.endswith(".rels") or name == "[Content_Types].xml":
                data = data.replace(part.split("/")[-1].encode(), part.split("/")[-1][: -len(".xml")].encode())
            dst.writestr(name, data)
    return out.getvalue()


HOSTILE = {
    # The two workbooks.
    "merge-to-the-last-cell": lambda: _insert_merge(exported(), "申报表", "E1:XFD1048576"),
    "cell-without-r-in-the-last-row": lambda: _insert_row(
        exported(), "_data", '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    # Their siblings.
    "merge-in-data-sheet": lambda: _insert_merge(exported(), "_data", "A1:CV200000"),
    "lowercase-coordinate": lambda: _insert_row(
        exported(), "_data", '<row r="9"><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "absolute-coordinate": lambda: _insert_row(
        exported(), "_data", '<row r="9"><c r="$A$1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "cells-without-r-beyond-columns": lambda: _insert_row(exported(), "_data", "<row>" + "<c/>" * 150 + "</row>"),
    "rows-without-r-after-the-cap": lambda: _insert_row(
        exported(), "_data", '<row r="199999"/><row/><row/><row><c t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "float-row-number": lambda: _insert_row(
        exported(), "_data", '<row r="1.048576e6"><c t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "hyperlink-range": lambda: _hyperlink(exported(), "A1:XFD1048576"),
    "whole-column-merge": lambda: _insert_merge(exported(), "申报表", "E:E"),
    "merge-within-bounds-over-budget": lambda: _insert_merge(exported(), "申报表", "A40:CV1040"),
    "dimension": lambda: patch(
        exported(),
        sheet_part(exported(), "_data"),
        lambda x: re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD1048576"/>', x),
    ),
    "sheet-part-without-xml-name": lambda: _renamed_sheet_part(exported()),
    "wide-and-tall-used-range": lambda: _insert_row(
        exported(), "_data", '<row r="199000"><c r="CV199000" t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "doctype-in-styles": lambda: patch(exported(), "xl/styles.xml", lambda x: '<!DOCTYPE s [<!ENTITY e "x">]>' + x),
}
EXPECT = {
    "float-row-number": ("file-too-large",),
    "whole-column-merge": ("invalid-workbook",),
    "doctype-in-styles": ("invalid-workbook",),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hardening_hostile_workbook_is_refused_before_openpyxl(name):
    raw = HOSTILE[name]()
    assert len(raw) < 64 * 1024
    forms, problems = read_workbook(raw, f"{name}.xlsx")
    assert forms == []
    assert [p.code for p in problems] == list(EXPECT.get(name, ("file-too-large",))), [p.format() for p in problems]
    assert all("\n" not in p.format() for p in problems)


def _limited() -> None:
    limit = 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("name", ["merge-to-the-last-cell", "cell-without-r-in-the-last-row", "hyperlink-range"])
def test_hardening_import_of_a_tiny_hostile_workbook_stays_small(name, tmp_path):
    """The command itself, with 1 GiB of address space and 60 s: refused with exit 1, no traceback."""
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(HOSTILE[name]())
    (tmp_path / "disclosure.yml").write_bytes((ROOT / "disclosure.yml").read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    done = subprocess.run(
        [sys.executable, "-m", "generator", "import-xlsx", str(path), "--dry-run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert "(file-too-large)" in done.stdout


def test_hardening_exported_workbooks_still_import():
    """The bounds leave every workbook this tool writes readable (a form, and a year's data workbook)."""
    from tests.excel_corpus import year_workbook

    for raw in (exported(), year_workbook()):
        forms, problems = read_workbook(raw, "ok.xlsx")
        assert forms and not [p for p in problems if p.level == "error"], [p.format() for p in problems]


def test_hardening_workbook_bounds_are_documented():
    from generator.excel import safety

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for value in (safety.MAX_ROWS, safety.MAX_COLUMNS, safety.MAX_CELLS, safety.MAX_AREA, safety.MAX_EXPANDED):
        assert f"{value:,}" in readme, value
    assert Path(safety.__file__).name == "safety.py"
