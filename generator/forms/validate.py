"""Model + per-form rules + cross-form rules -> a sorted list of problems. Never raises on bad content."""

from __future__ import annotations

import difflib
import os
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path as FsPath
from pathlib import Path
from typing import Any, Iterable, Iterator, Union

from pydantic import BaseModel, ValidationError

from generator.forms.discover import UNIT_FILE, FormFile, discover
from generator.forms.load import Document, Mark, dotted, load_file
from generator.forms.model import CATEGORY_FIELDS, MoneyRow, ProjectForm, UnitForm
from generator.problems import CODES, ERROR, WARNING, Problem, relpath
from generator.forms.taxonomy import taxonomy_problem
from generator.forms.values import has_operator

Form = Union[UnitForm, ProjectForm]
#: Project ids that would collide with generated pages or files.
RESERVED_IDS = {"unit", "index", "data", "assets", "search", "schema"}
#: Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 400

_PLACEHOLDER = re.compile(r"XX|xx|Xx|××|ＸＸ|某某|\*\*|＊＊|…{2,}|待定|待填")


@dataclass(frozen=True)
class FormSummary:
    """The few fields the cross-form rules read: cheap to send back from a worker process."""

    id: str
    unit_name: str
    money_unit: str
    name: str = ""
    category: str = ""
    funding: MoneyRow | None = None
    budget: Any = None

    @classmethod
    def of(cls, form: Form) -> "FormSummary":
        if isinstance(form, UnitForm):
            return cls(form.id, form.unit_name, form.money_unit, budget=form.budget)
        return cls(form.id, form.unit_name, form.money_unit, form.name, form.category, form.funding)


_COLUMN_NAMES = ("total", "fiscal", "other", "carryover")
_SHALLOW_PATHS = [(), ("id",), ("unit_name",), ("money_unit",), ("fiscal_year",), ("acknowledge",)] + [
    ("budget", row, column) for row in ("total", "personnel", "operating", "public_funds", "other_operating", "specific")
    for column in _COLUMN_NAMES
]


def _cross_form_paths(acks: list[tuple[tuple[Any, ...], str]]) -> list[tuple[Any, ...]]:
    """Return the paths whose positions the cross-form rules and acknowledgements may report."""
    return _SHALLOW_PATHS + [scope + ("acknowledge",) for scope, _ in acks]


def _acks(form: Form) -> list[tuple[tuple[Any, ...], str]]:
    found = [((), code) for code in form.acknowledge]
    for index, ind in enumerate(form.indicators):
        found += [(("indicators", index), code) for code in ind.acknowledge]
    for index, src in enumerate(form.funding_sources):
        found += [(("funding_sources", index), code) for code in src.acknowledge]
    return found


@dataclass
class CheckResult:
    """Everything `check` found: the forms that parsed and the problems left after acknowledgements."""

    files: list[FormFile]
    problems: list[Problem]
    acknowledged: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def forms_checked(self) -> int:
        """How many files loaded and matched the schema."""
        return sum(1 for f in self.files if f.ok)

    def units(self) -> list[FormFile]:
        return [f for f in self.files if f.kind == "unit" and f.form is not None]

    def projects(self) -> list[FormFile]:
        return [f for f in self.files if f.kind == "project" and f.form is not None]


# --------------------------------------------------------------------------- one file


def check_file(ff: FormFile, keep_form: bool = True) -> FormFile:
    """Load and validate one file: schema, money precision, arithmetic, indicators, identity."""
    doc = load_file(ff.path)
    ff.problems.extend(doc.problems)
    if doc.data is None:
        return ff
    model = UnitForm if ff.kind == "unit" else ProjectForm
    try:
        form = model.model_validate(doc.data)
    except ValidationError as exc:
        ff.problems.extend(_schema_problems(exc, doc, model))
        return ff
    ff.problems.extend(_form_problems(form, doc, ff))
    ff.summary = FormSummary.of(form)
    ff.acks = _acks(form)
    ff.marks = {path: doc.mark(path) for path in _cross_form_paths(ff.acks)}
    if keep_form:
        ff.form = form
    return ff


