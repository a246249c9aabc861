"""Text PDFs with ruled tables, read with pdfplumber, within caps on bytes, pages and time.

Each page's ruled tables are found from their lines (`find_tables`); a position pdfplumber leaves empty is
covered by a merged cell: by the cell to its left when that cell's box reaches over it (merged across), else
by the one above (merged down: an empty placeholder). Text outside the tables becomes one-cell rows, in
reading order with the tables; page numbers in the margin are left out. A row the page break cut (no rule under
its last cell at the bottom of a page) is joined with the first row of the table on the next page; the page's
outermost vertical rules close the cut rows so that pdfplumber sees them as rows. A scanned PDF (no text) is refused with a message saying so.
"""

from __future__ import annotations

import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from generator.importing.grid import Cell, Document, Row, clean_cell, line_row, norm
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


@dataclass
class _Block:
    top: float
    rows: list[Row]
    #: A table whose first / last row the page edge cut (the row goes on over the page break).
    cut_top: bool = False
    cut_bottom: bool = False


def _edges(page: Any) -> tuple[Optional[float], Optional[float], list[tuple[float, float, float]]]:
    """(top of the highest vertical rule, bottom of the lowest, horizontal rules as (y, x0, x1))."""
    vertical = [e for e in page.edges if e["orientation"] == "v"]
    horizontal = [(e["top"], e["x0"], e["x1"]) for e in page.edges if e["orientation"] == "h"]
    if not vertical:
        return None, None, horizontal
    return min(e["top"] for e in vertical), max(e["bottom"] for e in vertical), horizontal


def _ruled(y: float, span: tuple[float, float], horizontal: list[tuple[float, float, float]]) -> bool:
    """Whether rules at `y` cover the horizontal span of a cell (a rule is often drawn in pieces, cell by cell)."""
    reach = span[0] + 2
    for x0, x1 in sorted((x0, x1) for hy, x0, x1 in horizontal if abs(hy - y) <= 1.5):
        if x0 > reach:
            break
        reach = max(reach, x1 + 2)
    return reach >= span[1] - 2


def _last_column(row: Any, box: tuple[float, float, float, float]) -> tuple[float, float]:
    """The horizontal span of a row's last cell (the value column: cells merged down are on the left)."""
    cell = next((c for c in reversed(row.cells) if c is not None), None)
    return (cell[0], cell[2]) if cell is not None else (box[0], box[2])


def _page_blocks(page: Any, number: int, tables: int) -> list[_Block]:
    """A page's tables and lines in reading order. Rows cut by the page edge are closed at the outermost rules."""
    top, bottom, horizontal = _edges(page)
    settings = {"explicit_horizontal_lines": [top, bottom]} if top is not None else {}
    found = page.find_tables(table_settings=settings)
    blocks: list[_Block] = []
    for table in found:
        tables += 1
        box = table.bbox
        first, last = _last_column(table.rows[0], box), _last_column(table.rows[-1], box)
        blocks.append(
            _Block(
                box[1],
                _table_rows(table, number, tables),
                not _ruled(box[1], first, horizontal),
                not _ruled(box[3], last, horizontal),
            )
        )
    boxes = [t.bbox for t in found]

    def outside(obj: Any) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    for line in page.filter(outside).extract_text_lines():
        if not _PAGE_NUMBER.match(line["text"]):
            blocks.append(_Block(line["top"], [line_row(pdf_text(line["text"]), page=number)]))
    return sorted(blocks, key=lambda b: b.top)


def _join(rows: list[Row], block: _Block) -> None:
    """Join the first row of a table that goes on from the previous page to the row the page break cut."""
    last, first = rows[-1], block.rows[0]
    if len(last) != len(first):
        return
    for above, below in zip(last, first):
        if below.text:
            above.text = pdf_text(above.text + "\n" + below.text) if above.text else below.text
            above.key, above.merged = norm(above.text), False
    block.rows = block.rows[1:]


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
        cut = False
        for number, page in enumerate(pages, start=1):
            if time.monotonic() - started > MAX_SECONDS:
                raise Refused("document-too-large", f"PDF 处理超过 {MAX_SECONDS:.0f} 秒的上限（第 {number} 页）")
            try:
                objects = len(page.chars) + len(page.lines) + len(page.rects) + len(page.curves)
                if objects > MAX_PAGE_OBJECTS:
                    raise Refused(
                        "document-too-large", f"PDF 第 {number} 页有 {objects} 个文字和线条，超过上限 {MAX_PAGE_OBJECTS}"
                    )
                blocks = _page_blocks(page, number, tables)
                chars += len(page.chars)
            except Refused:
                raise
            except Exception as exc:
                raise Refused("invalid-document", f"PDF 第 {number} 页无法读取（{type(exc).__name__}）") from None
            tables += sum(1 for b in blocks if b.rows and b.rows[0][0].table)
            for index, block in enumerate(blocks):
                if index == 0 and cut and block.cut_top and rows and block.rows:
                    _join(rows, block)
                rows.extend(block.rows)
            cut = bool(blocks) and blocks[-1].cut_bottom
            page.flush_cache()
        if not chars:
            raise Refused("invalid-document", "PDF 中没有文字（可能是扫描件）：请向单位索取 Word 或 Excel 原件，或先做文字识别")
    finally:
        pdf.close()
    return Document(path, rows, title=title)
