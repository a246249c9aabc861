"""The public site's Pagefind search box in headless Chromium: keyboard, highlighting, sub-path
deployment, what one query fetches, no request to another host, Chinese index, accessible names.

The shipped content is built once by `disclosure build` (tests/conftest.py `built_project`, Pagefind
index included) and served on 127.0.0.1; every page is opened through `open_page`, which aborts and
records any request to another host.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser.conftest import RESULTS_READY

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
UNIT = "2025/renhe-shehui-gongzuobu/"
HUACHENGBAO = UNIT + "cun-ganbu-huachengbao/"
RESULT_LINKS = ".md-search-result__list > li.md-search-result__item > a.md-search-result__link"
TOGGLED = "() => document.getElementById('__search').checked"


@pytest.fixture(scope="module")
def site(built_project) -> Path:
    return built_project / "site"


@pytest.fixture(scope="module")
def site_url(site, serve_dir) -> str:
    return serve_dir(site)


def _clean(guarded) -> None:
    assert guarded.blocked == [], f"requests to other hosts: {guarded.blocked}"
    assert guarded.errors == [], f"page errors: {guarded.errors}"


def _results(page, query: str) -> list[str]:
    page.wait_for_function(RESULTS_READY, arg=query, timeout=20_000, polling=50)
    return [unquote(urlsplit(h).path) for h in page.eval_on_selector_all(RESULT_LINKS, "els => els.map(a => a.href)")]


def test_keyboard_opens_moves_enters_and_closes(open_page, site_url):
    guarded = open_page(site_url + "2025/")
    page = guarded.page
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate(TOGGLED) and page.evaluate("() => document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type("两企三新")
    assert _results(page, "两企三新")
    focused = "() => document.activeElement.closest('li') ? [...document.querySelectorAll('.md-search-result__link')].indexOf(document.activeElement) : -1"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == 0
    if page.locator(RESULT_LINKS).count() > 1:
        page.keyboard.press("ArrowDown")
        assert page.evaluate(focused) == 1
        page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.classList.contains('md-search__input')")
    page.keyboard.press("Escape")
    assert not page.evaluate(TOGGLED)
    # "s" opens it too, and typing goes to the box.
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("s")
    assert page.evaluate(TOGGLED)
    page.locator("input.md-search__input").fill("")
    page.keyboard.type("花城保")
    first = _results(page, "花城保")[0]
    assert first == "/" + HUACHENGBAO
    # Enter in the box opens the first result, which marks the query (like Material's search.highlight).
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/" + HUACHENGBAO and "h=" in urlsplit(page.url).query
    marks = page.eval_on_selector_all("article mark[data-md-highlight]", "els => els.map(m => m.textContent)")
    assert marks and set(marks) == {"花城保"}, marks
    _clean(guarded)


def test_input_method_composition_searches_the_committed_text_only(open_page, site_url):
    """Pinyin being composed is not searched for; the committed characters are (CDP's IME events)."""
    guarded = open_page(site_url + "2025/")
    page = guarded.page
    page.locator("input.md-search__input").click()
    meta = ".md-search-result__meta"
    before = page.locator(meta).text_content()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.imeSetComposition", {"text": "liangqi", "selectionStart": 7, "selectionEnd": 7})
    assert page.evaluate("() => document.querySelector('.md-search__input').value") == "liangqi"
    page.wait_for_timeout(600)  # longer than the box's debounce: a search would have started
    assert page.locator(meta).text_content() == before
    assert page.locator(RESULT_LINKS).count() == 0
    cdp.send("Input.insertText", {"text": "两企三新"})
    assert _results(page, "两企三新")
    _clean(guarded)


def test_reset_clears_and_a_query_without_results_says_so(open_page, site_url):
    guarded = open_page(site_url)
    page = guarded.page
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("不存在的词语乙丙丁")
    assert _results(page, "不存在的词语乙丙丁") == []
    assert "没有找到" in page.inner_text(".md-search-result__meta")
    box.fill("花城保")
    assert _results(page, "花城保")
    page.locator(".md-search__options button[type=reset]").click()
    page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length === 0")
    assert page.input_value("input.md-search__input") == ""
    _clean(guarded)


def test_one_query_fetches_little_and_only_from_the_site(open_page, site, site_url):
    """Nothing of the search loads before the box is used; one query then fetches Pagefind's script,
    its index pieces and the text of the best candidates, all below the site root, none elsewhere."""
    sizes: dict[str, int] = {}

    def setup(page):
        page.on("requestfinished", lambda r: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))

    guarded = open_page(site_url + "2025/", setup=setup)
    page = guarded.page
    page.wait_for_load_state("networkidle")
    assert not any("/pagefind/" in url for url in sizes), "the search loads before it is used"
    before = set(sizes)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("536人")
    assert _results(page, "536人")[0] == f"/{UNIT}cun-shequ-ganbu-jixiao/"
    page.wait_for_load_state("networkidle")
    fetched = {url: n for url, n in sizes.items() if url not in before}
    assert fetched and all(urlsplit(u).path.startswith("/pagefind/") for u in fetched), fetched
    total = sum(fetched.values())
    bundle = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    print(f"\none query fetched {total / 1024:.0f} KiB in {len(fetched)} files (bundle {bundle / 1024:.0f} KiB)")
    assert total < bundle * 0.8, (total, bundle)
    assert not any("/search/" in u for u in guarded.requested)
    _clean(guarded)


