"""`disclosure import-xlsx`: workbooks exported by this tool -> YAML files in content/, checked before writing.

Reading is defensive, in this order, and every refusal is a problem `file.xlsx:Sheet!C7: error: … (code)`:

1. the file: at most `MAX_FILE_BYTES`; a zip (else `invalid-workbook`); at most `MAX_MEMBERS` members whose
   declared sizes add up to at most `MAX_UNCOMPRESSED` bytes, none compressed more than `MAX_RATIO`:1
   (zip bombs; Python's zipfile never inflates past a member's declared size) -> `file-too-large`;
2. every XML part is parsed with defusedxml, DTDs forbidden (entity bombs, external entities) ->
   `invalid-workbook`; worksheets are counted while streaming: more than `MAX_ROWS` rows, `MAX_COLUMNS`
   columns or `MAX_CELLS` cells -> `file-too-large` (openpyxl would build every cell in memory);
3. openpyxl (which itself uses defusedxml when installed) loads the workbook twice, with formulas and with
   cached values, so a formula without a cached result is told apart from an empty cell.

Then the hidden `_data` sheet is read (`form | path | value | cell` rows), cell values by the rules of
`cell_text`, and every value that is also shown on a visible sheet (`cell` column) is compared with it.
Merged cells: on the form sheet (申报表) a merged range's value is its top-left cell and the other cells are
never read; in `_data` and in the data tables (单位/项目/指标) merged cells are refused.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from generator.excel.workbook import (
    DATA_HEADER, SHEET_DATA, SHEET_FORM, FieldPath, form_kind, is_money_path, is_number_path, ooxml_unescape,
    parse_path, path_text,
)  # fmt: skip
from generator.forms.load import _FORBIDDEN
from generator.forms.model import MONEY_PATTERN
from generator.problems import ERROR, Coded, Problem, _escape_data, _escape_property, _visible, relpath, summary

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 1000
#: Deflate rarely beats 100:1 on real spreadsheet XML; bombs reach 1000:1 and more.
MAX_RATIO = 200
MAX_ROWS = 200_000
MAX_COLUMNS = 100
MAX_CELLS = 1_000_000

_REL_RE = re.compile(r"^(19|20|21)[0-9]{2}/[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*\.yml$")
_REF_RE = re.compile(r"^(?P<sheet>[^!\[\]*?:/\\]{1,31})!(?P<col>[A-Z]{1,3})(?P<row>[1-9][0-9]{0,6})$")
_MONEY_RE = re.compile(MONEY_PATTERN)
_COORD_RE = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


@dataclass(frozen=True, order=True)
class SheetProblem(Coded):
    """A problem at a cell of a workbook: `file.xlsx:Sheet!C7: level: message (code)`."""

    path: str
    sheet: str
    row: int
    col: int
    code: str
    message: str = field(compare=False)
    field: str = field(default="", compare=False)

    @property
    def where(self) -> str:
        if not self.sheet:
            return ""
        from openpyxl.utils import get_column_letter

        return f"{self.sheet}!{get_column_letter(self.col)}{self.row}"

    def format(self) -> str:
        where = f"{self.where}:" if self.sheet else ""
        label = f"{self.field}: " if self.field else ""
        return f"{self.path}:{where} {self.level}: {_visible(label + self.message)} ({self.code})"

    def format_github(self) -> str:
        kind = "error" if self.level == ERROR else "warning"
        title = f"{self.code} {self.where}".strip()
        return f"::{kind} file={_escape_property(self.path)},title={_escape_property(title)}::{_escape_data(_visible(self.message))}"


def _coord(ref: str) -> tuple[int, int]:
    from openpyxl.utils import column_index_from_string

    match = _COORD_RE.match(ref)
    if not match:
        return 1, 1
    return int(match.group(2)), column_index_from_string(match.group(1))


# --------------------------------------------------------------------------- opening safely


class Refused(Exception):
    """The workbook cannot be read; carries the problem."""

    def __init__(self, problem: SheetProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _sheet_parts(archive: zipfile.ZipFile, shown: str) -> dict[str, str]:
    """Worksheet part name -> sheet name (from workbook.xml and its relationships)."""
    import defusedxml.ElementTree as DET

    try:
        book = DET.fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
        rels = DET.fromstring(archive.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except KeyError:
        raise Refused(SheetProblem(shown, "", 0, 0, "invalid-workbook", "不是有效的 xlsx 工作簿：缺少 xl/workbook.xml（或其关系文件）"))
    except Exception:  # defusedxml and ElementTree errors: reported by the full scan below
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = os.path.normpath(target).replace(os.sep, "/")
    out = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            if rid in targets:
                out[targets[rid]] = sheet.get("name", "")
    return out


def _scan_sheet(archive: zipfile.ZipFile, part: str, sheet: str, shown: str) -> None:
    """Stream a worksheet: refuse DTDs and sheets beyond the row, column and cell caps."""
    import defusedxml.ElementTree as DET

    from openpyxl.utils import column_index_from_string

    cells = 0
    with archive.open(part) as fh:
        for _event, elem in DET.iterparse(fh, events=("end",), forbid_dtd=True):
            tag = elem.tag.rsplit("}", 1)[-1]
            if tag == "c":
                cells += 1
                match = _COORD_RE.match(elem.get("r", "") or "")
                if match:
                    row, col = int(match.group(2)), column_index_from_string(match.group(1))
                    if row > MAX_ROWS or col > MAX_COLUMNS:
                        limit = f"{MAX_ROWS} 行" if row > MAX_ROWS else f"{MAX_COLUMNS} 列"
                        raise Refused(SheetProblem(shown, sheet, row, col, "file-too-large", f"工作表超过 {limit} 的上限"))
                if cells > MAX_CELLS:
                    raise Refused(SheetProblem(shown, sheet, 1, 1, "file-too-large", f"工作表超过 {MAX_CELLS} 个单元格的上限"))
                elem.clear()
            elif tag == "row":
                elem.clear()


def check_archive(raw: bytes, shown: str) -> None:
    """Refuse what must not reach openpyxl: not a zip, zip bombs, DTDs/entities, oversized sheets."""
    import io

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    if len(raw) > MAX_FILE_BYTES:
        raise Refused(SheetProblem(shown, "", 0, 0, "file-too-large", f"文件大小 {len(raw)} 字节，超过上限 {MAX_FILE_BYTES} 字节"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused(SheetProblem(shown, "", 0, 0, "invalid-workbook", f"不是有效的 xlsx 文件（zip 结构损坏或不是 zip：{exc}）"))
    with archive:
        if len(infos) > MAX_MEMBERS:
            raise Refused(SheetProblem(shown, "", 0, 0, "file-too-large", f"压缩包中有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}"))
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise Refused(SheetProblem(shown, "", 0, 0, "file-too-large", f"解压后共 {total} 字节，超过上限 {MAX_UNCOMPRESSED} 字节（可能是压缩炸弹）"))
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Refused(SheetProblem(shown, "", 0, 0, "file-too-large", f"{info.filename} 的压缩比 {info.file_size // max(info.compress_size, 1)}:1 异常（可能是压缩炸弹）"))
            if info.flag_bits & 0x1:
                raise Refused(SheetProblem(shown, "", 0, 0, "invalid-workbook", "工作簿已加密（请先在 Excel 中取消密码保护）"))
        parts = _sheet_parts(archive, shown)
        for info in infos:
            name = info.filename
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            sheet = parts.get(name, "")
            try:
                if sheet:
                    _scan_sheet(archive, name, sheet, shown)
                else:
                    with archive.open(name) as fh:
                        for _event, elem in DET.iterparse(fh, events=("end",), forbid_dtd=True):
                            elem.clear()
            except Refused:
                raise
            except DefusedXmlException as exc:
                raise Refused(SheetProblem(shown, sheet, 1 if sheet else 0, 1 if sheet else 0, "invalid-workbook",
                                           f"{name} 含 DTD 或实体声明（{type(exc).__name__}），出于安全原因拒绝读取"))
            except Exception as exc:  # ParseError, zlib.error, BadZipFile (CRC), ...
                raise Refused(SheetProblem(shown, sheet, 1 if sheet else 0, 1 if sheet else 0, "invalid-workbook",
                                           f"{name} 无法读取（{type(exc).__name__}: {exc}）"))


def open_workbook(raw: bytes, shown: str) -> tuple[Any, Any]:
    """Return (workbook with formulas, workbook with cached values) after `check_archive`.

    The second load (`data_only=True`) is needed only when a cell holds a formula: every other cell reads
    the same either way, so without formulas the first workbook serves as both.
    """
    import io
    import warnings

    from openpyxl import load_workbook

    check_archive(raw, shown)

    def load(data_only: bool) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions, data validation …
                return load_workbook(io.BytesIO(raw), data_only=data_only, keep_links=False, rich_text=False)
        except Exception as exc:  # openpyxl raises many kinds on malformed parts
            raise Refused(SheetProblem(shown, "", 0, 0, "invalid-workbook", f"工作簿无法读取（{type(exc).__name__}: {exc}）"))

    formulas = load(False)
    has_formula = any(cell.data_type == "f" for ws in formulas.worksheets for cell in ws._cells.values())
    return formulas, load(True) if has_formula else formulas


# --------------------------------------------------------------------------- cells


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    total = int(value.total_seconds())  # timedelta ([h]:mm:ss)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def cell_text(fcell: Any, vcell: Any, want: str, decimals: int = 2) -> tuple[str | None, tuple[str, str] | None]:
    """Read one cell as the text the YAML file would hold: (text, None) or (None, (code, message)).

    `want` is "text", "money" or "number". Rules: a formula needs its cached value (never taken as 0);
    numbers become `Decimal(repr(float))` and are refused, not rounded, beyond `decimals` places; numbers
    stored as text go through the same strict pattern as YAML (in the model); dates become ISO dates;
    booleans and error values are refused; text is taken exactly (Excel's `_xHHHH_` escapes undone).
    """
    value = vcell.value if vcell is not None else None
    if fcell is not None and fcell.data_type == "f":
        formula = fcell.value if isinstance(fcell.value, str) else getattr(fcell.value, "text", "") or "（数组公式）"
        if value is None:
            return None, ("invalid-value", f"单元格是公式 {formula}，但文件中没有保存计算结果（不会当作 0）；请在 Excel 中打开、重新计算并保存，或直接填写数值")
    if value is None:
        return "", None
    if isinstance(value, bool):
        return None, ("wrong-type", f"单元格是逻辑值 {'TRUE' if value else 'FALSE'}；这里应填写{'金额' if want == 'money' else '文本'}")
    if getattr(vcell, "data_type", None) == "e":
        return None, ("invalid-value", f"单元格是错误值 {value}")
    if isinstance(value, (datetime, date, time, timedelta)):
        if want != "text":
            return None, ("money-format" if want == "money" else "invalid-value", f"单元格是日期或时间 {_iso(value)}；这里应填写{'金额' if want == 'money' else '整数'}")
        return _iso(value), None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, ("money-format" if want == "money" else "invalid-value", f"单元格的数值无效（{value}）")
        if isinstance(value, int) or value.is_integer():
            return str(int(value)), None
        exact = Decimal(repr(value))
        if want == "money":
            places = -exact.as_tuple().exponent
            if places > decimals:
                return None, ("money-precision", f"单元格中的数值 {value!r} 有 {places} 位小数，超过允许的 {decimals} 位：不会四舍五入（可能是 0.1+0.2 之类的浮点误差），请核对后重新填写")
        return format(exact, "f"), None
    if isinstance(value, str):
        return ooxml_unescape(value), None
    return None, ("wrong-type", f"不支持的单元格内容（{type(value).__name__}）")


# --------------------------------------------------------------------------- the `_data` sheet


@dataclass
class ImportedForm:
    """One form read from a workbook: where it goes, its data, where each value was read."""

    rel: str
    source: str
    data: dict[str, Any]
    #: field path -> (sheet, row, col) of the `_data` value cell
    cells: dict[FieldPath, tuple[str, int, int]] = field(default_factory=dict)
    #: field path -> visible cell reference ("申报表!D7")
    shown: dict[FieldPath, str] = field(default_factory=dict)
    first_row: int = 2

    @property
    def kind(self) -> str:
        return form_kind(self.rel)


@dataclass
class _Entry:
    row: int
    rel: str
    path: FieldPath
    fcell: Any
    vcell: Any
    ref: str


def _merged_starts(ws: Any) -> tuple[set[tuple[int, int]], list[Any]]:
    """(cells covered by a merged range other than its top-left, the ranges)."""
    covered: set[tuple[int, int]] = set()
    ranges = list(ws.merged_cells.ranges)
    for rng in ranges:
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                if (row, col) != (rng.min_row, rng.min_col):
                    covered.add((row, col))
    return covered, ranges


def read_forms(wbf: Any, wbv: Any, shown: str) -> tuple[list[ImportedForm], list[SheetProblem]]:
    """Read every form in the `_data` sheet, cross-checked against the visible sheets."""
    problems: list[SheetProblem] = []

    def fail(sheet: str, row: int, col: int, code: str, message: str, path: FieldPath = ()) -> None:
        problems.append(SheetProblem(shown, sheet, row, col, code, message, path_text(path) if path else ""))

    if SHEET_DATA not in wbf.sheetnames:
        names = "、".join(wbf.sheetnames)
        fail("", 0, 0, "invalid-workbook", f"工作簿中没有 {SHEET_DATA} 工作表（只能导入本工具导出的工作簿）；现有工作表：{names}")
        return [], problems
    wsf, wsv = wbf[SHEET_DATA], wbv[SHEET_DATA]
    header = [cell_text(wsf.cell(1, c), wsv.cell(1, c), "text")[0] for c in range(1, 5)]
    if tuple(header) != DATA_HEADER:
        fail(SHEET_DATA, 1, 1, "invalid-workbook", f"{SHEET_DATA} 表头应为 {' | '.join(DATA_HEADER)}，而不是 {' | '.join(h or '' for h in header)}")
        return [], problems
    for rng in sorted(wsf.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        fail(SHEET_DATA, rng.min_row, rng.min_col, "invalid-workbook", f"数据表中不允许合并单元格（{rng.coord}）：合并后只有左上角单元格有值")
    if problems:
        return [], problems
    entries: list[_Entry] = []
    seen: dict[tuple[str, FieldPath], int] = {}
    order: list[str] = []
    for frow, vrow in zip(wsf.iter_rows(min_row=2, max_col=4), wsv.iter_rows(min_row=2, max_col=4)):
        r = frow[0].row
        texts = []
        bad = False
        for c in (0, 1, 3):
            text, problem = cell_text(frow[c], vrow[c], "text")
            if problem:
                fail(SHEET_DATA, r, c + 1, *problem)
                bad = True
            texts.append(text or "")
        rel, raw_path, ref = texts
        value_empty = vrow[2].value is None and frow[2].data_type != "f"
        if bad or (not rel and not raw_path and not ref and value_empty):
            continue
        if not _REL_RE.match(rel):
            fail(SHEET_DATA, r, 1, "misplaced-file", f"表单位置“{rel}”应为 <年度>/<单位编号>/<文件名>.yml（如 2025/renhe-shehui-gongzuobu/unit.yml）")
            continue
        path = parse_path(raw_path)
        if path is None:
            fail(SHEET_DATA, r, 2, "invalid-key", f"字段路径“{raw_path}”格式错误（应如 funding.total、indicators[0].value）")
            continue
        if ref and not _REF_RE.match(ref):
            fail(SHEET_DATA, r, 4, "invalid-workbook", f"单元格引用“{ref}”格式错误（应如 {SHEET_FORM}!D7）")
            continue
        key = (rel, path)
        if key in seen:
            fail(SHEET_DATA, r, 2, "duplicate-key", f"字段“{raw_path}”在 {SHEET_DATA} 中重复，第一次出现在第 {seen[key]} 行", path)
            continue
        seen[key] = r
        if rel not in order:
            order.append(rel)
        entries.append(_Entry(r, rel, path, frow[2], vrow[2], ref))
    decimals = _decimals(entries)
    forms: dict[str, ImportedForm] = {}
    values: dict[str, list[tuple[FieldPath, str, int]]] = {rel: [] for rel in order}
    sheets: dict[str, tuple[Any, Any, set[tuple[int, int]]]] = {}
    for entry in entries:
        want = "money" if is_money_path(entry.path) else "number" if is_number_path(entry.path) else "text"
        text, problem = cell_text(entry.fcell, entry.vcell, want, decimals.get(entry.rel, 2))
        if problem:
            fail(SHEET_DATA, entry.row, 3, *problem, entry.path)
            continue
        bad_char = _FORBIDDEN.search(text)
        if bad_char:
            fail(SHEET_DATA, entry.row, 3, "forbidden-character", f"不允许的字符 U+{ord(bad_char.group()):04X}（控制、零宽或双向字符）", entry.path)
            continue
        form = forms.setdefault(entry.rel, ImportedForm(entry.rel, shown, {}, first_row=entry.row))
        form.cells[entry.path] = (SHEET_DATA, entry.row, 3)
        values[entry.rel].append((entry.path, text, entry.row))
        if entry.ref:
            _cross_check(wbf, wbv, sheets, entry, text, want, decimals.get(entry.rel, 2), form, fail)
    out = []
    for rel in order:
        if rel not in forms:
            continue
        data, structure = unflatten(values[rel])
        for row, message, path in structure:
            fail(SHEET_DATA, row, 2, "wrong-type", message, path)
        if isinstance(data, dict):
            data.setdefault("indicators", [])  # a form without indicator rows has an empty list, not none
        forms[rel].data = data
        out.append(forms[rel])
    return out, problems


def _decimals(entries: list[_Entry]) -> dict[str, int]:
    out = {}
    for entry in entries:
        if entry.path == ("money_decimals",):
            text, problem = cell_text(entry.fcell, entry.vcell, "number")
            if not problem and text is not None and re.fullmatch(r"[0-6]", text):
                out[entry.rel] = int(text)
    return out


def _same(shown_text: str, data_text: str, want: str) -> bool:
    if shown_text == data_text:
        return True
    if want in ("money", "number") and _MONEY_RE.match(shown_text) and _MONEY_RE.match(data_text):
        return Decimal(shown_text) == Decimal(data_text)
    return False


def _cross_check(wbf: Any, wbv: Any, sheets: dict, entry: _Entry, text: str, want: str, decimals: int,
                 form: ImportedForm, fail: Any) -> None:
    match = _REF_RE.match(entry.ref)
    name = match.group("sheet")
    if name == SHEET_DATA or name not in wbf.sheetnames or not hasattr(wbf[name], "merged_cells"):
        fail(SHEET_DATA, entry.row, 4, "invalid-workbook", f"引用的工作表“{name}”不存在")
        return
    if name not in sheets:
        covered, ranges = _merged_starts(wbf[name])
        sheets[name] = (wbf[name], wbv[name], covered)
        if name != SHEET_FORM:  # a data table: merged cells are refused
            for rng in sorted(ranges, key=lambda r: (r.min_row, r.min_col)):
                if rng.max_row >= 2:
                    fail(name, rng.min_row, rng.min_col, "invalid-workbook", f"数据行中不允许合并单元格（{rng.coord}）：合并后只有左上角单元格有值")
    wsf, wsv, covered = sheets[name]
    row, col = _coord(match.group("col") + match.group("row"))
    if (row, col) in covered:
        fail(name, row, col, "invalid-workbook", f"单元格 {match.group('col')}{row} 在合并区域内，不是左上角单元格（合并区域的值只在左上角）")
        return
    if name != SHEET_FORM and any(r.min_row <= row <= r.max_row and r.min_col <= col <= r.max_col for r in wsf.merged_cells.ranges):
        return  # already reported for the table
    shown_text, problem = cell_text(wsf.cell(row, col), wsv.cell(row, col), want, decimals)
    if problem:
        fail(name, row, col, *problem, entry.path)
        return
    form.shown[entry.path] = entry.ref
    if not _same(shown_text, text, want):
        fail(name, row, col, "invalid-value",
             f"可见表中的值“{_short(shown_text)}”与 {SHEET_DATA} 第 {entry.row} 行的“{_short(text)}”不一致；导入以 {SHEET_DATA}（隐藏工作表）为准，请两处改成一致后再导入",
             entry.path)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unflatten(rows: Iterable[tuple[FieldPath, str, int]]) -> tuple[dict[str, Any], list[tuple[int, str, FieldPath]]]:
    """(path, text, row) leaves -> nested dicts and lists; report paths that clash or lists with gaps."""
    root: dict[Any, Any] = {}
    first: dict[FieldPath, int] = {}
    problems: list[tuple[int, str, FieldPath]] = []
    leaves: set[FieldPath] = set()
    for path, text, row in rows:
        node = root
        ok = True
        for depth, part in enumerate(path[:-1]):
            prefix = path[: depth + 1]
            if prefix in leaves:
                problems.append((row, f"“{path_text(prefix)}”已经是一个值，不能再有下级字段", path))
                ok = False
                break
            first.setdefault(prefix, row)
            node = node.setdefault(part, {})
        if not ok:
            continue
        if path[-1] in node:
            problems.append((row, f"“{path_text(path)}”既是值又有下级字段", path))
            continue
        node[path[-1]] = text
        leaves.add(path)
    return _lists(root, (), first, problems), problems


def _lists(node: Any, path: FieldPath, first: dict[FieldPath, int], problems: list) -> Any:
    if not isinstance(node, dict):
        return node
    keys = list(node)
    ints = [k for k in keys if isinstance(k, int)]
    if ints and len(ints) != len(keys):
        problems.append((first.get(path, 2), f"“{path_text(path)}”混用了列表序号和字段名", path))
        return {str(k): _lists(v, path + (k,), first, problems) for k, v in node.items()}
    if ints:
        expected = list(range(len(ints)))
        if sorted(ints) != expected:
            missing = next(i for i in expected + [len(ints)] if i not in ints)
            problems.append((first.get(path, 2), f"“{path_text(path)}”的序号不连续：缺少 [{missing}]", path))
        return [_lists(node[k], path + (k,), first, problems) for k in sorted(ints)]
    return {k: _lists(v, path + (k,), first, problems) for k, v in node.items()}


def read_workbook(raw: bytes, shown: str) -> tuple[list[ImportedForm], list[SheetProblem]]:
    """Open and read a workbook; problems never raise."""
    try:
        wbf, wbv = open_workbook(raw, shown)
    except Refused as exc:
        return [], [exc.problem]
    try:
        return read_forms(wbf, wbv, shown)
    except Exception as exc:  # pragma: no cover - a workbook shaped in a way nobody foresaw: still no traceback
        return [], [SheetProblem(shown, "", 0, 0, "invalid-workbook", f"工作簿无法读取（{type(exc).__name__}: {exc}）")]
    finally:
        for wb in {id(wbf): wbf, id(wbv): wbv}.values():
            wb.close()


def read_workbook_file(path: str) -> tuple[list[ImportedForm], list[SheetProblem]]:
    shown = relpath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return [], [SheetProblem(shown, "", 0, 0, "file-too-large", f"文件大小 {size} 字节，超过上限 {MAX_FILE_BYTES} 字节")]
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return [], [SheetProblem(shown, "", 0, 0, "invalid-workbook", f"无法读取文件：{exc.strerror}")]
    return read_workbook(raw, shown)


# --------------------------------------------------------------------------- import


@dataclass
class Planned:
    form: ImportedForm
    text: str
    lines: dict[FieldPath, int]
    target: Path
    old: bytes | None = None


def _locate(plan: Planned, problem: Problem) -> SheetProblem:
    """Map a check problem in the generated YAML back to the workbook cell the value came from."""
    form = plan.form
    at = tuple(problem.at)
    spot = None
    probe = at
    while probe:
        if probe in form.cells:
            spot = form.cells[probe]
            break
        below = next((p for p in form.cells if p[: len(probe)] == probe), None)
        if below is not None:
            spot = form.cells[below]
            break
        probe = probe[:-1]
    if spot is None and not at:  # problems found while reading the YAML: by line
        by_line = sorted(((line, path) for path, line in plan.lines.items() if line <= problem.line), key=lambda x: x[0])
        if by_line and by_line[-1][1] in form.cells:
            spot = form.cells[by_line[-1][1]]
    if spot is None:
        spot = (SHEET_DATA, form.first_row, 1)
    message = problem.message
    visible = form.shown.get(probe) if probe else None
    if visible:
        message += f"（显示在 {visible}）"
    return SheetProblem(form.source, spot[0], spot[1], spot[2], problem.code, message, problem.field)


def _validate(content: Path, plans: dict[str, Planned]) -> list[Any]:
    """Run the same check as `disclosure check` on content/ with the imported files in place (in a temp dir)."""
    from generator.excel.workbook import form_rel
    from generator.forms.validate import FormFile, apply_acknowledgements, check_files, cross_form_problems, discover

    years = {rel.split("/")[0] for rel in plans}
    existing, early = discover(content) if content.is_dir() else ([], [])
    keep = [ff for ff in existing if ff.year in years and form_rel(ff) not in plans]
    with tempfile.TemporaryDirectory(prefix="disclosure-import-") as tmp:
        temp_files: dict[str, Planned] = {}
        new = []
        for rel, plan in plans.items():
            year, unit_id, name = rel.split("/")
            target = Path(tmp) / year / unit_id / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(plan.text, encoding="utf-8")
            ff = FormFile(str(target), plan.form.kind, year, unit_id, name[: -len(".yml")])
            temp_files[os.path.abspath(ff.path)] = plan
            new.append(ff)
        checked = check_files(keep + new, jobs=1)
        problems = list(cross_form_problems(checked))
        for ff in checked:
            problems.extend(ff.problems)
        result = apply_acknowledgements(checked, problems)
    out: list[Any] = []
    for problem in result.problems:
        plan = temp_files.get(os.path.abspath(problem.path))  # load_file shows paths relative to the cwd
        if plan is not None:
            out.append(_locate(plan, problem))
        elif problem.level == ERROR:
            out.append(problem)
    return out


def _sort_key(problem: Any) -> tuple:
    if isinstance(problem, SheetProblem):
        return (problem.path, problem.sheet != SHEET_FORM, problem.sheet, problem.row, problem.col, problem.code)
    return (problem.path, "", "", problem.line, problem.col, problem.code)


def _report(problems: list[Any], forms: int, out: Any) -> None:
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in sorted(problems, key=_sort_key):
        print(problem.format(), file=out)
        if github:
            print(problem.format_github(), file=out)


def import_xlsx(files: list[str], content: str = "content", force: bool = False, dry_run: bool = False,
                out: Any = None) -> int:
    """`disclosure import-xlsx`: returns 0 (done / nothing to do), 1 (problems or refused overwrite), 2 (usage)."""
    from generator.fileio import write_bytes_atomic
    from generator.editing.yamlout import form_yaml

    out = out or sys.stdout
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        print(f"disclosure import-xlsx: error: file not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    content_dir = Path(content)
    if content_dir.exists() and not content_dir.is_dir():
        print(f"disclosure import-xlsx: error: not a folder: {content}", file=sys.stderr)
        return 2
    problems: list[Any] = []
    forms: list[ImportedForm] = []
    for name in files:
        found, trouble = read_workbook_file(name)
        problems.extend(trouble)
        taken = {f.rel: f for f in forms}
        for form in found:
            if form.rel in taken:
                problems.append(SheetProblem(form.source, SHEET_DATA, form.first_row, 1, "duplicate-id",
                                             f"表单 {form.rel} 已经从 {taken[form.rel].source} 导入，同一表单只能导入一次"))
            else:
                forms.append(form)
    plans: dict[str, Planned] = {}
    if not any(p.level == ERROR for p in problems):
        for form in forms:
            text, lines = form_yaml(form.kind, form.data)
            target = content_dir / form.rel
            old = target.read_bytes() if target.is_file() else None
            plans[form.rel] = Planned(form, text, lines, target, old)
        if plans:
            problems.extend(_validate(content_dir, plans))
    errors = [p for p in problems if p.level == ERROR]
    _report(problems, len(forms), out)
    if errors or not forms:
        if not forms and not errors:
            print("no forms found in the workbooks", file=sys.stderr)
        print(summary(problems, 0, len(forms)), file=out)
        if errors:
            print("import aborted: fix the problems above; nothing was written", file=sys.stderr)
        return 1
    changed = [p for p in plans.values() if p.old != p.text.encode("utf-8")]
    if dry_run:
        for plan in changed:
            old = plan.old.decode("utf-8", "replace").splitlines(keepends=True) if plan.old is not None else []
            shown = relpath(plan.target)
            out.writelines(difflib.unified_diff(old, plan.text.splitlines(keepends=True),
                                                fromfile=shown if plan.old is not None else "/dev/null", tofile=shown))
        print(summary(problems, 0, len(forms)), file=out)
        print(f"dry run: {len(changed)} file(s) would change, {len(plans) - len(changed)} unchanged; nothing was written", file=sys.stderr)
        return 0
    refused = [p for p in changed if p.old is not None and not force]
    if refused:
        for plan in refused:
            print(f"disclosure import-xlsx: error: {relpath(plan.target)} exists and differs (use --force to overwrite, --dry-run to see the changes)", file=sys.stderr)
        print(summary(problems, 0, len(forms)), file=out)
        print("import aborted: nothing was written", file=sys.stderr)
        return 1
    for plan in changed:
        write_bytes_atomic(plan.target, plan.text.encode("utf-8"), durable=True)
        print(f"wrote {relpath(plan.target)}", file=sys.stderr)
    print(summary(problems, 0, len(forms)), file=out)
    print(f"{len(changed)} file(s) written, {len(plans) - len(changed)} unchanged", file=sys.stderr)
    return 0
