"""The site as built by `disclosure build`: pages, fidelity to the reference, atomicity, incremental writes."""

from __future__ import annotations

import html
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.site.build import build_site, generate
from tests.support import ROOT, SEED_PROJECTS, make_project, reference_cells

pytestmark = pytest.mark.slow

UNIT = "2025/renhe-shehui-gongzuobu"
PROJECTS = SEED_PROJECTS


class _Text(HTMLParser):
    """Collect the visible text of the page's main content (article), as a reader sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "article" or self.depth:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reference_forms() -> list[list[str]]:
    """Return the reference's cells form by form (a cell starts with a tab; other lines continue it)."""
    forms: list[list[str]] = []
    for _raw, joined in reference_cells():
        cell = squash(joined)
        if cell.endswith("绩效目标申报表"):
            forms.append([])
        forms[-1].append(cell)
    return forms


def test_pages_exist(built_project: Path) -> None:
    site = built_project / "site"
    assert (site / "index.html").is_file()
    assert (site / "2025" / "index.html").is_file()
    assert (site / UNIT / "index.html").is_file()
    for project in PROJECTS:
        assert (site / UNIT / project / "index.html").is_file()
        assert (site / UNIT / f"{project}.yml").read_bytes() == (ROOT / "content" / UNIT / f"{project}.yml").read_bytes()
        assert (site / UNIT / f"{project}.json").is_file()
    for kind in ("unit", "project"):
        rel = f"schema/sichuan-panzhihua-2025/{kind}.schema.json"
        assert (site / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    assert (site / "schema" / "layout.schema.json").read_bytes() == (ROOT / "schema" / "layout.schema.json").read_bytes()


def test_every_figure_and_sentence_of_the_reference_is_published(built_project: Path) -> None:
    site = built_project / "site"
    pages = [site / UNIT / "index.html"] + [site / UNIT / p / "index.html" for p in PROJECTS]
    forms = reference_forms()
    assert len(forms) == 9
    for cells, page in zip(forms, pages):
        text = squash(page_text(page))
        missing = [cell for cell in cells if cell not in text]
        assert not missing, f"{page.relative_to(site)} lacks {missing}"


def test_navigation_is_bounded_to_years_and_units(built_project: Path) -> None:
    page = (built_project / "site" / UNIT / "index.html").read_text(encoding="utf-8")
    start = page.index('<nav class="md-nav md-nav--primary"')
    nav = page[start : page.index('<div class="md-content"', start)]
    assert "中共攀枝花市仁和区委社会工作部" in html.unescape(nav)
    for project in PROJECTS:
        assert f"{project}/" not in nav, "project pages must not be in the navigation"


def test_year_and_home_pages_list_totals(built_project: Path) -> None:
    year = squash(page_text(built_project / "site" / "2025" / "index.html"))
    assert "中共攀枝花市仁和区委社会工作部682.42682.42" in year
    home = squash(page_text(built_project / "site" / "index.html"))
    assert "2025年度" in home and "682.42" in home


def test_unit_page_shows_project_shares_and_chart(built_project: Path) -> None:
    page = (built_project / "site" / UNIT / "index.html").read_text(encoding="utf-8")
    assert page.count('<svg class="chart-svg"') == 2
    text = squash(page_text(built_project / "site" / UNIT / "index.html"))
    # 260 / 682.42 = 38.1 %, 468.95 / 682.42 = 68.7 %
    assert "26038.1%" in text and "468.9568.7%" in text


def test_failed_build_leaves_previous_site(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    args = dict(content=str(project / "content"), site_dir=str(project / "site"), config=str(project / "mkdocs.yml"))
    assert build_site(**args) == 0
    index = project / "site" / "index.html"
    before = index.read_bytes()
    unit = project / "content" / UNIT / "unit.yml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("682.42, fiscal", "682.41, fiscal"), encoding="utf-8")
    assert build_site(**args) == 1
    assert index.read_bytes() == before
    assert not list(project.glob(".site.tmp-*")), "temporary build folder left behind"


def test_regeneration_rewrites_only_what_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    content, config = str(project / "content"), str(project / "mkdocs.yml")
    assert generate(content, config)[0] == 0
    docs = project / "build" / "docs"
    old = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}
    past = 1_000_000_000  # set every mtime far in the past so a rewrite is unmistakable
    for p in old:
        os.utime(p, ns=(past, past))
    assert generate(content, config)[0] == 0
    assert all(p.stat().st_mtime_ns == past for p in old), "a no-change regeneration wrote files"

    path = project / "content" / UNIT / f"{PROJECTS[2]}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("持续深入开展", "持续深入地开展", 1), encoding="utf-8")
    assert generate(content, config)[0] == 0
    changed = sorted(p.relative_to(docs).as_posix() for p in old if p.stat().st_mtime_ns != past)
    own = [f"{UNIT}/{PROJECTS[2]}.{ext}" for ext in ("json", "md", "xlsx", "yml")]
    # The form's own outputs, plus the year's data tables that hold its goal text; no other page or form.
    assert [c for c in changed if not c.startswith("2025/data/")] == own
    assert {c for c in changed if c.startswith("2025/data/")} <= {
        "2025/data/disclosure-2025-projects.csv",
        "2025/data/disclosure-2025-cells.csv",
        "2025/data/disclosure-2025.json",
        "2025/data/disclosure-2025.sqlite",
        "2025/data/disclosure-2025.xlsx",
    }


def test_large_year_lists_units_on_the_year_page_only(tmp_path: Path) -> None:
    """Past NAV_UNITS_LIMIT units the nav keeps only years, so page size does not grow with units."""
    from benchmarks.synth import write_corpus
    from generator.site.nav import NAV_UNITS_LIMIT

    project = make_project(tmp_path / "p")
    shutil.rmtree(project / "content")
    units = NAV_UNITS_LIMIT + 5
    write_corpus(project / "content", units * 2, projects_per_unit=1)
    args = dict(content=str(project / "content"), site_dir=str(project / "site"), config=str(project / "mkdocs.yml"))
    assert build_site(**args) == 0  # strict: no "page not in nav" warning either
    site = project / "site"
    year = (site / "2025" / "index.html").read_text(encoding="utf-8")
    assert year.count("synthetic-unit-") >= units
    page = (site / "2025" / "synthetic-unit-00001" / "index.html").read_text(encoding="utf-8")
    start = page.index('<nav class="md-nav md-nav--primary"')
    assert "合成数据" not in page[start : page.index('<div class="md-content"', start)]


def test_year_with_many_projects_lists_the_largest_on_its_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past YEAR_PROJECTS_LIMIT the year page lists that many projects, the most money first, and says so."""
    from decimal import Decimal

    from generator.forms.validate import check_content
    from generator.site import render

    result = check_content(ROOT / "content", jobs=1)
    settings = render.Settings(root=ROOT, downloads=True)
    (year,) = render.collect(result, lambda path: b"")
    rows = render.year_projects(year)
    full = render.render_year(year, settings)
    assert "## 全部项目" in full and "资金最多" not in full
    assert all(f"({row['unit'].id}/{row['page'].id}.md)" in full for row in rows)
    monkeypatch.setattr(render, "YEAR_PROJECTS_LIMIT", 3)
    page = render.render_year(year, settings)
    largest = sorted(rows, key=lambda row: -(row["amount"] or Decimal(0)))[:3]
    assert "## 资金最多的 3 个项目" in page and f"本年度共 {len(rows)} 个项目" in page and "“数据下载”" in page
    listed = [row for row in rows if f"({row['unit'].id}/{row['page'].id}.md)" in page]
    assert sorted(map(id, listed)) == sorted(map(id, largest)) and len(rows) > 3
    positions = [page.index(f"/{row['page'].id}.md)") for row in largest]
    assert positions == sorted(positions)  # the most money first


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGKILL"])
def test_killed_build_leaves_previous_site(tmp_path: Path, signame: str) -> None:
    """A build interrupted half-way (signal during MkDocs) leaves the old site/ exactly as it was."""
    import signal
    import subprocess
    import sys
    import time

    from benchmarks.synth import write_corpus

    project = make_project(tmp_path / "p")
    assert build_site(content=str(project / "content"), site_dir=str(project / "site"), config=str(project / "mkdocs.yml")) == 0
    before = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    write_corpus(project / "content", 300, year=2024)  # enough pages that MkDocs runs for a few seconds
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "build"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    # Interrupted while MkDocs builds the site's pieces (build/pieces/<piece>/site.new), in forked processes.
    while not list(project.glob("build/pieces/*/site.new")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    time.sleep(0.5)
    proc.send_signal(getattr(signal, signame))
    proc.wait(timeout=60)
    after = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before
    if signame == "SIGTERM":
        assert not list(project.glob(".site.tmp-*")), "SIGTERM must clean up the temporary folder"
    # The next build removes whatever a SIGKILL left and succeeds.
    assert build_site(content=str(project / "content"), site_dir=str(project / "site"), config=str(project / "mkdocs.yml")) == 0
    assert not list(project.glob(".site.*"))


def test_partial_preview_checks_and_renders_only_that_unit(tmp_path: Path) -> None:
    """`serve --only YEAR/UNIT` generates one unit: other units are neither checked nor rendered."""
    project = make_project(tmp_path / "p")
    broken = project / "content" / "2024" / "other-unit"
    broken.mkdir(parents=True)
    (broken / "unit.yml").write_text("id: other-unit\nfiscal_year: [\n", encoding="utf-8")
    content, config = str(project / "content"), str(project / "mkdocs.yml")
    assert generate(content, config)[0] == 1  # the full site refuses the broken unit
    status, nav = generate(content, config, only=UNIT, docs_dir="build/preview/docs")
    assert status == 0
    docs = project / "build" / "preview" / "docs"
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    assert pages == sorted(["index.md", "2025/index.md", f"{UNIT}/index.md"] + [f"{UNIT}/{p}.md" for p in PROJECTS])


def test_full_build_publishes_year_archives_with_checksums(tmp_path: Path) -> None:
    """A zip made by `disclosure archive` in dist/ is published next to its year page with its SHA-256."""
    import hashlib
    import subprocess

    project = make_project(tmp_path / "p")
    (project / "dist").mkdir()
    data = b"PK\x05\x06" + bytes(18)  # an empty zip is enough: the build copies bytes, it does not open them
    (project / "dist" / "disclosure-2025.zip").write_bytes(data)
    assert build_site(content=str(project / "content"), site_dir=str(project / "site"), config=str(project / "mkdocs.yml")) == 0
    year = project / "site" / "2025"
    assert (year / "disclosure-2025.zip").read_bytes() == data
    digest = hashlib.sha256(data).hexdigest()
    assert (year / "disclosure-2025.zip.sha256").read_text() == f"{digest}  disclosure-2025.zip\n"
    page = (year / "index.html").read_text(encoding="utf-8")
    assert 'href="disclosure-2025.zip"' in page and digest in page
    check = subprocess.run(["sha256sum", "-c", "disclosure-2025.zip.sha256"], cwd=year, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_template_error_and_mkdocs_warning_leave_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure in rendering (a bug) or a MkDocs strict warning never replaces the previous site."""
    import generator.site.build as build_module
    from generator.site import render

    project = make_project(tmp_path / "p")
    args = dict(
        content=str(project / "content"), site_dir=str(project / "site"), config=str(project / "mkdocs.yml"), downloads=False
    )
    assert build_site(**args) == 0
    before = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}

    def broken(*_args, **_kwargs):
        raise RuntimeError("template bug")

    monkeypatch.setattr(render, "render_project", broken)
    (project / "build" / "docs-render-cache.json").unlink()  # the cache would spare rendering the unchanged pages
    with pytest.raises(RuntimeError):
        build_site(**args)
    monkeypatch.undo()

    real = build_module.render_outputs

    def with_broken_link(*a, **k):
        out = real(*a, **k)
        out["2025/index.md"] += b"\n[missing](no-such-page.md)\n"
        return out

    monkeypatch.setattr(build_module, "render_outputs", with_broken_link)
    assert build_site(**args) == 1  # MkDocs --strict: the broken link is a warning, the build fails
    after = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before
    assert not list(project.glob(".site.*"))