def _schema_problems(exc: ValidationError, doc: Document, model: type[BaseModel]) -> Iterator[Problem]:
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = loc[-1]
            allowed = _allowed_fields(model, loc[:-1])
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"，是否应为“{close[0]}”？" if close else f"；允许的字段：{'、'.join(allowed)}"
            yield doc.problem(loc, "unknown-field", f"未知字段“{key}”{hint}", prefer_key=True)
        elif kind == "missing":
            label = _field_label(model, loc)
            yield doc.problem(loc, "missing-field", f"缺少必填字段“{loc[-1]}”（{label}）")
        elif kind in CODES:
            yield doc.problem(loc, kind, err["msg"])
        elif kind == "string_too_short":
            yield doc.problem(loc, "missing-field", "不能为空")
        elif kind in ("literal_error", "enum"):
            given = err.get("input")
            yield doc.problem(loc, "invalid-choice", f"“{given}”不是允许的取值；可选：{err['ctx']['expected']}")
        elif kind in ("dict_type", "list_type", "model_type", "model_attributes_type", "string_type"):
            want = {"dict_type": "映射（字段: 值）", "model_type": "映射（字段: 值）", "list_type": "列表（- 开头的各项）"}.get(kind, "文本")
            yield doc.problem(loc, "wrong-type", f"应为{want}")
        else:
            yield doc.problem(loc, "invalid-value", err["msg"])


