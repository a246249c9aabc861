"""Indicator values as written -> operator, number(s), unit; anything else stays text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator.forms.values import ParsedValue, has_operator, parse_value

D = Decimal

TABLE = [
    # comparisons, in every spelling forms use
    ("≥90%", "quantity", "≥", "90", None, "%"),
    ("≧90%", "quantity", "≥", "90", None, "%"),
    (">=90%", "quantity", "≥", "90", None, "%"),
    ("＞＝90%", "quantity", "≥", "90", None, "%"),
    ("不低于90%", "quantity", "≥", "90", None, "%"),
    ("≥95％", "quantity", "≥", "95", None, "%"),
    ("≥ 90 %", "quantity", "≥", "90", None, "%"),
    ("≤5天", "quantity", "≤", "5", None, "天"),
    ("<=3次", "quantity", "≤", "3", None, "次"),
    ("≦3次", "quantity", "≤", "3", None, "次"),
    ("不超过3次", "quantity", "≤", "3", None, "次"),
    ("=100%", "quantity", "=", "100", None, "%"),
    ("＝100%", "quantity", "=", "100", None, "%"),
    (">0", "quantity", ">", "0", None, None),
    ("<3", "quantity", "<", "3", None, None),
    ("＜3个", "quantity", "<", "3", None, "个"),
    # plain quantities read as "="
    ("536人", "quantity", "=", "536", None, "人"),
    ("260万元", "quantity", "=", "260", None, "万元"),
    ("100%", "quantity", "=", "100", None, "%"),
    ("0.5‰", "quantity", "=", "0.5", None, "‰"),
    ("16.47", "quantity", "=", "16.47", None, None),
    ("8000元/人", "quantity", "=", "8000", None, "元/人"),
    # ranges
    ("80%-90%", "range", "range", "80", "90", "%"),
    ("80-90%", "range", "range", "80", "90", "%"),
    ("3—5天", "range", "range", "3", "5", "天"),
    ("3~5天", "range", "range", "3", "5", "天"),
    ("3至5天", "range", "range", "3", "5", "天"),
    # text: published as written, no numbers invented
    ("2025年底前", "text", None, None, None, None),
    ("2025年", "quantity", "=", "2025", None, "年"),
    ("基本形成并不断完善优化", "text", None, None, None, None),
    ("村（社区）工作积极性、主动性有效提高", "text", None, None, None, None),
    ("95%以上", "text", None, None, None, None),
    ("12个月内", "text", None, None, None, None),
    ("5-3天", "text", None, None, None, None),  # a range must go up
    ("80%-90天", "text", None, None, None, None),  # two different units
    ("服务对象满意度≥90%", "text", None, None, None, None),
    ("", "text", None, None, None, None),
    ("≥九成", "text", None, None, None, None),
    ("1e2", "text", None, None, None, None),
]


@pytest.mark.parametrize("text, kind, operator, number, upper, unit", TABLE, ids=[row[0] or "empty" for row in TABLE])
def test_parse_value(text, kind, operator, number, upper, unit):
    parsed = parse_value(text)
    assert (parsed.kind, parsed.operator, parsed.unit) == (kind, operator, unit)
    assert parsed.number == (None if number is None else D(number))
    assert parsed.upper == (None if upper is None else D(upper))
    for value in (parsed.number, parsed.upper):
        assert value is None or type(value) is Decimal
    if number is not None:
        assert str(parsed.number) == number  # exact, as written: never through float


def test_as_dict_keeps_the_digits():
    assert parse_value("≥16.50万元").as_dict() == {
        "kind": "quantity",
        "operator": "≥",
        "number": "16.50",
        "upper": None,
        "unit": "万元",
    }
    assert parse_value("80%-90%").as_dict()["upper"] == "90"
    assert parse_value("基本完成").as_dict() == {"kind": "text", "operator": None, "number": None, "upper": None, "unit": None}


def test_text_is_a_constant():
    assert parse_value("基本完成") == ParsedValue("text")


@pytest.mark.parametrize(
    "text, expected",
    [("≥九成", True), ("≥90%", True), (" >=x", True), ("不低于标准", True), ("95%以上", False), ("基本完成", False), ("", False)],
)
def test_has_operator(text, expected):
    assert has_operator(text) is expected


def test_only_ascii_digits_are_numbers():
    """Full-width or Arabic-Indic digits are kept as text (Decimal would silently accept them)."""
    assert parse_value("≥９０%").kind == "text"
    assert parse_value("٥٣٦人").kind == "text"
    assert parse_value("536人").number == Decimal("536")
