"""Portal pages (.html): tables with rowspan/colspan, and the lines around them, read with html.parser.

Nothing is fetched (no network, no external entities: html.parser never resolves any). `<br>` and block ends
are line breaks inside a cell; text outside tables becomes one-cell rows. A table with a table in one of its
cells only lays out the page (portal templates do): its cells become lines and the nested tables are read as
tables, in document order. The page's `<title>`, the portal
meta tags (`ArticleTitle`, `PubDate`, `Url`) and the canonical link fill `source`. At most `MAX_CELLS` cells.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Optional

from generator.importing.grid import Document, Row, clean_cell, grid_rows, line_row
from generator.importing.problems import Refused

MAX_CELLS = 200_000
MAX_SPAN = 100
MAX_DEPTH = 20
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "center"}
_SKIP = {"script", "style", "noscript", "template", "head"}
_DATE = re.compile(r"^\s*(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})")
_URL = re.compile(r"^https?://[^\s<>\"'`]+$")


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[tuple[str, int, int]]] = []
        self.cell: Optional[list[str]] = None
        self.span = (1, 1)
        #: Set when a table is nested in one of this table's cells: this one only lays out the page, so its
        #: cells become lines and the nested tables tables, in document order.
        self.events: Optional[list[tuple[str, object]]] = None

    def flatten(self) -> None:
        if self.events is None:
            self.events = [("line", text) for row in self.rows for text, _, _ in row if text.strip()]
            self.rows = []

    def cell_done(self) -> None:
        text = "".join(self.cell or [])
        if self.events is not None:
            if text.strip():
                self.events.append(("line", text))
        else:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append((text, *self.span))
        self.cell = None


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[tuple[str, object]] = []  # ("line", text) | ("table", _Table)
        self.tables: list[_Table] = []
        self.line: list[str] = []
        self.skip = 0
        self.cells = 0
        self.meta: dict[str, str] = {}
        self.in_title = False
        self.title: list[str] = []

    def flush(self) -> None:
        text = "".join(self.line).strip()
        if text:
            self.out.append(("line", text))
        self.line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self.in_title = True
        if tag == "meta":
            name = (values.get("name") or values.get("property") or "").lower()
            if name:
                self.meta[name] = values.get("content", "")
        if tag == "link" and values.get("rel", "").lower() == "canonical":
            self.meta.setdefault("canonical", values.get("href", ""))
        if tag in _SKIP:
            self.skip += 1
            return
        table = self.tables[-1] if self.tables else None
        if tag == "table":
            if table is None:
                self.flush()
            else:  # a table inside a cell: the outer table lays out the page
                table.flatten()
                if table.cell is not None and "".join(table.cell).strip():
                    assert table.events is not None
                    table.events.append(("line", "".join(table.cell)))
                table.cell = [] if table.cell is not None else None
            if len(self.tables) >= MAX_DEPTH:
                raise Refused("document-too-large", f"网页表格嵌套超过 {MAX_DEPTH} 层")
            self.tables.append(_Table())
        elif table is not None and tag == "tr":
            if table.cell is not None:
                table.cell_done()
            if table.events is None:
                table.rows.append([])
        elif table is not None and tag in ("td", "th"):
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise Refused("document-too-large", f"网页超过 {MAX_CELLS} 个单元格的上限")
            if table.cell is not None:
                table.cell_done()
            table.cell = []

            def span(name: str) -> int:
                try:
                    return max(1, min(MAX_SPAN, int(values.get(name) or 1)))
                except ValueError:
                    return 1

            table.span = (span("rowspan"), span("colspan"))
        elif tag == "br" or tag in _BLOCK:
            self.text("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        table = self.tables[-1] if self.tables else None
        if tag in ("td", "th") and table is not None and table.cell is not None:
            table.cell_done()
        elif tag == "table" and table is not None:
            if table.cell is not None:
                table.cell_done()
            self.tables.pop()
            done: list[tuple[str, object]] = list(table.events) if table.events is not None else [("table", table)]
            parent = self.tables[-1] if self.tables else None
            if parent is None:
                self.out.extend(done)
            else:
                assert parent.events is not None
                parent.events.extend(done)
        elif tag in _BLOCK and not self.tables:
            self.flush()

    def text(self, data: str) -> None:
        table = self.tables[-1] if self.tables else None
        if table is not None:
            if table.cell is not None:
                table.cell.append(data)
        else:
            if "\n" in data:
                self.line.append(data.replace("\n", ""))
                self.flush()
            else:
                self.line.append(data)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.skip:
            return
        self.text(re.sub(r"[ \t\r\n]+", " ", data))


def _table_rows(table: _Table, number: int) -> list[Row]:
    """Lay out rowspan/colspan as a grid, then rows of cells as every reader gives them."""
    placed: dict[tuple[int, int], tuple[str, tuple[int, int]]] = {}
    for r, line in enumerate(table.rows):
        c = 0
        for text, rowspan, colspan in line:
            while (r, c) in placed:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    placed[(r + dr, c + dc)] = (text, (r, c))
            c += colspan
    if not placed:
        return []
    height = max(r for r, _ in placed) + 1
    width = max(c for _, c in placed) + 1
    grid = [[placed.get((r, c), ("", (r, c)))[0] for c in range(width)] for r in range(height)]
    origins = [[placed.get((r, c), ("", (r, c)))[1] for c in range(width)] for r in range(height)]
    return grid_rows(grid, origins, 0, number)


def read_html(path: str, text: str) -> Document:
    parser = _Parser()
    try:
        parser.feed(text)
        parser.close()
    except Refused:
        raise
    except Exception as exc:  # html.parser is lenient; anything else is a broken file
        raise Refused("invalid-document", f"网页无法解析（{type(exc).__name__}）") from None
    parser.flush()
    rows: list[Row] = []
    tables = 0
    for kind, item in parser.out:
        if kind == "line":
            rows.extend(line_row(clean_cell(piece)) for piece in str(item).split("\n") if piece.strip())
        else:
            tables += 1
            assert isinstance(item, _Table)
            rows.extend(_table_rows(item, tables))
    meta = parser.meta
    title = (meta.get("articletitle") or "".join(parser.title)).strip() or None
    url = (meta.get("url") or meta.get("og:url") or meta.get("canonical") or "").strip()
    date = _DATE.match(meta.get("pubdate", "") or meta.get("article:published_time", ""))
    published = f"{date.group(1)}-{int(date.group(2)):02d}-{int(date.group(3)):02d}" if date else None
    return Document(path, rows, title=title, url=url if _URL.match(url) else None, published=published)