def _submodel(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if info is None:
            return None
        current = _model_in(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    sub = _submodel(model, loc)
    if sub is None:
        return []
    return [name for name, info in sub.model_fields.items() if not info.exclude]


def _field_label(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    sub = _submodel(model, loc[:-1])
    info = sub.model_fields.get(loc[-1]) if sub else None
    return (info.description or "") if info else ""


def _form_problems(form: Form, doc: Document, ff: FormFile) -> Iterator[Problem]:
    yield from _identity_problems(form, doc, ff)
    yield from _money_problems(form, doc)
    yield from _indicator_problems(form, doc)
    yield from _text_problems(form, doc)
    for code, _reason in form.acknowledge.items():
        yield from _ack_code_problem(doc, ("acknowledge", code), code)
    for index, ind in enumerate(form.indicators):
        for code in ind.acknowledge:
            yield from _ack_code_problem(doc, ("indicators", index, "acknowledge", code), code)
    for index, src in enumerate(form.funding_sources):
        for code in src.acknowledge:
            yield from _ack_code_problem(doc, ("funding_sources", index, "acknowledge", code), code)
    if isinstance(form, ProjectForm) and form.period and form.period.start > form.period.end:
        yield doc.problem(("period", "end"), "invalid-value", f"项目期结束年度 {form.period.end} 早于起始年度 {form.period.start}")


def _ack_code_problem(doc: Document, path: tuple[Any, ...], code: str) -> Iterator[Problem]:
    if CODES.get(code, (None,))[0] != WARNING:
        warnings = "、".join(c for c, (lvl, _) in CODES.items() if lvl == WARNING)
        yield doc.problem(path, "invalid-choice", f"只能确认警告，“{code}”不是警告代码；可确认：{warnings}", prefer_key=True)


def _identity_problems(form: Form, doc: Document, ff: FormFile) -> Iterator[Problem]:
    expected = ff.unit_id if ff.kind == "unit" else ff.stem
    if form.id != expected:
        where = "所在目录名" if ff.kind == "unit" else "文件名"
        yield doc.problem(("id",), "id-mismatch", f"id“{form.id}”与{where}“{expected}”不一致（网址由 id 决定）")
    if form.id in RESERVED_IDS:
        what = "项目编号" if ff.kind == "project" else "单位编号（目录名）"
        yield doc.problem(("id",), "invalid-id", f"“{form.id}”是保留名称（网站用于数据下载等），请换一个{what}")
    if str(form.fiscal_year) != ff.year:
        yield doc.problem(("fiscal_year",), "year-mismatch", f"fiscal_year {form.fiscal_year} 与所在年度目录“{ff.year}”不一致")


def fmt(amount: Decimal | None) -> str:
    """Return an amount as written, blank cells as 空."""
    return "空" if amount is None else str(amount)


def _money_problems(form: Form, doc: Document) -> Iterator[Problem]:
    for path, amount in form.money_fields():
        decimals = -amount.as_tuple().exponent if amount.as_tuple().exponent < 0 else 0
        if decimals > form.money_decimals:
            yield doc.problem(
                path,
                "money-precision",
                f"金额 {amount} 有 {decimals} 位小数，超过允许的 {form.money_decimals} 位（{form.money_unit}）；请核对原表，确需更多位数时声明 money_decimals",
            )
    rows: list[tuple[tuple[Any, ...], MoneyRow]] = []
    if isinstance(form, UnitForm):
        rows = [(("budget", name), getattr(form.budget, name)) for name in type(form.budget).model_fields]
        rows = [(p, r) for p, r in rows if r is not None]
        yield from _unit_sum_problems(form, doc)
        total = form.budget.total.total
    else:
        rows = [(("funding",), form.funding)]
        total = form.funding.total
    for path, row in rows:
        parts = row.parts()
        added = sum((amount for _, _, amount in parts), Decimal(0))
        if added != row.total:
            shown = " + ".join(f"{label} {amount}" for _, label, amount in parts) or "财政资金（空）+ 其他资金（空）"
            yield doc.problem(
                path + ("total",),
                "total-mismatch",
                f"合计 {row.total} ≠ {shown} = {added}（相差 {row.total - added:+}）",
            )
    if form.funding_sources:
        added = sum((s.amount for s in form.funding_sources), Decimal(0))
        if added != total:
            shown = " + ".join(f"{s.name} {s.amount}" for s in form.funding_sources)
            yield doc.problem(("funding_sources",), "sum-mismatch", f"资金来源合计 {shown} = {added} ≠ 年度资金总额 {total}")


_COLUMNS = (("total", "合计"), ("fiscal", "财政资金"), ("other", "其他资金"), ("carryover", "上年结转"))


def _unit_sum_problems(form: UnitForm, doc: Document) -> Iterator[Problem]:
    budget = form.budget
    checks = [
        ("total", "年度资金总额", [("personnel", "人员类"), ("public_funds", "公用经费"), ("other_operating", "其他运转类"), ("specific", "特定目标类")]),
    ]
    if budget.operating is not None:
        checks.append(("operating", "运转类项目支出", [("public_funds", "公用经费"), ("other_operating", "其他运转类")]))
    for whole, whole_label, parts in checks:
        for column, column_label in _COLUMNS:
            want = getattr(getattr(budget, whole), column)
            values = [(label, getattr(getattr(budget, name), column)) for name, label in parts]
            if want is None and all(v is None for _, v in values):
                continue
            added = sum((v for _, v in values if v is not None), Decimal(0))
            if (want or Decimal(0)) != added:
                shown = " + ".join(f"{label} {fmt(v)}" for label, v in values)
                yield doc.problem(
                    ("budget", whole, column),
                    "sum-mismatch",
                    f"{whole_label}（{column_label}）{fmt(want)} ≠ {shown} = {added}（相差 {(want or 0) - added:+}）",
                )


def _indicator_problems(form: Form, doc: Document) -> Iterator[Problem]:
    if not form.indicators:
        yield doc.problem(("indicators",), "empty-value", "没有任何绩效指标")
    for index, ind in enumerate(form.indicators):
        here = ("indicators", index)
        message = taxonomy_problem(ind.level1.strip(), ind.level2.strip(), unit_form=isinstance(form, UnitForm))
        if message:
            yield doc.problem(here + ("level2",), "indicator-taxonomy", message)
        if not ind.value.strip():
            yield doc.problem(here + ("value",), "empty-value", "指标值为空")
            continue
        operator = has_operator(ind.value)
        if not operator and "%" not in ind.value and "％" not in ind.value:
            continue  # neither warning can apply: skip parsing (most values are text or plain numbers)
        parsed = ind.parsed
        if parsed.kind == "text" and operator:
            yield doc.problem(here + ("value",), "value-unparsed", f"指标值“{ind.value}”以比较符号开头，但无法解析出数值（应如 ≥90%）")
        if parsed.unit == "%" and max(parsed.number or 0, parsed.upper or 0) > 100:
            yield doc.problem(here + ("value",), "percent-over-100", f"指标值“{ind.value}”超过 100%")


def _strings(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name != "acknowledge":
                yield from _strings(getattr(value, name), path + (name,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


def _text_problems(form: Form, doc: Document) -> Iterator[Problem]:
    if doc.text and not _PLACEHOLDER.search(doc.text):
        return  # the usual case: one scan of the file instead of a walk over every field
    for path, text in _strings(form, ()):
        match = _PLACEHOLDER.search(text)
        if match:
            yield doc.problem(path, "placeholder-text", f"疑似未填写的占位文字“{match.group()}”")


# --------------------------------------------------------------------------- all content


def _check_slim(ff: FormFile) -> FormFile:
    return check_file(ff, keep_form=False)


def check_files(files: list[FormFile], jobs: int | None = None, keep_forms: bool = True) -> list[FormFile]:
    """Check files, in a process pool when there are many (forms stay in the workers unless needed)."""
    if jobs is None:
        jobs = os.cpu_count() or 1
    from generator.progress import track

    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        return list(track((check_file(f, keep_form=keep_forms) for f in files), len(files), "检查表单"))
    chunk = max(16, len(files) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(check_file if keep_forms else _check_slim, files, chunksize=chunk)
        return list(track(results, len(files), "检查表单"))


def check_content(content: str | os.PathLike[str], jobs: int | None = None, keep_forms: bool = True,
                  only: str | None = None) -> CheckResult:
    """Check every form under `content/` (or only `YEAR` / `YEAR/UNIT`), then the rules that span forms."""
    if only:
        year, _, unit = only.strip("/").partition("/")
        files, problems = discover(content, Path(year, unit) if unit else Path(year))
        files = [f for f in files if f.year == year and (not unit or f.unit_id == unit)]
    else:
        files, problems = discover(content)
    files = check_files(files, jobs, keep_forms)
    problems.extend(cross_form_problems(files))
    for ff in files:
        problems.extend(ff.problems)
    return apply_acknowledgements(files, problems)


def cross_form_problems(files: list[FormFile]) -> Iterator[Problem]:
    """Identity across forms and the unit/project sums."""
    units: dict[tuple[str, str], FormFile] = {}
    unit_dirs: set[tuple[str, str]] = set()
    projects: dict[tuple[str, str], list[FormFile]] = defaultdict(list)
    seen_ids: dict[tuple[str, str], FormFile] = {}
    #: Folders with a project form that did not load: its amounts are unknown, so the sums are not checked.
    broken: set[tuple[str, str]] = set()
    for ff in files:
        if ff.kind == "unit":
            unit_dirs.add((ff.year, ff.unit_id))
            if ff.summary is not None:
                units[(ff.year, ff.unit_id)] = ff
            continue
        if ff.summary is None:
            broken.add((ff.year, ff.unit_id))
            continue
        key = (ff.year, ff.summary.id)
        if key in seen_ids:
            yield ff.problem(("id",), "duplicate-id", f"项目编号“{ff.summary.id}”在 {ff.year} 年度已被 {seen_ids[key].path} 使用")
        else:
            seen_ids[key] = ff
        projects[(ff.year, ff.unit_id)].append(ff)
    for where in sorted(set(projects) | unit_dirs):
        items = projects.get(where, [])
        if where not in unit_dirs:
            for ff in items:
                yield ff.problem((), "missing-unit", f"目录 {ff.year}/{ff.unit_id}/ 中没有单位整体表 {UNIT_FILE}")
            continue
        unit_ff = units.get(where)
        if unit_ff is None:
            continue  # the unit form has its own errors; sums against it would only add noise
        unit = unit_ff.summary
        mixed_units = False
        for ff in items:
            if ff.summary.unit_name != unit.unit_name:
                yield ff.problem(("unit_name",), "unit-mismatch", f"预算单位“{ff.summary.unit_name}”与单位整体表的“{unit.unit_name}”不一致")
            if ff.summary.money_unit != unit.money_unit:
                mixed_units = True
                yield ff.problem(("money_unit",), "unit-mismatch", f"金额单位“{ff.summary.money_unit}”与单位整体表的“{unit.money_unit}”不一致，无法核对合计")
        if where not in broken and not mixed_units:
            yield from _category_sums(unit_ff, items)


def _category_sums(unit_ff: FormFile, items: list[FormFile]) -> Iterator[Problem]:
    unit = unit_ff.summary
    by_category: dict[str, list[FormFile]] = defaultdict(list)
    for ff in items:
        by_category[ff.summary.category].append(ff)
    for category, budget_field in CATEGORY_FIELDS.items():
        row: MoneyRow = getattr(unit.budget, budget_field)
        forms = by_category.get(category, [])
        if not forms:
            if category in ("其他运转类", "特定目标类") and row.total > 0:
                yield unit_ff.problem(
                    ("budget", budget_field, "total"),
                    "missing-project-forms",
                    f"单位表列有{category}项目 {row.total} {unit.money_unit}，但目录中没有{category}项目表",
                )
            continue
        for column, column_label in _COLUMNS:
            declared = getattr(row, column)
            amounts = [(ff, getattr(ff.summary.funding, column)) for ff in forms]
            if declared is None and all(a is None for _, a in amounts):
                continue
            added = sum((a for _, a in amounts if a is not None), Decimal(0))
            if (declared or Decimal(0)) != added:
                listed = "、".join(f"{ff.summary.name} {fmt(a)}" for ff, a in amounts[:12])
                more = f" 等 {len(amounts)} 项" if len(amounts) > 12 else ""
                yield unit_ff.problem(
                    ("budget", budget_field, column),
                    "project-sum-mismatch",
                    f"{category}项目（{column_label}）{fmt(declared)} ≠ {len(forms)} 张项目表之和 {added}（相差 {(declared or 0) - added:+}）：{listed}{more}",
                )


def apply_acknowledgements(files: list[FormFile], problems: list[Problem]) -> CheckResult:
    """Drop warnings the editor acknowledged in the file; report acknowledgements that match nothing."""
    acks: dict[str, list[tuple[tuple[Any, ...], str]]] = defaultdict(list)
    by_path = {ff.path: ff for ff in files}
    for ff in files:
        if ff.acks:
            acks[ff.path].extend(ff.acks)
    kept: list[Problem] = []
    used: set[tuple[str, tuple[Any, ...], str]] = set()
    acknowledged = 0
    for problem in problems:
        match = None
        if problem.level == WARNING:
            for scope, code in acks.get(problem.path, ()):
                if code == problem.code and problem.at[: len(scope)] == scope:
                    match = (problem.path, scope, code)
                    break
        if match:
            used.add(match)
            acknowledged += 1
        else:
            kept.append(problem)
    for path, entries in acks.items():
        for scope, code in entries:
            if code in CODES and CODES[code][0] == WARNING and (path, scope, code) not in used:
                ff = by_path[path]
                kept.append(
                    ff.problem(scope + ("acknowledge",), "stale-acknowledgement", f"确认了警告“{code}”，但这里并没有该警告；请删除这条确认")
                )
    kept.sort()
    return CheckResult(files, kept, acknowledged)


def iter_problems(result: CheckResult) -> Iterable[Problem]:
    """Return problems sorted by file, line, column and code."""
    return sorted(result.problems)
