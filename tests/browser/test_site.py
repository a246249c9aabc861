"""The real site in headless Chromium: search, privacy, print, merged cells, accessibility, links.

The shipped content is built once per session (`built_project`, tests/conftest.py), served on
127.0.0.1 by one server (`serve_dir`) and opened in one browser (`chromium_browser`). Pages that a
test only reads are visited once per module (`walk`); tests that interact with a page open their
own through `open_page`, which aborts and records every request to another host.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.browser.conftest import RESULTS_READY

from .conftest import _is_local

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

UNIT = "2025/renhe-shehui-gongzuobu/"
HUACHENGBAO = UNIT + "cun-ganbu-huachengbao/"
JIXIAO = UNIT + "cun-shequ-ganbu-jixiao/"
HUANJIE = UNIT + "cun-shequ-huanjie/"
LIANGXIN = UNIT + "liangxin-gongwei-dangjian/"

# The search box is ready once its meta line says "键入以开始搜索" (see RESULTS_READY); Pagefind's index
# (generator/site/searchindex.py) is loaded on first use.
# Results are `li.md-search-result__item`, one per page, whose first link is the page itself.
SEARCH_READY = """() => {
  const meta = document.querySelector(".md-search-result__meta");
  return meta !== null && meta.textContent.trim() !== "" && !meta.textContent.includes("初始化");
}"""
RESULT_PAGES = """els => els.map(a => a.href)"""
RESULT_LINKS = ".md-search-result__list > li.md-search-result__item > a.md-search-result__link:first-child"

# Every table as a grid: each cell placed at its (row, column) with its row/column spans, per row
# group (a rowspan never crosses <thead>/<tbody>/<tfoot>), as the HTML table model lays it out.
TABLE_GRIDS = """() => Array.from(document.querySelectorAll("article table")).map((table, index) => {
  const problems = [];
  const cells = [];
  const widths = [];
  const sections = table.tHead || table.tBodies.length || table.tFoot
    ? [table.tHead, ...table.tBodies, table.tFoot].filter(Boolean)
    : [table];
  let offset = 0;
  for (const section of sections) {
    const rows = Array.from(section.rows);
    const grid = rows.map(() => []);
    rows.forEach((tr, r) => {
      let c = 0;
      for (const cell of tr.cells) {
        while (grid[r][c] !== undefined) c++;
        const text = cell.textContent.trim();
        const rowspan = cell.rowSpan === 0 ? rows.length - r : cell.rowSpan;
        const colspan = Math.max(1, cell.colSpan);
        if (r + rowspan > rows.length)
          problems.push(`"${text}" (row ${offset + r + 1}) has rowspan ${rowspan} but only ${rows.length - r} rows remain in its <${section.tagName.toLowerCase()}>`);
        for (let i = 0; i < rowspan && r + i < rows.length; i++)
          for (let j = 0; j < colspan; j++) {
            if (grid[r + i][c + j] !== undefined)
              problems.push(`"${text}" (row ${offset + r + 1}) overlaps "${grid[r + i][c + j]}" at row ${offset + r + i + 1}, column ${c + j + 1}`);
            grid[r + i][c + j] = text;
          }
        cells.push({text, tag: cell.tagName.toLowerCase(), section: section.tagName.toLowerCase(),
                    row: offset + r, col: c, rowspan, colspan});
        c += colspan;
      }
    });
    grid.forEach((row, r) => {
      const filled = row.filter(v => v !== undefined).length;
      if (filled !== row.length) problems.push(`row ${offset + r + 1} has a hole: ${row.length - filled} empty grid slot(s)`);
      widths.push(row.length);
    });
    offset += rows.length;
  }
  const caption = table.caption ? table.caption.textContent.trim() : "";
  const header = Array.from(table.querySelectorAll("th")).slice(0, 3).map(th => th.textContent.trim()).join(" / ");
  return {index, name: caption || header, cells, widths, problems};
})"""

LINKS = """() => Array.from(document.querySelectorAll("a[href]")).map(a => ({
  raw: a.getAttribute("href"), url: a.href, text: a.textContent.trim().slice(0, 40)
}))"""
IDS = """() => Array.from(document.querySelectorAll("[id]")).map(el => el.id)"""


def _html_pages(site: Path) -> list[str]:
    """Site-relative URL of every built HTML page ("", "2025/", ..., "404.html")."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        pages.append(rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel)
    return pages