def test_sub_path_deployment(tmp_path, built_project, serve_dir, open_page):
    """Published below a path (https://org.github.io/repo/): results link below it."""
    root = tmp_path / "pages"
    shutil.copytree(built_project / "site", root / "repo")
    url = serve_dir(root) + "repo/"
    guarded = open_page(url + "2025/")
    box = guarded.page.locator("input.md-search__input")
    box.click()
    box.fill("花城保")
    results = _results(guarded.page, "花城保")
    assert results[0] == "/repo/" + HUACHENGBAO, results
    assert all(r.startswith("/repo/") for r in results), results
    assert all(urlsplit(u).path.startswith("/repo/") for u in guarded.requested), guarded.requested
    response = guarded.page.goto(guarded.page.eval_on_selector(RESULT_LINKS, "a => a.href"))
    assert response.status == 200
    _clean(guarded)


def test_the_index_is_chinese_and_holds_only_content_pages(site):
    """<html lang="zh"> gives one Chinese index; the home page (a hub) and 404 are not results."""
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in html
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["zh"], entry
    assert entry["languages"]["zh"]["page_count"] >= 10
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert not (site / "search").exists(), "Material's index is not built for the public site"
    page = (site / HUACHENGBAO / "index.html").read_text(encoding="utf-8")
    assert page.count("data-pagefind-body") == 1 and "search.js" in page and "search-query-fix.js" not in page


def test_search_dialog_has_accessible_names_and_no_serious_violations(open_page, site_url):
    guarded = open_page(site_url + "2025/")
    page = guarded.page
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("社区工作者")
    assert _results(page, "社区工作者")
    dialog = page.locator("[data-disclosure-search]")
    assert dialog.get_attribute("role") == "dialog" and dialog.get_attribute("aria-label")
    assert box.get_attribute("aria-label")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document.querySelector('[data-disclosure-search]'),
              {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )
    assert found == [], found
    _clean(guarded)


def test_a_site_without_the_index_says_so(tmp_path, built_project, serve_dir, open_page):
    """A plain `mkdocs build` (or the preview) has the box but no Pagefind bundle: the box says why."""
    site = tmp_path / "site"
    shutil.copytree(built_project / "site", site, ignore=shutil.ignore_patterns("pagefind"))
    guarded = open_page(serve_dir(site) + "2025/")
    box = guarded.page.locator("input.md-search__input")
    box.click()
    box.fill("花城保")
    guarded.page.wait_for_function("() => document.querySelector('.md-search-result__meta').textContent.includes('没有搜索索引')")
    assert guarded.blocked == []


def test_the_phrase_results_are_shown_while_its_words_are_searched(open_page, site_url):
    """A phrase few pages hold is shown at once; the costlier searches of its words and characters
    (for pages Pagefind segmented otherwise) then replace the list, marked as still searching meanwhile."""
    guarded = open_page(site_url + UNIT)
    page = guarded.page
    page.evaluate(
        """() => {
      window.__lists = [];
      const box = document.querySelector("[data-disclosure-search]");
      box.addEventListener("disclosure-search-results", event => window.__lists.push({
        searching: box.hasAttribute("data-searching"),
        more: event.detail.more,
        items: event.detail.shown,
        meta: box.querySelector(".md-search-result__meta").textContent,
      }));
    }"""
    )
    page.locator("input.md-search__input").click()
    page.keyboard.type("花城保")
    assert _results(page, "花城保")[0] == "/" + HUACHENGBAO
    lists = [entry for entry in page.evaluate("() => window.__lists") if entry["items"]]
    assert lists[0]["more"] and lists[0]["searching"] and "正在查找更多" in lists[0]["meta"], lists
    assert not lists[-1]["more"] and not lists[-1]["searching"] and "正在查找更多" not in lists[-1]["meta"], lists
    assert page.get_attribute("[data-disclosure-search]", "data-searching") is None
    _clean(guarded)
