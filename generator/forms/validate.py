"""Check content: every file against its layout's model and rules, then the rules that span forms.

Never raises on bad content: every problem becomes a `Problem`, sorted, with the editor's
acknowledgements applied. Large trees are checked in a process pool.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Collection
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Optional

from pydantic import ValidationError

from generator.forms.crossform import cross_form_problems
from generator.forms.discover import UNIT_FILE, FormFile, discover
from generator.forms.form import Form, acknowledgements
from generator.forms.load import load_file
from generator.forms.modelerrors import schema_problems
from generator.forms.registry import Registry, registry_for
from generator.forms.rules import form_problems
from generator.problems import CODES, ERROR, WARNING, Problem

__all__ = ["UNIT_FILE", "CheckResult", "FormFile", "FormSummary", "check_content", "check_file", "check_files", "discover"]

#: Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 400
#: Positions every cross-form message may need, kept when the document itself is dropped.
_SHALLOW_PATHS: list[tuple[Any, ...]] = [
    (),
    ("id",),
    ("unit_name",),
    ("money_unit",),
    ("fiscal_year",),
    ("acknowledge",),
    ("layout",),
    ("name",),
]


@dataclass(frozen=True)
class FormSummary:
    """The few facts the cross-form rules read: cheap to send back from a worker process."""

    id: str
    unit_name: str
    money_unit: str
    layout: str
    name: str = ""
    category: Optional[str] = None
    #: Every money cell by its layout name (`budget.personnel.fiscal`, `funding.total`).
    cells: tuple[tuple[str, Optional[Decimal]], ...] = ()
    total: Optional[Decimal] = None
    #: The layout's totals (`total`, `fiscal`, `other`, ...) as `Form.totals()` gives them, and the project order:
    #: what the year and home pages print of a form whose pages are not rendered again (site/formfacts.py).
    totals: tuple[tuple[str, Optional[Decimal]], ...] = ()
    order: Optional[int] = None

    @classmethod
    def of(cls, form: Form) -> "FormSummary":
        cells = tuple((".".join(str(p) for p in path), amount) for path, amount in form.money_cells() if "items" not in path)
        totals = tuple(form.totals().items())
        return cls(
            form.id,
            form.unit_name,
            form.money_unit,
            form.layout.name,
            form.name,
            form.category,
            cells,
            form.total,
            totals,
            form.order,
        )

    def cell(self, name: str) -> Optional[Decimal]:
        return dict(self.cells).get(name)


@dataclass
class CheckResult:
    """Everything `check` found: the forms that parsed and the problems left after acknowledgements."""

    files: list[FormFile]
    problems: list[Problem]
    acknowledged: int = 0
    registry: Optional[Registry] = None
    #: the file of each acknowledged warning (so a check of some files counts only theirs)
    acknowledged_in: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def forms_checked(self) -> int:
        """How many files loaded and matched their layout."""
        return sum(1 for f in self.files if f.ok)

    def units(self) -> list[FormFile]:
        return [f for f in self.files if f.kind == "unit" and f.form is not None]

    def projects(self) -> list[FormFile]:
        return [f for f in self.files if f.kind == "project" and f.form is not None]


# --------------------------------------------------------------------------- one file


_REGISTRY: Optional[Registry] = None


def _worker_registry(registry: Registry) -> None:
    global _REGISTRY
    _REGISTRY = registry


def check_file(ff: FormFile, keep_form: bool = True, registry: Optional[Registry] = None) -> FormFile:
    """Load and validate one file: its layout's model, money to the fen, the layout's sums, indicators, identity."""
    registry = registry or _REGISTRY or registry_for(_content_of(ff))
    doc = load_file(ff.path)
    ff.problems.extend(doc.problems)
    if doc.data is None:
        return ff
    named = doc.data.get("layout") if isinstance(doc.data, dict) else None
    layout, message = registry.resolve(ff.year, named if isinstance(named, str) else None)
    if layout is None or layout.form(ff.kind) is None:
        if layout is not None:
            what = "整体支出表" if ff.kind == "unit" else "项目支出表"
            message = f"表样“{layout.name}”没有{what}（{layout.spec.title}）"
        ff.problems.append(doc.problem(("layout",), "unknown-layout", message, prefer_key=True))
        return ff
    model = layout.models[ff.kind]
    try:
        data = model.model_validate(doc.data)
    except ValidationError as exc:
        ff.problems.extend(schema_problems(exc, doc, model))
        return ff
    form = Form(layout, ff.kind, data)
    ff.problems.extend(form_problems(form, doc, ff))
    ff.summary = FormSummary.of(form)
    ff.digest = hashlib.sha256(doc.raw).hexdigest()
    ff.acks = acknowledgements(form)
    paths = _SHALLOW_PATHS + [path for path, _ in form.money_cells()] + [scope + ("acknowledge",) for scope, _ in ff.acks]
    ff.marks = {path: doc.mark(path) for path in paths}
    if keep_form:
        ff.form = form
        ff.source = doc.raw  # published as checked: never read a second time
    return ff


def _content_of(ff: FormFile) -> str:
    """Return the content folder of a file at content/<year>/<unit>/<file>.yml."""
    return str(Path(ff.path).resolve().parent.parent.parent)


def _check_one(job: tuple[FormFile, bool]) -> FormFile:
    return check_file(job[0], keep_form=job[1])


#: Which checked files keep their form and bytes: all (True), none (False), or the paths a function of the
#: discovered files returns (a build keeps only the forms of units whose pages it renders again).
KeepForms = bool | Callable[[list[FormFile]], Collection[str]]


def check_files(
    files: list[FormFile], jobs: int | None = None, keep_forms: KeepForms = True, registry: Optional[Registry] = None
) -> list[FormFile]:
    """Check files, in a process pool when there are many (forms stay in the workers unless needed).

    A form crossing back from a worker costs more to unpickle than to check: with `keep_forms` a
    function, only the files it names come back whole, the others with their summary and digest.
    """
    if jobs is None:
        jobs = os.cpu_count() or 1
    from generator.progress import track

    kept = keep_forms(files) if callable(keep_forms) else None
    keeps = [bool(keep_forms) if kept is None else f.path in kept for f in files]
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        jobs_in = zip(files, keeps)
        return list(track((check_file(f, keep_form=k, registry=registry) for f, k in jobs_in), len(files), "检查表单"))
    chunk = max(16, len(files) // (jobs * 8))
    initargs = (registry or registry_for(_content_of(files[0])),)
    for layout in initargs[0].layouts.values():
        _ = layout.models  # build them here: forms coming back from the workers are instances of these classes
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_registry, initargs=initargs) as pool:
        results = pool.map(_check_one, zip(files, keeps), chunksize=chunk)
        checked = list(track(results, len(files), "检查表单"))
    _relink(checked, initargs[0])
    return checked


def _relink(files: list[FormFile], registry: Registry) -> None:
    """Point forms that came back from workers at this process's layout objects (one copy, models built)."""
    for ff in files:
        if ff.form is not None:
            ff.form = Form(registry.layouts[ff.form.layout.name], ff.form.kind, ff.form.data)