def _flat(text: str) -> str:
    """Text without any whitespace (including the zero-width spaces of Material's index)."""
    return re.sub(r"[\s\u200b]+", "", text)


def _article_text(site: Path, rel: str) -> str:
    """Visible text of the page's content (<article>), whitespace removed."""
    source = (site / _file_for(rel)).read_text(encoding="utf-8")
    match = re.search(r"<article\b.*?</article>", source, re.S)
    assert match, f"{rel}: no <article> in the built page"
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", match.group(0), flags=re.S)
    return _flat(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _file_for(rel: str) -> str:
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


@pytest.fixture(scope="session")
def site(built_project) -> Path:
    return built_project / "site"


@pytest.fixture(scope="session")
def site_url(site, serve_dir) -> str:
    return serve_dir(site)


def _assert_clean(guarded) -> None:
    assert guarded.blocked == [], f"requests to other hosts: {guarded.blocked}"
    assert guarded.errors == [], f"page errors: {guarded.errors}"


# --------------------------------------------------------------------------- one visit per page


@dataclass
class Visit:
    url: str
    links: list[dict]
    ids: set[str]
    tables: list[dict]


@dataclass
class Walk:
    visits: dict[str, Visit] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def walk(chromium_browser, site, site_url) -> Walk:
    """Open every built HTML page once (one context, one tab); record what the read-only tests need."""
    result = Walk()
    context = chromium_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})

    def guard(route, request):
        if _is_local(request.url, archive=False):
            route.continue_()
        else:
            result.blocked.append(request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda exc: result.errors.append(f"{page.url}: {exc}"))
    page.on("response", lambda r: r.status >= 400 and result.failed.append(f"{r.status} {r.url}"))
    try:
        for rel in _html_pages(site):
            url = site_url + rel
            page.goto(url, wait_until="load")
            result.visits[rel] = Visit(
                url=url,
                links=page.evaluate(LINKS),
                ids=set(page.evaluate(IDS)),
                tables=page.evaluate(TABLE_GRIDS),
            )
    finally:
        context.close()
    return result


# --------------------------------------------------------------------------- 1. search


def _results(page, query: str) -> list[str]:
    """Site-relative paths of the result pages, best first, once the search has answered."""
    page.wait_for_function(RESULTS_READY, arg=query, timeout=20_000, polling=50)
    hrefs = page.eval_on_selector_all(RESULT_LINKS, RESULT_PAGES)
    return [unquote(urlsplit(href).path).lstrip("/") for href in hrefs]


def _search(open_page, site_url: str, query: str, how: str):
    if how == "url":
        # Material's deep link: ?q= opens the search dialog with the query.
        guarded = open_page(f"{site_url}?q={quote(query)}")
    else:
        # A reader: once the box says it is ready ("键入以开始搜索"), focus it, type (fill() commits
        # text like an IME does), and Material picks the value up on the next key event.
        guarded = open_page(site_url)
        guarded.page.wait_for_function(SEARCH_READY, timeout=20_000, polling=50)
        box = guarded.page.locator("input.md-search__input")
        box.click()
        box.fill(query)
        box.press("End")
    return guarded, _results(guarded.page, query)


@pytest.mark.parametrize("how", ["typed", "url"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("花城保", [HUACHENGBAO], id="huachengbao"),
        # Named on the unit page and in several project forms: any of them, as long as it says so.
        pytest.param("小马拉大车", None, id="xiaomaladache"),
        pytest.param("2025年度", None, id="2025niandu"),
        pytest.param("536人", [JIXIAO], id="536ren"),
        pytest.param("两企三新", [LIANGXIN], id="liangqisanxin"),
        pytest.param("换届", [HUANJIE], id="huanjie"),
    ],
)
def test_search_finds_the_right_page_first(open_page, site, site_url, query, expected, how):
    guarded, results = _search(open_page, site_url, query, how)
    assert results, f"{query!r} ({how}): no result"
    first = results[0]
    if expected is not None:
        assert first in expected, f"{query!r} ({how}): first result {first!r}, expected {expected}; all: {results}"
    # The first result must really contain what was searched for, ignoring spacing (the year page
    # is titled "2025 年度"); for 2025年度 the unit page is also a right answer.
    if not (query == "2025年度" and first == UNIT):
        assert _flat(query) in _article_text(site, first), (
            f"{query!r} ({how}): the first result {first!r} does not contain the query; all: {results}"
        )
    _assert_clean(guarded)


