"""Characters that content may not hold, by Unicode property rather than by a hand-written list.

Refused: C0/C1 controls other than tab and line feed; every format character (Cf: zero-width and
bidirectional controls, soft hyphen, tag characters, U+180E, U+206A–206F …); private use (Co); unassigned
code points and noncharacters (Cn); surrogates (Cs); line and paragraph separators (Zl, Zp); and the other
default-ignorable characters that render as nothing although their category says otherwise (Hangul
fillers, the combining grapheme joiner, Khmer inherent vowels, Mongolian variation selectors, and
variation selectors except U+FE0E/U+FE0F after a symbol or keycap base: emoji presentation).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
#: Default-ignorable code points whose category is not one of the above (DerivedCoreProperties.txt).
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)
#: Emoji presentation selectors, allowed right after a symbol (So) or a keycap base (0-9 # *).
_EMOJI_SELECTORS = frozenset({0xFE0E, 0xFE0F})
_KEYCAP_BASES = frozenset("0123456789#*")
_ALLOWED_CONTROLS = frozenset("\t\n")


def refused(ch: str) -> bool:
    """Return whether a character is never allowed on its own (emoji selectors need `forbidden_at`)."""
    if ch in _ALLOWED_CONTROLS:
        return False
    return unicodedata.category(ch) in _CATEGORIES or ord(ch) in _IGNORABLE


def forbidden_at(text: str, index: int) -> bool:
    """Return whether `text[index]` is refused where it stands."""
    ch = text[index]
    if ord(ch) in _EMOJI_SELECTORS and index > 0:
        before = text[index - 1]
        if before in _KEYCAP_BASES or unicodedata.category(before) == "So":
            return False
    return refused(ch)


def _safe_class() -> str:
    """A character class of the common blocks, split around every refused character in them."""
    blocks = [
        (0x20, 0x7E),
        (0xA0, 0x24F),
        (0x370, 0x52F),
        (0x2000, 0x2BFF),
        (0x3000, 0x33FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xF900, 0xFAFF),
        (0xFE30, 0xFE4F),
        (0xFF00, 0xFFEF),
    ]
    ranges: list[tuple[int, int]] = []
    for low, high in blocks:
        start = None
        for code in range(low, high + 2):
            ok = code <= high and not refused(chr(code)) and code not in _EMOJI_SELECTORS
            if ok and start is None:
                start = code
            elif not ok and start is not None:
                ranges.append((start, code - 1))
                start = None
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


#: Anything outside the common, fully checked blocks is a candidate; only candidates are looked up.
_SAFE = _safe_class()
_CANDIDATE = re.compile(f"[^\t\n{_SAFE}]")
#: The same, with tabs and line breaks too: what `escaped` rewrites for one-line output.
_UNPRINTABLE = re.compile(f"[^{_SAFE}]")


def find_forbidden(text: str) -> Iterator[int]:
    """Yield the index of every refused character in `text` (linear: one regex pass, then lookups)."""
    for match in _CANDIDATE.finditer(text):
        if forbidden_at(text, match.start()):
            yield match.start()


def first_forbidden(text: str) -> int | None:
    """Return the index of the first refused character, or None."""
    return next(find_forbidden(text), None)


def escaped(text: str) -> str:
    """Return `text` with line breaks, tabs and every refused character written as escapes (one safe line)."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    last = 0
    for match in _UNPRINTABLE.finditer(text):
        index = match.start()
        ch = text[index]
        if ch in named or forbidden_at(text, index):
            out.append(text[last:index])
            code = ord(ch)
            out.append(named.get(ch) or (f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"))
            last = index + 1
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


class _Match:
    """The part of `re.Match` callers use: where the character is and what it is."""

    def __init__(self, text: str, index: int) -> None:
        self.string, self._index = text, index

    def start(self) -> int:
        return self._index

    def group(self, *_: int) -> str:
        return self.string[self._index]


class ForbiddenCharacters:
    """`search`, `finditer` and `sub` like a compiled pattern, for the refused characters."""

    def finditer(self, text: str) -> Iterator[_Match]:
        return (_Match(text, index) for index in find_forbidden(text))

    def search(self, text: str) -> _Match | None:
        return next(self.finditer(text), None)

    def sub(self, repl: str, text: str) -> str:
        keep = list(text)
        for index in find_forbidden(text):
            keep[index] = repl
        return "".join(keep)


FORBIDDEN = ForbiddenCharacters()