def check_content(
    content: str | os.PathLike[str], jobs: int | None = None, keep_forms: KeepForms = True, only: str | None = None
) -> CheckResult:
    """Check every form under `content/` (or only `YEAR` / `YEAR/UNIT`), the site's layouts, then the rules that span forms."""
    registry = registry_for(content)
    if only:
        year, _, unit = only.strip("/").partition("/")
        files, problems = discover(content, Path(year, unit) if unit else Path(year))
        files = [f for f in files if f.year == year and (not unit or f.unit_id == unit)]
    else:
        files, problems = discover(content)
    problems.extend(registry.problems)
    files = check_files(files, jobs, keep_forms, registry)
    problems.extend(cross_form_problems(files, registry))
    for ff in files:
        problems.extend(ff.problems)
    result = apply_acknowledgements(files, problems)
    result.registry = registry
    return result


def apply_acknowledgements(files: list[FormFile], problems: list[Problem]) -> CheckResult:
    """Drop warnings the editor acknowledged in the file; report acknowledgements that match nothing."""
    acks: dict[str, list[tuple[tuple[Any, ...], str]]] = defaultdict(list)
    by_path = {ff.path: ff for ff in files}
    for ff in files:
        if ff.acks:
            acks[ff.path].extend(ff.acks)
    kept: list[Problem] = []
    used: set[tuple[str, tuple[Any, ...], str]] = set()
    acknowledged_in: list[str] = []
    for problem in problems:
        match = None
        if problem.level == WARNING:
            for scope, code in acks.get(problem.path, ()):
                if code == problem.code and problem.at[: len(scope)] == scope:
                    match = (problem.path, scope, code)
                    break
        if match:
            used.add(match)
            acknowledged_in.append(problem.path)
        else:
            kept.append(problem)
    for path, entries in acks.items():
        for scope, code in entries:
            if code in CODES and CODES[code][0] == WARNING and (path, scope, code) not in used:
                ff = by_path[path]
                kept.append(
                    ff.problem(
                        scope + ("acknowledge",),
                        "stale-acknowledgement",
                        f"确认了警告“{code}”，但这里并没有该警告；请删除这条确认",
                    )
                )
    kept.sort()
    return CheckResult(files, kept, len(acknowledged_in), acknowledged_in=acknowledged_in)


def iter_problems(result: CheckResult) -> Iterable[Problem]:
    """Return problems sorted by file, line, column and code."""
    return sorted(result.problems)
