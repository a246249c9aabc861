"""Shared fixtures: paths and a temporary copy of the shipped content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
REFERENCE = ROOT.parent / "shared" / "reference" / "2025-renhe-shehui-gongzuobu.txt"
SEED_UNIT = CONTENT / "2025" / "renhe-shehui-gongzuobu"


@pytest.fixture
def content_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a writable copy of content/ inside a temporary working directory."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    monkeypatch.chdir(tmp_path)
    return target
