"""Bad (and a few tricky but good) workbooks for `import-xlsx`, generated at test time from real exports.

Each case starts from the exported workbook of a shipped form (or the year's data workbook) and breaks one
thing: a formula without a cached value, a float like 0.1+0.2, a full-width text amount, merged cells in a
data row, a zip bomb, an XML entity bomb, a corrupt zip, a missing or renamed sheet, and so on.

`expect` lists (where, code): `where` is `Sheet!C7`, `_data:<path>` (the `_data` value cell of that field,
looked up in the generated workbook), `content:<file>` (a problem in content/, e.g. a broken unit sum) or ""
(the whole file). Run `python tests/excel_corpus.py DIR` to write the files for a look in Excel.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
#: `file.xlsx:Sheet!C7: level: message (code)` or `file.xlsx: level: message (code)`.
XLSX_LINE = re.compile(
    r"^(?P<path>[^:\n]+\.xlsx):(?:(?P<where>[^:\n!]+![A-Z]+[0-9]+):)? (?P<level>error|warning): (?P<message>.*) \((?P<code>[a-z0-9-]+)\)$"
)


def tree_hash(root: Path) -> str:
    """A hash of every file below `root` (names and bytes): equal before and after means untouched."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


UNIT = "renhe-shehui-gongzuobu"
PROJECT = "cun-shequ-huanjie"  # 特定目标类, 8 万元: the only project of its category
REL = f"2025/{UNIT}/{PROJECT}.yml"


def exported(rel: str = REL) -> bytes:
    """The exported workbook of a shipped form."""
    from generator.excel.workbook import form_workbook
    from generator.forms.validate import check_content

    result = check_content(ROOT / "content", jobs=1)
    for ff in result.files:
        if f"{ff.year}/{ff.unit_id}/{ff.stem}.yml" == rel:
            return form_workbook(ff.form, rel)
    raise KeyError(rel)


def year_workbook() -> bytes:
    from generator.excel.workbook import site_files
    from generator.forms.validate import check_content

    return site_files(check_content(ROOT / "content", jobs=1), forms=False)["2025/data/disclosure-2025.xlsx"]


