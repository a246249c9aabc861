"""What a workbook must satisfy before openpyxl sees it: every bound is checked on the raw zip and XML stream.

openpyxl builds objects for what the XML describes, not for what it holds: one `<mergeCell ref="E1:XFD1048576"/>`
makes it create a merged-cell object for each of 17 billion cells, a hyperlink or comment on a range creates
every cell of the range, and a cell without `r=` is placed after the previous one (so `<row r="1048576">`
moves the sheet's end far beyond any row count). So, in this order, without building a tree:

1. the file: at most `MAX_FILE_BYTES`; a zip (else `invalid-workbook`); at most `MAX_MEMBERS` members whose
   declared sizes add up to at most `MAX_UNCOMPRESSED` bytes, none compressed more than `MAX_RATIO`:1
   (zip bombs; Python's zipfile never inflates past a member's declared size); not encrypted;
2. every member that is XML (whatever its name) is streamed through expat with no DTD allowed (so no entity
   can be declared, expanded or fetched) and at most `MAX_PART_ELEMENTS` elements (`MAX_SHEET_ELEMENTS` in
   worksheets and the shared strings);
3. in worksheets, every cell and row is placed exactly as openpyxl places it (with or without `r=`): no row
   beyond `MAX_ROWS`, no column beyond `MAX_COLUMNS`, at most `MAX_CELLS` cells and a used range (last row
   × last column) of at most `MAX_AREA`; the `dimension`, every merged range, hyperlink range and comment
   reference lies inside the same bounds, and the cells they make openpyxl create add up to at most
   `MAX_EXPANDED` per workbook.

Whatever is refused is a `SheetProblem` raised as `Refused`: `file-too-large` for bounds, else `invalid-workbook`.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import IO
from xml.parsers import expat

from generator.excel.reading import Refused, SheetProblem
from generator.xmlstream import Readable, stream_without_dtd

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 1000
#: Deflate rarely beats 100:1 on real spreadsheet XML; bombs reach 1000:1 and more.
MAX_RATIO = 200
MAX_ROWS = 200_000
MAX_COLUMNS = 100
MAX_CELLS = 1_000_000
#: Last used row × last used column of a sheet (what iterating its rows would create).
MAX_AREA = 5_000_000
#: Cells that merged ranges, hyperlink ranges and comments make openpyxl create, in the whole workbook.
MAX_EXPANDED = 100_000
MAX_SHEET_ELEMENTS = 6 * MAX_CELLS
MAX_PART_ELEMENTS = 200_000

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: openpyxl's own coordinate rule (utils.cell.COORD_RE): `$` allowed, letters in either case.
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")


def _column(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _too_large(shown: str, sheet: str, row: int, col: int, message: str) -> Refused:
    return Refused(SheetProblem(shown, sheet, row if sheet else 0, col if sheet else 0, "file-too-large", message))


class _Part:
    """Counts and places what one XML part describes, refusing it at the first bound it passes."""

    def __init__(self, shown: str, name: str, sheet: str, budget: list[int]) -> None:
        self.shown, self.name, self.sheet, self.budget = shown, name, sheet, budget
        self.root: str | None = None
        self.elements = self.cells = 0
        self.row = self.col = self.max_row = self.max_col = 0
        self.attrs: list[tuple[str, dict[str, str]]] = []  # workbook and relationship entries, for sheet names
        self.dimension = ""

    def refuse(self, message: str, row: int = 1, col: int = 1) -> Refused:
        return _too_large(self.shown, self.sheet, row, col, f"{self.name}：{message}")

    def invalid(self, message: str) -> Refused:
        where = (1, 1) if self.sheet else (0, 0)
        return Refused(SheetProblem(self.shown, self.sheet, *where, "invalid-workbook", f"{self.name}：{message}"))

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        ns, _, local = tag.rpartition(" ")
        self.elements += 1
        if self.root is None:
            self.root = local
        limit = MAX_SHEET_ELEMENTS if self.root in ("worksheet", "sst") else MAX_PART_ELEMENTS
        if self.elements > limit:
            raise self.refuse(f"超过 {limit} 个 XML 元素的上限")
        if local in ("sheet", "Relationship"):
            self.attrs.append((local, attrs))
        if ns != MAIN_NS:
            return
        if local == "row":
            self._row(attrs.get("r"))
        elif local == "c":
            self._cell(attrs.get("r"))
        elif local in ("mergeCell", "hyperlink", "comment"):
            self._range(attrs.get("ref", ""), expands=True)
        elif local == "dimension":  # checked once the cells are placed: a problem then names the cell itself
            self.dimension = attrs.get("ref", "")

    def finish(self) -> None:
        if self.dimension:
            self._range(self.dimension, expands=False)

    def _row(self, value: str | None) -> None:
        if value is None:
            self.row += 1
        else:
            try:
                number = float(value)
            except ValueError:
                raise self.invalid(f"行号“{value[:20]}”无效") from None
            if not number.is_integer():
                raise self.invalid(f"行号“{value[:20]}”无效")
            self.row = int(number)
        self.col = 0
        self._place(self.row, 1)

    def _cell(self, ref: str | None) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise self.refuse(f"工作表超过 {MAX_CELLS} 个单元格的上限")
        if ref:
            match = _CELL.match(ref)
            if not match:
                raise self.invalid(f"单元格位置“{ref[:20]}”无效")
            row, self.col = int(match.group(2)), _column(match.group(1))
        else:
            row, self.col = self.row, self.col + 1  # placed after the previous cell, as openpyxl does
        self._place(row, self.col)

    def _place(self, row: int, col: int) -> None:
        if row > MAX_ROWS or col > MAX_COLUMNS:
            limit = f"{MAX_ROWS} 行" if row > MAX_ROWS else f"{MAX_COLUMNS} 列"
            raise self.refuse(f"工作表超过 {limit} 的上限", min(row, 2**31), col)
        if row < 1:
            raise self.invalid(f"行号 {row} 无效")
        self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, col)
        if self.max_row * self.max_col > MAX_AREA:
            raise self.refuse(
                f"工作表的使用范围（{self.max_row} 行 × {self.max_col} 列）超过 {MAX_AREA} 个单元格的上限", row, col
            )

    def _range(self, ref: str, expands: bool) -> None:
        first, _, last = ref.partition(":")
        corners = []
        for part in (first, last or first):
            match = _CELL.match(part)
            if not match:
                raise self.invalid(f"区域“{ref[:40]}”无效（应为 A1 或 A1:B2 的形式）")
            corners.append((int(match.group(2)), _column(match.group(1))))
        (r1, c1), (r2, c2) = corners
        for row, col in corners:
            if row > MAX_ROWS or col > MAX_COLUMNS:
                limit = f"{MAX_ROWS} 行" if row > MAX_ROWS else f"{MAX_COLUMNS} 列"
                raise self.refuse(f"区域 {ref[:40]} 超过 {limit} 的上限", min(row, 2**31), col)
        if expands:
            self.budget[0] += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
            if self.budget[0] > MAX_EXPANDED:
                raise self.refuse(f"合并区域、超链接区域和批注共涉及超过 {MAX_EXPANDED} 个单元格的上限", r1, c1)
            self._place(max(r1, r2), max(c1, c2))


def _looks_like_xml(head: bytes) -> bool:
    return head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or head.lstrip()[:1] == b"<"


def _stream(fh: Readable, part: _Part) -> None:
    """Parse with expat: any DTD (and so any entity declaration) or undefined entity is refused."""
    stream_without_dtd(
        fh,
        lambda: part.invalid("含 DTD 或实体声明，出于安全原因拒绝读取"),
        lambda exc: part.invalid(f"XML 无法解析（{expat.errors.messages.get(exc.code, exc)}，第 {exc.lineno} 行）"),
        start=part.start,
        namespace_separator=" ",
    )


def _sheet_names(parts: dict[str, _Part]) -> dict[str, str]:
    """Worksheet part name -> sheet name, from workbook.xml and its relationships (already streamed)."""
    book, rels = parts.get("xl/workbook.xml"), parts.get("xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return {}
    targets = {}
    for local, attrs in rels.attrs:
        if local == "Relationship":
            target = attrs.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[attrs.get("Id")] = posixpath.normpath(target)
    return {
        targets[a.get(f"{_REL_NS} id")]: a.get("name", "")
        for local, a in book.attrs
        if local == "sheet" and a.get(f"{_REL_NS} id") in targets
    }


def check_archive(raw: bytes, shown: str) -> None:
    """Refuse what must not reach openpyxl: not a zip, zip bombs, DTDs and entities, sheets beyond the bounds."""
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(shown, "", 0, 0, f"文件大小 {len(raw)} 字节，超过上限 {MAX_FILE_BYTES} 字节")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused(
            SheetProblem(shown, "", 0, 0, "invalid-workbook", f"不是有效的 xlsx 文件（zip 结构损坏或不是 zip：{exc}）")
        ) from exc
    with archive:
        if len(infos) > MAX_MEMBERS:
            raise _too_large(shown, "", 0, 0, f"压缩包中有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise _too_large(shown, "", 0, 0, f"解压后共 {total} 字节，超过上限 {MAX_UNCOMPRESSED} 字节（可能是压缩炸弹）")
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _too_large(
                    shown,
                    "",
                    0,
                    0,
                    f"{info.filename} 的压缩比 {info.file_size // max(info.compress_size, 1)}:1 异常（可能是压缩炸弹）",
                )
            if info.flag_bits & 0x1:
                raise Refused(SheetProblem(shown, "", 0, 0, "invalid-workbook", "工作簿已加密（请先在 Excel 中取消密码保护）"))
        # The sheet names only label the problems: every part is bounded whatever its name or role.
        book = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        streamed: dict[str, _Part] = {}
        names: dict[str, str] = {}
        budget = [0]
        for info in sorted(infos, key=lambda i: i.filename not in book):
            _scan_member(archive, shown, info, names, streamed, budget)
            if not names and set(book) <= set(streamed):
                names.update(_sheet_names(streamed))


def _scan_member(
    archive: zipfile.ZipFile,
    shown: str,
    info: zipfile.ZipInfo,
    names: dict[str, str],
    streamed: dict[str, _Part],
    budget: list[int],
) -> None:
    name = info.filename
    part = _Part(shown, name, names.get(name, ""), budget)
    try:
        with archive.open(info) as fh:
            head = fh.read(64)
            if not _looks_like_xml(head):
                return  # images and other binary parts: openpyxl does not parse them as XML
            _stream(_Rewound(head, fh), part)
            part.finish()
    except Refused:
        raise
    except Exception as exc:  # zlib.error, BadZipFile (CRC), ...
        raise Refused(
            SheetProblem(shown, part.sheet, 0, 0, "invalid-workbook", f"{name} 无法读取（{type(exc).__name__}: {exc}）")
        ) from exc
    streamed[name] = part


class _Rewound:
    """A stream that first gives back the bytes already read from it."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int) -> bytes:
        if self.head:
            out, self.head = self.head, b""
            return out
        return self.rest.read(size)
