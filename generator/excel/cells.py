"""Writing workbook cells and files: text that never becomes a formula, exact amounts, reproducible bytes.

Every text cell is a string cell (`data_type` "s", never a formula, whatever its first character), every
amount a numeric cell with an exact binary value (checked, see `excel_number`) or, when Excel cannot hold it,
text with a note. Files are byte-for-byte reproducible: fixed document dates (SOURCE_DATE_EPOCH or
1980-01-01) and zip entries. The hidden `_data` sheet holds forms as `path → text` rows (see `formdata`).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from generator.excel.formdata import FieldPath, form_rows, path_text
from generator.excel.visible import value_digest
from generator.forms.form import Form

SHEET_FORM = "申报表"
SHEET_DATA = "_data"
DATA_HEADER = ("form", "path", "value", "cell", "layout", "digest")
#: Workbooks written before layouts had no `layout` column: their forms follow the site's default layout.
OLD_DATA_HEADER = DATA_HEADER[:4]
#: Workbooks written before the digest column (generator.excel.visible) have five columns.
#: The date written into every workbook when SOURCE_DATE_EPOCH is not set (the zip format's epoch).
FIXED_DATE = datetime(1980, 1, 1)
FONT_NAME = "宋体"
#: Excel keeps 15 significant digits of a number.
EXCEL_DIGITS = 15

# --------------------------------------------------------------------------- cells


def build_time() -> datetime:
    """Return the timestamp for document properties and zip entries: SOURCE_DATE_EPOCH or 1980-01-01."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        when = datetime.fromtimestamp(int(raw), timezone.utc).replace(tzinfo=None)
        return min(max(when, FIXED_DATE), datetime(2107, 12, 31, 23, 59, 58)).replace(microsecond=0)
    return FIXED_DATE


_UNSAFE_CHARS = "\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff"
_XML_UNSAFE = re.compile(f"[{_UNSAFE_CHARS}]")
#: An underscore that would start an escape in the written text: `_xHHHH` then `_` or an escaped character.
_LITERAL_ESCAPE = re.compile(f"_(?=x[0-9A-Fa-f]{{4}}(?:_|[{_UNSAFE_CHARS}]))")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_escape(text: str) -> str:
    """Escape text for a cell the way Excel does (ST_Xstring): `_xHHHH_` for CR and other XML-unsafe
    characters, and `_x005F_` before a literal `_xHHHH_`, so Excel and our reader show the original text."""
    text = _LITERAL_ESCAPE.sub("_x005F_", text)
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def ooxml_unescape(text: str) -> str:
    """Undo `ooxml_escape` (and Excel's own escaping)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


#: Text Excel would take for a formula (or that some tools do) if it were typed in: kept as a string cell
#: with Excel's quote-prefix flag, so editing the cell in Excel keeps it text too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def put_text(ws: Any, row: int, col: int, text: str) -> Any:
    """Write text as a string cell: never a formula, whatever it starts with."""
    cell = ws.cell(row=row, column=col)
    cell.value = ooxml_escape(text)
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def excel_number(amount: Decimal) -> float | None:
    """Return the float that represents `amount` exactly enough to read back as the same Decimal, or None.

    Exact means: at most 15 significant digits (what Excel keeps), `Decimal(repr(f)) == amount` (what
    import does), and the text openpyxl writes (`%.16g`) parses back to the same double.
    """
    if not amount.is_finite() or len(amount.normalize().as_tuple().digits) > EXCEL_DIGITS:
        return None
    number = float(str(amount))
    if Decimal(repr(number)) != amount or float("%.16g" % number) != number:
        return None
    return number


def money_format(decimals: int) -> str:
    return "0." + "0" * decimals if decimals > 0 else "0"


def put_amount(ws: Any, row: int, col: int, amount: Decimal | None, decimals: int = 2) -> Any:
    """Write an amount as a numeric cell ('0.00'); an amount Excel cannot hold exactly stays text (with a note)."""
    cell = ws.cell(row=row, column=col)
    if amount is None:
        cell.number_format = money_format(decimals)  # a blank amount cell: typed-in numbers look the same
        return cell
    number = excel_number(amount)
    if number is None:
        put_text(ws, row, col, str(amount))
        cell.comment = Comment("金额超出 Excel 数值精度（15 位有效数字），以文字保存，数值与原表一致", "disclosure")
        return cell
    cell.value = number
    cell.number_format = money_format(decimals)
    return cell


def number_format(value: Decimal) -> str:
    """Return the number format showing a number with exactly its own decimal places (2.50 -> "0.00")."""
    exponent = value.as_tuple().exponent
    return money_format(-exponent if isinstance(exponent, int) and exponent < 0 else 0)


def put_number(ws: Any, row: int, col: int, value: Decimal | int | None) -> Any:
    """Write a number (a weight, a year) as a numeric cell when Excel holds it exactly, else as text."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, int):
        cell.value = value
        cell.number_format = "0"
        return cell
    number = excel_number(value)
    if number is None:
        return put_text(ws, row, col, str(value))
    cell.value = int(value) if value == value.to_integral_value() else number
    cell.number_format = number_format(value)
    return cell


def new_workbook(title: str) -> Workbook:
    wb = Workbook()
    props = wb.properties
    props.creator = "disclosure"
    props.lastModifiedBy = None
    props.title = title
    props.language = "zh-CN"
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """Save a workbook reproducibly: fixed document dates, fixed zip entry dates and attributes."""
    when = build_time()
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # not openpyxl.save_workbook: it stamps the current time
    return normalize_zip(buf.getvalue(), when)


def normalize_zip(raw: bytes, when: datetime) -> bytes:
    """Rewrite a zip with the same members in the same order, every entry dated `when`."""
    out = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, src.read(info.filename), compresslevel=6)
    return out.getvalue()


# --------------------------------------------------------------------------- the `_data` sheet

_HEADER_FONT = Font(name=FONT_NAME, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


def write_data_sheet(wb: Workbook, rows: Iterable[tuple[str, FieldPath, str, str, str]]) -> Any:
    """Add the hidden `_data` sheet: form, path, value (always text), visible cell showing it, layout, digest.

    The layout's name is written on each form's first row (the other rows of the form leave it blank).
    """
    ws = wb.create_sheet(SHEET_DATA)
    ws.sheet_state = "hidden"
    for col, label in enumerate(DATA_HEADER, 1):
        cell = put_text(ws, 1, col, label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    row = 1
    previous = None
    for rel, path, value, where, layout in rows:
        row += 1
        put_text(ws, row, 1, rel)
        put_text(ws, row, 2, path_text(path))
        if value:
            put_text(ws, row, 3, value)  # default alignment: no per-cell style (≈280k cells per 1,000 forms)
        if where:
            put_text(ws, row, 4, where)
            put_text(ws, row, 6, value_digest(value or ""))
        if rel != previous:
            put_text(ws, row, 5, layout)
            previous = rel
    for letter, width in zip("ABCDEF", (44, 30, 60, 14, 24, 18)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    return ws


def data_rows(rel: str, form: Form, shown: dict[FieldPath, str]) -> Iterator[tuple[str, FieldPath, str, str, str]]:
    """Yield the `_data` rows of one form: (form, path, value, visible cell, layout)."""
    for path, value in form_rows(form):
        yield rel, path, value, shown.get(path, ""), form.layout.name
