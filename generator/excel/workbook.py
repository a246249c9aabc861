"""Excel in and out: a workbook per form laid out like the printed 申报表, per-year data files, and import.

Writing (this module): every text cell is a string cell (`data_type` "s", never a formula, whatever its first
character), every amount a numeric cell with an exact binary value (checked, see `excel_number`), and each
workbook carries a hidden sheet `_data` holding the form as `path → text` rows, which is what import reads.
Files are byte-for-byte reproducible: fixed document dates (SOURCE_DATE_EPOCH or 1980-01-01) and zip entries.

- `form_workbook(form, rel)`: bytes of one form's workbook (visible sheet from `excel_layout`).
- `site_files(result)`: every download for the site, keyed by docs-relative path.
- `export_xlsx` / `export_data` / `import_xlsx`: the CLI commands (import lives in `excel_read`).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from generator.forms.model import ProjectForm, UnitForm
from generator.editing.yamlout import BUDGET_ORDER, NESTED_ORDER, PROJECT_ORDER, ROW_ORDER, UNIT_ORDER

Form = UnitForm | ProjectForm
FieldPath = tuple[Any, ...]

SHEET_FORM = "申报表"
SHEET_DATA = "_data"
DATA_HEADER = ("form", "path", "value", "cell")
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


# --------------------------------------------------------------------------- form data as text


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _clean(value: Any, key: Any) -> Any:
    """Model dump -> nested dict/list/str in YAML key order, without empty optional parts."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            v = _clean(v, k) if v is not None else None
            if v is None or v == {} or v == []:
                continue  # absent, or an optional part with nothing in it (written nowhere in the YAML either)
            out[k] = v
        return out
    if isinstance(value, list):
        return [_clean(v, key) for v in value]
    return _text(value)


def _money_row(row: dict[str, Any] | None) -> dict[str, str] | None:
    """A money row as the content files write it: total, fiscal, other always; carryover when present."""
    if row is None:
        return None
    out = {name: _text(row[name]) if row.get(name) is not None else "" for name in ROW_ORDER[:3]}
    if row.get("carryover") is not None:
        out["carryover"] = _text(row["carryover"])
    return out


def form_data(form: Form) -> dict[str, Any]:
    """Return the form as plain text data, shaped like a content file (what `load` would read from it)."""
    raw = form.model_dump(mode="python")
    money_decimals = raw.pop("money_decimals")
    data = _clean(raw, None)
    if money_decimals != 2:
        data["money_decimals"] = str(money_decimals)
    data["money_unit"] = raw["money_unit"]
    data["indicators"] = data.get("indicators", [])  # required, even when empty (check warns: empty-value)
    if isinstance(form, UnitForm):
        data["budget"] = {name: _money_row(raw["budget"][name]) for name in BUDGET_ORDER if raw["budget"][name] is not None}
        order = UNIT_ORDER
    else:
        data["funding"] = _money_row(raw["funding"])
        order = PROJECT_ORDER
    return {key: data[key] for key in order if key in data}


