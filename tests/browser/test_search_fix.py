"""The site in a real browser: Chinese search, print layout, nav, offline archive.

One sample site (sample_site.py) is built per session with the repository's
mkdocs.yml and overrides/ with Material's search switched on (as the offline
archive has it), served on 127.0.0.1 and driven through Material's own search UI. Every page is opened through `open_page`, which aborts and
records any request to another host; each test asserts there was none.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from .sample_site import PAGES, UNIT, UNIT_NAME, USER_DICT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
UNIT_PATH = f"/2025/{UNIT}/"

# Material's search UI (9.8): the meta line reads "…结果" once the worker has
# answered ("没有找到符合条件的结果", "找到 1 个符合条件的结果", "# 个符合条件的结果").
RESULTS_READY = """() => {
  const meta = document.querySelector(".md-search-result__meta");
  return meta !== null && meta.textContent.includes("结果");
}"""
FIRST_LINKS = """els => els.map(el => el.getAttribute("href"))"""


#: Material's search with the query fix is the offline archive's search (generator/archive/offline.py
#: turns it on); the public site's mkdocs.yml has it off and uses Pagefind (test_pagefind_search.py).
MATERIAL_SEARCH_CONFIG = """INHERIT: mkdocs.yml
plugins:
  - search:
      lang: zh
      jieba_dict_user: build/jieba_user_dict.txt
"""


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory, build_site) -> Path:
    workdir = tmp_path_factory.mktemp("site")
    build_site(
        workdir,
        PAGES,
        USER_DICT,
        config_file="mkdocs.material.yml",
        extra_files={"mkdocs.material.yml": MATERIAL_SEARCH_CONFIG},
    )
    return workdir / "site"


@pytest.fixture(scope="session")
def site_url(site_dir, serve_dir) -> str:
    return serve_dir(site_dir)


def _results(guarded) -> list[str]:
    """Paths of the result articles, best first (one per page)."""
    page = guarded.page
    page.wait_for_function(RESULTS_READY, timeout=15_000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__list > li.md-search-result__item > a.md-search-result__link:first-child",
        FIRST_LINKS,
    )
    return [unquote(urlsplit(href).path) for href in hrefs]


def _assert_clean(guarded) -> None:
    assert guarded.blocked == [], f"requests to other hosts: {guarded.blocked}"
    assert guarded.errors == [], f"page errors: {guarded.errors}"


def _search_via_url(open_page, base: str, query: str, **kwargs):
    """Material's deep link: ?q= opens the search dialog with the query."""
    return open_page(f"{base}?q={quote(query)}", **kwargs)


def _disable_fix(page) -> None:
    """Serve an empty script instead of the fix: stock Material behaviour."""
    page.route(
        "**/assets/javascripts/search-query-fix.js",
        lambda route: route.fulfill(body="/* disabled */", content_type="text/javascript"),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Digits + Han: one query term, two index terms without the fix.
        ("2025年度", "/2025/"),
        ("536人", f"{UNIT_PATH}cun-shequ-ganbu-jixiao/"),
        ("500人次", f"{UNIT_PATH}liangxin-gongwei-dangjian/"),
        # Pure Han, words from the jieba user dictionary.
        ("花城保", f"{UNIT_PATH}cun-ganbu-huachengbao/"),
        ("小马拉大车", UNIT_PATH),
        ("两企三新", f"{UNIT_PATH}liangxin-gongwei-dangjian/"),
        # Chinese quotes typed by the user are punctuation, not part of a term.
        ("“花城保”", f"{UNIT_PATH}cun-ganbu-huachengbao/"),
    ],
)
def test_query_finds_the_right_page_first(open_page, site_url, query, expected):
    guarded = _search_via_url(open_page, site_url, query)
    results = _results(guarded)
    assert results, f"no result for {query!r}"
    assert results[0] == expected, f"{query!r}: {results}"
    _assert_clean(guarded)


def test_typed_query_in_search_box(open_page, site_url):
    """The same path a reader takes: focus the box, type, results appear."""
    guarded = open_page(site_url + "2025/")
    page = guarded.page
    box = page.locator("input.md-search__input")
    box.click()
    # fill() inserts the text like an IME commit; Material reacts to keyup.
    box.fill("536人")
    box.press("End")
    assert _results(guarded)[0] == f"{UNIT_PATH}cun-shequ-ganbu-jixiao/"
    _assert_clean(guarded)


@pytest.mark.parametrize("query", ["2025年度", "536人"])
def test_stock_material_finds_nothing_for_mixed_queries(open_page, site_url, query):
    """Control: with the fix script replaced by an empty one, stock Material
    9.8 finds nothing, so the tests above really exercise the fix."""
    guarded = _search_via_url(open_page, site_url, query, setup=_disable_fix)
    assert _results(guarded) == []
    assert "没有找到" in guarded.page.inner_text(".md-search-result__meta")
    _assert_clean(guarded)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2025年度", "2025 年度"),
        ("536人", "536 人"),
        ("500人次", "500 人次"),
        ("2025年度其他运转类预算项目7个", "2025 年度其他运转类预算项目 7 个"),
        ("PPP项目", "PPP 项目"),
        ("２０２５年", "２０２５ 年"),
        ("花城保", "花城保"),
        ("  小马拉大车 ", "小马拉大车"),
        ("“花城保”经费", "花城保 经费"),
        # Lunr syntax survives: modifiers apply to every piece, quotes stay.
        ("+2025年度", "+2025 +年度"),
        ("-536人", "-536 -人"),
        ('"2025年度"', '"2025 年度"'),
        ("682.42", "682.42"),
        ("2025-2027年", "2025-2027 年"),
    ],
)
def test_split_query(open_page, site_url, query, expected):
    guarded = open_page(site_url)
    assert guarded.page.evaluate("q => window.disclosureSearch.splitQuery(q)", query) == expected
    _assert_clean(guarded)


