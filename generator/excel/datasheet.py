"""The hidden `_data` sheet -> forms: each form's layout, its values read by their type, the visible cells compared.

Rows are `form | path | value | cell | layout`. A form's layout is the one its rows name (`layout` column),
else the one its data names (`layout` field), else the target site's default for its year (workbooks from
before layouts have no `layout` column); the layout says which values are amounts, numbers or text.
Every value that is also shown on a visible sheet (`cell` column) is compared with it. Merged cells: on the
form sheet (申报表) a merged range's value is its top-left cell and the other cells are never read; in
`_data` and in the data tables (单位/项目/指标 …) merged cells are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Optional

from generator.excel.cells import DATA_HEADER, OLD_DATA_HEADER, SHEET_DATA, SHEET_FORM
from generator.excel.formdata import EMPTY, FieldPath, cell_want, form_kind, parse_path, path_text, path_type
from generator.excel.reading import SheetProblem, cell_text, coord
from generator.excel.visible import choose
from generator.characters import FORBIDDEN as _FORBIDDEN
from generator.forms.scalars import MONEY_PATTERN

if TYPE_CHECKING:
    from generator.forms.registry import Layout, Registry

REL_RE = re.compile(r"^(19|20|21)[0-9]{2}/[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*\.yml$")
_REF_RE = re.compile(r"^(?P<sheet>[^!\[\]*?:/\\]{1,31})!(?P<col>[A-Z]{1,3})(?P<row>[1-9][0-9]{0,6})$")
_MONEY_RE = re.compile(MONEY_PATTERN)


@dataclass
class ImportedForm:
    """One form read from a workbook: where it goes, its layout, its data, where each value was read."""

    rel: str
    source: str
    data: dict[str, Any]
    #: field path -> (sheet, row, col) of the `_data` value cell
    cells: dict[FieldPath, tuple[str, int, int]] = field(default_factory=dict)
    #: field path -> visible cell reference ("申报表!D7")
    shown: dict[FieldPath, str] = field(default_factory=dict)
    #: values taken from an edit on one side only (the visible sheet, or `_data`), for the import report
    edits: list["Edit"] = field(default_factory=list)
    first_row: int = 2
    layout: Optional["Layout"] = None

    @property
    def kind(self) -> str:
        return form_kind(self.rel)


@dataclass(frozen=True)
class Edit:
    """A value the editor changed on one side only: where it was read from, and which side ("visible" / "data")."""

    path: FieldPath
    where: str
    side: str


@dataclass
class _Entry:
    row: int
    rel: str
    path: FieldPath
    fcell: Any
    vcell: Any
    ref: str
    digest: str = ""


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


def read_forms(wbf: Any, wbv: Any, shown: str, registry: "Registry") -> tuple[list[ImportedForm], list[SheetProblem]]:
    """Read every form in the `_data` sheet, cross-checked against the visible sheets.

    Each form's layout is the one its `_data` rows name (the `layout` column), else the one the data names
    (`layout` field), else the site's default for the form's year; it says which values are amounts,
    numbers or text.
    """
    problems: list[SheetProblem] = []

    def fail(sheet: str, row: int, col: int, code: str, message: str, path: FieldPath = ()) -> None:
        problems.append(SheetProblem(shown, sheet, row, col, code, message, path_text(path) if path else ""))

    if SHEET_DATA not in wbf.sheetnames:
        names = "、".join(wbf.sheetnames)
        fail("", 0, 0, "invalid-workbook", f"工作簿中没有 {SHEET_DATA} 工作表（只能导入本工具导出的工作簿）；现有工作表：{names}")
        return [], problems
    wsf, wsv = wbf[SHEET_DATA], wbv[SHEET_DATA]
    header = [cell_text(wsf.cell(1, c), wsv.cell(1, c), "text")[0] for c in range(1, len(DATA_HEADER) + 1)]
    # Six columns; five before the digest column; four before layouts.
    columns = next(
        (n for n in range(len(DATA_HEADER), len(OLD_DATA_HEADER) - 1, -1) if tuple(header[:n]) == DATA_HEADER[:n]),
        len(OLD_DATA_HEADER),
    )
    if tuple(header[:columns]) != DATA_HEADER[:columns] or any(header[columns:]):
        fail(
            SHEET_DATA,
            1,
            1,
            "invalid-workbook",
            f"{SHEET_DATA} 表头应为 {' | '.join(DATA_HEADER)}，而不是 {' | '.join(h or '' for h in header)}",
        )
        return [], problems
    for rng in sorted(wsf.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        fail(
            SHEET_DATA,
            rng.min_row,
            rng.min_col,
            "invalid-workbook",
            f"数据表中不允许合并单元格（{rng.coord}）：合并后只有左上角单元格有值",
        )
    if problems:
        return [], problems
    entries: list[_Entry] = []
    seen: dict[tuple[str, FieldPath], int] = {}
    order: list[str] = []
    named: dict[str, tuple[str, int]] = {}  # form -> (layout named in the `layout` column, row)
    for frow, vrow in zip(wsf.iter_rows(min_row=2, max_col=columns), wsv.iter_rows(min_row=2, max_col=columns)):
        r = frow[0].row
        texts = []
        bad = False
        for c in (0, 1, 3) + tuple(range(4, columns)):
            text, problem = cell_text(frow[c], vrow[c], "text")
            if problem:
                fail(SHEET_DATA, r, c + 1, *problem)
                bad = True
            texts.append(text or "")
        rel, raw_path, ref = texts[:3]
        layout_name = texts[3] if columns > 4 else ""
        digest = texts[4] if columns > 5 else ""
        value_empty = vrow[2].value is None and frow[2].data_type != "f"
        if bad or (not rel and not raw_path and not ref and not layout_name and value_empty):
            continue
        if not REL_RE.match(rel):
            fail(
                SHEET_DATA,
                r,
                1,
                "misplaced-file",
                f"表单位置“{rel}”应为 <年度>/<单位编号>/<文件名>.yml（如 2025/renhe-shehui-gongzuobu/unit.yml）",
            )
            continue
        if layout_name:
            if rel in named and named[rel][0] != layout_name:
                fail(
                    SHEET_DATA,
                    r,
                    5,
                    "invalid-value",
                    f"表样“{layout_name}”与第 {named[rel][1]} 行的“{named[rel][0]}”不一致（同一表单只能有一个表样）",
                )
                continue
            named.setdefault(rel, (layout_name, r))
        if not raw_path and not ref and value_empty:
            continue  # a row naming only the layout
        path = parse_path(raw_path)
        if path is None:
            fail(SHEET_DATA, r, 2, "invalid-key", f"字段路径“{raw_path}”格式错误（应如 funding.total、indicators[0].value）")
            continue
        if ref and not _REF_RE.match(ref):
            fail(SHEET_DATA, r, 4, "invalid-workbook", f"单元格引用“{ref}”格式错误（应如 {SHEET_FORM}!D7）")
            continue
        key = (rel, path)
        if key in seen:
            fail(
                SHEET_DATA, r, 2, "duplicate-key", f"字段“{raw_path}”在 {SHEET_DATA} 中重复，第一次出现在第 {seen[key]} 行", path
            )
            continue
        seen[key] = r
        if rel not in order:
            order.append(rel)
        entries.append(_Entry(r, rel, path, frow[2], vrow[2], ref, digest))
    layouts = _layouts(entries, order, named, registry, fail)
    decimals = _decimals(entries)
    forms: dict[str, ImportedForm] = {}
    values: dict[str, list[tuple[FieldPath, Any, int]]] = {rel: [] for rel in order}
    sheets: dict[str, tuple[Any, Any, set[tuple[int, int]]]] = {}
    for entry in entries:
        layout = layouts.get(entry.rel)
        if layout is None:
            continue
        spec = layout.form(form_kind(entry.rel))
        assert spec is not None
        kind = path_type(spec, layout.models[form_kind(entry.rel)], entry.path)
        want = cell_want(kind)
        text, problem = cell_text(entry.fcell, entry.vcell, want, decimals.get(entry.rel, 2))
        if problem or text is None:
            fail(SHEET_DATA, entry.row, 3, *(problem or ("invalid-value", "单元格无值")), entry.path)
            continue
        bad_char = _FORBIDDEN.search(text)
        if bad_char:
            fail(
                SHEET_DATA,
                entry.row,
                3,
                "forbidden-character",
                f"不允许的字符 U+{ord(bad_char.group()):04X}（控制、零宽或双向字符）",
                entry.path,
            )
            continue
        form = forms.setdefault(entry.rel, ImportedForm(entry.rel, shown, {}, first_row=entry.row, layout=layout))
        form.cells[entry.path] = (SHEET_DATA, entry.row, 3)
        if entry.ref:
            chosen = _cross_check(wbf, wbv, sheets, entry, text, want, decimals.get(entry.rel, 2), form, fail)
            if chosen is None:
                continue
            text = chosen
        value: Any = text
        if kind in EMPTY and text == EMPTY[kind]:
            value = [] if kind == "list" else {}  # an empty list or mapping the file sets
        values[entry.rel].append((entry.path, value, entry.row))
    out = []
    for rel in order:
        if rel not in forms:
            continue
        data, structure = unflatten(values[rel])
        for row, message, path in structure:
            fail(SHEET_DATA, row, 2, "wrong-type", message, path)
        forms[rel].data = data
        out.append(forms[rel])
    return out, problems


def _layouts(
    entries: list[_Entry], order: list[str], named: dict[str, tuple[str, int]], registry: "Registry", fail: Any
) -> dict[str, "Layout"]:
    """Return the layout of every form; report forms whose layout is unknown or has no form of their kind."""
    own: dict[str, tuple[str, int]] = {}
    for entry in entries:
        if entry.path == ("layout",):
            text, problem = cell_text(entry.fcell, entry.vcell, "text")
            if not problem and text:
                own[entry.rel] = (text, entry.row)
    first: dict[str, int] = {}
    for entry in entries:
        first.setdefault(entry.rel, entry.row)
    out: dict[str, "Layout"] = {}
    for rel in order:
        name, row, col = None, first[rel], 1
        if rel in own:  # the file names its layout: that is the one its YAML will follow
            name, row = own[rel]
            col = 3
        elif rel in named:
            name, row = named[rel]
            col = 5
        year = rel.split("/")[0]
        layout, message = registry.resolve(year, name)
        kind = form_kind(rel)
        if layout is not None and layout.form(kind) is None:
            message = f"表样“{layout.name}”没有{'整体支出表' if kind == 'unit' else '项目支出表'}"
            layout = None
        if layout is None:
            fail(SHEET_DATA, row, col, "unknown-layout", f"表单 {rel}：{message}")
            continue
        out[rel] = layout
    return out


def _decimals(entries: list[_Entry]) -> dict[str, int]:
    out = {}
    for entry in entries:
        if entry.path == ("money_decimals",):
            text, problem = cell_text(entry.fcell, entry.vcell, "number")
            if not problem and text is not None and re.fullmatch(r"[0-6]", text):
                out[entry.rel] = int(text)
    return out


def _cross_check(
    wbf: Any, wbv: Any, sheets: dict, entry: _Entry, text: str, want: str, decimals: int, form: ImportedForm, fail: Any
) -> Optional[str]:
    """Compare the visible cell with `_data` (generator.excel.visible); return the text to import, or None."""
    match = _REF_RE.match(entry.ref)
    assert match is not None, entry.ref  # refs are validated when the entry is read
    name = match.group("sheet")
    if name == SHEET_DATA or name not in wbf.sheetnames or not hasattr(wbf[name], "merged_cells"):
        fail(SHEET_DATA, entry.row, 4, "invalid-workbook", f"引用的工作表“{name}”不存在")
        return None
    if name not in sheets:
        covered, ranges = _merged_starts(wbf[name])
        sheets[name] = (wbf[name], wbv[name], covered)
        if name != SHEET_FORM:  # a data table: merged cells are refused
            for rng in sorted(ranges, key=lambda r: (r.min_row, r.min_col)):
                if rng.max_row >= 2:
                    fail(
                        name,
                        rng.min_row,
                        rng.min_col,
                        "invalid-workbook",
                        f"数据行中不允许合并单元格（{rng.coord}）：合并后只有左上角单元格有值",
                    )
    wsf, wsv, covered = sheets[name]
    row, col = coord(match.group("col") + match.group("row"))
    if name != SHEET_FORM and any(
        r.min_row <= row <= r.max_row and r.min_col <= col <= r.max_col for r in wsf.merged_cells.ranges
    ):
        return None  # already reported for the table
    if (row, col) in covered:
        fail(
            name,
            row,
            col,
            "invalid-workbook",
            f"单元格 {match.group('col')}{row} 在合并区域内，不是左上角单元格（合并区域的值只在左上角）",
        )
        return None
    shown_text, problem = cell_text(wsf.cell(row, col), wsv.cell(row, col), want, decimals)
    if problem or shown_text is None:
        fail(name, row, col, *(problem or ("invalid-value", "单元格无值")), entry.path)
        return None
    form.shown[entry.path] = entry.ref
    choice = choose(shown_text, text, entry.digest, want)
    if choice.conflict:
        fail(
            name,
            row,
            col,
            "workbook-conflict",
            f"可见表中改为“{_short(shown_text)}”，隐藏的 {SHEET_DATA} 第 {entry.row} 行改为“{_short(text)}”：两处都改了且不一致；"
            f"请只在可见表中修改（或把两处改成一致）后再导入",
            entry.path,
        )
        return None
    bad_char = _FORBIDDEN.search(choice.text)
    if bad_char:
        fail(
            name,
            row,
            col,
            "forbidden-character",
            f"不允许的字符 U+{ord(bad_char.group()):04X}（控制、零宽或双向字符）",
            entry.path,
        )
        return None
    if choice.taken == "visible":
        form.cells[entry.path] = (name, row, col)  # problems with this value point at the cell the editor changed
    if choice.taken:
        form.edits.append(
            Edit(entry.path, entry.ref if choice.taken == "visible" else f"{SHEET_DATA}!C{entry.row}", choice.taken)
        )
    return choice.text


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