_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def path_text(path: FieldPath) -> str:
    """`("indicators", 0, "value")` -> `indicators[0].value`; unusual keys as `["json string"]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _SIMPLE_KEY.match(part):
            out += ("." if out else "") + part
        else:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return out


#: The deepest field path of a form is `indicators[0].acknowledge.<code>`.
MAX_PATH_DEPTH = 6
_PATH_TOKEN = re.compile(r'\.?([A-Za-z0-9_-]+)|\[(0|[1-9][0-9]{0,5})\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(text: str) -> FieldPath | None:
    """Inverse of `path_text`; None when the text is not a path."""
    parts: list[Any] = []
    pos = 0
    while pos < len(text):
        match = _PATH_TOKEN.match(text, pos)
        if not match or (match.group(0).startswith(".") and pos == 0) or (pos > 0 and match.group(1) and not match.group(0).startswith(".")):
            return None
        if match.group(1) is not None:
            parts.append(match.group(1))
        elif match.group(2) is not None:
            parts.append(int(match.group(2)))
        else:
            try:
                parts.append(json.loads(match.group(3)))
            except ValueError:
                return None
        pos = match.end()
    if not parts or not isinstance(parts[0], str) or len(parts) > MAX_PATH_DEPTH:
        return None
    return tuple(parts)


def _order_for(path: FieldPath, kind: str) -> tuple[str, ...]:
    if not path:
        return UNIT_ORDER if kind == "unit" else PROJECT_ORDER
    names = [p for p in path if isinstance(p, str)]
    if path[0] == "budget" and len(path) == 2:
        return ROW_ORDER
    return NESTED_ORDER.get(names[-1], ()) if names else ()


def flatten(data: Any, kind: str, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Yield (path, text) for every leaf, in the order the YAML file has them."""
    if isinstance(data, dict):
        order = _order_for(path, kind)
        for key in [k for k in order if k in data] + [k for k in data if k not in order]:
            yield from flatten(data[key], kind, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from flatten(item, kind, path + (index,))
    else:
        yield path, data


#: Paths whose value is an amount (the form's `money_decimals` applies).
def is_money_path(path: FieldPath) -> bool:
    if not path:
        return False
    last = path[-1]
    if path[0] in ("budget", "funding") and last in ROW_ORDER:
        return True
    return (path[0] == "funding_sources" and last == "amount") or (path[0] == "indicators" and last == "weight") or path == ("period_funding",)


def is_number_path(path: FieldPath) -> bool:
    """Paths holding a year or a small integer (a numeric cell there is read as an integer)."""
    return path in (("fiscal_year",), ("order",), ("money_decimals",), ("period", "start"), ("period", "end"))


def form_kind(rel: str) -> str:
    return "unit" if rel.endswith("/unit.yml") else "project"


def form_rel(ff: Any) -> str:
    """content-relative path of a checked form file: `2025/<unit>/<stem>.yml`."""
    return f"{ff.year}/{ff.unit_id}/{ff.stem}.yml"


# --------------------------------------------------------------------------- the `_data` sheet

_HEADER_FONT = Font(name=FONT_NAME, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


def write_data_sheet(wb: Workbook, rows: Iterable[tuple[str, FieldPath, str, str]]) -> Any:
    """Add the hidden `_data` sheet: form, path, value (always text), visible cell showing it."""
    ws = wb.create_sheet(SHEET_DATA)
    ws.sheet_state = "hidden"
    for col, label in enumerate(DATA_HEADER, 1):
        cell = put_text(ws, 1, col, label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    row = 1
    for rel, path, value, where in rows:
        row += 1
        put_text(ws, row, 1, rel)
        put_text(ws, row, 2, path_text(path))
        put_text(ws, row, 3, value)  # default alignment: no per-cell style (≈280k cells per 1,000 forms)
        if where:
            put_text(ws, row, 4, where)
    for col, width in zip("ABCD", (44, 30, 60, 14)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    return ws


# --------------------------------------------------------------------------- one form's workbook


def form_workbook(form: Form, rel: str) -> bytes:
    """Return the bytes of the workbook for one form (`rel` = `2025/<unit>/<stem>.yml`)."""
    from generator.excel.sheets import form_sheet

    name = getattr(form, "name", None) or form.unit_name
    wb = new_workbook(f"{form.title}（{form.fiscal_year}年度）{name}")
    ws = wb.active
    ws.title = SHEET_FORM
    shown = form_sheet(ws, form)
    data = form_data(form)
    write_data_sheet(wb, ((rel, path, value, shown.get(path, "")) for path, value in flatten(data, form.kind)))
    return workbook_bytes(wb)


def _forms(result: Any) -> Iterator[tuple[str, Form]]:
    for ff in result.files:
        if ff.form is not None:
            yield form_rel(ff), ff.form


def site_files(result: Any, forms: bool = True, data: bool = True, cache_dir: str | os.PathLike[str] | None = None,
               only: str | None = None) -> dict[str, bytes]:
    """Return the Excel and data downloads for a checked content tree, keyed by docs-relative path.

    - `2025/<unit>/unit.xlsx`, `2025/<unit>/<project>.xlsx`: one workbook per form;
    - `2025/data/disclosure-2025.xlsx|.json|.sqlite` and `2025/data/disclosure-2025-<table>.csv`.

    Building them costs about 10 ms per form workbook and 15 s per 1,000 forms for a year's data files. With
    `cache_dir` (e.g. `build/excel-cache`), results are kept by a hash of the form data, the generator code,
    the openpyxl version and the build date, so a rebuild only redoes what changed. `only` ("2025" or
    "2025/<unit>", as for `serve --only`) keeps the forms below that folder (the data files then hold only them).
    """
    from generator.datasets import tables as datasets

    cache = _Cache(Path(cache_dir)) if cache_dir else None
    out: dict[str, bytes] = {}
    all_forms = sorted(_forms(result))
    if only:
        prefix = only.strip("/") + "/"
        all_forms = [(rel, form) for rel, form in all_forms if rel.startswith(prefix)]
    if forms:
        for rel, form in all_forms:
            make = lambda form=form, rel=rel: form_workbook(form, rel)  # noqa: E731
            out[rel[: -len(".yml")] + ".xlsx"] = cache.get(make, "form", rel, form) if cache else make()
    if data:
        by_year: dict[str, list[tuple[str, Form]]] = {}
        for rel, form in all_forms:
            by_year.setdefault(rel.split("/")[0], []).append((rel, form))
        for year, items in sorted(by_year.items()):
            make_year = lambda items=items: datasets.year_files(items)  # noqa: E731
            files = cache.get_many(make_year, "year", year, items) if cache else make_year()
            for name, blob in files.items():
                if name in out:
                    raise ValueError(f"download path used twice: {name}")
                out[name] = blob
    return out


class _Cache:
    """Generated files on disk, keyed by everything that goes into them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.code = _code_fingerprint()

    def _key(self, kind: str, name: str, forms: list[tuple[str, Form]]) -> str:
        import hashlib

        digest = hashlib.sha256(f"{self.code}\0{kind}\0{name}".encode())
        for rel, form in forms:
            digest.update(b"\0" + rel.encode() + b"\0" + form.model_dump_json().encode())
        return digest.hexdigest()

    def get(self, make: Any, kind: str, rel: str, form: Form) -> bytes:
        from generator.fileio import write_bytes_atomic

        path = self.root / kind / (self._key(kind, rel, [(rel, form)]) + ".xlsx")
        try:
            return path.read_bytes()
        except OSError:
            blob = make()
            write_bytes_atomic(path, blob)
            return blob

    def get_many(self, make: Any, kind: str, name: str, forms: list[tuple[str, Form]]) -> dict[str, bytes]:
        from generator.fileio import write_bytes_atomic

        folder = self.root / kind / self._key(kind, name, forms)
        index = folder / "files.json"
        try:
            names = json.loads(index.read_text(encoding="utf-8"))
            return {n: (folder / str(i)).read_bytes() for i, n in enumerate(names)}
        except (OSError, ValueError):
            files = make()
            for i, blob in enumerate(files.values()):
                write_bytes_atomic(folder / str(i), blob)
            write_bytes_atomic(index, json.dumps(list(files), ensure_ascii=False).encode("utf-8"))
            return files


def _code_fingerprint() -> str:
    import hashlib

    import openpyxl

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"openpyxl {openpyxl.__version__}\0{build_time().isoformat()}".encode())
    # Every module that shapes a workbook: a change to any of them invalidates the cache.
    for path in sorted(package.glob("*/*.py")) + sorted(package.glob("forms/layouts/*.yml")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- commands


def _checked(content: str) -> tuple[int, Any]:
    """Check the content like `disclosure check`; return (status, result). Errors stop the export."""
    from generator.problems import summary
    from generator.forms.validate import check_content

    if not Path(content).is_dir():
        print(f"disclosure: error: content folder not found: {content}", file=sys.stderr)
        return 2, None
    result = check_content(content)
    if result.errors:
        for problem in result.problems:
            print(problem.format())
        print(summary(result.problems, result.acknowledged, result.forms_checked))
        print("export aborted: fix the errors above; nothing was written", file=sys.stderr)
        return 1, None
    return 0, result


def _write_all(files: dict[str, bytes], out: Path) -> None:
    from generator.fileio import write_bytes_atomic

    written = 0
    for rel, blob in sorted(files.items()):
        if write_bytes_atomic(out / rel, blob):
            written += 1
    print(f"{len(files)} files in {out} ({written} written, {len(files) - written} unchanged)")


def export_xlsx(content: str = "content", output: str = "build/xlsx") -> int:
    """`disclosure export-xlsx`: a workbook per form under `output/<year>/<unit>/`."""
    status, result = _checked(content)
    if status:
        return status
    _write_all(site_files(result, forms=True, data=False), Path(output))
    return 0


def export_data(content: str = "content", output: str = "build/data") -> int:
    """`disclosure export-data`: per year `output/<year>/data/disclosure-<year>.{xlsx,json,sqlite}` and CSVs."""
    status, result = _checked(content)
    if status:
        return status
    _write_all(site_files(result, forms=False, data=True), Path(output))
    return 0
