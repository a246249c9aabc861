"""The published JSON Schemas: one per layout and form kind, plus the schema of layout files themselves.

Files: `schema/layout.schema.json` and `schema/<layout>/<unit|project>.schema.json`. Content files point
at theirs in their first line (`# yaml-language-server: $schema=../../../schema/<layout>/<kind>.schema.json`),
so editors complete and check them as they type.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from generator.forms.model import json_schema, layout_schema
from generator.forms.registry import Registry

LAYOUT_SCHEMA = "layout.schema.json"


def schema_path(layout: str, kind: str) -> str:
    """Return the path of a form schema below schema/ (`sichuan-panzhihua-2025/project.schema.json`)."""
    return f"{layout}/{kind}.schema.json"


def _dump(schema: dict[str, Any]) -> bytes:
    return (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def schema_documents(registry: Registry, used: Optional[Iterable[tuple[str, str]]] = None) -> dict[str, bytes]:
    """Return schema file path (below schema/) -> bytes, for every layout form or only the (layout, kind) pairs used."""
    wanted = set(used) if used is not None else None
    out = {f"schema/{LAYOUT_SCHEMA}" if wanted is not None else LAYOUT_SCHEMA: _dump(layout_schema())}
    for name in sorted(registry.layouts):
        layout = registry.layouts[name]
        for kind in ("unit", "project"):
            if layout.form(kind) is None or (wanted is not None and (name, kind) not in wanted):
                continue
            rel = schema_path(name, kind)
            out[f"schema/{rel}" if wanted is not None else rel] = _dump(json_schema(layout, kind))
    return out
