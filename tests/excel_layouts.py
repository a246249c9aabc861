"""Layouts for the workbook tests beyond the sample's, and form data of any layout for property tests.

`RICH_LAYOUT` has what the sample does not: same-row and grouped fields, a ticked choice, column groups with
an optional column, an item table with a fixed 合计 row, two indicator tables (one optional, with a weight,
several targets, a choice column and a level column that is not merged down), 元 amounts.
`layout_registry(root)` writes a site with it and the corpus layouts; `form_data(layout, kind)` is a
hypothesis strategy for the data of any valid form of any layout (text as loaded from YAML).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from generator.forms.load import _FORBIDDEN
from generator.forms.registry import Registry, load_registry

ROOT = Path(__file__).resolve().parent.parent
CORPUS_LAYOUTS = ROOT / "tests" / "corpus" / "_layouts"
RICH = "rich-test"
RICH_LAYOUT = """\
title: 测试用表样（分组字段、列分组、明细合计、两张指标表）
money_unit: 元
unit:
  title: 单位整体支出绩效目标表
  subtitle: （{fiscal_year}年）
  parts:
    - fields:
        - {name: unit_name, title: 单位名称, required: true}
        - {name: unit_code, title: 单位编码, type: code, same_row: true}
        - {name: fiscal_year, title: 年度, type: year}
        - {name: staff, title: 编制人数, type: number, same_row: true}
    - table:
        name: income
        title: 收入预算（{money_unit}）
        corner: 收入项目
        columns:
          - {name: total, title: 合计, required: true}
          - {name: fiscal, title: 一般公共预算, group: 财政拨款}
          - {name: fund, title: 政府性基金, group: 财政拨款}
          - {name: other, title: 其他收入}
          - {name: note, title: 说明, type: text, optional: true}
        rows:
          - {name: total, title: 收入合计, required: true}
          - {name: basic, title: 基本支出, group: 按支出性质}
          - {name: project, title: 项目支出, group: 按支出性质}
        sums:
          - {each: row, total: total, parts: [fiscal, fund, other]}
    - fields:
        - {name: duty, title: 部门职能, type: longtext, group: 部门概况}
        - {name: plan, title: 年度工作计划, type: longtext, group: 部门概况}
        - {name: risk, title: 风险说明, type: longtext, optional: true}
    - indicators:
        name: goals
        title: 年度绩效指标
        columns:
          - {name: level1, title: 一级指标, role: level1, required: true}
          - {name: level2, title: 二级指标, role: level2, required: true}
          - {name: name, title: 三级指标, role: level3}
          - {name: value, title: 指标值, role: target}
          - {name: weight, title: 分值, role: weight, optional: true}
    - indicators:
        name: mid_goals
        title: 中期绩效指标
        required: false
        columns:
          - {name: level1, title: 一级指标, role: level1, required: true}
          - {name: level2, title: 二级指标, role: level2, merge_down: false}
          - {name: value, title: 指标值, role: target}
          - {name: mid, title: 中期指标值, role: target, optional: true}
          - {name: direction, title: 指标方向, role: direction, optional: true, choices: [正向, 反向]}
project:
  title: 项目支出绩效目标表
  totals: {total: sources.sum.amount}
  parts:
    - fields:
        - {name: name, title: 项目名称, required: true}
        - {name: unit_name, title: 预算单位, required: true}
        - {name: attribute, title: 项目属性, type: choice, choices: [新增项目, 延续项目], ticks: true}
        - {name: start, title: 开始日期, type: date, same_row: true}
        - {name: requested, title: 申请金额, type: money}
    - table:
        name: sources
        title: 资金来源（{money_unit}）
        items: true
        columns:
          - {name: source, title: 来源, type: text}
          - {name: amount, title: 金额, required: true}
          - {name: share, title: 占比, type: percent, share_of: amount}
        rows:
          - {name: sum, title: 合计}
        sums:
          - {each: column, total: sum, parts: [items]}
    - indicators:
        name: indicators
        title: 绩效指标
        columns:
          - {name: level1, title: 一级指标, role: level1, required: true}
          - {name: level2, title: 二级指标, role: level2, required: true}
          - {name: name, title: 三级指标, role: level3, required: true}
          - {name: value, title: 指标值, role: target}
