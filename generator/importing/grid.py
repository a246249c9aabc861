"""A published document as rows of cells, whatever format it came in.

Every reader (text, Word, Excel, PDF, HTML) produces the same thing: a list of rows in reading order, each a
list of `Cell`s. A cell merged across columns is one cell; a cell merged down is one cell in its first row and
an empty placeholder (`merged=True`) in the rows below, as the text a unit pastes into a portal shows it
(a TAB starts a cell, a line without a TAB continues the cell, a blank line ends the row). Lines outside any
table (the title, "附件2-1", "填表人: …") are rows of one cell.

Each cell keeps where it was found (`page`, `table`, `row`, `col`, and the text line for text files), so
every problem points at `file:p1/t2/r12/c3`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional, Sequence

#: Full-width forms that NFKC does not fold but printed labels use interchangeably.
_FOLD = str.maketrans({"【": "[", "】": "]", "〔": "[", "〕": "]", "—": "-", "－": "-", "～": "~", "“": '"', "”": '"'})
_SPACE = re.compile(r"\s+")


def norm(text: str, colon: bool = False) -> str:
    """Return a printed label in the form labels are compared in: NFKC, no whitespace, no trailing colon."""
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_FOLD))
    return folded if colon else folded.rstrip(":")


@dataclass(eq=False)
class Cell:
    """One cell as printed: its text and where it is."""

    text: str
    page: int = 0
    table: int = 0
    row: int = 0
    col: int = 0
    #: Line of a text file the cell starts on (0 for other formats).
    line: int = 0
    #: A placeholder for a cell merged down from the row above.
    merged: bool = False
    key: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.key = norm(self.text)

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def where(self) -> str:
        """Return the location as `p1/t2/r12/c3` (text files: `L49`; parts that are not known are left out)."""
        if self.line:
            return f"L{self.line}"
        parts = []
        if self.page:
            parts.append(f"p{self.page}")
        if self.table:
            parts.append(f"t{self.table}")
        parts.append(f"r{self.row}")
        parts.append(f"c{self.col}")
        return "/".join(parts)


Row = list[Cell]


@dataclass
class Document:
    """What a reader found in a file: rows in reading order and what the file says about itself."""

    path: str
    rows: list[Row]
    #: Title, URL and publication date where the file gives them (HTML meta, document properties).
    title: Optional[str] = None
    url: Optional[str] = None
    published: Optional[str] = None
    #: Whether rows carry every cell of the table (Word, Excel, PDF), or may be broken or short (pasted text).
    full_rows: bool = True


def clean_cell(text: str) -> str:
    """Return a cell's text as a content file holds it: line ends unified, outer blank space removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u3000", " ")
    lines = [ln.rstrip() for ln in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines:
        lines[0] = lines[0].lstrip()
    return "\n".join(lines)


# --------------------------------------------------------------------------- pasted text


def read_text(path: str, text: str) -> Document:
    """Rows of a text extraction: a TAB starts a cell, a line without TAB continues it, a blank line ends the row.

    A file without any TAB is read one line per row, cells separated by runs of two or more spaces.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any("\t" in ln for ln in lines):
        return _read_spaced(path, lines)
    rows: list[Row] = []
    current: list[tuple[int, list[str]]] = []

    def close() -> None:
        if current:
            index = len(rows) + 1
            rows.append([_text_cell(chunks, line, index, col + 1) for col, (line, chunks) in enumerate(current)])
            current.clear()

    for number, line in enumerate(lines, start=1):
        if line == "":
            close()
            continue
        if "\t" not in line:
            if current:
                current[-1][1].append(line)
            else:
                current.append((number, [line]))
            continue
        head, *cells = line.split("\t")
        if head.strip():
            if current:
                current[-1][1].append(head)
            else:
                current.append((number, [head]))
        for piece in cells:
            current.append((number, [piece]))
    close()
    return Document(path, rows, full_rows=False)


def _text_cell(chunks: list[str], line: int, row: int, col: int) -> Cell:
    text = clean_cell("\n".join(chunks))
    return Cell(text, table=1, row=row, col=col, line=line, merged=not text)


def _read_spaced(path: str, lines: list[str]) -> Document:
    rows: list[Row] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        pieces = [p for p in re.split(r"\s{2,}", line.strip())]
        rows.append([Cell(clean_cell(p), table=1, row=len(rows) + 1, col=i + 1, line=number) for i, p in enumerate(pieces)])
    return Document(path, rows, full_rows=False)


# --------------------------------------------------------------------------- a grid with merge marks


def read_marked_grid(path: str, text: str) -> Document:
    """Rows of a TSV grid where `<` is the cell merged from the left and `^` the cell merged from above.

    (The transcription format of tests/fixtures/real/*/grid.tsv; `\\n` in a cell is a line break.)
    """
    rows: list[Row] = []
    for number, line in enumerate(text.rstrip("\n").split("\n"), start=1):
        row: Row = []
        for col, raw in enumerate(line.split("\t"), start=1):
            if raw == "<":
                continue
            if raw == "^":
                row.append(Cell("", table=1, row=number, col=col, merged=True))
                continue
            row.append(Cell(clean_cell(raw.replace("\\n", "\n")), table=1, row=number, col=col))
        rows.append(row)
    return Document(path, rows)


def grid_rows(
    grid: "Sequence[Sequence[Optional[str]]]", origins: list[list[tuple[int, int]]], page: int, table: int
) -> list[Row]:
    """Rows of a full grid (every position filled) where `origins[r][c]` is the top-left of the merged cell there.

    Positions covered from the left are dropped; positions covered from above become empty placeholders.
    """
    rows: list[Row] = []
    for r, line in enumerate(grid):
        row: Row = []
        for c, text in enumerate(line):
            top, left = origins[r][c]
            if left < c and top == r:
                continue
            if top < r:
                if left == c:
                    row.append(Cell("", page=page, table=table, row=r + 1, col=c + 1, merged=True))
                continue
            row.append(Cell(clean_cell(text or ""), page=page, table=table, row=r + 1, col=c + 1))
        rows.append(row)
    return rows


def line_row(text: str, page: int = 0, table: int = 0, row: int = 0) -> Row:
    """A line outside any table as a row of one cell."""
    return [Cell(clean_cell(text), page=page, table=table, row=row, col=1)]
