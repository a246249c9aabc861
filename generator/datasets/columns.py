"""The columns of the per-year data tables, derived from the layouts used that year.

Every table starts with columns every form has (year, ids, layout, title, names, money unit, the layout's
totals …) and then has one column per field of every layout used that year, united by name: header
fields and sections under their own names, fixed table cells as `<table>_<row>[_<column>]`, indicator
columns under their names. A layout value the common columns already hold (the unit name, a total) is not
repeated; a layout name that clashes with a common column of another meaning gets the prefix `field_`.
Amounts are exact decimal text with an integer `<column>_fen` beside them. Labels are the layout's short
labels; descriptions its printed labels, and `layouts` says which layouts have the column.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Optional

from generator.excel.formdata import FieldPath
from generator.forms.form import TOTAL_ROLES
from generator.forms.layout import FormSpec, IndicatorsPart, cell_title, fill, money_cell, primary_target

if TYPE_CHECKING:
    from generator.forms.registry import Layout

#: Column kinds: text | int | money (exact decimal text) | fen (amount × 100) | decimal (a number kept as text).
KINDS = ("text", "int", "money", "fen", "decimal")
#: Column kind of each layout type (fields, table cells); anything else is text.
_KIND_OF_TYPE = {"money": "money", "number": "decimal", "year": "int"}
CLASH_PREFIX = "field_"


@dataclass(frozen=True)
class Column:
    """One column of a data table."""

    name: str
    label: str
    kind: str = "text"
    description: str = ""
    #: The layouts that have this column (empty for the columns every form has).
    layouts: tuple[str, ...] = ()
    #: Width in the year workbook (Excel units).
    width: float = 12


@dataclass
class Table:
    """A data table: its columns, and its rows with where each row's values come from."""

    name: str
    sheet: str
    label: str
    columns: list[Column]
    #: The columns that make a row unique.
    key: tuple[str, ...] = ()
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: per row: the form it comes from (content-relative path) and its money_decimals
    forms: list[tuple[str, int]] = field(default_factory=list)
    #: per row: column -> data path of the value in that form (for the `_data` cross-check)
    paths: list[dict[str, FieldPath]] = field(default_factory=list)

    def add(self, rel: str, decimals: int, values: dict[str, Any], paths: dict[str, FieldPath]) -> None:
        self.rows.append(values)
        self.forms.append((rel, decimals))
        self.paths.append(paths)


def fen(amount: Optional[Decimal]) -> Optional[int]:
    """Amount × 100 as an integer, or None when that is not a whole number."""
    if amount is None:
        return None
    scaled = amount * 100
    return int(scaled) if scaled == scaled.to_integral_value() else None


def money(name: str, label: str, description: str = "", layouts: tuple[str, ...] = ()) -> list[Column]:
    """An amount column and its `_fen` twin."""
    text = description or label
    return [
        Column(name, label, "money", f"{text}：精确十进制文本（金额单位见 money_unit）", layouts, 14),
        Column(
            f"{name}_fen",
            f"{label}（×100 整数）",
            "fen",
            f"{text} × 100 的整数（金额单位的百分之一）；小数超过 2 位时为空",
            layouts,
            14,
        ),
    ]


# --------------------------------------------------------------------------- columns every form has

_SOURCE = [
    (Column("source_title", "原始公开文件", width=24), ("source", "title")),
    (Column("source_url", "原始文件网址", width=30), ("source", "url")),
    (Column("source_published", "原始文件公开日期"), ("source", "published")),
]
_FILES = [
    Column("file", "源文件", description="content/ 中的 YAML 文件", width=48),
    Column("page", "网页", description="网站中的页面路径", width=40),
]


def _totals() -> list[Column]:
    return [c for role, label in TOTAL_ROLES.items() for c in money(role, label, f"表样规定的{label}")]


def unit_head() -> list[Column]:
    return [
        Column("year", "年度", "int", "预算年度"),
        Column("unit_id", "单位编号", description="单位编号（网址中的名称）", width=24),
        Column("layout", "表样", description="表单所用表样的名称", width=20),
        Column("title", "表名", description="原表标题", width=30),
        Column("unit_name", "预算单位", width=28),
        Column("money_unit", "金额单位", description="万元 或 元"),
        *_totals(),
        Column("project_count", "项目表数", "int", "本单位公开的项目支出绩效目标申报表数"),
        Column("indicator_count", "指标数", "int", "整体表中的绩效指标条数"),
    ]


