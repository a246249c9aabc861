"""Inline SVG charts drawn by the generator: no JavaScript, no CDN, they print and work offline.

Every chart is paired with a table on the page (the accessible alternative); the SVG itself carries
a <title> and is hidden from screen readers' tab order by `role="img"` + `aria-labelledby`. All text in a
chart goes through `escape_svg` (never `escape_text`, whose `<br>` would end the SVG in an HTML page).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup

from generator.site.escape import escape_svg

#: Colour-blind-safe palette (Okabe–Ito), readable when printed in grey too.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")


@dataclass(frozen=True)
class Slice:
    label: str
    amount: Decimal


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """Return part/whole in percent with one decimal, exact rounding (half up); 0 when whole is 0."""
    if not whole:
        return Decimal("0.0")
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def stacked_bar(chart_id: str, title: str, slices: list[Slice], unit: str) -> Markup:
    """Return one horizontal 100 % bar split into slices, with a legend below it."""
    slices = [s for s in slices if s.amount > 0]
    whole = sum((s.amount for s in slices), Decimal(0))
    width, bar_h, row_h = 640, 28, 22
    height = bar_h + 16 + row_h * len(slices)
    parts = [
        f'<svg class="chart-svg" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape_svg(title)}</title>',
    ]
    x = Decimal(0)
    for index, s in enumerate(slices):
        w = (s.amount * width / whole) if whole else Decimal(0)
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{bar_h}" fill="{colour}" stroke="#fff" stroke-width="1">'
            f"<title>{escape_svg(s.label)}：{s.amount} {escape_svg(unit)}（{percent(s.amount, whole)}%）</title></rect>"
        )
        x += w
    for index, s in enumerate(slices):
        y = bar_h + 16 + row_h * index
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="0" y="{y - 12}" width="14" height="14" fill="{colour}"/>')
        parts.append(
            f'<text x="22" y="{y}" font-size="14">{escape_svg(s.label)}　{s.amount} {escape_svg(unit)}'
            f"（{percent(s.amount, whole)}%）</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_list(chart_id: str, title: str, slices: list[Slice], whole: Decimal, unit: str) -> Markup:
    """Return one bar per item, length proportional to its share of `whole`."""
    width, label_w, row_h = 640, 250, 26
    height = row_h * max(len(slices), 1)
    bar_space = width - label_w - 130
    top = max((s.amount for s in slices), default=Decimal(0))
    parts = [
        f'<svg class="chart-svg" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape_svg(title)}</title>',
    ]
    for index, s in enumerate(slices):
        y = row_h * index
        w = (s.amount * bar_space / top) if top else Decimal(0)
        label = s.label if len(s.label) <= 16 else s.label[:15] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" font-size="13" text-anchor="end">'
            f"<title>{escape_svg(s.label)}</title>{escape_svg(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{max(w, Decimal(1)):.2f}" height="{row_h - 9}" '
            f'fill="{PALETTE[0]}"><title>{escape_svg(s.label)}</title></rect>'
        )
        parts.append(
            f'<text x="{label_w + w + 6:.2f}" y="{y + 18}" font-size="13">{s.amount}（{percent(s.amount, whole)}%）</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
