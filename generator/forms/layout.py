"""A layout (表样): one template family of printed forms, described as data.

A layout file says, for the whole-unit form (`unit`) and the project form (`project`) of one template,
what is printed and in which order: the title, header fields, money tables with the arithmetic that must
hold, free-text sections, the indicator table's columns under their printed labels, the indicator
taxonomy, and the rules that tie a unit's form to its project forms. Everything else is derived from
it: the form model and its JSON Schema, the pages, the workbooks, the data files, `new`, `diff` and the
YAML writer.

The classes below are the schema of the layout file itself (its JSON Schema is `layout.schema.json`);
`check_layout` adds the rules that span several entries (names that must exist, sums over money
columns, totals that point at money cells).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Iterator, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Machine names in layouts and content files: lower-case ASCII, digits and underscores.
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
#: Layout names (the file name without .yml): like form ids.
LAYOUT_NAME_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: The placeholders a printed title may use; anything else in braces is refused.
PLACEHOLDERS = ("fiscal_year", "money_unit")
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")

Name = Annotated[str, Field(pattern=NAME_PATTERN, description="机器名：小写英文字母开头，可含数字和下划线")]
Label = Annotated[str, Field(min_length=1, max_length=200, description="原表印刷的文字")]

#: Field types of header fields and free-text sections.
FIELD_TYPES = ("text", "longtext", "money", "number", "year", "period", "code", "choice", "date")
#: Cell types of table columns.
CELL_TYPES = ("money", "text", "number", "percent")
#: What an indicator column means, whatever its printed label.
ROLES = ("level1", "level2", "level3", "target", "operator", "unit", "weight", "direction", "nature", "text")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Spec):
    """A header field (label: value) or a free-text section."""

    name: Name = Field(description="字段名（内容文件中的键）")
    title: Label = Field(description="原表印刷的标签，如“项目名称”")
    short: Optional[Label] = Field(None, description="简称（图表、差异报告、数据表中使用），默认同标签")
    type: Literal["text", "longtext", "money", "number", "year", "period", "code", "choice", "date"] = Field(
        "text",
        description="类型：text 单行文字，longtext 段落，money 金额，number 数值，year 年度，period 期间，code 编码，choice 选项，date 日期",
    )
    required: bool = Field(False, description="必填（不能为空）")
    optional: bool = Field(False, description="原表没有此栏时不印出（为空时整行不显示）")
    choices: Optional[list[Label]] = Field(None, description="choice 类型的可选值，按原表顺序")
    ticks: bool = Field(False, description="choice 类型按原表印出全部选项并勾选（如“新增项目□ 延续项目√”）")
    group: Optional[Label] = Field(None, description="左侧合并的分组标签（如“项目概况”下的“立项依据”）")
    same_row: bool = Field(False, description="与上一个字段印在同一行（如“主管部门 | … | 实施单位 | …”）")
    same_cell: Optional[Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        None, description="与上一个字段印在同一格，以这段文字隔开（原表“年初职工人数: 14 人,人员编制: 9 人”的第二个字段写“,”）"
    )
    bare: bool = Field(False, description="只印内容、不印标签（原表这一格没有标签，如表格上方的“附件2-1”）；只用于 outside 部分")
    help: Optional[str] = Field(None, description="给填表人的说明（出现在新建表单的注释和 JSON Schema 中）")

    @model_validator(mode="after")
    def _choices_for_choice(self) -> "FieldSpec":
        if (self.type == "choice") != (self.choices is not None):
            raise ValueError("choice 类型必须列出 choices；其他类型不能有 choices")
        if self.ticks and self.type != "choice":
            raise ValueError("ticks 只用于 choice 类型")
        if self.required and self.optional:
            raise ValueError("required 和 optional 不能同时为 true")
        if self.same_cell is not None and self.same_row:
            raise ValueError("same_cell 和 same_row 不能同时写")
        return self


class ColumnSpec(_Spec):
    """A column of a table."""

    name: Name = Field(description="列名（内容文件中的键）")
    title: Label = Field(description="原表印刷的列标题")
    short: Optional[Label] = Field(None, description="简称，默认同列标题")
    type: Literal["money", "text", "number", "percent"] = Field("money", description="单元格类型")
    required: bool = Field(False, description="每一行的这一栏都必须填写")
    optional: bool = Field(False, description="所有行都为空时不印出这一列")
    group: Optional[Label] = Field(None, description="上方合并的列分组标题（如“预算金额”下的“财政拨款”）")
    share_of: Optional[Name] = Field(None, description="percent 列：本列是哪一金额列占合计行的比例（核对用）")


class RowSpec(_Spec):
    """A fixed row of a table, printed whether filled or not (unless optional)."""

    name: Name = Field(description="行名（内容文件中的键）")
    title: Label = Field(description="原表印刷的行标题，如“其中：财政拨款”")
    short: Optional[Label] = Field(None, description="简称（图表、差异报告中使用），如“财政拨款”")
    group: Optional[Label] = Field(None, description="左侧合并的分组标签（如“运转类项目支出”）")
    required: bool = Field(False, description="必须出现（一列表格：金额必须填写）")
    optional: bool = Field(False, description="原表有此行时才印出")


class SumSpec(_Spec):
    """One equation that must hold to the fen: total = sum of parts (blank cells count as 0)."""

    each: Optional[Literal["row", "column"]] = Field(
        None, description="row：每一行中 合计列 = 各分列；column：每一列中 合计行 = 各分行；一列表格不写"
    )
    total: Name = Field(description="合计的行名或列名")
    parts: list[Name] = Field(min_length=1, description="各分项的行名或列名；items 表示全部明细行")


class TablePart(_Spec):
    """A table: fixed rows, or a list of item rows (plus fixed rows such as 金额合计 after them)."""

    name: Name = Field(description="表格名（内容文件中的键）")
    title: Label = Field(description="表格标题，可含 {money_unit}，如“预算资金（{money_unit}）”")
    short: Optional[Label] = Field(None, description="简称（差异报告、数据表中使用），如“预算资金”")
    corner: Optional[Label] = Field(None, description="行标题上方的表头文字，如“项目”")
    columns: list[ColumnSpec] = Field(default_factory=list, description="列；不写则为一列金额（每行一个金额）")
    rows: list[RowSpec] = Field(default_factory=list, description="固定行，按原表顺序")
    items: bool = Field(False, description="有不定数量的明细行：没有固定行时，内容文件中直接写成列表；有固定行时写在 items 下")
    items_first: bool = Field(True, description="明细行印在固定行之前（固定行如“金额合计”在最后）")
    sums: list[SumSpec] = Field(default_factory=list, description="必须成立的合计关系")
    optional: bool = Field(False, description="整张表可不填（不填时不印出）")


class IndicatorColumn(_Spec):
    """A column of the indicator table: its printed label and what it means."""

    name: Name = Field(description="列名（内容文件中每条指标的键）")
    title: Label = Field(description="原表印刷的列标题，如“指标值（包含数字及文字描述）”")
    short: Optional[Label] = Field(None, description="简称，默认同列标题")
    role: Literal["level1", "level2", "level3", "target", "operator", "unit", "weight", "direction", "nature", "text"] = Field(
        description="含义：level1/level2/level3 一、二、三级指标；target 指标值（可有多列，如年度、中期）；operator 计算符号；"
        "unit 计量单位；weight 分值/权重；direction 指标方向；nature 指标性质（定量/定性）；text 其他文字（指标解释、评分标准、备注等）"
    )
    required: bool = Field(False, description="每条指标都必须填写")
    optional: bool = Field(False, description="所有指标都为空时不印出这一列")
    choices: Optional[list[Label]] = Field(None, description="允许的取值（如指标方向：正向、反向）")
    primary: bool = Field(
        False,
        description="（指标值列）有几列指标值时，以这一列为准：解析数值、数据下载的“指标值”、检查都用它；默认第一列指标值",
    )
    merge_down: Optional[bool] = Field(
        None, description="相邻相同的单元格向下合并为一格；默认一级、二级指标合并，其他列不合并（原表每行重复印出时写 false）"
    )

    @property
    def merges_down(self) -> bool:
        return self.merge_down if self.merge_down is not None else self.role in ("level1", "level2")


class IndicatorsPart(_Spec):
    """The indicator table (绩效指标): one row per indicator, level cells merged down as printed."""

    name: Name = Field(description="表格名（内容文件中的键），通常为 indicators")
    title: Label = Field(description="表格标题，如“绩效指标”“年度绩效指标”")
    short: Optional[Label] = Field(None, description="简称，默认同标题")
    columns: list[IndicatorColumn] = Field(min_length=2, description="列，按原表顺序")
    taxonomy: Optional[dict[Label, list[Label]]] = Field(
        None, description="指标体系：一级指标 → 允许的二级指标；不写则不检查归类"
    )
    required: bool = Field(True, description="至少要有一条指标")


class Part(_Spec):
    """One block of the printed form, in printed order: exactly one of fields, table, indicators."""

    fields: Optional[list[FieldSpec]] = Field(None, description="标签-内容行（表头字段或文字段落）")
    table: Optional[TablePart] = Field(None, description="金额或明细表格")
    indicators: Optional[IndicatorsPart] = Field(None, description="绩效指标表")
    outside: Optional[Literal["above", "here"]] = Field(
        None,
        description="（fields）不在表格里，印成表格外的一行文字：above 印在标题上方（如“附件2-1”），"
        "here 印在原位置（如表格上方的“填报单位(盖章):…”、表格下方的“填报人: 联系电话:”）",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> "Part":
        given = [k for k in ("fields", "table", "indicators") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("每一部分只能是 fields、table、indicators 之一")
        if self.outside is not None and self.fields is None:
            raise ValueError("outside 只用于 fields 部分")
        if self.fields is not None:
            if self.fields[0].same_cell is not None:
                raise ValueError("第一个字段不能写 same_cell（没有上一个字段）")
            if self.outside is None and any(f.bare for f in self.fields):
                raise ValueError("bare 只用于 outside 部分（表格里的每一格都有标签）")
        return self

    @property
    def kind(self) -> str:
        return "fields" if self.fields is not None else "table" if self.table is not None else "indicators"


class CategorySpec(_Spec):
    """A project category (项目类别) and the title its forms print."""

    name: Label = Field(description="类别名称，如“特定目标类”（内容文件 category 的取值）")
    title: Optional[Label] = Field(None, description="该类项目表印刷的标题；不写则用表的 title")
    project_forms: Literal["expected", "optional"] = Field(
        "expected", description="expected：单位表列有该类金额时应有项目表（否则警告）；optional：该类通常不公开项目表"
    )


class FormSum(_Spec):
    """An equation between cells of different tables or fields: total = sum of parts (blank counts as 0)."""

    total: str = Field(description="合计单元格，如 funding.total")
    parts: list[str] = Field(
        min_length=1, description="各分项单元格；明细表的一列写作 表名.列名（如 funding_sources.amount），计全部明细行"
    )


class FormSpec(_Spec):
    """One printed form of the template."""

    title: Label = Field(description="原表标题，如“项目支出绩效目标申报表”")
    subtitle: Optional[Label] = Field(
        "（{fiscal_year}年度）", description="标题下的一行，可含 {fiscal_year}、{money_unit}；写 null 或空白表示原表没有这一行"
    )
    required: bool = Field(False, description="（整体表）每个单位都必须有这张表")
    categories: list[CategorySpec] = Field(default_factory=list, description="（项目表）项目类别；不写则没有类别")
    totals: dict[Literal["total", "fiscal", "other", "carryover"], str] = Field(
        default_factory=dict,
        description="年度资金总额及其财政资金、其他资金、上年结转各在哪个单元格（如 budget.total.fiscal），用于年度汇总和数据下载",
    )
    parts: list[Part] = Field(min_length=1, description="各部分，按原表顺序")
    sums: list[FormSum] = Field(default_factory=list, description="跨表格的合计关系（如资金来源明细之和 = 年度资金总额）")

    @field_validator("subtitle", mode="before")
    @classmethod
    def _no_subtitle(cls, value: Any) -> Any:
        # Layout files are read without implicit typing: `subtitle: null`, `~` or a blank value mean "none".
        if isinstance(value, str) and value.strip() in ("", "null", "Null", "NULL", "~"):
            return None
        return value

    def part_names(self) -> Iterator[tuple[str, Part]]:
        for part in self.parts:
            if part.fields is not None:
                for spec in part.fields:
                    yield spec.name, part
            else:
                yield (part.table or part.indicators).name, part  # type: ignore[union-attr]


class CrossRule(_Spec):
    """Unit form cells that must equal the sum of its project forms' cells (checked where both exist)."""

    category: Optional[Label] = Field(None, description="只计这一类别的项目；不写则计全部项目")
    sums: dict[str, str] = Field(
        min_length=1, description="单位表单元格 → 项目表单元格，如 budget.personnel.total: funding.total"
    )
    expect_forms: bool = Field(False, description="单位表该项金额大于 0 而没有项目表时警告")


