"""The form schema: the one source of truth for validation, the JSON Schema and the page layout.

Two forms exist: the whole-unit form (部门（单位）整体支出绩效目标申报表, `UnitForm`) and the project form
(项目支出绩效目标申报表, `ProjectForm`). Field names are English; every field's description is the Chinese
label printed on the official form, shown to editors in their editor and in error messages.

Everything arrives as text (the loader does no implicit typing). Money becomes `Decimal` through a
strict ASCII pattern; it never passes through float.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, ClassVar, Iterator, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from generator.forms.values import ParsedValue, parse_value

#: Plain ASCII amounts: no sign, no leading zeros, no exponent, no separators, at most 6 decimals
#: (the form's `money_decimals`, 2 by default, is checked in validate.py).
MONEY_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$"
_MONEY_RE = re.compile(MONEY_PATTERN)
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_ID_RE = re.compile(ID_PATTERN)
YEAR_PATTERN = r"^(19|20|21)[0-9]{2}$"
_YEAR_RE = re.compile(YEAR_PATTERN)

CATEGORIES = ("人员类", "公用经费", "其他运转类", "特定目标类")
#: The page title of each category's project form, as printed.
FORM_TITLES = {c: f"{c}项目支出绩效目标申报表" for c in CATEGORIES}
UNIT_FORM_TITLE = "部门（单位）整体支出绩效目标申报表"


def _text_input(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("wrong-type", "{what}应为单个值，而不是列表或映射", {"what": what})
    return value


def _money(value: Any) -> Optional[Decimal]:
    if isinstance(value, Decimal):  # built in code (tests, Excel import), already exact
        return value
    text = _text_input(value, "金额")
    if text == "":
        return None  # a blank cell, published blank
    if not _MONEY_RE.match(text):
        raise PydanticCustomError(
            "money-format",
            "金额“{value}”格式错误：只允许半角数字和小数点，如 682.42（不要写单位、千分位、全角数字、正负号或前导零）",
            {"value": text},
        )
    return Decimal(text)


def _required_money(value: Any) -> Decimal:
    amount = _money(value)
    if amount is None:
        raise PydanticCustomError("missing-field", "金额不能为空", {})
    return amount


def _year(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text_input(value, "年度")
    if not _YEAR_RE.match(text):
        raise PydanticCustomError("invalid-year", "年度“{value}”应为四位数字年份，如 2025", {"value": text})
    return int(text)


def _slug(value: Any) -> str:
    text = _text_input(value, "编号")
    if not _ID_RE.match(text) or len(text) > 80:
        raise PydanticCustomError(
            "invalid-id",
            "编号“{value}”只能由小写英文字母、数字和连字符组成（如 cun-shequ-huanjie），最长 80 个字符",
            {"value": text},
        )
    return text


def _text(value: Any) -> str:
    return _text_input(value, "该字段")


def _required_text(value: Any) -> str:
    text = _text_input(value, "该字段")
    if not text.strip():
        raise PydanticCustomError("missing-field", "不能为空", {})
    return text


def _optional_text(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = _text_input(value, "该字段")
    return text if text.strip() else None


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text_input(value, "该字段")
    if not re.fullmatch(r"[1-9][0-9]{0,5}", text):
        raise PydanticCustomError("invalid-value", "“{value}”应为正整数", {"value": text})
    return int(text)


def _decimals(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text_input(value, "该字段")
    if not re.fullmatch(r"[0-6]", text):
        raise PydanticCustomError("invalid-value", "“{value}”应为 0 到 6 的整数（金额最多小数位数）", {"value": text})
    return int(text)


_MONEY_SCHEMA = {"type": ["number", "string"], "pattern": MONEY_PATTERN}

Money = Annotated[
    Optional[Decimal],
    BeforeValidator(_money),
    WithJsonSchema({**_MONEY_SCHEMA, "description": "金额，半角数字；空白表示原表该栏为空"}),
]
RequiredMoney = Annotated[Decimal, BeforeValidator(_required_money), WithJsonSchema(_MONEY_SCHEMA)]
Year = Annotated[int, BeforeValidator(_year), WithJsonSchema({"type": ["integer", "string"], "pattern": YEAR_PATTERN})]
Slug = Annotated[str, BeforeValidator(_slug), WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "maxLength": 80})]
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string"})]
RequiredText = Annotated[str, BeforeValidator(_required_text), WithJsonSchema({"type": "string", "minLength": 1})]
OptionalText = Annotated[Optional[str], BeforeValidator(_optional_text), WithJsonSchema({"type": "string"})]
Count = Annotated[int, BeforeValidator(_count), WithJsonSchema({"type": ["integer", "string"], "pattern": "^[1-9][0-9]{0,5}$"})]
Decimals = Annotated[int, BeforeValidator(_decimals), WithJsonSchema({"type": ["integer", "string"], "enum": [0, 1, 2, 3, 4, 5, 6]})]

#: Acknowledged warnings: problem code -> the editor's reason ("原表如此，照录").
Acknowledgements = dict[str, RequiredText]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)


class MoneyRow(_Strict):
    """One row of a money table: 合计 = 财政资金 + 其他资金 (+ 上年结转 where the form has it)."""

    total: RequiredMoney = Field(description="合计（年度资金总额）")
    fiscal: Money = Field(None, description="财政资金（财政拨款）")
    other: Money = Field(None, description="其他资金")
    carryover: Money = Field(None, description="上年结转（原表有此栏时填写）")

    def parts(self) -> list[tuple[str, str, Decimal]]:
        """Return the declared parts as (field, Chinese label, amount)."""
        out = []
        for name in ("fiscal", "other", "carryover"):
            amount = getattr(self, name)
            if amount is not None:
                out.append((name, MoneyRow.model_fields[name].description.split("（")[0], amount))
        return out


class FundingSource(_Strict):
    """A line of funding by source (一般公共预算、政府性基金、上年结转 …)."""

    name: RequiredText = Field(description="资金来源名称")
    amount: RequiredMoney = Field(description="金额")
    acknowledge: Acknowledgements = Field(default_factory=dict, description="已确认的警告：代码 → 理由")


class Source(_Strict):
    """Where the published form comes from."""

    title: OptionalText = Field(None, description="原始公开文件标题")
    url: Optional[Annotated[str, Field(pattern=r"^https?://[^\s<>\"'`]+$", max_length=500)]] = Field(
        None, description="原始公开文件网址（http/https）"
    )
    published: OptionalText = Field(None, description="原始文件公开日期，如 2025-02-10")


class Contact(_Strict):
    """项目负责人及电话."""

    name: OptionalText = Field(None, description="项目负责人")
    phone: OptionalText = Field(None, description="联系电话")


class Period(_Strict):
    """项目期 / 实施周期 (multi-year projects)."""

    start: Year = Field(description="起始年度")
    end: Year = Field(description="结束年度")


class _Indicator(_Strict):
    level1: RequiredText = Field(description="一级指标")
    level2: RequiredText = Field(description="二级指标")
    value: Text = Field(description="指标值（年度），原样照录，如 ≥90%、536人")
    medium_term_value: OptionalText = Field(None, description="中期（实施周期）指标值")
    nature: Optional[Literal["≥", "≤", "=", ">", "<", "定量", "定性"]] = Field(None, description="指标性质")
    measure_unit: OptionalText = Field(None, description="度量单位")
    weight: Money = Field(None, description="权重（分值）")
    direction: Optional[Literal["正向", "反向"]] = Field(None, description="指标方向")
    explanation: OptionalText = Field(None, description="指标解释")
    note: OptionalText = Field(None, description="备注")
    acknowledge: Acknowledgements = Field(default_factory=dict, description="已确认的警告：代码 → 理由")

    @cached_property
    def parsed(self) -> ParsedValue:
        """Return the value split into operator / number / unit where it can be."""
        return parse_value(self.value)


class UnitIndicator(_Indicator):
    """A row of the whole-unit form's indicator table (一级 → 二级 → 指标值; 三级 where a form has it)."""

    name: OptionalText = Field(None, description="三级指标（整体表通常没有）")


