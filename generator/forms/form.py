"""A checked form: its data (the layout's model instance) together with its layout.

Every stage after validation reads forms through this class and the layout, never through field names
of its own: what a form prints, in which order and under which label is the layout's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterator, Optional

from pydantic import BaseModel

from generator.forms.layout import (
    FieldSpec,
    FormSpec,
    IndicatorsPart,
    Part,
    TablePart,
    fill,
    item_base,
    money_cell,
    primary_target,
)
from generator.forms.targets import parse_indicator
from generator.forms.values import ParsedValue

if TYPE_CHECKING:
    from generator.forms.registry import Layout

Path = tuple[Any, ...]
#: The totals every layout may point at, with the site's own labels (the year tables use them).
TOTAL_ROLES = {"total": "年度资金总额", "fiscal": "财政资金", "other": "其他资金", "carryover": "上年结转"}


@dataclass(frozen=True)
class Indicator:
    """One indicator row with where it is and what its target value means."""

    part: IndicatorsPart
    index: int
    row: BaseModel

    @property
    def path(self) -> Path:
        return (self.part.name, self.index)

    def cell(self, role: str) -> Optional[str]:
        """Return the text of the first column with `role` ("level1", "unit" …; for "target" the primary one)."""
        name = _role_columns(self.part).get(role)
        if name is None:
            return None
        value = getattr(self.row, name)
        return None if value is None else str(value)

    def targets(self) -> list[tuple[str, str]]:
        """Return (column name, text) of every target-value column (年度, 中期 …)."""
        return [(c.name, getattr(self.row, c.name) or "") for c in self.part.columns if c.role == "target"]

    @cached_property
    def parsed(self) -> ParsedValue:
        """Return the primary target value parsed, with the separate operator and unit columns applied."""
        return parse_indicator(self.cell("target") or "", self.cell("operator"), self.cell("unit"))


_ROLE_COLUMNS: dict[int, tuple[IndicatorsPart, dict[str, str]]] = {}


def _role_columns(part: IndicatorsPart) -> dict[str, str]:
    """Return role -> the first column with that role, the primary one for targets (computed once per layout part)."""
    cached = _ROLE_COLUMNS.get(id(part))
    if cached is None or cached[0] is not part:
        roles: dict[str, str] = {}
        for column in part.columns:
            roles.setdefault(column.role, column.name)
        primary = primary_target(part)
        if primary is not None:
            roles["target"] = primary.name
        cached = _ROLE_COLUMNS[id(part)] = (part, roles)
    return cached[1]


class Form:
    """A validated content file and its layout."""

    __slots__ = ("layout", "kind", "data", "__dict__")

    def __init__(self, layout: "Layout", kind: str, data: BaseModel) -> None:
        self.layout = layout
        self.kind = kind
        # The layout's model class is built at run time (forms.model), so its fields are not known statically.
        self.data: Any = data

    @property
    def spec(self) -> FormSpec:
        spec = self.layout.form(self.kind)
        assert spec is not None
        return spec

    # ---------------------------------------------------------------- system fields

    @property
    def id(self) -> str:
        return self.data.id

    @property
    def fiscal_year(self) -> int:
        return self.data.fiscal_year

    @property
    def unit_name(self) -> str:
        return self.data.unit_name

    @property
    def name(self) -> str:
        """Return the project name, or the unit name for a unit form."""
        return getattr(self.data, "name", None) or self.unit_name

    @property
    def category(self) -> Optional[str]:
        return getattr(self.data, "category", None)

    @property
    def order(self) -> Optional[int]:
        return getattr(self.data, "order", None)

    @property
    def money_unit(self) -> str:
        return self.data.money_unit

    @property
    def money_decimals(self) -> int:
        return self.data.money_decimals

    @property
    def source(self) -> Any:
        return self.data.source

    @property
    def acknowledge(self) -> dict[str, str]:
        return self.data.acknowledge

    @property
    def title(self) -> str:
        """Return the printed title: the file's own, its category's, or the layout's."""
        own = getattr(self.data, "title", None)
        if own:
            return str(own)
        for category in self.spec.categories:
            if category.name == self.category and category.title:
                return self.label(category.title)
        return self.label(self.spec.title)

    @property
    def subtitle(self) -> Optional[str]:
        text = self.spec.subtitle
        return None if text is None else self.label(text)

    def label(self, text: str) -> str:
        """Fill a layout label's placeholders for this form ("项目资金（{money_unit}）" -> "项目资金（万元）")."""
        return fill(text, money_unit=self.money_unit, fiscal_year=self.fiscal_year)

    # ---------------------------------------------------------------- values by path

    def get(self, path: Path) -> Any:
        """Return the value at a data path, or None where any step is missing."""
        node: Any = self.data
        for step in path:
            if node is None:
                return None
            if isinstance(step, int):
                node = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            elif isinstance(node, dict):
                node = node.get(step)
            else:
                node = getattr(node, step, None)
        return node

    def cell(self, name: str) -> Optional[Decimal]:
        """Return the amount of a money cell written as in the layout (`budget.total.fiscal`)."""
        path = money_cell(self.spec, name)
        return None if path is None else self.get(path)

    def totals(self) -> dict[str, Optional[Decimal]]:
        """Return the layout's totals (total, fiscal, other, carryover) that this form has."""
        return {role: self.cell(where) for role, where in self.spec.totals.items()}

    @property
    def total(self) -> Optional[Decimal]:
        """Return the form's 年度资金总额 (None where the layout or the form has none)."""
        where = self.spec.totals.get("total")
        return None if where is None else self.cell(where)

    # ---------------------------------------------------------------- parts

    def fields(self) -> Iterator[tuple[FieldSpec, Any]]:
        """Yield every printed field with its value, in printed order."""
        for part in self.spec.parts:
            for spec in part.fields or ():
                yield spec, self._field_value(spec)

    def _field_value(self, spec: FieldSpec) -> Any:
        return getattr(self.data, spec.name, None)

    def tables(self) -> Iterator[tuple[TablePart, Any]]:
        for part in self.spec.parts:
            if part.table is not None:
                yield part.table, getattr(self.data, part.table.name, None)

    def indicator_parts(self) -> Iterator[tuple[IndicatorsPart, list[BaseModel]]]:
        for part in self.spec.parts:
            if part.indicators is not None:
                yield part.indicators, list(getattr(self.data, part.indicators.name, None) or [])

    @cached_property
    def indicators(self) -> list[Indicator]:
        """Return every indicator of every indicator table, in printed order."""
        return [Indicator(part, index, row) for part, rows in self.indicator_parts() for index, row in enumerate(rows)]

    def parts(self) -> Iterator[Part]:
        return iter(self.spec.parts)

    # ---------------------------------------------------------------- walking

    def money_cells(self) -> Iterator[tuple[Path, Decimal]]:
        """Yield (path, amount) for every filled money cell: money fields and money table cells."""
        for spec, value in self.fields():
            if spec.type == "money" and value is not None:
                yield (spec.name,), value
        for table, data in self.tables():
            if data is None:
                continue
            money = [c.name for c in table.columns if c.type == "money"]
            for row in table.rows if not isinstance(data, list) else ():
                value = getattr(data, row.name)
                if value is None:
                    continue
                if not table.columns:
                    yield (table.name, row.name), value
                    continue
                for column in money:
                    amount = getattr(value, column)
                    if amount is not None:
                        yield (table.name, row.name, column), amount
            for index, item in enumerate(table_items(table, data)):
                for column in money:
                    amount = getattr(item, column)
                    if amount is not None:
                        yield item_base(table) + (index, column), amount

    def strings(self) -> Iterator[tuple[Path, str]]:
        """Yield (path, text) for every text value in the form (acknowledgement reasons excluded)."""
        yield from _strings(self.data, ())


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name != "acknowledge":
                yield from _strings(getattr(value, name), path + (name,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


def acknowledgements(form: Form) -> list[tuple[Path, str]]:
    """Return every acknowledged warning in the form as (scope path, code)."""
    found: list[tuple[Path, str]] = [((), code) for code in form.acknowledge]
    for ind in form.indicators:
        found += [(ind.path, code) for code in ind.row.acknowledge]  # type: ignore[attr-defined]
    for table, data in form.tables():
        for index, item in enumerate(table_items(table, data)):
            found += [(item_base(table) + (index,), code) for code in item.acknowledge]  # type: ignore[attr-defined]
    return found


def table_items(table: TablePart, data: Any) -> list[BaseModel]:
    """Return a table's item rows (empty for tables without them)."""
    if data is None or not table.items:
        return []
    return list(data if isinstance(data, list) else getattr(data, "items", None) or ())