class SourceSpec(_Spec):
    """Where the template is known from."""

    title: Optional[Label] = Field(None, description="公开文件标题")
    url: Optional[Annotated[str, Field(pattern=r"^https?://[^\s<>\"'`]+$", max_length=500)]] = Field(None, description="网址")
    published: Optional[Label] = Field(None, description="公开日期")
    publisher: Optional[Label] = Field(None, description="发布单位")


class LayoutFile(_Spec):
    """A layout file: the forms of one template family."""

    title: Label = Field(description="表样名称，如“四川省攀枝花市 2025 年预算绩效目标申报表”")
    region: Optional[Label] = Field(None, description="适用地区或部门")
    description: Optional[str] = Field(None, description="说明")
    source: Optional[SourceSpec] = Field(None, description="表样来源（一份真实公开的表）")
    money_unit: Literal["万元", "元"] = Field("万元", description="默认金额单位")
    unit: Optional[FormSpec] = Field(None, description="部门（单位）整体支出绩效目标申报表；不写表示该表样没有整体表")
    project: Optional[FormSpec] = Field(None, description="项目支出绩效目标申报表")
    cross_form: list[CrossRule] = Field(default_factory=list, description="整体表与项目表之间的合计关系")

    @model_validator(mode="after")
    def _some_form(self) -> "LayoutFile":
        if self.unit is None and self.project is None:
            raise ValueError("表样至少要有 unit 或 project 之一")
        return self