# --------------------------------------------------------------------------- 2. privacy


def test_no_page_requests_another_host(open_page, site, site_url):
    """Every built page (404.html too), each in a fresh context, until it is loaded and its search box
    ready; then one search on the home page, which loads Pagefind's script, index and text chunks."""
    pages = _html_pages(site)
    assert len(pages) >= 12, pages  # home, year, 404, unit, 8 projects
    blocked: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    for rel in pages:
        guarded = open_page(site_url + rel)
        # The page's own loads end with its scripts; the search box says it is ready.
        guarded.page.wait_for_function(SEARCH_READY, timeout=20_000, polling=50)
        if guarded.blocked:
            blocked[rel or "/"] = guarded.blocked
        if guarded.errors:
            errors[rel or "/"] = guarded.errors
        guarded.page.context.close()
    assert blocked == {}, f"requests to other hosts: {blocked}"
    assert errors == {}, f"page errors: {errors}"

    guarded, results = _search(open_page, site_url, "536人", "typed")
    assert results, "the search on the home page found nothing"
    guarded.page.wait_for_load_state("networkidle")
    requested = [urlsplit(u).path for u in guarded.requested]
    assert "/pagefind/pagefind.js" in requested, requested
    assert any(p.startswith("/pagefind/index/") for p in requested), requested
    assert any(p.startswith("/pagefind/fragment/") for p in requested), requested
    assert not any(p.startswith("/search/") for p in requested), requested  # no Material index on the public site
    _assert_clean(guarded)


# --------------------------------------------------------------------------- 3. print


PAGE_RULES = """() => {
  const sizes = [];
  const visit = rules => {
    for (const rule of rules) {
      if (rule instanceof CSSPageRule) sizes.push(rule.style.getPropertyValue("size"));
      else if (rule.cssRules) visit(rule.cssRules);
    }
  };
  for (const sheet of document.styleSheets) {
    try { visit(sheet.cssRules); } catch (e) { /* cross-origin: none expected */ }
  }
  return sizes;
}"""


def test_print_layout_is_the_form_alone_on_a4(open_page, site_url):
    guarded = open_page(site_url + HUACHENGBAO)
    page = guarded.page
    chrome = {
        "header": ".md-header",
        "primary nav": ".md-sidebar--primary",
        "search": ".md-search",
        "footer": ".md-footer",
    }
    tables = page.locator("table.form-table")
    assert tables.count() >= 4, tables.count()  # heading rows, money, goal, indicators

    on_screen = {name: page.locator(sel).first.is_visible() for name, sel in chrome.items()}
    assert all(on_screen.values()), f"not even visible on screen: {on_screen}"

    page.emulate_media(media="print")
    in_print = {name: page.locator(sel).first.is_visible() for name, sel in chrome.items()}
    in_print["primary nav links"] = page.locator("nav.md-nav--primary a").first.is_visible()
    assert not any(in_print.values()), f"visible in print: {[k for k, v in in_print.items() if v]}"
    invisible = [i for i in range(tables.count()) if not tables.nth(i).is_visible()]
    assert invisible == [], f"form tables {invisible} are not visible in print"
    assert page.locator(".form-title").is_visible()

    sizes = [s.lower() for s in page.evaluate(PAGE_RULES)]
    assert "a4" in sizes, f"no @page {{ size: A4 }} rule in the stylesheets: {sizes}"
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-"), pdf[:16]
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert pages >= 1, "the PDF has no page"
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes), boxes
    _assert_clean(guarded)


