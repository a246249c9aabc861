"""The rules one form must follow beyond its model: identity, money to the fen, the layout's sums, indicators.

Every rule reads the layout: which cells are money, which equations hold, which columns are targets,
operators and units, and which indicator taxonomy applies. Rules yield problems; they never raise.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Iterator, Optional

from generator.forms.form import Form, Indicator, acknowledgements, table_items
from generator.forms.layout import SumSpec, TablePart, cell_title, item_base, item_column, money_cell
from generator.forms.document import Document
from generator.forms.scalars import looks_like_date_serial
from generator.forms.targets import parse_indicator, unit_conflict, unit_only
from generator.forms.values import has_operator
from generator.problems import CODES, WARNING, Problem

if TYPE_CHECKING:
    from generator.forms.discover import FormFile

#: Project ids that would collide with generated pages or files.
RESERVED_IDS = {"unit", "index", "data", "assets", "search", "schema"}

_PLACEHOLDER = re.compile(r"XX|xx|Xx|××|ＸＸ|某某|\*\*|＊＊|…{2,}|待定|待填")
#: Web addresses are not placeholders, whatever letters they contain (xxgk, czxx …).
_URL = re.compile(r"https?://[^\s<>\"'`，。；、）]{1,500}")
#: Template hints printed next to level names ("产出指标（必填）"): not part of the name.
_HINT = re.compile(r"[（(](?:必填|选填|可选|必选)[)）]|\s+")
_YEARS = re.compile(r"((?:19|20|21)[0-9]{2})[^0-9]{1,12}((?:19|20|21)[0-9]{2})")


def fmt(amount: Optional[Decimal]) -> str:
    """Return an amount as written, blank cells as 空."""
    return "空" if amount is None else str(amount)


def form_problems(form: Form, doc: Document, ff: "FormFile") -> Iterator[Problem]:
    """Yield every problem of one form that its model alone cannot see."""
    yield from identity_problems(form, doc, ff)
    yield from money_problems(form, doc)
    yield from indicator_problems(form, doc)
    yield from field_problems(form, doc)
    yield from text_problems(form, doc)
    for scope, code in acknowledgements(form):
        if CODES.get(code, (None,))[0] != WARNING:
            warnings = "、".join(c for c, (lvl, _) in CODES.items() if lvl == WARNING)
            yield doc.problem(
                scope + ("acknowledge", code),
                "invalid-choice",
                f"只能确认警告，“{code}”不是警告代码；可确认：{warnings}",
                prefer_key=True,
            )


def identity_problems(form: Form, doc: Document, ff: "FormFile") -> Iterator[Problem]:
    expected = ff.unit_id if ff.kind == "unit" else ff.stem
    if form.id != expected:
        where = "所在目录名" if ff.kind == "unit" else "文件名"
        yield doc.problem(("id",), "id-mismatch", f"id“{form.id}”与{where}“{expected}”不一致（网址由 id 决定）")
    if form.id in RESERVED_IDS:
        what = "项目编号" if ff.kind == "project" else "单位编号（目录名）"
        yield doc.problem(("id",), "invalid-id", f"“{form.id}”是保留名称（网站用于数据下载等），请换一个{what}")
    if str(form.fiscal_year) != ff.year:
        yield doc.problem(("fiscal_year",), "year-mismatch", f"fiscal_year {form.fiscal_year} 与所在年度目录“{ff.year}”不一致")


# --------------------------------------------------------------------------- money


def money_problems(form: Form, doc: Document) -> Iterator[Problem]:
    for path, amount in form.money_cells():
        exponent = amount.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if decimals > form.money_decimals:
            yield doc.problem(
                path,
                "money-precision",
                f"金额 {amount} 有 {decimals} 位小数，超过允许的 {form.money_decimals} 位（{form.money_unit}）；请核对原表，确需更多位数时声明 money_decimals",
            )
    for table, data in form.tables():
        if data is None:
            continue
        for rule in table.sums:
            yield from _sum_problems(form, doc, table, data, rule)
        yield from _share_problems(doc, table, data)
    for form_sum in form.spec.sums:
        yield from _form_sum_problems(form, doc, form_sum.total, form_sum.parts)


def _form_sum_problems(form: Form, doc: Document, total_cell: str, cells: list[str]) -> Iterator[Problem]:
    """A form-level equation: a cell = the sum of cells and of item columns of other tables."""
    spec = form.spec
    total_path = money_cell(spec, total_cell)
    assert total_path is not None
    total = form.get(total_path)
    parts: list[tuple[str, Optional[Decimal]]] = []
    where: tuple[Any, ...] = total_path
    for cell in cells:
        path = money_cell(spec, cell)
        if path is not None:
            parts.append((cell_title(spec, path) or cell, form.get(path)))
            continue
        found = item_column(spec, cell)
        assert found is not None
        table, column = found
        rows = table_items(table, form.get((table.name,)))
        where = (table.name,)
        name_column = next((c.name for c in table.columns if c.type == "text"), None)
        for index, item in enumerate(rows):
            label = getattr(item, name_column) if name_column else None
            parts.append((label or f"第 {index + 1} 行", getattr(item, column)))
    if not parts or all(v is None for _, v in parts):
        return  # nothing declared on that side (an optional table left out)
    added = sum((v for _, v in parts if v is not None), Decimal(0))
    if (total or Decimal(0)) != added:
        shown = " + ".join(f"{name} {fmt(v)}" for name, v in parts[:12]) + (f" 等 {len(parts)} 项" if len(parts) > 12 else "")
        label = cell_title(spec, total_path) or total_cell
        yield doc.problem(where, "sum-mismatch", f"{shown} = {added} ≠ {label} {fmt(total)}（相差 {added - (total or 0):+}）")


def _label(spec: Any) -> str:
    return spec.short or spec.title


def _rows(table: TablePart, data: Any) -> list[tuple[tuple[Any, ...], str, Any]]:
    """Return (path below the table, label, row data) of the fixed rows present and the item rows."""
    fixed = [] if isinstance(data, list) else table.rows
    found = [((row.name,), _label(row), getattr(data, row.name)) for row in fixed if getattr(data, row.name) is not None]
    base = item_base(table)[1:]
    items = [(base + (index,), f"第 {index + 1} 行", item) for index, item in enumerate(table_items(table, data))]
    return items + found if table.items_first else found + items


def _sum_problems(form: Form, doc: Document, table: TablePart, data: Any, rule: SumSpec) -> Iterator[Problem]:
    """Check one equation of a table in every row or column it applies to."""
    rows = {r.name: r for r in table.rows}
    columns = {c.name: c for c in table.columns}
    checks: list[tuple[tuple[Any, ...], str, Optional[Decimal], list[tuple[str, Optional[Decimal]]], str]] = []
    if not table.columns:  # one value per row: 年度资金总额 = 财政拨款 + 其他资金
        total = getattr(data, rule.total)
        parts = [(_label(rows[name]), getattr(data, name)) for name in rule.parts]
        checks.append(((table.name, rule.total), _label(rows[rule.total]), total, parts, "total-mismatch"))
    elif rule.each == "row":  # in each row: 合计 = 财政资金 + 其他资金
        for below, row_label, row in _rows(table, data):
            parts = [(_label(columns[name]), getattr(row, name)) for name in rule.parts]
            label = f"{row_label}（{_label(columns[rule.total])}）"
            checks.append(((table.name, *below, rule.total), label, getattr(row, rule.total), parts, "total-mismatch"))
    else:  # in each money column: 年度资金总额 = 人员类 + 公用经费 + …
        whole = getattr(data, rule.total)
        if whole is None:
            return
        items = table_items(table, data)
        for column in table.columns:
            if column.type != "money":
                continue
            parts = []
            for name in rule.parts:
                if name == "items":
                    parts += [(f"第 {i + 1} 行", getattr(item, column.name)) for i, item in enumerate(items)]
                else:
                    row = getattr(data, name)
                    parts.append((_label(rows[name]), None if row is None else getattr(row, column.name)))
            label = f"{_label(rows[rule.total])}（{_label(column)}）"
            checks.append(((table.name, rule.total, column.name), label, getattr(whole, column.name), parts, "sum-mismatch"))
    for path, label, total, parts, code in checks:
        if total is None and all(v is None for _, v in parts):
            continue
        added = sum((v for _, v in parts if v is not None), Decimal(0))
        if (total or Decimal(0)) != added:
            shown = " + ".join(f"{name} {fmt(v)}" for name, v in parts[:12]) + (f" 等 {len(parts)} 项" if len(parts) > 12 else "")
            yield doc.problem(path, code, f"{label} {fmt(total)} ≠ {shown} = {added}（相差 {(total or 0) - added:+}）")


def _share_problems(doc: Document, table: TablePart, data: Any) -> Iterator[Problem]:
    """占比 columns: each row's share of the table's total row, to the precision printed."""
    shares = [c for c in table.columns if c.type == "percent" and c.share_of]
    if not shares:
        return
    whole_rows = [rule.total for rule in table.sums if rule.each == "column"]
    if not whole_rows or getattr(data, whole_rows[0]) is None:
        return
    whole = getattr(data, whole_rows[0])
    for column in shares:
        base = getattr(whole, column.share_of or "")
        if not base:
            continue
        for below, row_label, row in _rows(table, data):
            printed, amount = getattr(row, column.name), getattr(row, column.share_of or "")
            if printed is None or amount is None:
                continue
            number = printed.rstrip("%％")
            try:
                shown = Decimal(number)
            except InvalidOperation:
                continue
            exponent = shown.as_tuple().exponent
            places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
            exact = amount * 100 / base
            if abs(exact - shown) > Decimal(5) / Decimal(10) ** (places + 1):
                yield doc.problem(
                    (table.name, *below, column.name),
                    "percent-mismatch",
                    f"{row_label}{_label(column)} {printed} 与 {amount} ÷ {base} = {exact:.{places + 2}f}% 不符",
                )


# --------------------------------------------------------------------------- indicators


def _level(text: Optional[str]) -> str:
    return _HINT.sub("", text or "")


_TAXONOMIES: dict[int, tuple[Any, dict[str, list[str]], dict[str, frozenset[str]]]] = {}


def _taxonomy(part: Any) -> tuple[dict[str, list[str]], dict[str, frozenset[str]]]:
    """Return the part's taxonomy with hints stripped, and as sets (computed once per layout part)."""
    cached = _TAXONOMIES.get(id(part))
    if cached is None or cached[0] is not part:
        normal = {_level(k): [_level(x) for x in v] for k, v in part.taxonomy.items()}
        cached = _TAXONOMIES[id(part)] = (part, normal, {k: frozenset(v) for k, v in normal.items()})
    return cached[1], cached[2]