def project_head() -> list[Column]:
    return [
        Column("year", "年度", "int", "预算年度"),
        Column("unit_id", "单位编号", width=24),
        Column("project_id", "项目编号", width=26),
        Column("order", "序号", "int", "在单位项目列表中的序号"),
        Column("layout", "表样", description="表单所用表样的名称", width=20),
        Column("title", "表名", description="原表标题（按项目类别）", width=30),
        Column("name", "项目名称", width=30),
        Column("unit_name", "预算单位", width=28),
        Column("category", "项目类别", description="表样规定的项目类别"),
        Column("money_unit", "金额单位", description="万元 或 元"),
        *_totals(),
        Column("indicator_count", "指标数", "int", "项目表中的绩效指标条数"),
    ]


def tail() -> list[Column]:
    return [c for c, _ in _SOURCE] + _FILES


def common_paths(spec: FormSpec, kind: str) -> dict[str, FieldPath]:
    """Return column -> data path of the common columns that are one value of a form verbatim."""
    paths: dict[str, FieldPath] = {"year": ("fiscal_year",), "title": ("title",), "unit_name": ("unit_name",),
                                   "money_unit": ("money_unit",)}  # fmt: skip
    if kind == "project":
        paths.update({"project_id": ("id",), "order": ("order",), "name": ("name",), "category": ("category",)})
    else:
        paths["unit_id"] = ("id",)
    for role, where in spec.totals.items():
        path = money_cell(spec, where)
        if path is not None:
            paths[role] = path
    paths.update({c.name: path for c, path in _SOURCE})
    return paths


# --------------------------------------------------------------------------- layout columns


@dataclass(frozen=True)
class LayoutField:
    """A value of a layout that becomes a column: its name, kind, labels and where it is in the form."""

    name: str
    kind: str
    label: str
    description: str
    path: FieldPath
    width: float = 16


def layout_fields(layout: "Layout", spec: FormSpec) -> list[LayoutField]:
    """Return the header fields, sections and fixed table cells of a form of the layout, in printed order."""
    out: list[LayoutField] = []
    unit = layout.spec.money_unit
    for part in spec.parts:
        if part.fields is not None:
            for f in part.fields:
                width = 50 if f.type == "longtext" else 16
                out.append(LayoutField(f.name, _KIND_OF_TYPE.get(f.type, "text"), f.short or f.title, f.title, (f.name,), width))
        elif part.table is not None and part.table.rows:
            table = part.table
            printed = fill(table.title, money_unit=unit)
            for row in table.rows:
                if not table.columns:
                    path: FieldPath = (table.name, row.name)
                    out.append(LayoutField("_".join(path), "money", cell_title(spec, path) or "", f"{printed} {row.title}", path))
                    continue
                for column in table.columns:
                    path = (table.name, row.name, column.name)
                    kind = _KIND_OF_TYPE.get(column.type, "text")
                    out.append(
                        LayoutField(
                            "_".join(path), kind, cell_title(spec, path) or "", f"{printed} {row.title} {column.title}", path
                        )
                    )
    return out


def indicator_fields(part: IndicatorsPart) -> list[LayoutField]:
    """Return the columns of an indicator table, under their names."""
    return [
        LayoutField(
            c.name, "decimal" if c.role == "weight" else "text", c.short or c.title, f"{part.title}：{c.title}", (c.name,), 18
        )
        for c in part.columns
    ]


@dataclass
class Union:
    """Layout columns of one table united by name across layouts, and where each layout keeps each one."""

    head: list[Column]
    fields: dict[str, LayoutField] = field(default_factory=dict)
    layouts: dict[str, list[str]] = field(default_factory=dict)
    #: (layout, column name) -> path of the value (in the form, or in an indicator row)
    sources: dict[tuple[str, str], FieldPath] = field(default_factory=dict)

    def add(self, layout: str, item: LayoutField, covered: bool) -> None:
        """Add a layout's field; `covered`: a common column already holds this very value."""
        if covered:
            return
        taken = {c.name for c in self.head} | {f"{c.name}_fen" for c in self.head}
        name = CLASH_PREFIX + item.name if item.name in taken or f"{item.name}_fen" in taken else item.name
        known = self.fields.get(name)
        if known is None:
            self.fields[name] = replace(item, name=name)
            self.layouts[name] = [layout]
        else:
            kind = known.kind if known.kind == item.kind else "text"  # different types in two layouts: kept as text
            labels = known.label if item.label in known.label.split(" / ") else f"{known.label} / {item.label}"
            described = (
                known.description
                if item.description in known.description.split("；")
                else f"{known.description}；{item.description}"
            )
            self.fields[name] = replace(known, kind=kind, label=labels, description=described, width=max(known.width, item.width))
            if layout not in self.layouts[name]:
                self.layouts[name].append(layout)
        self.sources[(layout, name)] = item.path

    def columns(self, tail: Iterable[Column] = ()) -> list[Column]:
        out = list(self.head)
        for name, item in self.fields.items():
            layouts = tuple(self.layouts[name])
            if item.kind == "money":
                out += money(name, item.label, item.description, layouts)
            else:
                out.append(Column(name, item.label, item.kind, item.description, layouts, item.width))
        return out + list(tail)


