"""Pure functions: checked forms -> Markdown pages and JSON data (no file I/O).

Owns the Jinja environment. Every `{{ value }}` in a template passes through one `finalize` function
(`escape.escape_text`), so content text renders literally wherever a template puts it; only `Markup`
built by our own code (charts) passes through unchanged. What a form prints, in which order and under
which labels comes from its layout (`generator.forms.layout`); the views below turn each part of the
layout into rows and cells for the templates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import jinja2
from markupsafe import Markup

from generator.forms.form import Form
from generator.forms.layout import cell_title
from generator.forms.validate import CheckResult, FormFile
from generator.site.charts import Slice, bar_list, percent, stacked_bar
from generator.site.escape import escape_attr, escape_text
from generator.site.views import composition_rows, part_views, without_project_forms

#: Year and home pages sum units in this money unit (元 amounts are converted exactly).
SUMMARY_UNIT = "万元"


@dataclass
class ProjectPage:
    ff: FormFile
    form: Form
    source: bytes

    @property
    def id(self) -> str:
        return self.form.id


@dataclass
class UnitPage:
    """A unit of a year: its whole-unit form when it published one, and its project forms."""

    id: str
    unit_name: str
    ff: Optional[FormFile] = None
    form: Optional[Form] = None
    source: bytes = b""
    projects: list[ProjectPage] = field(default_factory=list)

    def totals(self) -> dict[str, Optional[Decimal]]:
        """Return the unit form's totals in 万元 (empty when the unit published no unit form)."""
        if self.form is None:
            return {}
        return {role: in_summary_unit(amount, self.form.money_unit) for role, amount in self.form.totals().items()}

    def project_total(self) -> Optional[Decimal]:
        """Return the sum of the project forms' totals in 万元 (None when no project form has a total)."""
        amounts = [a for p in self.projects if (a := in_summary_unit(p.form.total, p.form.money_unit)) is not None]
        return sum(amounts, Decimal(0)) if amounts else None


def in_summary_unit(amount: Optional[Decimal], money_unit: str) -> Optional[Decimal]:
    """Return an amount in 万元, exactly (元 / 10000 is exact in Decimal)."""
    if amount is None or money_unit == SUMMARY_UNIT:
        return amount
    return (amount / Decimal(10000)).normalize() if amount else amount


@dataclass
class YearPage:
    year: int
    units: list[UnitPage] = field(default_factory=list)

    def totals(self) -> dict[str, Optional[Decimal]]:
        """Sum the units' totals in 万元; a column no unit form fills stays None (printed blank, not 0)."""
        out: dict[str, Optional[Decimal]] = {"total": None, "fiscal": None, "other": None}
        for unit in self.units:
            totals = unit.totals()
            for key in out:
                value = totals.get(key)
                if value is not None:
                    out[key] = (out[key] or Decimal(0)) + value
        return out

    def project_total(self) -> Optional[Decimal]:
        amounts = [a for a in (u.project_total() for u in self.units) if a is not None]
        return sum(amounts, Decimal(0)) if amounts else None

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


def _project_key(page: ProjectPage) -> tuple[Any, ...]:
    total = page.form.total
    return (page.form.order is None, page.form.order or 0, -(total or Decimal(0)), page.id)


def collect(result: CheckResult, read: Any) -> list[YearPage]:
    """Group checked forms into years -> units -> projects, in published order.

    A form that came back from the check as its summary only (`formfacts`) is grouped as a `SummaryForm`
    with no bytes: enough for the year and home pages, never for its own pages.
    """
    from generator.site.formfacts import form_of

    units: dict[tuple[str, str], UnitPage] = {}
    published = [(ff, form_of(ff, result.registry)) for ff in result.files]
    for ff, form in published:
        if ff.kind == "unit" and form is not None:
            units[(ff.year, ff.unit_id)] = UnitPage(ff.unit_id, form.unit_name, ff, form, read(ff.path) if ff.form else b"")
    for ff, form in published:
        if ff.kind != "project" or form is None:
            continue
        unit = units.get((ff.year, ff.unit_id))
        if unit is None:  # a unit that publishes project forms only
            unit = units[(ff.year, ff.unit_id)] = UnitPage(ff.unit_id, form.unit_name)
        unit.projects.append(ProjectPage(ff, form, read(ff.path) if ff.form else b""))
    years: dict[int, YearPage] = {}
    for (year, _), unit in units.items():
        unit.projects.sort(key=_project_key)
        years.setdefault(int(year), YearPage(int(year))).units.append(unit)
    for page in years.values():
        page.units.sort(key=lambda u: (-(u.totals().get("total") or Decimal(0)), u.id))
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
    # Attribute values: escaped the same way, but a line break becomes a space (a `<br>` is no markup there).
    env.filters["in_attr"] = lambda v: Markup(escape_attr(v))
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