def indicator_problems(form: Form, doc: Document) -> Iterator[Problem]:
    for part, rows in form.indicator_parts():
        if part.required and not rows:
            yield doc.problem((part.name,), "empty-value", f"“{part.title}”没有任何指标")
    for ind in form.indicators:
        yield from _one_indicator(ind, doc)


def _taxonomy_message(taxonomy: dict[str, list[str]], level1: str, level2: str) -> Optional[str]:
    allowed = taxonomy.get(level1)
    if allowed is None:
        return f"一级指标“{level1}”不在本表样的指标体系中（{'、'.join(taxonomy)}）"
    if level2 not in allowed:
        owners = [name for name, children in taxonomy.items() if level2 in children]
        hint = f"；“{level2}”通常属于一级指标“{owners[0]}”" if owners else ""
        return f"二级指标“{level2}”不属于一级指标“{level1}”（应为：{'、'.join(allowed)}）{hint}"
    return None


_PLANS: dict[int, tuple[Any, "_Plan"]] = {}


class _Plan:
    """What the indicator rules need to know about one indicator table, worked out once."""

    def __init__(self, part: Any) -> None:
        self.names = [c.name for c in part.columns]
        self.level2 = next((c.name for c in part.columns if c.role == "level2"), None)
        self.targets = [c for c in part.columns if c.role == "target"]
        self.unit = next((c.name for c in part.columns if c.role == "unit"), None)
        self.operator = next((c.name for c in part.columns if c.role == "operator"), None)