class ProjectIndicator(_Indicator):
    """A row of a project form's indicator table: 一级 / 二级 / 三级 → 指标值."""

    name: RequiredText = Field(description="三级指标")


class UnitBudget(_Strict):
    """预算资金: 年度资金总额 and its parts by category."""

    total: MoneyRow = Field(description="年度资金总额")
    personnel: MoneyRow = Field(description="其中：人员类项目支出")
    operating: Optional[MoneyRow] = Field(None, description="运转类项目支出（小计，原表有此行时填写）")
    public_funds: MoneyRow = Field(description="运转类项目支出：公用经费项目支出")
    other_operating: MoneyRow = Field(description="运转类项目支出：其他运转类项目支出")
    specific: MoneyRow = Field(description="特定目标类项目经费")


#: UnitBudget fields that hold the unit's amount for each project category.
CATEGORY_FIELDS = {
    "人员类": "personnel",
    "公用经费": "public_funds",
    "其他运转类": "other_operating",
    "特定目标类": "specific",
}


class _Form(_Strict):
    id: Slug = Field(description="编号：小写英文字母、数字和连字符，决定网址，定稿后不要修改")
    fiscal_year: Year = Field(description="预算年度")
    unit_name: RequiredText = Field(description="预算单位")
    department: OptionalText = Field(None, description="主管部门")
    money_unit: Literal["万元", "元"] = Field("万元", description="金额单位")
    money_decimals: Decimals = Field(2, description="金额最多小数位数（默认 2）")
    funding_sources: list[FundingSource] = Field(default_factory=list, description="资金来源明细（可选），合计须等于年度资金总额")
    source: Optional[Source] = Field(None, description="原始公开文件")
    acknowledge: Acknowledgements = Field(default_factory=dict, description="已确认的警告：代码 → 理由")

    def money_fields(self) -> Iterator[tuple[tuple[Any, ...], Decimal]]:
        """Yield (path, amount) for every amount in the form."""
        for index, source in enumerate(self.funding_sources):
            yield ("funding_sources", index, "amount"), source.amount
        for index, ind in enumerate(self.indicators):  # type: ignore[attr-defined]
            if ind.weight is not None:
                yield ("indicators", index, "weight"), ind.weight


