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

Then the hidden `_data` sheet is read (`datasheet.read_forms`: each form's layout, its values by the layout's
types, the visible cells compared), the YAML files are written by the YAML writer, and the same check as
`disclosure check` runs on content/ with the new files in place before anything is written.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from generator.excel.datasheet import ImportedForm, read_forms
from generator.excel.formdata import FieldPath, form_yaml
from generator.excel.reading import Refused, SheetProblem
from generator.excel.cells import SHEET_DATA, SHEET_FORM
from generator.problems import ERROR, Problem, relpath, report, summary

if TYPE_CHECKING:
    from generator.forms.registry import Registry

__all__ = ["SheetProblem", "Refused", "ImportedForm", "check_archive", "open_workbook", "read_workbook", "read_workbook_file", "import_xlsx"]

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 1000
#: Deflate rarely beats 100:1 on real spreadsheet XML; bombs reach 1000:1 and more.
MAX_RATIO = 200
MAX_ROWS = 200_000
MAX_COLUMNS = 100
MAX_CELLS = 1_000_000

_COORD_RE = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


# --------------------------------------------------------------------------- opening safely


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


# --------------------------------------------------------------------------- reading


def read_workbook(raw: bytes, shown: str, registry: Optional["Registry"] = None) -> tuple[list[ImportedForm], list[SheetProblem]]:
    """Open and read a workbook; problems never raise. `registry`: the target site's layouts (default: ./content's)."""
    if registry is None:
        from generator.forms.registry import registry_for

        registry = registry_for("content")
    try:
        wbf, wbv = open_workbook(raw, shown)
    except Refused as exc:
        return [], [exc.problem]
    try:
        return read_forms(wbf, wbv, shown, registry)
    except Exception as exc:  # pragma: no cover - a workbook shaped in a way nobody foresaw: still no traceback
        return [], [SheetProblem(shown, "", 0, 0, "invalid-workbook", f"工作簿无法读取（{type(exc).__name__}: {exc}）")]
    finally:
        for wb in {id(wbf): wbf, id(wbv): wbv}.values():
            wb.close()


def read_workbook_file(path: str, registry: Optional["Registry"] = None) -> tuple[list[ImportedForm], list[SheetProblem]]:
    shown = relpath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return [], [SheetProblem(shown, "", 0, 0, "file-too-large", f"文件大小 {size} 字节，超过上限 {MAX_FILE_BYTES} 字节")]
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return [], [SheetProblem(shown, "", 0, 0, "invalid-workbook", f"无法读取文件：{exc.strerror}")]
    return read_workbook(raw, shown, registry)


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


def _validate(content: Path, plans: dict[str, Planned], registry: "Registry") -> list[Any]:
    """Run the same check as `disclosure check` on content/ with the imported files in place (in a temp dir)."""
    from generator.excel.formdata import form_rel
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
        checked = check_files(keep + new, jobs=1, registry=registry)
        problems = list(cross_form_problems(checked, registry))
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


def _naming_layout(form: ImportedForm, registry: "Registry") -> dict[str, Any]:
    """Return the form's data, naming its layout when that is not the target site's default for its year.

    (A form exported from a site whose default layout differs keeps its layout in the site it goes to.)
    """
    assert form.layout is not None
    data = form.data
    if "layout" in data or registry.default_for(form.rel.split("/")[0]) == form.layout.name:
        return data
    return {"layout": form.layout.name, **data}


def _sort_key(problem: Any) -> tuple:
    if isinstance(problem, SheetProblem):
        return (problem.path, problem.sheet != SHEET_FORM, problem.sheet, problem.row, problem.col, problem.code)
    return (problem.path, "", "", problem.line, problem.col, problem.code)


def _report(problems: list[Any], forms: int, out: Any) -> None:
    report(sorted(problems, key=_sort_key), out)


def import_xlsx(files: list[str], content: str = "content", force: bool = False, dry_run: bool = False,
                out: Any = None) -> int:
    """`disclosure import-xlsx`: returns 0 (done / nothing to do), 1 (problems or refused overwrite), 2 (usage)."""
    from generator.fileio import write_bytes_atomic
    from generator.forms.registry import registry_for

    out = out or sys.stdout
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        print(f"disclosure import-xlsx: error: file not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    content_dir = Path(content)
    if content_dir.exists() and not content_dir.is_dir():
        print(f"disclosure import-xlsx: error: not a folder: {content}", file=sys.stderr)
        return 2
    registry = registry_for(content_dir)
    problems: list[Any] = list(registry.problems)
    forms: list[ImportedForm] = []
    for name in files:
        found, trouble = read_workbook_file(name, registry)
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
            assert form.layout is not None
            text, lines = form_yaml(form.layout, form.kind, _naming_layout(form, registry))
            target = content_dir / form.rel
            old = target.read_bytes() if target.is_file() else None
            plans[form.rel] = Planned(form, text, lines, target, old)
        if plans:
            problems.extend(_validate(content_dir, plans, registry))
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
