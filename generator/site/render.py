"""Pure functions: checked forms -> Markdown pages, data files and the search dictionary (no file I/O).

Owns the Jinja environment. Every `{{ value }}` in a template passes through one `finalize` function
(`escape.escape_text`), so content text renders literally wherever a template puts it; only `Markup`
built by our own code (charts, row spans) passes through unchanged.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from pathlib import Path

import jinja2
from markupsafe import Markup

from generator.site.charts import Slice, bar_list, percent, stacked_bar
from generator.site.escape import escape_text
from generator.forms.model import CATEGORY_FIELDS, ProjectForm, UnitForm
from generator.forms.validate import CheckResult, FormFile

#: Optional indicator columns, in the order official forms print them: (field, header).
OPTIONAL_COLUMNS = (
    ("nature", "指标性质"),
    ("measure_unit", "度量单位"),
    ("weight", "权重（分值）"),
    ("direction", "指标方向"),
    ("medium_term_value", "中期指标值"),
    ("explanation", "指标解释"),
    ("note", "备注"),
)
CATEGORY_LABELS = {
    "personnel": "人员类项目支出",
    "public_funds": "公用经费项目支出",
    "other_operating": "其他运转类项目支出",
    "specific": "特定目标类项目经费",
}


@dataclass
class ProjectPage:
    ff: FormFile
    form: ProjectForm
    source: bytes

    @property
    def id(self) -> str:
        return self.form.id


@dataclass
class UnitPage:
    ff: FormFile
    form: UnitForm
    source: bytes
    projects: list[ProjectPage] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.form.id


@dataclass
class YearPage:
    year: int
    units: list[UnitPage] = field(default_factory=list)

    def totals(self) -> dict[str, Decimal]:
        out = {"total": Decimal(0), "fiscal": Decimal(0), "other": Decimal(0)}
        for unit in self.units:
            row = unit.form.budget.total
            for key in out:
                out[key] += getattr(row, key) or Decimal(0)
        return out

    @property
    def project_count(self) -> int:
        return sum(len(u.projects) for u in self.units)


@dataclass
class Settings:
    """What pages need beyond the forms: provenance and links."""

    #: The project folder (where mkdocs.yml is): schema/ and other shared files are found there.
    root: Path = Path(".")
    site_name: str = "预算绩效目标公开"
    #: Repository web address (e.g. https://github.com/org/repo) for source and history links; optional.
    repository: str | None = None
    branch: str = "main"
    #: content-relative path ("2025/x/unit.yml") -> "YYYY-MM-DD" of its last change.
    dates: dict[str, str] = field(default_factory=dict)
    #: Path of content/ relative to the repository root, for source links.
    content_prefix: str = "content"
    #: Excel workbooks per form and per-year data files (xlsx, CSV, JSON, SQLite) next to the pages.
    downloads: bool = True
    #: Year -> SHA-256 of its offline archive, published next to the year page (full builds only).
    archives: dict[int, str] = field(default_factory=dict)


def collect(result: CheckResult, read: Any) -> list[YearPage]:
    """Group checked forms into years -> units -> projects, in published order."""
    units: dict[tuple[str, str], UnitPage] = {}
    for ff in result.units():
        units[(ff.year, ff.unit_id)] = UnitPage(ff, ff.form, read(ff.path))
    for ff in result.projects():
        unit = units.get((ff.year, ff.unit_id))
        if unit is not None:
            unit.projects.append(ProjectPage(ff, ff.form, read(ff.path)))
    years: dict[int, YearPage] = {}
    for unit in units.values():
        unit.projects.sort(key=lambda p: (p.form.order is None, p.form.order or 0, -p.form.funding.total, p.id))
        years.setdefault(unit.form.fiscal_year, YearPage(unit.form.fiscal_year)).units.append(unit)
    for year in years.values():
        year.units.sort(key=lambda u: (-u.form.budget.total.total, u.id))
    return [years[y] for y in sorted(years, reverse=True)]


# --------------------------------------------------------------------------- Jinja


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.site", "templates"),
        undefined=jinja2.StrictUndefined,
        # finalize is the one escaping step; autoescape only makes macro output Markup (finalize's own
        # output is Markup, so nothing is escaped twice).
        finalize=lambda value: Markup(escape_text(value)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = lambda v: "" if v is None else str(v)
    env.filters["front_matter"] = lambda v: Markup(json.dumps(escape_text(v), ensure_ascii=False))
    return env


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    """Return the shared Jinja environment (templates are compiled once per process)."""
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


# --------------------------------------------------------------------------- tables


@dataclass
class Row:
    """An indicator table row with the row spans of its merged 一级/二级 cells (0 = covered)."""

    indicator: Any
    span1: int
    span2: int


def indicator_rows(indicators: list[Any]) -> list[Row]:
    """Merge consecutive equal 一级 and, within them, consecutive equal 二级 cells, as printed."""
    rows = [Row(ind, 0, 0) for ind in indicators]
    start1 = 0
    for i in range(len(rows) + 1):
        if i == len(rows) or rows[i].indicator.level1 != rows[start1].indicator.level1:
            if start1 < len(rows):
                rows[start1].span1 = i - start1
                start2 = start1
                for j in range(start1, i + 1):
                    if j == i or rows[j].indicator.level2 != rows[start2].indicator.level2:
                        rows[start2].span2 = j - start2
                        start2 = j
            start1 = i
    return rows


def optional_columns(indicators: list[Any]) -> list[tuple[str, str]]:
    """Return the optional columns that at least one indicator of the form fills in."""
    return [(name, label) for name, label in OPTIONAL_COLUMNS if any(getattr(i, name) not in (None, "") for i in indicators)]


def money_columns(rows: Iterable[Any]) -> list[tuple[str, str]]:
    columns = [("total", "合计"), ("fiscal", "财政资金"), ("other", "其他资金")]
    if any(r is not None and r.carryover is not None for r in rows):
        columns.append(("carryover", "上年结转"))
    return columns


# --------------------------------------------------------------------------- pages


def _source_links(settings: Settings, ff: FormFile) -> dict[str, str | None]:
    rel = f"{ff.year}/{ff.unit_id}/{ff.stem}.yml"
    date = settings.dates.get(rel)
    if not settings.repository:
        return {"blob": None, "history": None, "date": date}
    base = settings.repository.rstrip("/")
    path = f"{settings.content_prefix}/{rel}"
    return {"blob": f"{base}/blob/{settings.branch}/{path}", "history": f"{base}/commits/{settings.branch}/{path}", "date": date}


def unit_slices(unit: UnitForm) -> list[Slice]:
    return [Slice(CATEGORY_LABELS[name], getattr(unit.budget, name).total) for name in CATEGORY_FIELDS.values()]


def render_home(years: list[YearPage], settings: Settings) -> str:
    return render_template("home.md.j2", years=years, settings=settings)


def render_year(year: YearPage, settings: Settings) -> str:
    return render_template("year.md.j2", year=year, totals=year.totals(), settings=settings)


def render_unit(unit: UnitPage, settings: Settings) -> str:
    form = unit.form
    whole = form.budget.total.total
    composition = stacked_bar("chart-composition", f"{form.unit_name} {form.fiscal_year} 年度预算构成", unit_slices(form), form.money_unit)
    shares = None
    if unit.projects:
        shares = bar_list(
            "chart-projects",
            f"{form.unit_name} {form.fiscal_year} 年度各项目资金占单位预算比例",
            [Slice(p.form.name, p.form.funding.total) for p in unit.projects],
            whole,
            form.money_unit,
        )
    budget_rows = [getattr(form.budget, name) for name in type(form.budget).model_fields]
    return render_template(
        "unit.md.j2",
        unit=unit,
        form=form,
        rows=indicator_rows(form.indicators),
        columns=optional_columns(form.indicators),
        money_columns=money_columns(budget_rows),
        composition=composition,
        shares=shares,
        composition_table=[(s.label, s.amount, percent(s.amount, whole)) for s in unit_slices(form)],
        project_rows=[(p, percent(p.form.funding.total, whole)) for p in unit.projects],
        source=_source_links(settings, unit.ff),
        settings=settings,
    )


def render_project(unit: UnitPage, project: ProjectPage, settings: Settings) -> str:
    form = project.form
    return render_template(
        "project.md.j2",
        unit=unit,
        project=project,
        form=form,
        rows=indicator_rows(form.indicators),
        columns=optional_columns(form.indicators),
        share=percent(form.funding.total, unit.form.budget.total.total),
        source=_source_links(settings, project.ff),
        settings=settings,
    )


def form_json(form: UnitForm | ProjectForm) -> str:
    """Return the form as JSON: amounts as exact strings, each indicator with its parsed value."""
    data = {"form": "unit" if isinstance(form, UnitForm) else "project", "title": form.title}
    data.update(form.model_dump(mode="json", exclude_defaults=False))
    for out, ind in zip(data["indicators"], form.indicators):
        out["parsed"] = ind.parsed.as_dict()
    # Compact: json's C encoder (indent= forces the pure-Python one, ~10x slower on big sites).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


# --------------------------------------------------------------------------- search dictionary

_QUOTED = re.compile(r"[“「『\"]([\u4e00-\u9fff]{2,8})[”」』\"]")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
#: Domain words jieba's general dictionary splits; users search them as one word.
DOMAIN_WORDS = (
    "绩效目标", "绩效指标", "申报表", "整体支出", "项目支出", "一级指标", "二级指标", "三级指标", "指标值",
    "年度资金总额", "财政拨款", "财政资金", "其他资金", "人员类", "运转类", "公用经费", "特定目标类", "其他运转类",
    "数量指标", "质量指标", "时效指标", "成本指标", "社会效益", "经济效益", "生态效益", "可持续影响", "满意度",
    "社区工作者", "社工", "换届", "基层治理", "村干部", "志愿服务",
)


def jieba_words(years: list[YearPage]) -> str:
    """Return a jieba user dictionary ("word freq" lines) built from the content.

    Short names and quoted terms (“花城保”, “小马拉大车”) become single search words. Long names are left
    out on purpose: a long entry would become one token and hide the words inside it from search.
    """
    words: Counter[str] = Counter()
    for word in DOMAIN_WORDS:
        words[word] += 1
    for year in years:
        for unit in year.units:
            forms: list[Any] = [unit.form] + [p.form for p in unit.projects]
            for form in forms:
                texts = [getattr(form, "name", "") or "", getattr(form, "goal", "") or "", getattr(form, "tasks", "") or ""]
                for ind in form.indicators:
                    texts += [ind.level1, ind.level2, ind.name or "", ind.value]
                    for label in (ind.level1, ind.level2, ind.name or ""):
                        if _HAN.match(label) and len(label) <= 6:
                            words[label] += 1
                for text in texts:
                    for match in _QUOTED.finditer(text):
                        words[match.group(1)] += 1
    # A high frequency makes jieba keep the word whole even where its statistics would split it.
    return "".join(f"{word} {100000 + count}\n" for word, count in sorted(words.items()))
