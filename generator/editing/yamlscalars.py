"""One YAML scalar or key, written plain where every YAML reader reads it back as the same text.

Amounts, numbers and years are written plain when they have the model's exact form; any other text is
quoted wherever a plain scalar would be read differently (by our loader or by other YAML tools: `'2025'`
in a text field, `'-'`, `'on'`). Invisible characters are always written as escapes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Optional

import yaml

from generator.forms.scalars import MONEY_PATTERN, YEAR_PATTERN

_MONEY_RE = re.compile(MONEY_PATTERN)
YEAR_RE = re.compile(YEAR_PATTERN)
_COUNT_RE = re.compile(r"^[1-9][0-9]{0,5}$|^[0-6]$")
#: Characters PyYAML cannot read unescaped (its reader's NON_PRINTABLE set).
_NON_PRINTABLE = re.compile("[^\x09\x0a\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Characters the loader refuses in content (controls, zero-width and bidirectional marks): always escaped.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\ufff9-\ufffb]"
)
_PLAIN_FIRST_BAD = set("-?:,[]{}#&*!|>'\"%@` \t")
KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
#: What YAML 1.2 tools (the editor's schema check) read as a number, a boolean or null (PyYAML reads YAML 1.1).
_YAML12_IMPLICIT = re.compile(
    r"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)"
    r"|\.(nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$"
)
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def needs_escapes(text: str) -> bool:
    """Whether `text` holds characters that only a double-quoted scalar can carry (as escapes)."""
    return bool(_NON_PRINTABLE.search(text) or _INVISIBLE.search(text))


def _needs_double(text: str) -> bool:
    return bool(_NON_PRINTABLE.search(text) or _INVISIBLE.search(text) or "\n" in text or "\\" in text)


def double_quoted(text: str) -> str:
    """Double-quoted: exact for any text (JSON escapes are YAML escapes); invisible characters escaped."""
    out = json.dumps(text, ensure_ascii=False)
    out = _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text[0] in _PLAIN_FIRST_BAD or _needs_double(text):
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return False
    if flow and any(c in text for c in ",[]{}"):
        return False
    if not text.isascii():
        return True  # YAML's implicit types (bool, null, numbers, dates) are all ASCII
    if _YAML12_IMPLICIT.match(text):
        return False
    try:  # other YAML tools (the editor's schema check) must read it as text too
        loaded = yaml.load(f"k: {text}", Loader=_SafeLoader)
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == text


def scalar(text: str, kind: Optional[str] = None, flow: bool = False) -> str:
    """Return `text` as a one-line YAML scalar (plain where that reads back the same).

    `kind` is the value's type in the layout: money, number, year or count values are written plain when
    they match the model's pattern (other YAML tools read them as numbers, which the schema allows).
    """
    if text == "":
        return ""
    if kind in ("money", "number") and _MONEY_RE.match(text):
        return text
    if kind == "year" and YEAR_RE.match(text):
        return text
    if kind == "count" and _COUNT_RE.match(text):
        return text
    if plain_ok(text, flow):
        return text
    if _needs_double(text):
        return double_quoted(text)
    return _single(text)


def yaml_key(key: Any) -> str:
    """Return a mapping key as written (plain for machine names)."""
    key = str(key)
    return key if KEY_RE.match(key) and plain_ok(key, False) else double_quoted(key)


def display_width(text: str) -> int:
    """Return the width of `text` in a terminal or editor (CJK characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