# --------------------------------------------------------------------------- pages


def _source_links(settings: Settings, ff: FormFile) -> dict[str, str | None]:
    rel = f"{ff.year}/{ff.unit_id}/{ff.stem}.yml"
    date = settings.dates.get(rel)
    if not settings.repository:
        return {"blob": None, "history": None, "date": date}
    base = settings.repository.rstrip("/")
    path = f"{settings.content_prefix}/{rel}"
    return {"blob": f"{base}/blob/{settings.branch}/{path}", "history": f"{base}/commits/{settings.branch}/{path}", "date": date}


_KIND_LABELS = {"unit": "整体支出表", "project": "项目支出表"}


def used_layouts(years: list[YearPage]) -> list[dict[str, Any]]:
    """Return the layouts the published forms use, each with the kinds of form it is used for."""
    kinds: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    for year in years:
        for unit in year.units:
            forms = ([unit.form] if unit.form is not None else []) + [p.form for p in unit.projects]
            for form in forms:
                kinds.setdefault(form.layout.name, set()).add(form.kind)
                titles[form.layout.name] = form.layout.spec.title
    return [
        {"name": name, "title": titles[name], "kinds": [(k, _KIND_LABELS[k]) for k in _KIND_LABELS if k in kinds[name]]}
        for name in sorted(kinds)
    ]


# Meta descriptions (search engines' and link previews' summary of a page): names, year and amount.


def _amount(label: Optional[str], amount: Optional[Decimal], money_unit: str) -> str:
    return f"{(label or '年度资金总额').replace(' ', '')} {amount} {money_unit}" if amount is not None else ""


def home_description(years: list[YearPage], site_name: str) -> str:
    spans = "；".join(f"{y.year} 年度 {len(y.units)} 个预算单位、{y.project_count} 个项目" for y in years)
    return f"{site_name}：部门（单位）整体支出和项目支出绩效目标申报表" + (f"，{spans}。" if spans else "。")


def year_description(year: YearPage) -> str:
    total = year.totals().get("total")
    money = f"，整体支出合计 {total} {SUMMARY_UNIT}" if total is not None else ""
    return f"{year.year} 年度 {len(year.units)} 个预算单位、{year.project_count} 个项目公开的绩效目标申报表{money}。"


def unit_description(unit: UnitPage, year: Any) -> str:
    form = unit.form
    if form is None:
        return f"{unit.unit_name} {year} 年度 {len(unit.projects)} 张项目支出绩效目标申报表。"
    money = _amount(total_label(form), form.total, form.money_unit)
    return f"{unit.unit_name} {year} 年度{form.title}" + (f"：{money}" if money else "") + f"，{len(unit.projects)} 个项目。"


def project_description(unit: UnitPage, form: Form) -> str:
    money = _amount(total_label(form), form.total, form.money_unit)
    return f"{form.name}（{unit.unit_name}，{form.fiscal_year} 年度）{form.title}" + (f"：{money}。" if money else "。")


def render_home(years: list[YearPage], settings: Settings) -> str:
    return render_template(
        "home.md.j2",
        years=years,
        layouts=used_layouts(years),
        settings=settings,
        description=home_description(years, settings.site_name),
    )


#: Above this many projects a year page lists only this many, those with the most money: its HTML and the
#: reader's memory stay bounded (9,000 rows were 3 MB of HTML and 785 MB in Chromium); the unit pages,
#: the search and the year's data files have every project.
YEAR_PROJECTS_LIMIT = 2000


def listed_projects(rows: list[dict[str, Any]], limit: int | None = None) -> list[dict[str, Any]]:
    """Return the year page's project rows: all of them, or past the limit the largest amounts first."""
    limit = YEAR_PROJECTS_LIMIT if limit is None else limit
    if len(rows) <= limit:
        return rows
    return sorted(rows, key=lambda row: (row["amount"] is None, -(row["amount"] or 0)))[:limit]


def year_projects(year: YearPage) -> list[dict[str, Any]]:
    """Every project of the year: its unit, category, amount in 万元 and share of its unit's 年度资金总额."""
    rows = []
    for unit in year.units:
        whole = unit.form.total if unit.form is not None else None
        for page in unit.projects:
            total = page.form.total
            rows.append({
                "unit": unit,
                "page": page,
                "amount": in_summary_unit(total, page.form.money_unit),
                "share": percent(total, whole) if total is not None and whole else None,
            })  # fmt: skip
    return rows


