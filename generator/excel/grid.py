"""A worksheet as a grid of bordered, merged cells, with row heights estimated from the text and A4 print setup.

Excel and LibreOffice do not grow rows for wrapped text in merged cells, so every text cell records the
height it needs and `Sheet.finish` sets the rows' heights; styles are built once per combination and copied.
"""

from __future__ import annotations

import math
import unicodedata
from copy import copy
from typing import Any, Optional

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins

from generator.excel.cells import FONT_NAME, SHEET_FORM, put_amount, put_number, put_text

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FONT = Font(name=FONT_NAME, size=11)
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=12)
NOTE_FONT = Font(name=FONT_NAME, size=9, color="555555")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
RIGHT = Alignment(horizontal="right", vertical="center", indent=1)
#: Points per line of 11 pt text, and the smallest height of a table row.
LINE_PT = 15.0
MIN_ROW_PT = 21.0


def display_width(text: str) -> float:
    """Width of text in Excel column units (one unit ≈ one digit): CJK characters count about two."""
    return sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def text_lines(text: str, width: float, indent: int = 0) -> int:
    """Estimated wrapped line count of `text` in a cell `width` units wide (`indent`: Excel's indent level)."""
    usable = max(width - 0.8 - 1.5 * indent, 1.0)  # cell padding and the indent
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


class Sheet:
    """Writes bordered, merged cells and keeps what the row heights and the import cross-check need."""

    def __init__(self, ws: Any, widths: list[float]) -> None:
        self.ws = ws
        self.widths = widths
        self.last = len(widths)
        self.shown: dict[tuple[Any, ...], str] = {}
        #: (first row, last row, points needed)
        self.needs: list[tuple[int, int, float]] = []
        self._styles: dict[tuple[Any, ...], Any] = {}
        for index, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width

    def _style(self, cell: Any, align: Alignment, font: Font, border: bool) -> None:
        """Style a cell; styles are built once per combination and copied (openpyxl's setters are slow)."""
        key = (id(align), id(font), border, cell.number_format)
        quote = cell.quotePrefix
        cached = self._styles.get(key)
        if cached is None:
            cell.font = font
            cell.alignment = align
            if border:
                cell.border = BORDER
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(cached)
        if quote:
            cell.quotePrefix = True

    def _place(self, cell: Any, row: int, col: int, rows: int, to_col: int, align: Alignment, font: Font, border: bool) -> None:
        self._style(cell, align, font, border)
        last_row, last_col = row + rows - 1, max(to_col, col)
        if last_row > row or last_col > col:
            if border:  # every cell of the range carries the border (Excel draws each cell's own)
                for r in range(row, last_row + 1):
                    for c in range(col, last_col + 1):
                        if (r, c) != (row, col):
                            self._style(self.ws.cell(row=r, column=c), align, font, True)
            # Added directly: Worksheet.merge_cells re-styles the range's edges cell by cell (slow) and
            # would turn the covered cells into MergedCell objects; the file written is the same.
            self.ws.merged_cells.add(
                MergedCellRange(self.ws, f"{get_column_letter(col)}{row}:{get_column_letter(last_col)}{last_row}")
            )

    def _show(self, cell: Any, paths: tuple[tuple[Any, ...], ...]) -> None:
        where = f"{SHEET_FORM}!{cell.coordinate}"
        for path in paths:
            self.shown[path] = where

    def text(
        self,
        row: int,
        col: int,
        text: Optional[str],
        to_col: Optional[int] = None,
        rows: int = 1,
        align: Alignment = LEFT,
        font: Font = FONT,
        path: Optional[tuple[Any, ...]] = None,
        border: bool = True,
        also: tuple[tuple[Any, ...], ...] = (),
    ) -> None:
        to_col = to_col or col
        cell = put_text(self.ws, row, col, text) if text else self.ws.cell(row=row, column=col)
        self._place(cell, row, col, rows, to_col, align, font, border)
        self._show(cell, ((path,) if path else ()) + also)
        if text:
            width = sum(self.widths[col - 1 : to_col])
            size = font.sz or 11
            lines = text_lines(text, width * 11 / size, int(align.indent or 0))
            self.needs.append((row, row + rows - 1, lines * LINE_PT * size / 11 + 6))

    def amount(
        self, row: int, col: int, amount: Any, decimals: int, to_col: Optional[int] = None, path: Optional[tuple[Any, ...]] = None
    ) -> None:
        cell = put_amount(self.ws, row, col, amount, decimals)
        self._place(cell, row, col, 1, to_col or col, RIGHT, FONT, True)
        self._show(cell, (path,) if path else ())

    def number(
        self,
        row: int,
        col: int,
        value: Any,
        to_col: Optional[int] = None,
        path: Optional[tuple[Any, ...]] = None,
        rows: int = 1,
        also: tuple[tuple[Any, ...], ...] = (),
    ) -> None:
        cell = put_number(self.ws, row, col, value)
        self._place(cell, row, col, rows, to_col or col, RIGHT, FONT, True)
        self._show(cell, ((path,) if path else ()) + also)

    def finish(self, last_row: int, title_rows: int = 2) -> None:
        heights = {r: MIN_ROW_PT for r in range(title_rows + 1, last_row + 1)}
        heights.update({1: 34.0, 2: 22.0} if title_rows == 2 else {1: 34.0})
        for first, last, need in sorted(self.needs, key=lambda n: n[1] - n[0]):
            if first <= title_rows:
                continue
            have = sum(heights[r] for r in range(first, last + 1))
            if need > have:
                heights[last] += need - have
        for row, height in heights.items():
            self.ws.row_dimensions[row].height = round(min(height, 409.0), 1)  # 409 pt: Excel's maximum
        ws = self.ws
        last_col = get_column_letter(self.last)
        ws.print_area = f"A1:{last_col}{max(last_row, title_rows)}"
        ws.print_title_rows = f"1:{title_rows}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.55, right=0.55, top=0.6, bottom=0.7, header=0.3, footer=0.3)
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.size = 9
        ws.sheet_view.showGridLines = False