def data_row(raw: bytes, path: str, rel: str = REL) -> int:
    """The `_data` row of a field."""
    ws = load_workbook(io.BytesIO(raw))["_data"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == rel and row[1].value == path:
            return row[0].row
    raise KeyError(path)


def edit(raw: bytes, change: Callable) -> bytes:
    """Open with openpyxl, apply `change(wb)`, save (as a person editing in a spreadsheet program would)."""
    wb = load_workbook(io.BytesIO(raw))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def patch(raw: bytes, part: str, change: Callable[[str], str]) -> bytes:
    """Rewrite one XML part of the zip as text."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, data)
    return out.getvalue()


def sheet_part(raw: bytes, name: str) -> str:
    """The zip part of a sheet (sheet1.xml …) by sheet name."""
    wb = load_workbook(io.BytesIO(raw))
    return f"xl/worksheets/sheet{wb.sheetnames.index(name) + 1}.xml"


def set_cell_xml(raw: bytes, sheet: str, ref: str, xml: str) -> bytes:
    """Replace the `<c r="REF" …>…</c>` element of a sheet by `xml` (for numbers openpyxl would not write)."""
    import re

    def change(text: str) -> str:
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
        assert pattern.search(text), ref
        return pattern.sub(xml, text, count=1)

    return patch(raw, sheet_part(raw, sheet), change)


@dataclass
class Case:
    name: str
    description: str
    build: Callable[[], bytes]
    expect: list[tuple[str, str]] = field(default_factory=list)
    #: the import succeeds (exit 0) and these fields read back as given
    reads: dict[str, str] = field(default_factory=dict)


def _value(path: str, value, ref: str | None = None, shown=None) -> Callable[[], bytes]:
    """Set the `_data` value of `path` (and the visible cell `ref` to `shown`)."""

    def build() -> bytes:
        raw = exported()
        row = data_row(raw, path)

        def change(wb) -> None:
            cell = wb["_data"].cell(row, 3)
            cell.value = value
            if isinstance(value, str) and not value.startswith("="):
                cell.data_type = "s"
            if ref:
                sheet, coord = ref.split("!")
                wb[sheet][coord].value = shown

        return edit(raw, change)

    return build


def _float_0_3() -> bytes:
    raw = exported()
    row = data_row(raw, "funding.total")
    raw = set_cell_xml(raw, "_data", f"C{row}", f'<c r="C{row}" t="n"><v>0.30000000000000004</v></c>')
    return set_cell_xml(raw, "申报表", "D5", '<c r="D5" t="n"><v>0.30000000000000004</v></c>')


def _formula_visible() -> bytes:
    raw = exported()
    return edit(raw, lambda wb: wb["申报表"].__setitem__("D5", "=D6+D7"))


def _formula_cached() -> bytes:
    """A formula with its cached result (as Excel saves it): accepted, the result is used."""
    raw = exported()
    return set_cell_xml(raw, "申报表", "D5", '<c r="D5" s="0"><f>D6+D7</f><v>8</v></c>')


def _merged_data_row() -> bytes:
    return edit(exported(), lambda wb: wb["_data"].merge_cells("C5:D5"))


def _merged_year_table() -> bytes:
    return edit(year_workbook(), lambda wb: wb["项目"].merge_cells("L3:M3"))


def _zip_bomb() -> bytes:
    """A small file that would inflate to 64 MiB."""
    raw = exported()
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (64 * 1024 * 1024), compresslevel=9)
    return out.getvalue()


def _ratio_bomb() -> bytes:
    """Under the size cap, but one member compressed 1000:1."""
    raw = exported()
    row = data_row(raw, "goal")

    def change(text: str) -> str:
        return text.replace(
            "</sheetData>",
            f'<row r="{row + 100000}"><c r="A{row + 100000}" t="inlineStr"><is><t>{" " * (4 * 1024 * 1024)}</t></is></c></row></sheetData>',
        )

    return patch(raw, sheet_part(raw, "_data"), change)


_LOL = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)


def entity_bomb() -> bytes:
    """The billion-laughs DTD in the `_data` sheet, with the entity used in a cell."""
    raw = exported()
    row = data_row(raw, "goal")

    def change(text: str) -> str:
        body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
        return _LOL + body.replace(f'<c r="C{row}" t="inlineStr"><is><t>', f'<c r="C{row}" t="inlineStr"><is><t>&lol9;', 1)

    return patch(raw, sheet_part(raw, "_data"), change)


def _corrupt_zip() -> bytes:
    raw = exported()
    return raw[: len(raw) // 2]


def _rename_sheet() -> bytes:
    return edit(exported(), lambda wb: setattr(wb["_data"], "title", "Sheet2"))


def _bad_header() -> bytes:
    return edit(exported(), lambda wb: wb["_data"].__setitem__("C1", "值"))


def _huge_sheet() -> bytes:
    return edit(exported(), lambda wb: wb["_data"].__setitem__("A300000", "x"))


def _visible_edited() -> bytes:
    return edit(exported(), lambda wb: wb["申报表"].__setitem__("D5", 9))


def _both_edited() -> bytes:
    """Amount changed in `_data` and on the sheet alike: the import is consistent, the unit sums are not."""
    raw = exported()
    row = data_row(raw, "funding.total")

    def change(wb) -> None:
        wb["_data"].cell(row, 3).value = "9"
        wb["申报表"]["D5"] = 9

    return edit(raw, change)


def _shown_at(raw: bytes, path: str) -> str:
    """The visible cell (`Sheet!C7`) that `_data` names for `path`."""
    wb = load_workbook(io.BytesIO(raw))
    return wb["_data"].cell(data_row(raw, path), 4).value


def _visible(path: str, value, data_value=None) -> Callable[[], bytes]:
    """Change the visible cell of `path` to `value` (and its `_data` value to `data_value`, if given)."""

    def build() -> bytes:
        raw = exported()
        sheet, ref = _shown_at(raw, path).split("!")
        row = data_row(raw, path)

        def change(wb) -> None:
            wb[sheet][ref] = value
            if data_value is not None:
                wb["_data"].cell(row, 3).value = data_value

        return edit(raw, change)

    return build


def _data_only(path: str, value) -> Callable[[], bytes]:
    """Change only the hidden `_data` value of a shown field."""

    def build() -> bytes:
        raw = exported()
        row = data_row(raw, path)
        return edit(raw, lambda wb: setattr(wb["_data"].cell(row, 3), "value", value))

    return build


def _row_added() -> bytes:
    """An indicator typed into the empty row below the form: no field holds it."""

    def change(wb) -> None:
        ws = wb["申报表"]
        ws.cell(ws.max_row + 1, 2).value = "新增的一条指标"

    return edit(exported(), change)


def _sheet_added() -> bytes:
    return edit(exported(), lambda wb: wb.create_sheet("备注").__setitem__("A1", "请核对第 3 行"))


def _date_published() -> bytes:
    """A date typed into a text field becomes an ISO date."""
    import datetime

    raw = exported()

    def change(wb) -> None:
        ws = wb["_data"]
        last = ws.max_row + 1
        ws.cell(last, 1).value = REL
        ws.cell(last, 2).value = "source.published"
        ws.cell(last, 3).value = datetime.datetime(2025, 2, 10)
        ws.cell(last, 3).number_format = "yyyy/m/d"

    return edit(raw, change)


def _formula_text() -> bytes:
    """Text that looks like a formula, stored as a string cell, stays text."""
    raw = exported()
    row = data_row(raw, "indicators[0].value")

    def change(wb) -> None:
        for ws, coord in ((wb["_data"], f"C{row}"), (wb["申报表"], "E10")):
            ws[coord].value = "=SUM(1,2)"
            ws[coord].data_type = "s"

    return edit(raw, change)


CASES = [
    Case(
        "formula-no-cache",
        "`_data` 金额单元格是没有缓存结果的公式",
        _value("funding.total", "=4+4"),
        [("_data:funding.total", "invalid-value")],
    ),
    Case("formula-no-cache-visible", "可见表金额单元格是没有缓存结果的公式", _formula_visible, [("申报表!D5", "invalid-value")]),
    Case("formula-cached", "有缓存结果的公式：取其结果", _formula_cached, [], {"funding.total": "8"}),
    Case(
        "float-0.1+0.2",
        "数值 0.1+0.2 = 0.30000000000000004：拒绝，不四舍五入",
        _float_0_3,
        [("_data:funding.total", "money-precision")],
    ),
    Case(
        "float-visible",
        "可见表金额是 0.1+0.2 的浮点数",
        lambda: set_cell_xml(exported(), "申报表", "D5", '<c r="D5" t="n"><v>0.30000000000000004</v></c>'),
        [("申报表!D5", "money-precision")],
    ),
    Case(
        "text-amount-fullwidth",
        "以文本保存的全角金额 ６８２.４２",
        _value("funding.total", "６８２.４２", "申报表!D5", "６８２.４２"),
        [("_data:funding.total", "money-format")],
    ),
    Case(
        "text-amount-thousands",
        "以文本保存的带千分位金额",
        _value("funding.total", "1,000", "申报表!D5", "1,000"),
        [("_data:funding.total", "money-format")],
    ),
    Case("bool-in-text", "文本字段中是逻辑值 TRUE", _value("name", True), [("_data:name", "wrong-type")]),
    Case("bool-in-amount", "金额字段中是逻辑值 FALSE", _value("funding.fiscal", False), [("_data:funding.fiscal", "wrong-type")]),
    Case("merged-data-row", "_data 数据行中合并了单元格", _merged_data_row, [("_data!C5", "invalid-workbook")]),
    Case("merged-year-table", "年度数据工作簿的项目表中合并了单元格", _merged_year_table, [("项目!L3", "invalid-workbook")]),
    Case("zip-bomb", "解压后 64 MiB 的压缩炸弹", _zip_bomb, [("", "file-too-large")]),
    Case("ratio-bomb", "压缩比异常的成员", _ratio_bomb, [("", "file-too-large")]),
    Case("entity-bomb", "XML 实体炸弹（十亿笑声）", entity_bomb, [("_data!A1", "invalid-workbook")]),
    Case("corrupt-zip", "截断的 zip", _corrupt_zip, [("", "invalid-workbook")]),
    Case("not-a-zip", "扩展名是 xlsx 的文本文件", lambda: "form,path,value\n".encode(), [("", "invalid-workbook")]),
    Case("missing-data-sheet", "_data 工作表被改名", _rename_sheet, [("", "invalid-workbook")]),
    Case("wrong-header", "_data 表头不符", _bad_header, [("_data!A1", "invalid-workbook")]),
    Case("too-many-rows", "工作表超过行数上限", _huge_sheet, [("_data!A300000", "file-too-large")]),
    Case(
        "path-traversal",
        "表单位置指向 content/ 之外",
        lambda: edit(exported(), lambda wb: wb["_data"].__setitem__("A2", "../../../etc/passwd.yml")),
        [("_data!A2", "misplaced-file")],
    ),
    Case(
        "bad-path",
        "字段路径格式错误",
        lambda: edit(exported(), lambda wb: wb["_data"].__setitem__("B3", "fiscal year")),
        [("_data!B3", "invalid-key")],
    ),
    Case(
        "unknown-field",
        "未知字段（拼写错误）",
        lambda: edit(exported(), lambda wb: wb["_data"].__setitem__("B3", "fiscal_yaer")),
        [("_data!C3", "unknown-field"), ("_data!A2", "missing-field")],
    ),
    Case(
        "visible-edited",
        "只改了可见表的金额：导入可见表的值，合计不符报在该单元格",
        _visible_edited,
        [("申报表!D5", "total-mismatch"), ("content:unit.yml", "project-sum-mismatch")],
    ),
    Case(
        "visible-text-edited",
        "只改了可见表的文字：导入可见表的值",
        _visible("goal", "新的总体目标"),
        [],
        {"goal": "新的总体目标"},
    ),
    Case(
        "visible-value-edited",
        "只改了可见表的指标值",
        _visible("indicators[0].value", "≥95%"),
        [],
        {"indicators[0].value": "≥95%"},
    ),
    Case("row-added", "在可见表下方新加了一行指标（不对应任何字段）", _row_added, [("申报表!B{last}", "workbook-unmapped")]),
    Case("sheet-added", "新加了一个写有文字的工作表", _sheet_added, [("备注!A1", "workbook-unmapped")]),
    Case("data-only-edited", "只改了隐藏的 _data：导入 _data 的值", _data_only("goal", "改在数据表"), [], {"goal": "改在数据表"}),
    Case(
        "both-edited-conflict",
        "可见表和 _data 改成了不同的值",
        _visible("goal", "可见表的改法", data_value="数据表的改法"),
        [("visible:goal", "workbook-conflict")],
    ),
    Case(
        "unit-sum-broken",
        "两处都改了金额：与单位表之和不符",
        _both_edited,
        [("content:unit.yml", "project-sum-mismatch"), ("_data:funding.total", "total-mismatch")],
    ),
    Case("date-as-text", "日期单元格变为 ISO 日期文本", _date_published, [], {"source.published": "2025-02-10"}),
    Case(
        "formula-like-text", "以 = 开头的文本（字符串单元格）保持为文本", _formula_text, [], {"indicators[0].value": "=SUM(1,2)"}
    ),
]


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/excel-corpus")
    out.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (out / f"{case.name}.xlsx").write_bytes(case.build())
        print(out / f"{case.name}.xlsx")
