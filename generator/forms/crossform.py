"""Rules across forms: ids unique per year, one unit per folder, and the layout's unit = Σ projects sums.

A unit folder may hold a whole-unit form (unit.yml) and project forms, or project forms only (where
the layout does not require the unit form). The sums of the layout's `cross_form` rules are checked
only where both forms exist and follow that layout.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Iterator

from generator.forms.discover import UNIT_FILE, FormFile
from generator.forms.layout import CrossRule, cell_title, money_cell
from generator.forms.registry import Registry
from generator.forms.rules import fmt
from generator.problems import Problem

if TYPE_CHECKING:
    from generator.forms.registry import Layout


def cross_form_problems(files: list[FormFile], registry: Registry) -> Iterator[Problem]:
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
            yield from _without_unit(items, registry)
            continue
        unit_ff = units.get(where)
        if unit_ff is None:
            continue  # the unit form has its own errors; sums against it would only add noise
        unit = unit_ff.summary
        assert unit is not None
        mixed_units = False
        for ff in items:
            assert ff.summary is not None
            if ff.summary.unit_name != unit.unit_name:
                yield ff.problem(
                    ("unit_name",), "unit-mismatch", f"预算单位“{ff.summary.unit_name}”与单位整体表的“{unit.unit_name}”不一致"
                )
            if ff.summary.money_unit != unit.money_unit:
                mixed_units = True
                yield ff.problem(
                    ("money_unit",),
                    "unit-mismatch",
                    f"金额单位“{ff.summary.money_unit}”与单位整体表的“{unit.money_unit}”不一致，无法核对合计",
                )
        layout = registry.layouts.get(unit.layout)
        if layout is None or where in broken or mixed_units:
            continue
        for rule in layout.spec.cross_form:
            fitting = [ff for ff in items if ff.summary is not None and _fits(registry, ff.summary.layout, rule)]
            yield from _rule_problems(layout, rule, unit_ff, fitting)


def _fits(registry: Registry, name: str, rule: CrossRule) -> bool:
    """Return whether project forms of layout `name` have every project cell (and the category) the rule sums."""
    layout = registry.layouts.get(name)
    spec = layout.form("project") if layout else None
    if spec is None:
        return False
    if rule.category is not None and rule.category not in [c.name for c in spec.categories]:
        return False
    return all(money_cell(spec, cell) is not None for cell in rule.sums.values())


def _without_unit(items: list[FormFile], registry: Registry) -> Iterator[Problem]:
    """Project forms of a unit that published no whole-unit form: fine unless the layout requires one."""
    first = items[0]
    assert first.summary is not None
    for ff in items:
        assert ff.summary is not None
        layout = registry.layouts.get(ff.summary.layout)
        spec = layout.form("unit") if layout else None
        if spec is not None and spec.required:
            yield ff.problem(
                (),
                "missing-unit",
                f"目录 {ff.year}/{ff.unit_id}/ 中没有单位整体表 {UNIT_FILE}（表样“{ff.summary.layout}”要求每个单位都有整体表）",
            )
        if ff is not first and ff.summary.unit_name != first.summary.unit_name:
            yield ff.problem(
                ("unit_name",),
                "unit-mismatch",
                f"预算单位“{ff.summary.unit_name}”与同一目录中 {first.path} 的“{first.summary.unit_name}”不一致",
            )


def _rule_problems(layout: "Layout", rule: CrossRule, unit_ff: FormFile, items: list[FormFile]) -> Iterator[Problem]:
    unit = unit_ff.summary
    assert unit is not None
    unit_spec, project_spec = layout.form("unit"), layout.form("project")
    assert unit_spec is not None and project_spec is not None
    forms = [ff for ff in items if rule.category is None or (ff.summary and ff.summary.category == rule.category)]
    what = f"{rule.category}项目" if rule.category else "项目"
    if not forms:
        total_cell = project_spec.totals.get("total")
        first = next((u for u, p in rule.sums.items() if p == total_cell), next(iter(rule.sums)))
        declared = unit.cell(first)
        if rule.expect_forms and declared is not None and declared > 0:
            yield unit_ff.problem(
                tuple(first.split(".")),
                "missing-project-forms",
                f"单位表列有{what} {declared} {unit.money_unit}，但目录中没有{what}表",
            )
        return
    for unit_cell, project_cell in rule.sums.items():
        declared = unit.cell(unit_cell)
        amounts = [(ff, ff.summary.cell(project_cell) if ff.summary else None) for ff in forms]
        if declared is None and all(a is None for _, a in amounts):
            continue
        added = sum((a for _, a in amounts if a is not None), Decimal(0))
        if (declared or Decimal(0)) != added:
            listed = "、".join(f"{ff.summary.name if ff.summary else ff.stem} {fmt(a)}" for ff, a in amounts[:12])
            more = f" 等 {len(amounts)} 项" if len(amounts) > 12 else ""
            label = cell_title(unit_spec, tuple(unit_cell.split("."))) or unit_cell
            yield unit_ff.problem(
                tuple(unit_cell.split(".")),
                "project-sum-mismatch",
                f"{label}：{fmt(declared)} ≠ {len(forms)} 张{what}表之和 {added}（相差 {(declared or 0) - added:+}）：{listed}{more}",
            )
