"""Benchmark of `disclosure import`: forms per second and cells right / total, per format.

`run(n)` prints the shipped sample's content files (content/2025/renhe-shehui-gongzuobu/) as documents with
`tests/import_print.py` (so it runs from the repository root, as benchmarks/run.py does) into a temporary
folder, `n` documents per format, imports each one (reading, splitting, recognising and mapping: what
`disclosure import` does before the check), and compares the result with the content file. The sample's text
extraction (nine forms in one file) is measured as `txt`. Returns {format: {forms, seconds, forms_per_second,
cells_right, cells_total}}.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from generator.importing.accuracy import compare
from generator.importing.session import Options, Session

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu"
SAMPLE_TEXT = ROOT / "tests" / "fixtures" / "2025-renhe-shehui-gongzuobu.txt"
FORMATS = ("docx", "xlsx", "html")


def _measure(paths: list[tuple[Path, list[dict[str, Any]]]], registry: Any) -> dict[str, float]:
    right = total = forms = 0
    started = time.perf_counter()
    results = []
    for path, _ in paths:
        session = Session(registry, Path("/nonexistent-content"), Options())
        session.read(str(path))
        results.append(session)
    seconds = time.perf_counter() - started
    for session, (_, expected) in zip(results, paths):
        got = [f.built.data for f in session.forms]
        forms += len(got)
        for want, have in zip(expected, got + [{}] * (len(expected) - len(got))):
            r, t, _ = compare(want, have)
            right += r
            total += t
    return {
        "forms": forms,
        "seconds": round(seconds, 3),
        "forms_per_second": round(forms / seconds, 1) if seconds else 0.0,
        "cells_right": right,
        "cells_total": total,
    }


def run(n: int = 100, formats: tuple[str, ...] = FORMATS) -> dict[str, dict[str, float]]:
    """Import `n` documents per format; return the figures per format (and for the sample text as `txt`)."""
    from generator.forms.load import load_file
    from generator.forms.registry import registry_for
    from tests.import_print import printed, write_docx, write_html, write_xlsx

    writers = {"docx": write_docx, "xlsx": write_xlsx, "html": write_html}
    registry = registry_for(ROOT / "content")
    layout = registry.layouts[registry.default_for("2025") or "sichuan-panzhihua-2025"]
    sources = []
    for path in sorted(SAMPLE.glob("*.yml")):
        data = load_file(path).data
        data.pop("order", None)
        sources.append(("unit" if path.stem == "unit" else "project", data))
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="disclosure-import-bench-") as tmp:
        for fmt in formats:
            paths = []
            for i in range(n):
                kind, data = sources[i % len(sources)]
                target = Path(tmp) / f"{i:05d}.{fmt}"
                writers[fmt](printed(layout, kind, data), target)
                paths.append((target, [data]))
            out[fmt] = _measure(paths, registry)
        whole = [load_file(p).data for p in sorted(SAMPLE.glob("*.yml"))]
        by_name = {d.get("name", ""): d for d in whole}
        session = Session(registry, Path("/nonexistent-content"), Options())
        session.read(str(SAMPLE_TEXT))
        expected = [by_name.get(f.built.data.get("name", ""), {}) for f in session.forms]
        copies = max(1, n // max(1, len(expected)))
        out["txt"] = _measure([(SAMPLE_TEXT, expected)] * copies, registry)
    return out


if __name__ == "__main__":  # pragma: no cover - `python -m generator.importing.bench`
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=2))
