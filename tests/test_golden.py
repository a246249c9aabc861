"""Golden files: the Markdown rendered from the seed content, reviewed as a git diff.

Regenerate after an intended change with:  UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import os

import pytest

from generator.site.build import render_outputs
from generator.site.render import Settings
from generator.forms.validate import check_content
from tests.support import CONTENT, ROOT

GOLDEN = ROOT / "tests" / "golden"


def rendered() -> dict[str, bytes]:
    result = check_content(CONTENT, jobs=1)
    assert not result.errors
    dates = {
        f"2025/renhe-shehui-gongzuobu/{p.name}": "2025-01-20" for p in (CONTENT / "2025" / "renhe-shehui-gongzuobu").glob("*.yml")
    }
    settings = Settings(root=ROOT, repository="https://example.org/disclosure", branch="main", dates=dates)
    return {path: data for path, data in render_outputs(result, settings).items() if path.endswith(".md")}


def test_rendered_markdown_matches_golden_files() -> None:
    outputs = rendered()
    if os.environ.get("UPDATE_GOLDEN"):
        for old in GOLDEN.rglob("*.md"):
            old.unlink()
        for path, data in outputs.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        pytest.skip("golden files regenerated; review them with git diff")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*.md")}
    assert sorted(outputs) == sorted(expected), "pages added or removed: regenerate the golden files"
    for path, data in outputs.items():
        assert data.decode() == expected[path].decode(), f"{path} differs from tests/golden/{path}"
