"""Parse an indicator value as written (`≥90%`, `536人`, `3—5天`) into operator, number(s) and unit.

The text as written is what gets published; the parsed form is data for downloads and later features.
Qualitative text ("基本形成并不断完善优化") is kept as text and is not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Every spelling of a comparison seen in real forms, mapped to one canonical symbol.
_OPERATORS = {
    "≥": "≥",
    "≧": "≥",
    ">=": "≥",
    "＞=": "≥",
    ">＝": "≥",
    "＞＝": "≥",
    "不低于": "≥",
    "不少于": "≥",
    "≤": "≤",
    "≦": "≤",
    "<=": "≤",
    "＜=": "≤",
    "<＝": "≤",
    "＜＝": "≤",
    "不高于": "≤",
    "不超过": "≤",
    "=": "=",
    "＝": "=",
    ">": ">",
    "＞": ">",
    "大于": ">",
    "<": "<",
    "＜": "<",
    "小于": "<",
}
_OP = "|".join(sorted((re.escape(k) for k in _OPERATORS), key=len, reverse=True))
_NUM = r"[0-9]+(?:\.[0-9]+)?"  # ASCII digits only: Decimal would also accept ６ or ٦
# A unit is short text after the number: %, ‰, 人, 万元, 人次, 个, 天, 元/人年 ...
_UNIT = r"[%‰％]|[^\d\s，。；;,、（）()前后底内以]{1,8}"
_RANGE_SEP = r"(?:-|－|~|～|〜|—|–|至|到)"

# The text is stripped first and no two whitespace runs can border each other (a run is always followed by
# something that is not whitespace), so every pattern is linear: no input can make them backtrack for
# long (the old `\s*(unit)?\s*` took minutes on a value of 160,000 spaces).
_WITH_OP = re.compile(rf"(?P<op>{_OP})\s*(?P<num>{_NUM})(?:\s*(?P<unit>{_UNIT}))?$")
_PLAIN = re.compile(rf"(?P<num>{_NUM})(?:\s*(?P<unit>{_UNIT}))?$")
_RANGE = re.compile(rf"(?P<low>{_NUM})(?:\s*(?P<unit1>{_UNIT}))?\s*{_RANGE_SEP}\s*(?P<high>{_NUM})(?:\s*(?P<unit>{_UNIT}))?$")
_STARTS_WITH_OP = re.compile(rf"(?:{_OP})")


@dataclass(frozen=True)
class ParsedValue:
    """An indicator value split into parts; `kind` is "quantity", "range" or "text"."""

    kind: str
    operator: str | None = None
    number: Decimal | None = None
    upper: Decimal | None = None
    unit: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """Return the parts as text (Decimals as written), for JSON/CSV downloads."""
        return {
            "kind": self.kind,
            "operator": self.operator,
            "number": None if self.number is None else str(self.number),
            "upper": None if self.upper is None else str(self.upper),
            "unit": self.unit,
        }


TEXT = ParsedValue("text")


def _unit(text: str | None) -> str | None:
    if not text:
        return None
    return "%" if text == "％" else text


def parse_value(text: str) -> ParsedValue:
    """Return the parsed form of an indicator value; qualitative text gives kind "text"."""
    text = text.strip()
    match = _WITH_OP.match(text)
    if match:
        return ParsedValue("quantity", _OPERATORS[match["op"]], Decimal(match["num"]), None, _unit(match["unit"]))
    match = _PLAIN.match(text)
    if match:
        return ParsedValue("quantity", "=", Decimal(match["num"]), None, _unit(match["unit"]))
    match = _RANGE.match(text)
    if match:
        unit = _unit(match["unit"]) or _unit(match["unit1"])
        if match["unit1"] and match["unit"] and _unit(match["unit1"]) != _unit(match["unit"]):
            return TEXT
        low, high = Decimal(match["low"]), Decimal(match["high"])
        if low <= high:
            return ParsedValue("range", "range", low, high, unit)
    return TEXT


def has_operator(text: str) -> bool:
    """Return whether the text starts with a comparison (so it was meant to be a quantity)."""
    return bool(_STARTS_WITH_OP.match(text.lstrip()))