"""


def layout_registry(root: Path) -> Registry:
    """Write a site at `root` with the rich layout and the corpus layouts (default: the sample's); return its layouts."""
    folder = root / "layouts"
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(CORPUS_LAYOUTS.glob("*.yml")):
        shutil.copy(path, folder / path.name)
    (folder / f"{RICH}.yml").write_text(RICH_LAYOUT, encoding="utf-8")
    shutil.copy(ROOT / "disclosure.yml", root / "disclosure.yml")
    registry = load_registry(root)
    assert registry.problems == [], [p.format() for p in registry.problems]
    return registry


# --------------------------------------------------------------------------- form data of any layout

_SPECIAL = list("=+-@\t\n '\"#:{}[]|>&*!%,?\\_x0041F中文指标值≥％—　") + ["_x0041_", "_x005F_", ": ", " #", "- ", "\n\n"]
_pieces = st.one_of(
    st.sampled_from(_SPECIAL),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
    st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")),
)
_PREFIX = st.sampled_from(
    ["", "", "", "=", "+", "-", "@", "\t", "'", "- ", "#", "0", "NO", "2025", "~", "null", " ", "|", "[]", "{}"]
)
text = st.tuples(_PREFIX, st.lists(_pieces, max_size=10).map("".join)).map("".join).map(lambda s: _FORBIDDEN.sub("", s))
required = text.filter(lambda s: s.strip() != "")
optional = st.one_of(st.just(""), text)
amount = st.one_of(
    st.sampled_from(["0.00", "99999999.99", "0", "0.01", "8.50"]),
    st.integers(0, 9_999_999_999).map(lambda c: str(c // 100) + "." + f"{c % 100:02d}"),
    st.integers(0, 99_999_999).map(str),
)
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
_BY_TYPE = {
    "money": amount, "number": amount, "year": st.sampled_from(["2025", "1999", "2100"]),
    "code": st.from_regex(r"[0-9A-Za-z][0-9A-Za-z._-]{0,8}", fullmatch=True),
    "date": st.sampled_from(["2025-02-10", "2025年2月10日", "2025.2.1", "2025/12/31"]),
    "percent": st.sampled_from(["35.2%", "100", "0％"]),
}  # fmt: skip


def _value(kind: str, needed: bool, choices: Any = None) -> st.SearchStrategy:
    if choices:  # a blank choice is an absent key
        return st.sampled_from(list(choices))
    base = _BY_TYPE.get(kind)
    if base is not None:
        return base if needed else st.one_of(st.just(""), base)
    return required if needed else optional


@st.composite
def _optional_keys(draw: Any, items: list[tuple[str, st.SearchStrategy, bool]]) -> dict[str, Any]:
    """Draw a mapping: required keys always, the others sometimes."""
    out = {}
    for key, strategy, needed in items:
        if needed or draw(st.booleans()):
            out[key] = draw(strategy)
    return out


def _row(columns: list[Any]) -> st.SearchStrategy:
    return _optional_keys([(c.name, _value(c.type, c.required), c.required or not c.optional) for c in columns])


def _table(table: Any) -> st.SearchStrategy:
    if not table.columns:
        return _optional_keys([(r.name, _value("money", r.required), r.required) for r in table.rows])
    items = st.lists(_row(table.columns), max_size=2)
    if table.items and not table.rows:
        return items
    fixed = [(r.name, _row(table.columns), r.required) for r in table.rows]
    if table.items:
        fixed.append(("items", items, True))
    return _optional_keys(fixed)


def _indicator(part: Any) -> st.SearchStrategy:
    cells = [(c.name, _value("number" if c.role == "weight" else "text", c.required, c.choices), c.required or c.role == "target")
             for c in part.columns]  # fmt: skip
    names = [c.name for c in part.columns]
    merge = st.sampled_from([None, names[-2:]])
    return st.tuples(_optional_keys(cells), merge).map(lambda t: {**t[0], **({"merge": t[1]} if t[1] else {})})


def form_data(layout: Any, kind: str) -> st.SearchStrategy:
    """A strategy for the data of a valid form (by the layout's model) of `layout`'s `kind` form."""
    spec = layout.form(kind)
    items: list[tuple[str, st.SearchStrategy, bool]] = [
        ("id", slug, True), ("fiscal_year", st.sampled_from(["2025", "2024", "1999"]), True),
        ("money_unit", st.sampled_from(["万元", "元"]), False),
    ]  # fmt: skip
    if kind == "project":
        items.append(("order", st.integers(1, 999_999).map(str), False))
    if spec.categories:
        items.append(("category", st.sampled_from([c.name for c in spec.categories]), True))
    for part in spec.parts:
        for field in part.fields or ():
            if field.name not in ("fiscal_year", "category"):
                needed = field.required or field.name in ("name", "unit_name")
                items.append((field.name, _value(field.type, needed, field.choices), needed))
        if part.table is not None:
            items.append((part.table.name, _table(part.table), not part.table.optional))
        if part.indicators is not None:
            items.append((part.indicators.name, st.lists(_indicator(part.indicators), max_size=3), part.indicators.required))
    items.append(
        (
            "source",
            st.fixed_dictionaries(
                {}, optional={"title": optional, "url": st.just("https://example.org/a?b=1"), "published": optional}
            ),
            False,
        )
    )
    return _optional_keys(items)