def test_print_media_hides_chrome_and_keeps_the_form(open_page, site_url):
    guarded = open_page(f"{site_url}2025/{UNIT}/cun-ganbu-huachengbao/")
    page = guarded.page
    hidden = [
        ".md-header",
        ".md-search",
        ".md-sidebar--primary",
        ".md-sidebar--secondary",
        ".md-footer",
        ".md-top",
        ".breadcrumb",
    ]
    display = """sel => { const el = document.querySelector(sel);
                          return el ? getComputedStyle(el).display : "missing" }"""
    on_screen = {sel: page.evaluate(display, sel) for sel in hidden}
    assert "missing" not in on_screen.values(), on_screen
    assert on_screen[".md-header"] != "none" and on_screen[".breadcrumb"] != "none"

    page.emulate_media(media="print")
    in_print = {sel: page.evaluate(display, sel) for sel in hidden}
    assert set(in_print.values()) == {"none"}, in_print

    form = page.evaluate(
        """() => {
          const table = document.querySelector("table.form-table");
          const cell = table.querySelector("td");
          const cs = el => getComputedStyle(el);
          return {
            table: cs(table).display,
            thead: cs(table.querySelector("thead")).display,
            row: cs(table.querySelector("tr")).breakInside,
            border: [cs(cell).borderTopStyle, cs(cell).borderTopWidth],
            title: cs(document.querySelector(".form-title")).display,
          };
        }"""
    )
    assert form["table"] == "table"
    assert form["thead"] == "table-header-group"
    assert form["row"] == "avoid"
    assert form["border"][0] == "solid" and form["border"][1] != "0px"
    assert form["title"] != "none"

    # @page { size: A4 }: with the CSS page size preferred and no format
    # given, Chromium lays the PDF out on A4 (595 x 842 pt), not Letter.
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no MediaBox in the PDF"
    width, height = (float(v) for v in boxes[0])
    assert abs(width - 595) < 2 and abs(height - 842) < 2, (width, height)
    _assert_clean(guarded)


def test_nav_lists_years_and_units_only(open_page, site_url):
    """not_in_nav keeps project pages out; sections carry Chinese titles."""
    guarded = open_page(f"{site_url}2025/{UNIT}/")
    nav = guarded.page.locator("nav.md-nav--primary")
    labels = [t.strip() for t in nav.locator("a.md-nav__link").all_inner_texts()]
    hrefs = nav.locator("a.md-nav__link").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert "2025年度" in labels, labels
    assert UNIT_NAME in labels, labels
    assert not any("Renhe" in label for label in labels), labels
    project_pages = [p for p in PAGES if p.endswith(".md") and not p.endswith("index.md")]
    for project in project_pages:
        slug = Path(project).stem
        assert not any(slug in (href or "") for href in hrefs), (slug, hrefs)
    # The project pages are built and linked from the unit page all the same.
    content_links = guarded.page.locator("article a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    for project in project_pages:
        assert f"{Path(project).stem}/" in content_links, content_links
    _assert_clean(guarded)


def test_request_guard_blocks_other_hosts(open_page, site_url):
    """The guard itself: a request to another host is recorded and aborted."""
    guarded = open_page(site_url)
    outcome = guarded.page.evaluate("() => fetch('https://example.invalid/x').then(() => 'loaded', () => 'failed')")
    assert outcome == "failed"
    assert guarded.blocked == ["https://example.invalid/x"]
    # The search worker's own requests pass through the same guard
    # (routing is per context, which covers dedicated workers).
    searched = _search_via_url(open_page, site_url, "536人")
    _results(searched)
    assert any(url.endswith("/lunr/min/lunr.zh.min.js") for url in searched.requested), searched.requested


def _archive_config() -> str:
    """The archive config documented in docs-notes/offline.md (first yaml block)."""
    notes = (ROOT / "docs-notes" / "offline.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(.*?)```", notes, re.S)
    assert match, "no yaml block in docs-notes/offline.md"
    return match.group(1)


def test_offline_archive_search_from_file(tmp_path_factory, build_site, open_page):
    """Material's offline plugin with the vendored iframe-worker shim: the
    archive works from file:// and requests nothing that is not a file."""
    workdir = tmp_path_factory.mktemp("archive")
    build_site(
        workdir,
        PAGES,
        USER_DICT,
        config_file="build/mkdocs.archive.yml",
        extra_files={"build/mkdocs.archive.yml": _archive_config()},
    )
    archive = workdir / "site.archive"
    html = (archive / "2025" / "index.html").read_text(encoding="utf-8")
    assert "unpkg.com" not in html
    assert "assets/javascripts/vendor/iframe-worker/shim.js" in html
    assert (archive / "assets/javascripts/vendor/iframe-worker/LICENSE").is_file()
    assert (archive / "search" / "search_index.js").is_file()

    guarded = open_page(f"{archive.as_uri()}/2025/index.html?q={quote('536人')}", archive=True)
    results = _results(guarded)
    assert results and results[0].endswith(f"2025/{UNIT}/cun-shequ-ganbu-jixiao.html"), results
    _assert_clean(guarded)
    shutil.rmtree(workdir)
