"""The value types of form fields: text arrives from YAML as text, and each type decides what it means.

Money becomes `Decimal` through a strict ASCII pattern and never passes through float. Every type has a
JSON Schema that says the same as its validator, so editors see the rule in their editor.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Optional

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

#: Plain ASCII amounts: no sign, no leading zeros, no exponent, no separators, at most 6 decimals
#: (the form's `money_decimals`, 2 by default, is checked by the rules).
MONEY_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$"
_MONEY_RE = re.compile(MONEY_PATTERN)
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_ID_RE = re.compile(ID_PATTERN)
YEAR_PATTERN = r"^(19|20|21)[0-9]{2}$"
_YEAR_RE = re.compile(YEAR_PATTERN)
#: Codes printed on forms (单位编码, 项目编码): digits, ASCII letters and a few separators.
CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$"
_CODE_RE = re.compile(CODE_PATTERN)
#: Percent cells as printed: 35.2% or 35.2 (the column says it is a share).
PERCENT_PATTERN = r"^(0|[1-9][0-9]{0,5})(\.[0-9]{1,6})?[%％]?$"
_PERCENT_RE = re.compile(PERCENT_PATTERN)
#: Dates as forms print them: 2025-02-10, 2025年2月10日, 2025年2月, 2025.02.10, 2025/2/10.
DATE_PATTERN = r"^(19|20|21)[0-9]{2}(-[01][0-9]-[0-3][0-9]|年[01]?[0-9]月([0-3]?[0-9]日)?|\.[01]?[0-9]\.[0-3]?[0-9]|/[01]?[0-9]/[0-3]?[0-9])$"
_DATE_RE = re.compile(DATE_PATTERN)
#: Excel stores dates as day numbers: 36526 is 2000-01-01, 73050 is 2100-01-01.
EXCEL_SERIALS = (36526, 73050)


def _text_input(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("wrong-type", "{what}应为单个值，而不是列表或映射", {"what": what})
    return value


def looks_like_date_serial(text: str) -> bool:
    """Return whether `text` is a bare number in the range Excel uses for dates (44561 = 2021-12-31)."""
    return text.isascii() and text.isdigit() and len(text) == 5 and EXCEL_SERIALS[0] <= int(text) < EXCEL_SERIALS[1]


def _money(value: Any) -> Optional[Decimal]:
    if isinstance(value, Decimal):  # built in code (tests, imports), already exact
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


def _number(value: Any) -> Optional[Decimal]:
    if isinstance(value, Decimal):
        return value
    text = _text_input(value, "数值")
    if text == "":
        return None
    if not _MONEY_RE.match(text):
        raise PydanticCustomError("invalid-value", "数值“{value}”格式错误：只允许半角数字和小数点，如 10 或 2.5", {"value": text})
    return Decimal(text)


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


def _pattern_text(pattern: re.Pattern[str], what: str, example: str, serial_hint: bool = False) -> Any:
    def check(value: Any) -> Optional[str]:
        text = _optional_text(value)
        if text is None or pattern.match(text):
            return text
        hint = "；这像是 Excel 的日期序号，请写成日期" if serial_hint and looks_like_date_serial(text) else ""
        raise PydanticCustomError(
            "invalid-value",
            "{what}“{value}”格式错误，应如 {example}{hint}",
            {"what": what, "value": text, "example": example, "hint": hint},
        )

    return check


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
Number = Annotated[Optional[Decimal], BeforeValidator(_number), WithJsonSchema(_MONEY_SCHEMA)]
Count = Annotated[int, BeforeValidator(_count), WithJsonSchema({"type": ["integer", "string"], "pattern": "^[1-9][0-9]{0,5}$"})]
Decimals = Annotated[
    int, BeforeValidator(_decimals), WithJsonSchema({"type": ["integer", "string"], "enum": [0, 1, 2, 3, 4, 5, 6]})
]


def is_blank(value: Any) -> bool:
    """Return whether a cell is empty (None or only whitespace)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _required_then(check: Any) -> Any:
    def validate(value: Any) -> Any:
        _required_text(value)
        return check(value)

    return validate


_CHECKS: dict[str, tuple[Any, dict[str, Any]]] = {
    "number": (_number, _MONEY_SCHEMA),
    "code": (_pattern_text(_CODE_RE, "编码", "51040101"), {"type": "string", "pattern": CODE_PATTERN}),
    "date": (
        _pattern_text(_DATE_RE, "日期", "2025-02-10 或 2025年2月10日", serial_hint=True),
        {"type": "string", "pattern": DATE_PATTERN},
    ),
    "percent": (_pattern_text(_PERCENT_RE, "比例", "35.2%"), {"type": "string", "pattern": PERCENT_PATTERN}),
}


def cell_type(kind: str, required: bool, choices: Optional[list[str]] = None) -> Any:
    """Return the annotation of a field or table cell of a layout type (text, money, choice …)."""
    from typing import Literal

    if kind == "money":
        return RequiredMoney if required else Money
    if kind == "choice":
        assert choices
        choice = Literal[tuple(choices)]  # type: ignore[valid-type]
        return choice if required else Optional[choice]
    if kind in _CHECKS:
        check, schema = _CHECKS[kind]
        python = Decimal if kind == "number" else str
        return Annotated[Optional[python], BeforeValidator(_required_then(check) if required else check), WithJsonSchema(schema)]
    if kind == "year":
        return Year if required else Optional[Year]
    return RequiredText if required else OptionalText  # text, longtext, period
