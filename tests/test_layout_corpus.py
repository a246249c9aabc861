"""Bad layouts: each case in tests/layout_corpus/ gives its (line, code) problems through `disclosure check`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from checkrun import run_check

ROOT = Path(__file__).resolve().parent.parent

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


@pytest.mark.parametrize("written", ["null", "~", '""', "''"])
def test_subtitle_null_means_the_form_has_no_subtitle(written, tmp_path):
    from generator.forms.registry import load_layout

    sample = (ROOT / "generator" / "forms" / "layouts" / "sichuan-panzhihua-2025.yml").read_text(encoding="utf-8")
    path = tmp_path / "no-subtitle.yml"
    path.write_text(sample.replace("subtitle: （{fiscal_year}年度）", f"subtitle: {written}"), encoding="utf-8")
    layout, problems = load_layout(path, builtin=False)
    assert problems == [] and layout is not None
    assert layout.spec.unit.subtitle is None and layout.spec.project.subtitle is None