Part.model_rebuild()


def fill(text: str, **values: Any) -> str:
    """Replace the known placeholders in a printed title (no format-string machinery)."""
    return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


# --------------------------------------------------------------------------- looking things up


def primary_target(part: IndicatorsPart) -> Optional[IndicatorColumn]:
    """Return the target column that counts (`primary: true`, else the first target column)."""
    targets = [c for c in part.columns if c.role == "target"]
    return next((c for c in targets if c.primary), targets[0] if targets else None)


def find_part(spec: FormSpec, name: str) -> Optional[Part]:
    """Return the part that holds the field or table `name`."""
    for found, part in spec.part_names():
        if found == name:
            return part
    return None


def field_spec(spec: FormSpec, name: str) -> Optional[FieldSpec]:
    part = find_part(spec, name)
    if part is None or part.fields is None:
        return None
    return next(f for f in part.fields if f.name == name)


def money_cell(spec: FormSpec, cell: str) -> Optional[tuple[str, ...]]:
    """Return the data path of a money cell written `table.row.column`, `table.row` or `field`, else None."""
    parts = tuple(cell.split("."))
    part = find_part(spec, parts[0])
    if part is None:
        return None
    if part.fields is not None:
        field = field_spec(spec, parts[0])
        return parts if len(parts) == 1 and field is not None and field.type == "money" else None
    table = part.table
    if table is None:
        return None
    rows = {r.name for r in table.rows}
    if not table.columns:
        return parts if len(parts) == 2 and parts[1] in rows else None
    money = {c.name for c in table.columns if c.type == "money"}
    return parts if len(parts) == 3 and parts[1] in rows and parts[2] in money else None


