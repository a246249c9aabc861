"""Word documents: .docx through python-docx, merged cells from the underlying grid; .doc through LibreOffice.

The body is read in order: paragraphs become one-cell rows, tables become rows of cells (content controls and
custom XML looked through; a table nested in a cell is read as lines of that cell). A cell's `w:gridSpan`
says how many grid columns it covers (one cell, placed at its first column); `w:vMerge` without
`restart` continues the cell above (an empty placeholder, as pasted text shows it); a cell with the older
`w:hMerge` (not `restart`) belongs to the cell on its left. The zip and its XML are
bounded by `zipsafe.check_zip` first.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from typing import Any

from generator.importing.grid import Cell, Document, Row, clean_cell, line_row
from generator.importing.problems import Refused
from generator.importing.zipsafe import check_zip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CONVERT_SECONDS = 120


def _paragraph_text(p: Any) -> str:
    out = []
    for node in p.iter(f"{W}t", f"{W}br", f"{W}cr", f"{W}tab"):
        if node.tag == f"{W}t":
            out.append(node.text or "")
        elif node.tag == f"{W}tab":
            out.append(" ")
        else:
            out.append("\n")
    return "".join(out)


#: Elements that only wrap content (content controls, custom XML): their content is read as if unwrapped.
_WRAPPERS = (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag")


def children(element: Any, *tags: str) -> Any:
    """Direct children with one of `tags`, looking through content controls and custom XML wrappers."""
    for child in element.iterchildren():
        if child.tag in _WRAPPERS:
            yield from children(child, *tags)
        elif child.tag in tags:
            yield child


def _cell_text(tc: Any) -> str:
    """A cell's paragraphs, one per line; a table nested in the cell as lines of its cells (never dropped)."""
    lines = []
    for child in children(tc, f"{W}p", f"{W}tbl"):
        if child.tag == f"{W}p":
            lines.append(_paragraph_text(child))
        else:
            for tr in children(child, f"{W}tr"):
                lines.append(" ".join(_cell_text(inner).replace("\n", " ") for inner in children(tr, f"{W}tc")))
    return "\n".join(lines)


def _int(value: Any, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def _table_rows(tbl: Any, number: int) -> list[Row]:
    rows: list[Row] = []
    for r, tr in enumerate(children(tbl, f"{W}tr"), start=1):
        row: Row = []
        col = 1
        pr = tr.find(f"{W}trPr")
        before = pr.find(f"{W}gridBefore") if pr is not None else None
        if before is not None:
            col += _int(before.get(f"{W}val"), 0) if before.get(f"{W}val") else 0
        for tc in children(tr, f"{W}tc"):
            tcpr = tc.find(f"{W}tcPr")
            span, continued = 1, False
            if tcpr is not None:
                grid_span = tcpr.find(f"{W}gridSpan")
                if grid_span is not None:
                    span = _int(grid_span.get(f"{W}val"))
                vmerge = tcpr.find(f"{W}vMerge")
                if vmerge is not None and vmerge.get(f"{W}val") not in ("restart",):
                    continued = True
                hmerge = tcpr.find(f"{W}hMerge")  # the older way to merge across: part of the cell on the left
                if hmerge is not None and hmerge.get(f"{W}val") not in ("restart",) and row:
                    col += span
                    continue
            if continued:
                row.append(Cell("", table=number, row=r, col=col, merged=True))
            else:
                row.append(Cell(clean_cell(_cell_text(tc)), table=number, row=r, col=col))
            col += span
        rows.append(row)
    return rows


def read_docx(path: str, raw: bytes) -> Document:
    check_zip(raw, "docx")
    try:
        import docx

        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises many kinds on malformed packages
        raise Refused("invalid-document", f"Word 文件无法读取（{type(exc).__name__}）") from None
    rows: list[Row] = []
    tables = 0
    for child in children(document.element.body, f"{W}p", f"{W}tbl"):
        if child.tag == f"{W}p":
            text = _paragraph_text(child)
            if text.strip():
                rows.append(line_row(text, row=len(rows) + 1))
        elif child.tag == f"{W}tbl":
            tables += 1
            rows.extend(_table_rows(child, tables))
    title = (document.core_properties.title or "").strip() or None
    return Document(path, rows, title=title)


def read_doc(path: str, raw: bytes) -> Document:
    """Convert a .doc with `soffice --headless --convert-to docx` (when installed) and read the result."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise Refused(
            "needs-conversion",
            "这是旧版 Word（.doc）文件：请用 Word 或 WPS“另存为 .docx”后再导入，"
            "或安装 LibreOffice（apt-get install libreoffice-writer-nogui）后重新运行",
        )
    with tempfile.TemporaryDirectory(prefix="disclosure-doc-") as tmp:
        source = os.path.join(tmp, "source.doc")
        with open(source, "wb") as fh:  # the bytes already read and checked, not the path again
            fh.write(raw)
        try:
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    "--norestore",
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--convert-to",
                    "docx",
                    "--outdir",
                    tmp,
                    source,
                ],
                check=True,
                capture_output=True,
                timeout=CONVERT_SECONDS,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise Refused("invalid-document", f"LibreOffice 无法转换这个 .doc 文件（{type(exc).__name__}）") from None
        converted = os.path.join(tmp, "source.docx")
        if not os.path.isfile(converted):
            raise Refused("invalid-document", "LibreOffice 没有生成 .docx 文件")
        with open(converted, "rb") as fh:
            document = read_docx(path, fh.read())
    return document
