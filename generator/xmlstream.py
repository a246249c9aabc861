"""Stream XML through expat with no DTD: no entity can be declared, expanded or fetched (entity bombs, XXE).

Used before a library builds a tree of an untrusted document's XML: workbook parts (excel.safety) and Word
parts (importing.zipsafe). The caller says what to raise, so each keeps its own problem type and message.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol
from xml.parsers import expat

CHUNK = 64 * 1024


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def stream_without_dtd(
    fh: Readable,
    dtd_refused: Callable[[], BaseException],
    malformed: Callable[[expat.ExpatError], BaseException],
    start: Optional[Callable[..., Any]] = None,
    namespace_separator: Optional[str] = None,
) -> None:
    """Parse `fh` to its end; raise `dtd_refused()` at any DTD or entity declaration, `malformed(error)` on bad XML.

    `start`, when given, is expat's StartElementHandler (a caller that counts or bounds elements).
    """
    parser = expat.ParserCreate(namespace_separator=namespace_separator)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: Any) -> None:
        raise dtd_refused()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    if start is not None:
        parser.StartElementHandler = start
    try:
        while True:
            chunk = fh.read(CHUNK)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
    except expat.ExpatError as exc:
        raise malformed(exc) from None
