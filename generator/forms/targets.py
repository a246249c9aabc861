"""Indicator target values read together with the layout's separate operator and unit columns.

Some templates print `≥ | 95 | %` in three columns (计算符号, 目标值, 计量单位) instead of `≥95%` in one.
The parsed value combines them; what is published is still each cell as written.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from generator.forms.values import TEXT, ParsedValue, parse_value

#: Units that, written alone where a target value belongs, mean the value itself is missing.
COMMON_UNITS = frozenset(
    "% ％ ‰ 元 万元 亿元 人 人次 户 个 次 项 件 台 套 座 所 家 天 日 月 年 小时 公里 千米 米 平方米 亩 公顷 吨 册 份 场 期 批 篇 条 名 辆 处 分".split()
)
_DIGIT = re.compile(r"[0-9０-９]")


def _normal_unit(text: Optional[str]) -> Optional[str]:
    if text is None:
        return None
    text = text.strip()
    return {"％": "%"}.get(text, text) or None


#: Operator-column words beyond the symbols the value parser knows.
_WORDS = {"大于等于": "≥", "小于等于": "≤", "等于": "=", "不多于": "≤", "不小于": "≥", "不大于": "≤", "达到": "≥"}


def operator_symbol(text: Optional[str]) -> Optional[str]:
    """Return the canonical comparison (≥ ≤ = > <) written in an operator column, or None (定性, blank …)."""
    if not text or not text.strip():
        return None
    if text.strip() in _WORDS:
        return _WORDS[text.strip()]
    parsed = parse_value(text.strip() + "1")
    return parsed.operator if parsed.kind == "quantity" and parsed.unit is None else None


def parse_indicator(value: str, operator: Optional[str] = None, unit: Optional[str] = None) -> ParsedValue:
    """Return the target value parsed, taking the operator and unit from their own columns where given."""
    parsed = parse_value(value)
    if parsed.kind == "text":
        return TEXT
    symbol = operator_symbol(operator)
    if symbol is not None and parsed.operator == "=" and parsed.kind == "quantity":
        parsed = replace(parsed, operator=symbol)
    column_unit = _normal_unit(unit)
    if parsed.unit is None and column_unit is not None:
        parsed = replace(parsed, unit=column_unit)
    return parsed


def unit_only(value: str, unit: Optional[str] = None) -> bool:
    """Return whether a target value is only a unit (`公里`, `%`): the number itself is missing."""
    text = value.strip()
    if not text or _DIGIT.search(text):
        return False
    return text in COMMON_UNITS or (unit is not None and text == unit.strip())


def unit_conflict(value: str, unit: Optional[str]) -> Optional[str]:
    """Return the value's own unit when it differs from the unit column's (`28.8万元` under `%`), else None."""
    column_unit = _normal_unit(unit)
    if column_unit is None:
        return None
    own = parse_value(value).unit
    if own is None or own == column_unit:
        return None
    return own