def _plan(part: Any) -> _Plan:
    cached = _PLANS.get(id(part))
    if cached is None or cached[0] is not part:
        cached = _PLANS[id(part)] = (part, _Plan(part))
    return cached[1]


def _one_indicator(ind: Indicator, doc: Document) -> Iterator[Problem]:
    here = ind.path
    part, row = ind.part, ind.row
    plan = _plan(part)
    merged = list(row.merge or ())  # type: ignore[attr-defined]
    covered = set(merged[1:])
    if merged:
        positions = [plan.names.index(n) for n in merged]
        if len(merged) < 2 or positions != list(range(positions[0], positions[0] + len(merged))):
            yield doc.problem(
                here + ("merge",), "invalid-value", f"merge 应列出至少两个相邻的列（按原表顺序），如 {plan.names[-2:]}"
            )
        for name in merged[1:]:
            if getattr(row, name) not in (None, ""):
                yield doc.problem(
                    here + (name,), "invalid-value", f"“{name}”与“{merged[0]}”合并为一格，文字只写在“{merged[0]}”中"
                )
    if part.taxonomy and plan.level2 is not None:
        taxonomy, sets = _taxonomy(part)
        level1, level2 = ind.cell("level1") or "", getattr(row, plan.level2) or ""
        if level2 not in sets.get(level1, ()):  # the usual case needs no normalising
            message = _taxonomy_message(taxonomy, _level(level1), _level(level2))
            if message:
                yield doc.problem(here + (plan.level2,), "indicator-taxonomy", message)
    unit = getattr(row, plan.unit) if plan.unit else None
    for column in plan.targets:
        if column.name in covered:
            continue
        value = getattr(row, column.name)
        where = here + (column.name,)
        if value is None or not value.strip():
            if not column.optional:
                yield doc.problem(where, "empty-value", f"{_label(column)}为空")
            continue
        operator = has_operator(value)
        if not operator and unit is None and "%" not in value and "％" not in value:
            # The usual case (text, or a plain number with its unit): only the two cheap checks apply.
            if not value[0].isdigit() and unit_only(value, unit):
                yield doc.problem(where, "value-unit-only", f"{_label(column)}“{value}”只有单位，没有数值或文字描述")
            elif looks_like_date_serial(value.strip()) and "时效" in (ind.cell("level2") or ""):
                yield doc.problem(
                    where,
                    "date-serial",
                    f"{_label(column)}“{value}”像是 Excel 的日期序号（如 44561 = 2021-12-31），请照原表写成日期",
                )
            continue
        if unit_only(value, unit):
            yield doc.problem(where, "value-unit-only", f"{_label(column)}“{value}”只有单位，没有数值或文字描述")
            continue
        if looks_like_date_serial(value.strip()) and (
            "时效" in (ind.cell("level2") or "") or (unit or "").strip() in ("日期", "时间")
        ):
            yield doc.problem(
                where, "date-serial", f"{_label(column)}“{value}”像是 Excel 的日期序号（如 44561 = 2021-12-31），请照原表写成日期"
            )
        conflict = unit_conflict(value, unit)
        if conflict:
            yield doc.problem(
                where, "value-unit-conflict", f"{_label(column)}“{value}”的单位“{conflict}”与计量单位“{unit}”不一致"
            )
        parsed = parse_indicator(value, getattr(row, plan.operator) if plan.operator else None, unit)
        if parsed.kind == "text" and operator:
            yield doc.problem(where, "value-unparsed", f"{_label(column)}“{value}”以比较符号开头，但无法解析出数值（应如 ≥90%）")
        if parsed.unit == "%" and max(parsed.number or 0, parsed.upper or 0) > 100:
            yield doc.problem(where, "percent-over-100", f"{_label(column)}“{value}”超过 100%")


# --------------------------------------------------------------------------- fields and text


def field_problems(form: Form, doc: Document) -> Iterator[Problem]:
    for spec, value in form.fields():
        if not isinstance(value, str):
            continue
        if spec.type == "period":
            match = _YEARS.search(value)
            if match and int(match.group(1)) > int(match.group(2)):
                yield doc.problem((spec.name,), "invalid-value", f"{_label(spec)}“{value}”的结束年度早于起始年度")
        elif spec.type in ("text", "period") and looks_like_date_serial(value.strip()) and re.search("日期|时间|期", spec.title):
            yield doc.problem((spec.name,), "date-serial", f"{_label(spec)}“{value}”像是 Excel 的日期序号，请照原表写成日期")


def text_problems(form: Form, doc: Document) -> Iterator[Problem]:
    if doc.text and not _PLACEHOLDER.search(_URL.sub(" ", doc.text)):
        return  # the usual case: one scan of the file instead of a walk over every field
    for path, text in form.strings():
        match = _PLACEHOLDER.search(_URL.sub(" ", text))
        if match:
            yield doc.problem(path, "placeholder-text", f"疑似未填写的占位文字“{match.group()}”")