def _row_money(path: tuple[Any, ...], row: "MoneyRow | None") -> Iterator[tuple[tuple[Any, ...], Decimal]]:
    if row is None:
        return
    for name in ("total", "fiscal", "other", "carryover"):
        amount = getattr(row, name)
        if amount is not None:
            yield path + (name,), amount


class UnitForm(_Form):
    """部门（单位）整体支出绩效目标申报表."""

    budget: UnitBudget = Field(description="预算资金")
    tasks: RequiredText = Field(description="年度主要任务及拟达到的目标")
    medium_term_tasks: OptionalText = Field(None, description="中期目标（原表有此栏时填写）")
    indicators: list[UnitIndicator] = Field(description="绩效指标")

    #: Not a field: files cannot set it.
    kind: ClassVar[str] = "unit"

    def money_fields(self) -> Iterator[tuple[tuple[Any, ...], Decimal]]:
        for name in UnitBudget.model_fields:
            yield from _row_money(("budget", name), getattr(self.budget, name))
        yield from super().money_fields()

    @property
    def title(self) -> str:
        return UNIT_FORM_TITLE


class ProjectForm(_Form):
    """项目支出绩效目标申报表."""

    name: RequiredText = Field(description="项目名称")
    category: Literal["人员类", "公用经费", "其他运转类", "特定目标类"] = Field(description="项目类别")
    order: Optional[Count] = Field(None, description="在单位项目列表中的序号（可选）")
    implementing_unit: OptionalText = Field(None, description="实施单位")
    attribute: Optional[Literal["新增", "延续"]] = Field(None, description="项目属性")
    period: Optional[Period] = Field(None, description="项目期（实施周期），多年项目填写")
    period_funding: Money = Field(None, description="实施期资金总额（多年项目）")
    contact: Optional[Contact] = Field(None, description="项目负责人及电话")
    funding: MoneyRow = Field(description="项目资金：年度资金总额 = 财政拨款 + 其他资金")
    goal: RequiredText = Field(description="总体目标（年度目标）")
    medium_term_goal: OptionalText = Field(None, description="中期目标（实施期目标）")
    indicators: list[ProjectIndicator] = Field(description="绩效指标")

    #: Not a field: files cannot set it.
    kind: ClassVar[str] = "project"

    def money_fields(self) -> Iterator[tuple[tuple[Any, ...], Decimal]]:
        yield from _row_money(("funding",), self.funding)
        if self.period_funding is not None:
            yield ("period_funding",), self.period_funding
        yield from super().money_fields()

    @property
    def title(self) -> str:
        return FORM_TITLES[self.category]


#: Chinese descriptions of the nested types (the class docstrings are for developers).
_TYPE_DESCRIPTIONS = {
    "MoneyRow": "金额行：合计 = 财政资金 + 其他资金（+ 上年结转）",
    "FundingSource": "资金来源明细（如一般公共预算、政府性基金、上年结转）",
    "Source": "原始公开文件",
    "Contact": "项目负责人及电话",
    "Period": "项目期（实施周期）",
    "UnitIndicator": "整体表的一条绩效指标：一级指标 → 二级指标 → 指标值",
    "ProjectIndicator": "项目表的一条绩效指标：一级 / 二级 / 三级指标 → 指标值",
    "UnitBudget": "预算资金：年度资金总额及按类别的分项",
}


def _chinese_titles(node: Any) -> None:
    """Use each property's Chinese label as its title (editors see titles on hover)."""
    if isinstance(node, dict):
        for prop in (node.get("properties") or {}).values():
            if isinstance(prop, dict) and prop.get("description"):
                prop["title"] = prop["description"].split("（")[0].split("：")[0]
        for value in node.values():
            _chinese_titles(value)
    elif isinstance(node, list):
        for value in node:
            _chinese_titles(value)


def json_schema(model: type[_Form]) -> dict[str, Any]:
    """Return the published JSON Schema of a form (Draft 2020-12), with Chinese titles and descriptions."""
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"].pop("kind", None)
    for name, definition in (schema.get("$defs") or {}).items():
        if name in _TYPE_DESCRIPTIONS:
            definition["title"] = definition["description"] = _TYPE_DESCRIPTIONS[name]
    _chinese_titles(schema)
    title = UNIT_FORM_TITLE if model.kind == "unit" else "项目支出绩效目标申报表"
    schema["title"] = schema["description"] = title
    return schema
