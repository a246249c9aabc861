"""The one escaping function for everything that reaches Markdown, HTML or SVG.

Text from content is untrusted (it arrives through pull requests). `escape_text` makes any string
render literally in every context our templates use it in: raw HTML blocks, Markdown paragraphs,
headings, pipe-table cells and link texts, YAML front matter values, and SVG text. It HTML-escapes and
also turns every ASCII punctuation character with a meaning in Markdown into a numeric character reference, so Markdown sees no
syntax at all (no `*`, `[`, `|`, `{:`, backslash or `<`), while browsers, search indexing and print show
the original characters. Line breaks become `<br>`, so content can never end a raw HTML block.

Per context, where `<br>` would be wrong: `escape_attr` (attribute values) and `escape_svg` (text inside
inline SVG: a `<br>` there makes the HTML parser leave SVG, and the rest of the chart renders as loose
text) write line breaks as spaces; both are still one line, so a raw HTML block cannot end either.
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

from markupsafe import Markup

#: Punctuation that means nothing to Markdown or HTML where our templates put content (content never
#: starts a line: breaks become <br>), kept readable in the generated Markdown.
_HARMLESS = set(".,%/;:()-+=?!@")
_TABLE = {ord(ch): f"&#{ord(ch)};" for ch in string.punctuation if ch not in _HARMLESS}
_TABLE[ord("\n")] = "<br>"
_TABLE[ord("\r")] = ""
_TABLE[ord("\t")] = " "


def escape_text(value: Any) -> str:
    """Return `value` as text that renders literally; `Markup` (built by our own code) passes through."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)  # digits and one "." only: safe, and kept readable in the Markdown
    return str(value).translate(_TABLE)


_ONE_LINE = dict(_TABLE)
_ONE_LINE[ord("\n")] = " "


def _one_line(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    return str(value).translate(_ONE_LINE)


def escape_attr(value: Any) -> str:
    """Return text for an HTML attribute value (same rules: no quote or `&` survives; breaks become spaces)."""
    return _one_line(value)


def escape_svg(value: Any) -> str:
    """Return text for SVG `<text>` and `<title>`: escaped like everything else, no tag at all (breaks become spaces)."""
    return _one_line(value)
