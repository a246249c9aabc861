"""Which value an import takes when the visible sheet and the hidden `_data` sheet disagree.

An editor edits what they see: the visible cell wins. `_data` keeps, for every value that is shown, a digest of
the value as exported (`digest` column). So the import can tell the cases apart:

- visible = `_data`: nothing to decide;
- visible changed, `_data` as exported (its digest matches): the visible edit is taken and listed in the report;
- both changed to different values (the digest matches neither): a conflict, reported with both values;
- `_data` changed, visible as exported (the digest matches the visible value): the `_data` edit is taken;
- workbooks written before the digest column: the visible cell wins.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from generator.forms.scalars import MONEY_PATTERN

_MONEY_RE = re.compile(MONEY_PATTERN)
DIGEST_CHARS = 16


def value_digest(text: str) -> str:
    """The digest `_data` stores beside a shown value: sha256 of its text (a number as a plain decimal: 8.00 is 8)."""
    if _MONEY_RE.match(text):
        text = format(Decimal(text).normalize(), "f")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def same_value(a: str, b: str, want: str) -> bool:
    """Whether two cell texts are the same value (amounts and numbers compared as decimals: 8 = 8.00)."""
    if a == b:
        return True
    if want in ("money", "number") and _MONEY_RE.match(a) and _MONEY_RE.match(b):
        return Decimal(a) == Decimal(b)
    return False


@dataclass(frozen=True)
class Choice:
    text: str
    #: "visible" (the visible edit is taken), "data" (the `_data` edit is taken), "" (they agree)
    taken: str = ""
    conflict: Optional[str] = None


def choose(shown: str, data: str, digest: str, want: str) -> Choice:
    """Decide between the visible cell's text and `_data`'s, given the digest written at export ("" if none)."""
    if same_value(shown, data, want):
        return Choice(data)
    if not digest:  # an export from before the digest column: the editor's visible edit wins
        return Choice(shown, "visible")
    if value_digest(data) == digest:
        return Choice(shown, "visible")
    if value_digest(shown) == digest:
        return Choice(data, "data")
    return Choice(shown, conflict="both")