def form_union(layouts: list["Layout"], kind: str) -> Union:
    """Unite the layout columns of the `kind` forms of the layouts (values the common columns hold left out)."""
    union = Union(unit_head() if kind == "unit" else project_head())
    for layout in layouts:
        spec = layout.form(kind)
        if spec is None:
            continue
        held = set(common_paths(spec, kind).values())
        for item in layout_fields(layout, spec):
            union.add(layout.name, item, item.path in held)
    return union


#: The indicator columns every row has; level and value columns by role.
ROLE_COLUMNS = {"level1": "level1", "level2": "level2", "level3": "level3"}


def indicator_head() -> list[Column]:
    return [
        Column("year", "年度", "int"),
        Column("unit_id", "单位编号", width=24),
        Column("form", "表单", description="unit（整体表）或 project（项目表）"),
        Column("form_id", "表单编号", description="整体表为单位编号，项目表为项目编号", width=26),
        Column("form_name", "表单名称", description="项目名称；整体表为预算单位名称", width=28),
        Column("layout", "表样", width=20),
        Column("table_name", "指标表", description="指标表在表样中的名称（一张表单可有多张指标表）"),
        Column("seq", "序号", "int", "指标在其指标表中的顺序（从 1 起）"),
        Column("level1", "一级指标", description="含义为一级指标（level1）的列", width=14),
        Column("level2", "二级指标", description="含义为二级指标（level2）的列", width=16),
        Column("level3", "三级指标", description="含义为三级指标（level3）的列", width=24),
        Column("value", "指标值", description="第一列指标值（target），原样照录", width=40),
        Column("kind", "解析类型", description="quantity（数量）/ range（区间）/ text（文字）"),
        Column("operator", "比较符号", description="≥ ≤ = > < 或 range"),
        Column("number", "数值", "decimal", "解析出的数值（区间的下限），精确十进制文本"),
        Column("upper", "上限", "decimal", "区间的上限"),
        Column("value_unit", "单位", description="解析出的单位，如 %、人、万元"),
    ]


def indicator_union(forms: list[tuple["Layout", str]]) -> Union:
    """Unite the indicator columns of every indicator table of the (layout, kind) forms."""
    union = Union(indicator_head())
    for layout, kind in forms:
        spec = layout.form(kind)
        for part in (p.indicators for p in (spec.parts if spec else ()) if p.indicators is not None):
            primary = primary_target(part)
            first_target = primary.name if primary is not None else None
            for column, item in zip(part.columns, indicator_fields(part)):
                same = ROLE_COLUMNS.get(column.role) == column.name or (column.name == "value" and column.name == first_target)
                union.add(layout.name, item, same)
    return union


CELLS_COLUMNS = [
    Column("year", "年度", "int"),
    Column("unit_id", "单位编号", width=24),
    Column("form", "表单", description="unit（整体表）或 project（项目表）"),
    Column("form_id", "表单编号", width=26),
    Column(
        "path", "字段路径", description="值在表单中的位置，如 funding.total、indicators[0].value（与内容文件的键一致）", width=30
    ),
    Column("label", "字段", description="表样印刷的标签（简称）", width=30),
    Column("value", "值", description="原样照录的文本；金额为精确十进制文本", width=50),
    Column(
        "type",
        "类型",
        description="表样规定的类型：text、longtext、money、number、year、choice、date、code、period、percent、count",
    ),
    Column("fen", "金额（×100 整数）", "fen", "金额类型的值 × 100 的整数；其他类型为空", width=14),
]


def cell_column(table: Table, spec: FormSpec, kind: str, path: FieldPath) -> Optional[str]:
    """Return the money column of `table` holding a form's cell at `path` (a common total or a layout column)."""
    names = {c.name for c in table.columns if c.kind == "money"}
    for name, held in common_paths(spec, kind).items():
        if held == path and name in names:
            return name
    own = "_".join(str(p) for p in path)
    return next((n for n in (own, CLASH_PREFIX + own) if n in names), None)