# --------------------------------------------------------------------------- 4. merged cells


def _indicator_table(visit: Visit) -> dict:
    found = [t for t in visit.tables if any(c["text"] == "一级指标" and c["section"] == "thead" for c in t["cells"])]
    assert len(found) == 1, f"{visit.url}: expected one indicator table (header 一级指标), found {len(found)}"
    return found[0]


def _column(table: dict, col: int) -> list[tuple[str, int]]:
    return [(c["text"], c["rowspan"]) for c in table["cells"] if c["section"] == "tbody" and c["col"] == col]


def test_unit_indicator_table_merges_cells_as_printed(walk):
    table = _indicator_table(walk.visits[UNIT])
    assert _column(table, 0) == [("基本经费", 4), ("项目经费", 4), ("效益指标", 2), ("满意度指标", 1)]
    body_rows = sum(1 for c in table["cells"] if c["section"] == "tbody" and c["col"] == 2)
    assert body_rows == 11, body_rows


def test_project_indicator_table_merges_cells_as_printed(walk):
    table = _indicator_table(walk.visits[JIXIAO])
    level1 = _column(table, 0)
    assert level1[:2] == [("项目完成", 4), ("项目效益", 2)], level1
    assert ("社会效益指标", 2) in _column(table, 1), _column(table, 1)
    start = next(c["row"] for c in table["cells"] if c["text"] == "项目效益")
    social = next(c for c in table["cells"] if c["text"] == "社会效益指标")
    assert (social["row"], social["col"]) == (start, 1), "社会效益指标 must start beside 项目效益"


def test_every_table_row_spans_the_same_number_of_columns(walk):
    problems = []
    counted = 0
    for rel, visit in walk.visits.items():
        for table in visit.tables:
            counted += 1
            where = f"{rel or '/'} table {table['index'] + 1} ({table['name']})"
            problems += [f"{where}: {p}" for p in table["problems"]]
            if len(set(table["widths"])) > 1:
                problems.append(f"{where}: row widths {table['widths']}")
    assert counted >= 12, counted
    assert problems == [], "\n".join(problems)


# --------------------------------------------------------------------------- 5. accessibility


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:200]}")
            for line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"      {line}")
    return "\n".join(lines)


@pytest.mark.parametrize("rel", ["", "2025/", UNIT, HUACHENGBAO], ids=["home", "year", "unit", "project"])
def test_no_serious_accessibility_violations(open_page, site_url, rel):
    guarded = open_page(site_url + rel)
    page = guarded.page
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"axe {result['testEngine']['version']} on /{rel}:\n" + _format_violations(serious)
    _assert_clean(guarded)


# --------------------------------------------------------------------------- 6. links


def test_every_internal_link_resolves_to_a_built_file(walk, site, site_url):
    origin = site_url.rstrip("/")
    problems = []
    checked = 0
    for rel, visit in walk.visits.items():
        for link in visit.links:
            where = f"/{rel} link {link['raw']!r} ({link['text']!r})"
            if link["raw"].strip().lower().startswith("javascript:"):
                problems.append(f"{where}: javascript: URL")
                continue
            parts = urlsplit(link["url"])
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue  # another site: not ours to check (and no network here)
            checked += 1
            path = unquote(parts.path).lstrip("/")
            target = site / path
            if path == "" or path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{where}: {target.relative_to(site)} does not exist")
                continue
            fragment = unquote(parts.fragment)
            page_rel = target.relative_to(site).as_posix()
            page_key = page_rel[: -len("index.html")] if page_rel.endswith("index.html") else page_rel
            if fragment and page_key in walk.visits and fragment not in walk.visits[page_key].ids:
                problems.append(f"{where}: no id {fragment!r} on /{page_key}")
    assert checked >= 100, checked
    assert problems == [], "\n".join(problems)


def test_site_walk_was_clean(walk):
    """Side findings of the walk: nothing fetched from another host, no 4xx/5xx, no script error."""
    assert walk.blocked == [], walk.blocked
    assert walk.failed == [], walk.failed
    assert walk.errors == [], walk.errors
