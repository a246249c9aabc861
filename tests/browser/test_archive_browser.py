"""The offline archive (`disclosure archive 2025`) opened from file:// in headless Chromium.

The zip is built from a temporary copy of the project and unpacked; every page is opened through
`open_page(..., archive=True)`, which aborts and records any request that is not file:// (the search
worker included: routing is per browser context). Each test asserts that nothing was requested.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser.conftest import RESULTS_READY

from tests.support import SEED_PROJECTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UNIT = "2025/renhe-shehui-gongzuobu"
PROJECTS = SEED_PROJECTS
# A result's first link is the page itself (further links are sections of it).
RESULT_LINKS = ".md-search-result__list > li.md-search-result__item > a.md-search-result__link:first-child"
ARTICLE_LINKS = "els => els.map(a => ({text: a.textContent.trim(), href: a.href}))"


@pytest.fixture(scope="module")
def archive_dir(unpacked_archive: Path) -> Path:
    """The 2025 archive, unzipped (built once per session: tests/browser/conftest.py)."""
    return unpacked_archive


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)


def _assert_clean(guarded) -> None:
    assert guarded.blocked == [], f"non-file requests: {guarded.blocked}"
    assert all(url.startswith(("file://", "data:", "blob:", "about:")) for url in guarded.requested), guarded.requested
    assert guarded.errors == [], f"page errors: {guarded.errors}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("换届", "cun-shequ-huanjie"), ("花城保", "cun-ganbu-huachengbao")],
)
def test_typed_chinese_search_from_file(open_page, archive_dir, query, expected):
    """Double-clicked index.html: type into Material's search box, the right project comes first."""
    guarded = open_page((archive_dir / "index.html").as_uri(), archive=True)
    page = guarded.page
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)  # like an IME commit; Material reacts to the next key event
    box.press("End")
    page.wait_for_function(RESULTS_READY, arg=query, timeout=20_000, polling=50)
    results = [_path(href) for href in page.eval_on_selector_all(RESULT_LINKS, "els => els.map(a => a.href)")]
    assert results, f"no result for {query!r}"
    assert results[0] == _path((archive_dir / UNIT / f"{expected}.html").as_uri()), results
    # The result opens the page from the archive.
    page.locator(RESULT_LINKS).first.click()
    page.wait_for_load_state("load")
    assert _path(page.url) == _path((archive_dir / UNIT / f"{expected}.html").as_uri())
    assert page.locator("article .form-table").count() > 0
    # The worker really ran through the vendored shim and the inlined index, from file://.
    assert any(url.endswith("/assets/javascripts/vendor/iframe-worker/shim.js") for url in guarded.requested)
    assert any(url.endswith("/search/search_index.js") for url in guarded.requested)
    _assert_clean(guarded)


def test_unit_page_links_to_every_project_and_back(open_page, archive_dir):
    unit_page = archive_dir / UNIT / "index.html"
    guarded = open_page(archive_dir.joinpath("index.html").as_uri(), archive=True)
    page = guarded.page
    # Home -> year -> unit by clicking the content links, as a reader would.
    page.locator("article a", has_text="2025 年度").first.click()
    page.wait_for_load_state("load")
    assert _path(page.url) == _path((archive_dir / "2025" / "index.html").as_uri())
    page.locator("article a", has_text="中共攀枝花市仁和区委社会工作部").first.click()
    page.wait_for_load_state("load")
    assert _path(page.url) == _path(unit_page.as_uri())

    links = page.eval_on_selector_all("article a", ARTICLE_LINKS)
    project_links = {
        Path(_path(link["href"])).stem: link["text"]
        for link in links
        if _path(link["href"]).endswith(".html") and Path(_path(link["href"])).stem in PROJECTS
    }
    assert sorted(project_links) == sorted(PROJECTS)
    for project, text in project_links.items():
        page.locator("article a", has_text=text).first.click()
        page.wait_for_load_state("load")
        assert _path(page.url) == _path((archive_dir / UNIT / f"{project}.html").as_uri())
        assert page.locator("article .form-table").count() > 0, project
        # The data downloads next to the form exist in the archive.
        for href in page.eval_on_selector_all("article .downloads a", "els => els.map(a => a.href)"):
            assert Path(_path(href)).is_file(), href
        # Back to the unit page through the breadcrumb link...
        page.locator(".breadcrumb a", has_text="中共攀枝花市仁和区委社会工作部").click()
        page.wait_for_load_state("load")
        assert _path(page.url) == _path(unit_page.as_uri())
        # ...and with the browser's back and forward buttons.
        page.go_back()
        assert _path(page.url) == _path((archive_dir / UNIT / f"{project}.html").as_uri())
        page.go_back()
        assert _path(page.url) == _path(unit_page.as_uri())
    _assert_clean(guarded)


def test_about_page_is_one_click_from_home(open_page, archive_dir):
    guarded = open_page((archive_dir / "index.html").as_uri(), archive=True)
    page = guarded.page
    page.locator("article a", has_text="关于本归档").first.click()
    page.wait_for_load_state("load")
    assert _path(page.url) == _path((archive_dir / "about-archive.html").as_uri())
    text = page.inner_text("article")
    assert "2025 年度" in text and "sha256sum -c MANIFEST.sha256" in text
    # Also in the navigation, so it can be reached from any page.
    nav = page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link", "els => els.map(a => a.href)")
    assert _path((archive_dir / "about-archive.html").as_uri()) in {_path(h) for h in nav}
    _assert_clean(guarded)


def test_archive_search_index_is_plain_utf8_and_the_public_search_is_absent(archive_dir):
    """The archive keeps Material's search: its index holds Chinese as UTF-8 (not \\uXXXX escapes), the
    same data in search_index.json and the inlined search_index.js; the public site's Pagefind box and
    bundle are not in the archive (they cannot work from file://)."""
    import json

    index = (archive_dir / "search" / "search_index.json").read_text(encoding="utf-8")
    script = (archive_dir / "search" / "search_index.js").read_text(encoding="utf-8")
    assert "花城保" in index and "\\u82b1" not in index
    assert script == f"var __index = {index}"
    assert any("花城保" in doc["text"] for doc in json.loads(index)["docs"])
    page = (archive_dir / "index.html").read_text(encoding="utf-8")
    assert "search-query-fix.js" in page and "assets/javascripts/search.js" not in page
    assert not (archive_dir / "pagefind").exists()
