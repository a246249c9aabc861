"""Progress on a terminal for long steps; silent in CI logs and pipes (only the final summaries print)."""

from __future__ import annotations

import os
import sys
import time
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def enabled() -> bool:
    """Show progress only to a person watching a terminal."""
    return sys.stderr.isatty() and os.environ.get("CI") != "true"


def track(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """Yield `items`, redrawing `label n/total` on stderr at most ten times a second."""
    if not enabled() or total < 200:
        yield from items
        return
    shown = 0.0
    for count, item in enumerate(items, 1):
        now = time.monotonic()
        if now - shown > 0.1 or count == total:
            sys.stderr.write(f"\r{label} {count}/{total}")
            sys.stderr.flush()
            shown = now
        yield item
    sys.stderr.write("\r\033[K")
    sys.stderr.flush()
