"""Text PDFs with ruled tables, read with pdfplumber, within caps on bytes, pages and time.

Each page's ruled tables are found from their lines (`find_tables`); a position pdfplumber leaves empty is
covered by a merged cell: by the cell to its left when that cell's box reaches over it (merged across), else
by the one above (merged down: an empty placeholder). Text outside the tables becomes one-cell rows, in
reading order with the tables; page numbers in the margin are left out. A scanned PDF (no text) is refused with a message saying so.
"""

from __future__ import annotations

import io
import logging
import re
import time
import unicodedata
from typing import Any, Optional

from generator.importing.grid import Cell, Document, Row, clean_cell, line_row
from generator.importing.problems import Refused

MAX_PAGES = 100
MAX_SECONDS = 60.0
#: Characters, lines and rectangles on one page (a form page has a few thousand).
MAX_PAGE_OBJECTS = 200_000
#: Kangxi radicals and CJK radical supplements: what some PDF fonts map common characters to (⾦ for 金).
_RADICALS = re.compile("[\u2e80-\u2fdf]")
#: Page numbers printed in the margin ("- 3 -", "第 3 页 共 5 页", "3/5"): not part of any form.
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]?\s*\d+\s*[-—–]?|第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")
_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")


#: CJK radical supplements (no NFKC mapping) that PDF fonts use for the simplified characters.
_SUPPLEMENT = dict(
    zip(
        "⺟⺠⺮⻁⻄⻅⻆⻈⻉⻊⻋⻌⻓⻔⻖⻘⻚⻛⻜⻝⻟⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳",
        "母民竹虎西见角讠贝足车辶长门阝青页风飞食饣马骨鬼鱼鸟麦黄齐齿龙龟",
    )
)


def _radical(ch: str) -> str:
    return _SUPPLEMENT.get(ch) or unicodedata.normalize("NFKC", ch)


def pdf_text(text: str) -> str:
    """A cell's text from a PDF: radicals as the characters they stand for, lines the PDF wrapped joined again."""
    text = _RADICALS.sub(lambda m: _radical(m.group(0)), text)
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        joint = "" if _CJK.match(out[-1:]) or _CJK.match(line[:1]) or out[-1:] in "-/.:,(%~" else " "
        out += joint + line
    return out


def _table_rows(table: Any, page: int, number: int) -> list[Row]:
    cells = [list(row.cells) for row in table.rows]
    texts = table.extract()
    xs = sorted({round(box[0], 1) for row in cells for box in row if box is not None})
    rows: list[Row] = []
    for r, row in enumerate(cells):
        out: Row = []
        for c, box in enumerate(row):
            if box is not None:
                text = texts[r][c] if r < len(texts) and c < len(texts[r]) else ""
                out.append(Cell(clean_cell(pdf_text(text or "")), page=page, table=number, row=r + 1, col=c + 1))
                continue
            left = next((row[k] for k in range(c - 1, -1, -1) if row[k] is not None), None)
            x = _column_x(cells, c, xs)
            if left is not None and x is not None and left[2] > x + 1:
                continue  # merged across: part of the cell on the left
            out.append(Cell("", page=page, table=number, row=r + 1, col=c + 1, merged=True))
        rows.append(out)
    return rows


def _column_x(cells: list[list[Any]], c: int, xs: list[float]) -> Optional[float]:
    found: list[float] = [row[c][0] for row in cells if c < len(row) and row[c] is not None]
    if found:
        return min(found)
    return xs[c] if c < len(xs) else None


def read_pdf(path: str, raw: bytes) -> Document:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        import pdfplumber

        pdf = pdfplumber.open(io.BytesIO(raw))
    except Exception as exc:  # pdfminer raises PDFSyntaxError and many others
        raise Refused("invalid-document", f"PDF 文件无法读取（{type(exc).__name__}）") from None
    started = time.monotonic()
    rows: list[Row] = []
    try:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise Refused("invalid-document", f"PDF 文件无法读取（{type(exc).__name__}）") from None
        if len(pages) > MAX_PAGES:
            raise Refused("document-too-large", f"PDF 有 {len(pages)} 页，超过导入上限 {MAX_PAGES} 页（请只导入申报表所在的页）")
        tables = 0
        chars = 0
        title = None
        try:
            title = (pdf.metadata or {}).get("Title")
            title = title.strip() if isinstance(title, str) and title.strip() else None
        except Exception:
            title = None
        for number, page in enumerate(pages, start=1):
            if time.monotonic() - started > MAX_SECONDS:
                raise Refused("document-too-large", f"PDF 处理超过 {MAX_SECONDS:.0f} 秒的上限（第 {number} 页）")
            try:
                objects = len(page.chars) + len(page.lines) + len(page.rects) + len(page.curves)
                if objects > MAX_PAGE_OBJECTS:
                    raise Refused(
                        "document-too-large", f"PDF 第 {number} 页有 {objects} 个文字和线条，超过上限 {MAX_PAGE_OBJECTS}"
                    )
                found = page.find_tables()
                items: list[tuple[float, list[Row]]] = []
                boxes = [t.bbox for t in found]
                for table in found:
                    tables += 1
                    items.append((table.bbox[1], _table_rows(table, number, tables)))

                def outside(obj: Any, boxes: list[Any] = boxes) -> bool:
                    x = (obj["x0"] + obj["x1"]) / 2
                    y = (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                rest = page.filter(outside)
                for line in rest.extract_text_lines():
                    if _PAGE_NUMBER.match(line["text"]):
                        continue
                    items.append((line["top"], [line_row(pdf_text(line["text"]), page=number)]))
                chars += len(page.chars)
            except Refused:
                raise
            except Exception as exc:
                raise Refused("invalid-document", f"PDF 第 {number} 页无法读取（{type(exc).__name__}）") from None
            for _, block in sorted(items, key=lambda item: item[0]):
                rows.extend(block)
            page.flush_cache()
        if not chars:
            raise Refused("invalid-document", "PDF 中没有文字（可能是扫描件）：请向单位索取 Word 或 Excel 原件，或先做文字识别")
    finally:
        pdf.close()
    return Document(path, rows, title=title)