def item_column(spec: FormSpec, cell: str) -> Optional[tuple[TablePart, str]]:
    """Return (table, column) for `table.column` naming a money column of a table with item rows, else None."""
    parts = cell.split(".")
    part = find_part(spec, parts[0]) if len(parts) == 2 else None
    table = part.table if part is not None else None
    if table is None or not table.items:
        return None
    column = next((c for c in table.columns if c.name == parts[1] and c.type == "money"), None)
    return (table, parts[1]) if column is not None else None


def item_base(table: TablePart) -> tuple[str, ...]:
    """Return the data path of a table's item list: (table,) for a plain list, (table, "items") beside fixed rows."""
    return (table.name, "items") if table.rows else (table.name,)


def cell_title(spec: FormSpec, path: tuple[Any, ...]) -> Optional[str]:
    """Return the short printed label of a data path (`funding.fiscal` -> "财政拨款"), or None."""
    if not path:
        return None
    part = find_part(spec, str(path[0]))
    if part is None:
        return None
    if part.fields is not None:
        field = field_spec(spec, str(path[0]))
        return (field.short or field.title) if field else None
    if part.table is not None:
        table = part.table
        labels = [table.short or table.title]
        rest = list(path[1:])
        if rest and rest[0] == "items":
            rest = rest[1:]
        if rest and isinstance(rest[0], int):
            labels.append(f"第 {rest[0] + 1} 行")
            rest = rest[1:]
        elif rest:
            row = next((r for r in table.rows if r.name == rest[0]), None)
            if row is not None:
                labels.append(row.short or row.title)
                rest = rest[1:]
        if rest:
            column = next((c for c in table.columns if c.name == rest[0]), None)
            if column is not None:
                labels.append(column.short or column.title)
        return " ".join(labels)
    ind = part.indicators
    assert ind is not None
    labels = [ind.short or ind.title]
    if len(path) > 1 and isinstance(path[1], int):
        labels.append(f"第 {path[1] + 1} 条")
    if len(path) > 2:
        ind_column = next((c for c in ind.columns if c.name == path[2]), None)
        if ind_column is not None:
            labels.append(ind_column.short or ind_column.title)
    return " ".join(labels)