def render_year(year: YearPage, settings: Settings) -> str:
    return render_template(
        "year.md.j2",
        year=year,
        totals=year.totals(),
        settings=settings,
        description=year_description(year),
        projects=listed_projects(year_projects(year)),
    )


def _project_rows(unit: UnitPage) -> list[dict[str, Any]]:
    whole = unit.form.total if unit.form is not None else None
    rows = []
    for page in unit.projects:
        total = page.form.total
        share = percent(total, whole) if total is not None and whole else None
        rows.append({"page": page, "total": total, "share": share})
    return rows


def total_label(form: Form) -> Optional[str]:
    """Return the short printed label of the form's total ("年度资金总额"), without its table's name."""
    where = form.spec.totals.get("total")
    if not where:
        return None
    path = tuple(where.split("."))
    label, table = cell_title(form.spec, path), cell_title(form.spec, path[:1])
    if label and table and label.startswith(table + " "):
        return label[len(table) + 1 :]
    return label


def _amount_label(forms: list[Form]) -> str:
    """The project list's amount column: the forms' own label for their total when they agree, else 金额."""
    labels = {total_label(f) for f in forms if f.total is not None}
    return (labels.pop() or "金额") if len(labels) == 1 else "金额"


def render_unit(unit: UnitPage, settings: Settings) -> str:
    form = unit.form
    composition = shares = None
    composition_table: list[tuple[str, Decimal, Decimal]] = []
    if form is not None:
        slices = [Slice(label, amount) for label, amount in composition_rows(form)]
        whole = form.total
        if slices and whole:
            composition = stacked_bar(
                "chart-composition", f"{form.unit_name} {form.fiscal_year} 年度预算构成", slices, form.money_unit
            )
            composition_table = [(s.label, s.amount, percent(s.amount, whole)) for s in slices]
        project_slices = [Slice(p.form.name, p.form.total) for p in unit.projects if p.form.total is not None]
        if project_slices and whole:
            shares = bar_list(
                "chart-projects",
                f"{form.unit_name} {form.fiscal_year} 年度各项目资金占单位预算比例",
                project_slices,
                whole,
                form.money_unit,
            )
    first = unit.projects[0].form if unit.projects else None
    project_rows = _project_rows(unit)
    year = form.fiscal_year if form is not None else (first.fiscal_year if first else "")
    listed = [r["total"] for r in project_rows if r["total"] is not None]
    whole = form.total if form is not None else None
    listed_share = percent(sum(listed, Decimal(0)), whole) if listed and whole else None
    gaps = without_project_forms(form, [p.form for p in unit.projects]) if form is not None and listed_share else []
    return render_template(
        "unit.md.j2",
        unit=unit,
        form=form,
        parts=part_views(form) if form is not None else [],
        year=year,
        description=unit_description(unit, year),
        listed_share=listed_share,
        gaps=gaps if listed_share != Decimal(100) else [],
        money_unit=next((f.money_unit for f in (form, first) if f is not None), SUMMARY_UNIT),
        composition=composition,
        composition_table=composition_table,
        shares=shares,
        categories=any(p.form.category for p in unit.projects),
        project_rows=project_rows,
        amount_label=_amount_label([p.form for p in unit.projects])
        if any(r["total"] is not None for r in project_rows)
        else None,
        source=_source_links(settings, unit.ff) if unit.ff is not None else None,
        settings=settings,
    )


def render_project(unit: UnitPage, project: ProjectPage, settings: Settings) -> str:
    form = project.form
    whole = unit.form.total if unit.form is not None else None
    total = form.total
    return render_template(
        "project.md.j2",
        unit=unit,
        project=project,
        form=form,
        parts=part_views(form),
        total=total,
        share=percent(total, whole) if total is not None and whole else None,
        description=project_description(unit, form),
        source=_source_links(settings, project.ff),
        settings=settings,
    )


def form_json(form: Form) -> str:
    """Return the form as JSON: amounts as exact strings, each indicator with its parsed value."""
    data: dict[str, Any] = {"form": form.kind, "layout": form.layout.name, "title": form.title}
    data.update(form.data.model_dump(mode="json", exclude_defaults=False))
    for ind in form.indicators:
        data[ind.part.name][ind.index]["parsed"] = ind.parsed.as_dict()
    # Compact: json's C encoder (indent= forces the pure-Python one, ~10x slower on big sites).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
