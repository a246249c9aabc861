"""`disclosure import-xlsx`: workbooks exported by this tool -> YAML files in content/, checked before writing.

Reading is defensive: `safety.check_archive` bounds the zip and streams every XML part (no DTD, rows,
cells, merged ranges, hyperlinks and comments placed and counted as openpyxl would) before openpyxl
(which itself uses defusedxml when installed) loads the workbook twice, with formulas and with cached
values, so a formula without a cached result is told apart from an empty cell.

Then the hidden `_data` sheet is read (`datasheet.read_forms`: each form's layout, its values by the layout's
types, the visible cells compared), the YAML files are written by the YAML writer, and the same check as
`disclosure check` runs on content/ with the new files in place before anything is written.
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from generator.excel.datasheet import ImportedForm, read_forms
from generator.excel.formdata import FieldPath, form_yaml, path_text
from generator.excel.reading import Refused, SheetProblem
from generator.excel.safety import MAX_FILE_BYTES, check_archive
from generator.excel.cells import SHEET_DATA, SHEET_FORM
from generator.problems import ERROR, Problem, relpath, report, summary

if TYPE_CHECKING:
    from generator.forms.registry import Registry

__all__ = [
    "SheetProblem",
    "Refused",
    "ImportedForm",
    "check_archive",
    "open_workbook",
    "read_workbook",
    "read_workbook_file",
    "import_xlsx",
]


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
            raise Refused(
                SheetProblem(shown, "", 0, 0, "invalid-workbook", f"工作簿无法读取（{type(exc).__name__}: {exc}）")
            ) from exc

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


def _validate(content: Path, plans: dict[str, Planned], registry: "Registry", checked_forms: dict[str, Any]) -> list[Any]:
    """Run the same check as `disclosure check` on content/ with the imported files in place (in a temp dir).

    The imported forms, as checked, are put into `checked_forms` (rel -> Form).
    """
    from generator.forms.trial import check_in_place

    trial = check_in_place(content, {rel: (plan.form.kind, plan.text) for rel, plan in plans.items()}, registry)
    checked_forms.update(trial.forms)
    result = trial.result
    out: list[Any] = []
    for problem in result.problems:
        rel = trial.rel_of(problem.path)
        if rel is not None:
            out.append(_locate(plans[rel], problem))
        elif problem.level == ERROR:
            out.append(problem)
    return out


def _unmapped(files: list[str], forms: list[ImportedForm], checked_forms: dict[str, Any]) -> list[SheetProblem]:
    """Visible cells of each workbook that no imported field holds (generator.excel.unmapped)."""
    from generator.excel.unmapped import unmapped_cells

    out: list[SheetProblem] = []
    for name in files:
        shown = relpath(name)
        items = [(f.rel, checked_forms[f.rel]) for f in forms if f.source == shown and f.rel in checked_forms]
        if not items:
            continue
        with open(name, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
        try:
            wbf, wbv = open_workbook(raw, shown)
        except Refused as exc:
            out.append(exc.problem)
            continue
        try:
            mapped = {ref for f in forms if f.source == shown for ref in f.shown.values()}
            out.extend(unmapped_cells(wbv, shown, items, mapped))
        finally:
            for wb in {id(wbf): wbf, id(wbv): wbv}.values():
                wb.close()
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


def _report_edits(forms: list[ImportedForm]) -> None:
    """List every value taken from an edit made on one side only (the visible sheet, or the hidden `_data`)."""
    for form in forms:
        for edit in form.edits:
            side = "可见表中的修改" if edit.side == "visible" else f"{SHEET_DATA} 工作表中的修改"
            print(f"{form.source}:{edit.where}: 导入{side}（{form.rel} {path_text(edit.path)}）", file=sys.stderr)


def import_xlsx(files: list[str], content: str = "content", force: bool = False, dry_run: bool = False, out: Any = None) -> int:
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
                problems.append(
                    SheetProblem(
                        form.source,
                        SHEET_DATA,
                        form.first_row,
                        1,
                        "duplicate-id",
                        f"表单 {form.rel} 已经从 {taken[form.rel].source} 导入，同一表单只能导入一次",
                    )
                )
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
            checked_forms: dict[str, Any] = {}
            problems.extend(_validate(content_dir, plans, registry, checked_forms))
            if not any(p.level == ERROR for p in problems):
                problems.extend(_unmapped(files, forms, checked_forms))
    errors = [p for p in problems if p.level == ERROR]
    _report(problems, len(forms), out)
    _report_edits(forms)
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
            old_lines = plan.old.decode("utf-8", "replace").splitlines(keepends=True) if plan.old is not None else []
            shown = relpath(plan.target)
            out.writelines(
                difflib.unified_diff(
                    old_lines,
                    plan.text.splitlines(keepends=True),
                    fromfile=shown if plan.old is not None else "/dev/null",
                    tofile=shown,
                )
            )
        print(summary(problems, 0, len(forms)), file=out)
        print(
            f"dry run: {len(changed)} file(s) would change, {len(plans) - len(changed)} unchanged; nothing was written",
            file=sys.stderr,
        )
        return 0
    refused = [p for p in changed if p.old is not None and not force]
    if refused:
        for plan in refused:
            print(
                f"disclosure import-xlsx: error: {relpath(plan.target)} exists and differs (use --force to overwrite, --dry-run to see the changes)",
                file=sys.stderr,
            )
        print(summary(problems, 0, len(forms)), file=out)
        print("import aborted: nothing was written", file=sys.stderr)
        return 1
    for plan in changed:
        write_bytes_atomic(plan.target, plan.text.encode("utf-8"), durable=True)
        print(f"wrote {relpath(plan.target)}", file=sys.stderr)
    print(summary(problems, 0, len(forms)), file=out)
    print(f"{len(changed)} file(s) written, {len(plans) - len(changed)} unchanged", file=sys.stderr)
    return 0
