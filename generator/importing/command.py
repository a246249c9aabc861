"""`disclosure import FILE...`: published documents -> checked YAML files in content/.

Every form found is written as YAML by the house writer, then the same check as `disclosure check` runs on
the year with the new files in place (in a temporary folder) before anything is written. Problems found by
the check point back at the cell of the document the value came from. A per-form report says what was
recognised, which ids were suggested, and every decision left to the editor. Nothing is written when there is
an error or a decision; `--dry-run` prints the diff; an existing file that differs is kept unless `--force`.
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from generator.editing.yamlout import form_yaml
from generator.forms.load import load_file
from generator.importing.grid import Cell
from generator.importing.keep import keep
from generator.importing.problems import ImportProblem
from generator.importing.session import Imported, Options, Session
from generator.problems import ERROR, relpath, report, safe_start, visible

if TYPE_CHECKING:
    from generator.forms.registry import Registry

#: Check codes that mean the printed amounts do not add up (the editor decides, with the unit).
SUM_CODES = ("sum-mismatch", "total-mismatch", "project-sum-mismatch")
#: The field a pending decision is about: the check's complaint about that field says nothing new.
DECIDES = {"choose-category": "category", "choose-year": "fiscal_year", "choose-id": "id"}


def _pending(decided: list[ImportProblem], checked: list[ImportProblem]) -> list[ImportProblem]:
    """Drop the check's problems about a field whose value is still the editor's decision."""
    fields: dict[tuple[str, int], set[str]] = {}
    for problem in decided:
        if problem.code in DECIDES:
            fields.setdefault((problem.path, problem.form), set()).add(DECIDES[problem.code])
    return [
        p
        for p in checked
        if not any(p.field == name or p.field.startswith(name + ".") for name in fields.get((p.path, p.form), ()))
    ]


def _origin(form: Imported, at: tuple[Any, ...]) -> Optional[Cell]:
    origin = form.built.origin
    probe = tuple(at)
    while probe:
        if probe in origin:
            return origin[probe]
        below = next((p for p in origin if p[: len(probe)] == probe), None)
        if below is not None:
            return origin[below]
        probe = probe[:-1]
    return form.built.title


def validate(content: Path, plans: dict[str, tuple[Imported, str]], registry: "Registry") -> list[ImportProblem]:
    """Check the year(s) with the imported files in place; return the problems of the imported files, located."""
    from generator.forms.trial import check_in_place

    trial = check_in_place(content, {rel: (form.kind, text) for rel, (form, text) in plans.items()}, registry)
    out: list[ImportProblem] = []
    for problem in trial.result.problems:
        rel = trial.rel_of(problem.path)
        if rel is None:
            if problem.level == ERROR:
                out.append(
                    ImportProblem(relpath(problem.path), 0, f"{problem.line}:{problem.col}", problem.code, problem.message)
                )
            continue
        form = plans[rel][0]
        cell = _origin(form, problem.at)
        code = "source-total-mismatch" if problem.code in SUM_CODES else problem.code
        message = problem.message + ("（照录原表；请与单位核实）" if code != problem.code else "")
        out.append(ImportProblem(form.source, form.number, cell.where() if cell else "", code, message, problem.field))
    return out


def _report_forms(session: Session, plans: dict[str, tuple[Imported, str]], out: Any) -> None:
    unmapped: dict[tuple[str, int], int] = {}
    for problem in session.problems:
        if problem.code == "unmapped-cell":
            unmapped[(problem.path, problem.form)] = unmapped.get((problem.path, problem.form), 0) + 1
    for form in session.forms:
        kind = "整体表" if form.kind == "unit" else "项目表"
        title = form.built.title.text.replace("\n", "") if form.built.title is not None else "（无标题）"
        # Text from the document is escaped (one line, no control characters, no workflow command at a line start).
        head = f"{form.source} 第 {form.number} 张表：{title} → {form.rel}"
        print(f"{safe_start(head)}（表样 {form.built.layout.name}，{kind}，标签相符 {form.score:.0%}）", file=out)
        if form.built.recognised:
            print("  已识别：" + visible("；".join(form.built.recognised)), file=out)
        for line in form.suggested:
            print("  " + visible(line), file=out)
        left = unmapped.get((form.source, form.number), 0)
        if left:
            hint = "；这么多单元格对不上，这张表可能是另一种格式，需要为它写一个表样" if left > 3 else ""
            print(f"  没有对应到字段的单元格：{left} 个（见下面的 unmapped-cell）{hint}", file=out)


def _diff(plans: dict[str, tuple[Imported, str]], content: Path, out: Any) -> int:
    changed = 0
    for rel, (_, text) in plans.items():
        target = content / rel
        old = target.read_bytes() if target.is_file() else None
        if old == text.encode("utf-8"):
            continue
        changed += 1
        before = old.decode("utf-8", "replace").splitlines(keepends=True) if old is not None else []
        shown = relpath(target)
        out.writelines(difflib.unified_diff(before, text.splitlines(keepends=True), "/dev/null" if old is None else shown, shown))
    return changed


def run_import(
    files: list[str],
    content: str = "content",
    force: bool = False,
    dry_run: bool = False,
    options: Optional[Options] = None,
    out: Any = None,
) -> int:
    """Return 0 (written, or nothing to do), 1 (problems, decisions or a refused overwrite), 2 (usage)."""
    from generator.fileio import write_bytes_atomic
    from generator.forms.registry import registry_for

    out = out or sys.stdout
    missing = [f for f in files if not os.path.lexists(f)]
    if missing:
        print(f"disclosure import: error: file not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    options = options or Options()
    bad = options.invalid()
    if bad:
        print(f"disclosure import: error: {bad}", file=sys.stderr)
        return 2
    content_dir = Path(content)
    if content_dir.exists() and not content_dir.is_dir():
        print(f"disclosure import: error: not a folder: {content}", file=sys.stderr)
        return 2
    registry = registry_for(content_dir)
    session = Session(registry, content_dir, options)
    for name in files:
        session.read(name)
    plans: dict[str, tuple[Imported, str]] = {}
    for form in session.forms:
        if form.rel in plans:
            earlier = plans[form.rel][0]
            session.problem(
                form.source,
                form.number,
                form.built.title,
                "choose-id",
                f"与 {earlier.source} 第 {earlier.number} 张表的编号相同（{form.rel}）；请用 --id 指定",
            )
            continue
        target = content_dir / form.rel
        if target.is_file() and not target.is_symlink():
            kept = keep(form.built.data, load_file(target).data)
            if kept:
                form.suggested.append("保留已有文件中的" + "、".join(kept))
        text, _ = form_yaml(form.built.layout, form.kind, form.built.data)
        plans[form.rel] = (form, text)
    problems = list(session.problems)
    if plans:
        problems.extend(_pending(session.problems, validate(content_dir, plans, registry)))
    problems.sort(key=lambda p: (p.path, p.form, p.code))
    _report_forms(session, plans, out)
    report(problems, out)
    errors = [p for p in problems if p.level == ERROR]
    decisions = [p for p in errors if p.decision]
    print(
        f"{len(session.forms)} form(s) imported: {len(errors)} error(s) ({len(decisions)} decision(s)), "
        f"{len(problems) - len(errors)} warning(s)",
        file=out,
    )
    if errors or not plans:
        if not plans and not errors:
            print("no forms found", file=sys.stderr)
        print("import stopped: settle the decisions and fix the problems above; nothing was written", file=sys.stderr)
        return 1
    if dry_run:
        changed = _diff(plans, content_dir, out)
        print(f"dry run: {changed} file(s) would change, {len(plans) - changed} unchanged; nothing was written", file=sys.stderr)
        return 0
    refused = []
    for rel in plans:
        target = content_dir / rel
        if target.is_file() and target.read_bytes() != plans[rel][1].encode("utf-8") and not force:
            refused.append(target)
    if refused:
        for target in refused:
            print(
                f"disclosure import: error: {relpath(target)} exists and differs (use --force to overwrite, --dry-run to see the changes)",
                file=sys.stderr,
            )
        print("import stopped: nothing was written", file=sys.stderr)
        return 1
    written = 0
    for rel, (_, text) in plans.items():
        if write_bytes_atomic(content_dir / rel, text.encode("utf-8"), durable=True):
            written += 1
            print(f"wrote {relpath(content_dir / rel)}", file=sys.stderr)
    print(f"{written} file(s) written, {len(plans) - written} unchanged", file=sys.stderr)
    return 0
