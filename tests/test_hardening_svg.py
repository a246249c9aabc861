"""Issue 12, finding 7: a line break (or any markup) in a name cannot break the inline SVG charts.

`escape_text` writes line breaks as `<br>`, right for Markdown and HTML but fatal inside `<svg>`: the HTML
parser leaves SVG at `<br>` and the rest of the chart renders as loose text. Charts escape per context.
"""

from __future__ import annotations

import re
from decimal import Decimal

from generator.site.charts import Slice, bar_list, stacked_bar
from generator.site.escape import escape_svg

HOSTILE = "项目\n第二行\r\n<br>*x* [a](b) & \"q\" 'q' </text></svg><script>alert(1)</script>\t{: .x}"
SVG_TAGS = {"svg", "title", "rect", "text", "tspan"}


def charts() -> list[str]:
    slices = [Slice(HOSTILE, Decimal("1.5")), Slice("b\nc", Decimal("2")), Slice("plain", Decimal("3"))]
    return [str(stacked_bar("c1", HOSTILE, slices, "万\n元")), str(bar_list("c2", HOSTILE, slices, Decimal("6.5"), "万元"))]


def test_hardening_chart_text_holds_no_markup():
    for svg in charts():
        assert "\n" not in svg and "\r" not in svg
        tags = {name.lower() for name in re.findall(r"</?([A-Za-z][A-Za-z0-9-]*)", svg)}
        assert tags <= SVG_TAGS, tags - SVG_TAGS
        assert svg.count("<svg") == 1 and svg.endswith("</svg>")


def test_hardening_escape_svg_is_one_line_and_literal():
    assert escape_svg("a\nb\r\nc\td") == "a b c d"
    assert "<" not in escape_svg(HOSTILE) and ">" not in escape_svg(HOSTILE)
    assert escape_svg(None) == "" and escape_svg(Decimal("1.50")) == "1.50"
