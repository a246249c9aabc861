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


#: Drawing width of every chart (SVG user units). The SVG is shown at this size and shrinks to fit a
#: narrow column: a phone's content column is about 356 px, so FONT x 356 / WIDTH stays >= 12 px there.
WIDTH = 400
FONT = 15
LINE = 19


def _text_width(text: str) -> float:
    """Return the estimated width of `text` in em: Han and full-width characters 1 em, the rest 0.6 em."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in text)


def wrap(text: str, width_em: float) -> list[str]:
    """Split `text` into lines no wider than `width_em` (estimated); never drops a character."""
    lines, line = [], ""
    for ch in text:
        if line and _text_width(line + ch) > width_em:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line or not lines else lines


def _lines(x: float, y: float, lines: list[str], extra: str = "") -> str:
    """Return one <text> whose lines are <tspan>s, the first on baseline `y`."""
    spans = "".join(f'<tspan x="{x}" dy="{0 if i == 0 else LINE}">{escape_svg(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text x="{x}" y="{y}" font-size="{FONT}"{extra}>{spans}</text>'


def _open(chart_id: str, title: str, height: int) -> list[str]:
    return [
        f'<svg class="chart-svg" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape_svg(title)}</title>',
    ]


def stacked_bar(chart_id: str, title: str, slices: list[Slice], unit: str) -> Markup:
    """Return one horizontal 100 % bar split into slices, with a legend below it (full labels, wrapped)."""
    slices = [s for s in slices if s.amount > 0]
    whole = sum((s.amount for s in slices), Decimal(0))
    bar_h, gap = 28, 8
    legends = [wrap(f"{s.label}　{s.amount} {unit}（{percent(s.amount, whole)}%）", (WIDTH - 24) / FONT) for s in slices]
    height = bar_h + gap + sum(LINE * len(lines) + 6 for lines in legends)
    parts = _open(chart_id, title, height)
    x = Decimal(0)
    for index, s in enumerate(slices):
        w = (s.amount * WIDTH / whole) if whole else Decimal(0)
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{bar_h}" fill="{colour}" stroke="#fff" stroke-width="1">'
            f"<title>{escape_svg(s.label)}：{s.amount} {escape_svg(unit)}（{percent(s.amount, whole)}%）</title></rect>"
        )
        x += w
    y = bar_h + gap + FONT
    for index, lines in enumerate(legends):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="0" y="{y - 12}" width="14" height="14" fill="{colour}"/>')
        parts.append(_lines(22, y, lines))
        y += LINE * len(lines) + 6
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_list(chart_id: str, title: str, slices: list[Slice], whole: Decimal, unit: str) -> Markup:
    """Return one bar per item, length proportional to its share of `whole`; each full name above its bar."""
    bar_h, amount_w = 14, 130
    bar_space = WIDTH - amount_w
    top = max((s.amount for s in slices), default=Decimal(0))
    labels = [wrap(s.label, WIDTH / FONT) for s in slices]
    height = max(sum(LINE * len(lines) + bar_h + 14 for lines in labels), LINE)
    parts = _open(chart_id, title, height)
    y = FONT
    for s, lines in zip(slices, labels):
        w = (s.amount * bar_space / top) if top else Decimal(0)
        parts.append(_lines(0, y, lines))
        bar_y = y + LINE * (len(lines) - 1) + 6
        parts.append(
            f'<rect x="0" y="{bar_y}" width="{max(w, Decimal(1)):.2f}" height="{bar_h}" '
            f'fill="{PALETTE[0]}"><title>{escape_svg(s.label)}</title></rect>'
        )
        parts.append(
            f'<text x="{w + 6:.2f}" y="{bar_y + bar_h - 2}" font-size="{FONT}">{s.amount}（{percent(s.amount, whole)}%）</text>'
        )
        y = bar_y + bar_h + 14 + FONT
    parts.append("</svg>")
    return Markup("".join(parts))
