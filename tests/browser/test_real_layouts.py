"""Real public forms of other templates, each built with its layout and opened in Chromium.

For every fixture in tests/fixtures/real/<slug>/ (the published form as a grid, grid.tsv, and its content
files written in its layout): every cell of the source appears on its page, and every label and the title
the page prints come from the source — nothing of another template's wording is printed over it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "fixtures" / "real"
FIXTURES = sorted(p for p in REAL.iterdir() if (p / "content").is_dir() and (p / "grid.tsv").is_file())
#: Ignored when comparing: layout whitespace and the label colons a page prints as separate cells.
_NOISE = re.compile(r"[\s:：]+")
#: Grid cells that are only merge markers.
_MARKERS = {"<", "^", ""}


def normal(text: str) -> str:
    return _NOISE.sub("", text.replace("\\n", ""))


def grid_cells(slug_dir: Path) -> list[str]:
    cells = []
    for line in (slug_dir / "grid.tsv").read_text(encoding="utf-8").splitlines():
        cells += [c for c in line.split("\t") if c.strip() not in _MARKERS]
    return cells


def page_urls(slug_dir: Path) -> list[str]:
    urls = []
    for path in sorted((slug_dir / "content").rglob("*.yml")):
        year, unit = path.parent.parent.name, path.parent.name
        urls.append(f"{year}/{unit}/" if path.name == "unit.yml" else f"{year}/{unit}/{path.stem}/")
    return urls


@pytest.fixture(scope="module")
def real_site(tmp_path_factory, serve_dir) -> str:
    """Build one site from every real fixture's content (files name their layouts) and serve it."""
    if not FIXTURES:
        pytest.fail("no real fixtures with content")
    project = tmp_path_factory.mktemp("real")
    for name in ("mkdocs.yml", "overrides"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
    for slug_dir in FIXTURES:
        shutil.copytree(slug_dir / "content", project / "content", dirs_exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--no-excel"], cwd=project, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return serve_dir(project / "site")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("slug_dir", FIXTURES, ids=[p.name for p in FIXTURES])
def test_every_source_cell_is_on_the_page_under_its_own_labels(slug_dir, real_site, open_page):
    cells = grid_cells(slug_dir)
    sources = [normal(c) for c in cells]
    shown_text = ""
    labels: list[str] = []
    titles: list[str] = []
    for url in page_urls(slug_dir):
        guarded = open_page(real_site + url)
        page = guarded.page
        assert guarded.blocked == [] and guarded.errors == []
        shown_text += normal(page.inner_text(".form-sheet"))
        titles.append(page.inner_text(".form-title"))
        labels += page.eval_on_selector_all(".form-sheet th, .form-sheet caption", "els => els.map(e => e.innerText)")
    missing = [c for c, n in zip(cells, sources) if n not in shown_text]
    assert missing == [], f"source cells not on the page: {missing}"
    # What the page prints as labels and titles is the source's wording (a substring of some source cell).
    for text in labels + [line for t in titles for line in t.split("\n")]:
        if normal(text):
            assert any(normal(text) in s for s in sources), f"printed {text!r}, which the source does not have"
