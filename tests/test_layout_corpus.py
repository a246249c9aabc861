"""Bad layouts: each case in tests/layout_corpus/ gives its (line, code) problems through `disclosure check`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from checkrun import run_check

CORPUS = Path(__file__).resolve().parent / "layout_corpus"
CASES = sorted(p for p in CORPUS.glob("*.yml"))


def _expected(path: Path) -> tuple[str, Counter]:
    description, expected = "", Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        if key.strip() == "case":
            description = value.strip()
        elif key.strip() == "expect":
            number, code = value.split()
            expected[(f"layouts/{path.name}", int(number), code)] += 1
    return description, expected


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_layout(path: Path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "content").mkdir()
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / path.name).write_bytes(path.read_bytes())
    description, expected = _expected(path)
    assert expected, f"{path.name}: no `# expect:` line"
    result = run_check(capsys, "content")
    found = Counter((p.path, p.line, p.code) for p in result.problems)
    assert found == expected, description
    assert result.status == 1


def test_shipped_layouts_are_clean(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    result = run_check(capsys, "content")
    assert result.problems == [] and result.status == 0
