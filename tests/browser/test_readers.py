"""Issue 13, readers: what a member of the public sees on a phone, on paper and in the navigation.

All of it is measured in headless Chromium on the site built from the shipped content.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

UNIT = "2025/renhe-shehui-gongzuobu/"
PROJECT = UNIT + "cun-ganbu-huachengbao/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path below the site root ("" for the home page)."""
    out = []
    for path in sorted(site.rglob("index.html")):
        rel = path.parent.relative_to(site).as_posix()
        if rel.startswith(("assets", "search")):
            continue
        out.append("" if rel == "." else rel + "/")
    return out


# Every table cell whose box reaches past the viewport, and whether the box that scrolls it shows its cue.
CUT_CELLS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const cell of document.querySelectorAll(".md-content td, .md-content th")) {
    const rect = cell.getBoundingClientRect();
    if (!cell.textContent.trim() || rect.width === 0) continue;
    if (rect.right <= width + 0.5 && rect.left >= -0.5) continue;
    const box = cell.closest(".form-sheet, .md-typeset__scrollwrap");
    const cue = box && box.previousElementSibling;
    const shown = !!(cue && cue.classList.contains("scroll-cue") && cue.getBoundingClientRect().height > 0
      && getComputedStyle(cue).visibility === "visible" && box.classList.contains("is-overflowing"));
    out.push({text: cell.textContent.trim().slice(0, 30), cue: shown, indicator: !!cell.closest(".indicator-table")});
  }
  return out;
}"""


def test_phone_tables_are_readable_or_cued(built_project: Path, serve_dir, open_page) -> None:
    site = built_project / "site"
    base = serve_dir(site)
    pages = _pages(site)
    assert PROJECT in pages and UNIT in pages and "2025/" in pages
    for path in pages:
        guarded = open_page(base + path, setup=lambda page: page.set_viewport_size(PHONE))
        page = guarded.page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        cut = page.evaluate(CUT_CELLS)
        assert not [c for c in cut if not c["cue"]], f"{path or 'home'}: cut off without a cue: {cut}"
        # Indicator tables are stacked rows on a phone: none of their cells is ever outside the screen.
        assert not [c for c in cut if c["indicator"]], f"{path}: indicator cells off screen: {cut}"
        assert not guarded.errors, guarded.errors


def test_phone_indicator_rows_are_labelled_and_desktop_keeps_the_table(built_project: Path, serve_dir, open_page) -> None:
    base = serve_dir(built_project / "site")
    phone = open_page(base + PROJECT, setup=lambda page: page.set_viewport_size(PHONE)).page
    value = phone.locator(".indicator-table td.value").first
    label = value.evaluate("td => getComputedStyle(td, '::before').content")
    assert "指标值" in label, label
    assert value.evaluate("td => getComputedStyle(td).display") == "block"
    desktop = open_page(base + PROJECT, setup=lambda page: page.set_viewport_size(DESKTOP)).page
    cell = desktop.locator(".indicator-table td.value").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "table-cell"
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") in ("none", "normal")
    # The wide project list on a phone: its first column stays in view while the rest scrolls.
    unit = open_page(base + UNIT, setup=lambda page: page.set_viewport_size(PHONE)).page
    first = unit.locator(".md-typeset__scrollwrap table tr > :first-child").first
    assert first.evaluate("c => getComputedStyle(c).position") == "sticky"


# Rendered size of every chart text: its font size times the SVG's scale on screen.
CHART_TEXT = """() => Array.from(document.querySelectorAll(".chart svg text")).map(t => ({
  px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
  text: t.textContent,
  right: t.getBoundingClientRect().right,
}))"""


def test_phone_chart_text_is_at_least_12px_and_names_are_whole(built_project: Path, serve_dir, open_page) -> None:
    from generator.forms.validate import check_content

    base = serve_dir(built_project / "site")
    page = open_page(base + UNIT, setup=lambda page: page.set_viewport_size(PHONE)).page
    texts = page.evaluate(CHART_TEXT)
    assert len(texts) > 8
    small = [t for t in texts if t["px"] < 12]
    assert not small, small
    assert max(t["right"] for t in texts) <= PHONE["width"]
    shown = page.evaluate("() => Array.from(document.querySelectorAll('.chart svg text')).map(t => t.textContent).join('|')")
    names = [ff.form.name for ff in check_content(str(built_project / "content")).projects()]
    assert len(names) == 8
    for name in names:  # every project's full name is in the chart, not cut with "…"
        assert name in shown.replace("|", ""), name
    assert "…" not in shown


def test_print_shows_the_official_form_only_with_address_and_date(built_project: Path, serve_dir, open_page) -> None:
    import pdfplumber

    base = serve_dir(built_project / "site")
    for path in (PROJECT, UNIT):
        page = open_page(base + path).page
        page.emulate_media(media="print")
        hidden = page.evaluate(
            """() => ["h1", ".breadcrumb", "a[href$='.xlsx']", ".md-footer", ".md-sidebar", "#下载与来源"].map(s => {
                 const el = document.querySelector(s);
                 return [s, !el || el.getClientRects().length === 0];
               })"""
        )
        assert all(gone for _, gone in hidden), hidden
        assert page.locator(".form-sheet").is_visible()
        # Borders even: the right outer border is as wide as the left one, and nothing clips it.
        widths = page.evaluate(
            """() => Array.from(document.querySelectorAll("table.form-table")).map(t => {
                 const row = t.querySelector("tbody tr");
                 const first = getComputedStyle(row.firstElementChild), last = getComputedStyle(row.lastElementChild);
                 const sheet = t.closest(".form-sheet").getBoundingClientRect(), box = t.getBoundingClientRect();
                 return [first.borderLeftWidth, last.borderRightWidth, box.right <= sheet.right + 0.5,
                         getComputedStyle(t.closest(".form-sheet")).overflowX];
               })"""
        )
        for left, right, inside, overflow in widths:
            assert left == right and inside and overflow == "visible", widths
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        with pdfplumber.open(io.BytesIO(page.pdf(format="A4"))) as pdf:
            texts = [p.extract_text() or "" for p in pdf.pages]
        assert len(texts) == 1, f"{path}: {len(texts)} printed pages"
        assert base + path in texts[-1].replace("\n", "")
        assert "2025年度" in texts[0] and "下载" not in "".join(texts)
        page.emulate_media(media="screen")
        assert page.locator("h1").first.is_visible()


def test_project_page_navigation_shows_its_unit(built_project: Path, serve_dir, open_page) -> None:
    base = serve_dir(built_project / "site")
    page = open_page(base + PROJECT, setup=lambda page: page.set_viewport_size(DESKTOP)).page
    nav = page.locator(".md-sidebar--primary .md-nav__item--active > a.md-nav__link")
    assert nav.count() == 1
    assert nav.inner_text().strip() == "中共攀枝花市仁和区委社会工作部"
    assert nav.is_visible()
    # The unit page's own nav is unchanged; the home page marks no unit.
    home = open_page(base, setup=lambda page: page.set_viewport_size(DESKTOP)).page
    assert home.locator(".md-nav__item--active > a.md-nav__link", has_text="社会工作部").count() == 0


def test_download_links_name_the_unit_and_year(built_project: Path, serve_dir, open_page) -> None:
    base = serve_dir(built_project / "site")
    page = open_page(base + PROJECT).page
    names = page.evaluate("() => Array.from(document.querySelectorAll('a[download]')).map(a => a.getAttribute('download'))")
    assert set(names) >= {
        "2025-renhe-shehui-gongzuobu-cun-ganbu-huachengbao.xlsx",
        "2025-renhe-shehui-gongzuobu-cun-ganbu-huachengbao.yml",
        "2025-renhe-shehui-gongzuobu-cun-ganbu-huachengbao.json",
    }, names
    unit = open_page(base + UNIT).page
    names = unit.evaluate("() => Array.from(document.querySelectorAll('a[download]')).map(a => a.getAttribute('download'))")
    assert {"2025-renhe-shehui-gongzuobu.xlsx", "2025-renhe-shehui-gongzuobu.yml"} <= set(names), names
    # The files behind the links are still there under their old paths (links stay valid).
    with page.expect_download() as info:
        page.locator("a[href$='.xlsx']").first.click()
    assert info.value.suggested_filename == "2025-renhe-shehui-gongzuobu-cun-ganbu-huachengbao.xlsx"


def test_every_page_footer_says_who_publishes_the_site(built_project: Path, serve_dir, open_page) -> None:
    site = built_project / "site"
    base = serve_dir(site)
    for path in [*_pages(site), "about.html", "404.html"]:
        page = open_page(base + path).page
        info = page.locator("footer .site-info")
        assert info.is_visible(), path
        text = info.inner_text()
        for label in ("发布单位：", "联系方式：", "数据许可：", "报告表中的错误", "关于本站"):
            assert label in text, (path, label, text)
        assert "【请填写】" in text  # the shipped settings are visibly placeholders
    page = open_page(base + PROJECT).page
    page.locator("footer .site-info a", has_text="关于本站").click()
    page.wait_for_load_state()
    assert page.title() == "关于本站 - 预算绩效目标公开"
    assert page.locator("article h1").inner_text() == "关于本站"
    assert "原件公开日期" in page.locator("article").inner_text()


def test_titles_are_not_doubled(built_project: Path, serve_dir, open_page) -> None:
    base = serve_dir(built_project / "site")
    assert open_page(base).page.title() == "预算绩效目标公开"
    assert open_page(base + UNIT).page.title() == "中共攀枝花市仁和区委社会工作部 - 预算绩效目标公开"


YEAR_ROWS = """() => Array.from(document.querySelectorAll(".project-tools ~ * table tbody tr, .project-tools ~ table tbody tr"))
  .filter(r => !r.hidden).map(r => Array.from(r.cells).map(c => c.textContent.trim()))"""


def test_year_page_lists_every_project_sortable_and_filterable(built_project: Path, serve_dir, open_page) -> None:
    base = serve_dir(built_project / "site")
    page = open_page(base + "2025/").page
    rows = page.evaluate(YEAR_ROWS)
    assert len(rows) == 8 and all(r[0] == "中共攀枝花市仁和区委社会工作部" for r in rows)
    assert ["村干部“花城保”经费", "其他运转类", "5", "0.7%"] in [r[1:] for r in rows]
    tools = page.locator(".project-tools")
    assert tools.is_visible() and "共 8 个符合条件" in tools.inner_text()
    tools.locator("select[aria-label='类别']").select_option("特定目标类")
    assert [r[1] for r in page.evaluate(YEAR_ROWS)] == ["村（社区）换届工作经费"]
    tools.locator("select[aria-label='类别']").select_option("")
    tools.locator("input[type=search]").fill("花城保")
    assert [r[1] for r in page.evaluate(YEAR_ROWS)] == ["村干部“花城保”经费"]
    tools.locator("input[type=search]").fill("")
    page.locator("th .sort-button", has_text="项目资金").click()
    amounts = [float(r[3]) for r in page.evaluate(YEAR_ROWS)]
    assert amounts == sorted(amounts) and len(amounts) == 8
    page.locator("th .sort-button", has_text="项目资金").click()
    assert [float(r[3]) for r in page.evaluate(YEAR_ROWS)] == sorted(amounts, reverse=True)
    assert page.locator("th[aria-sort=descending]").count() == 1


def test_year_projects_table_without_javascript(built_project: Path, chromium_browser, serve_dir) -> None:
    base = serve_dir(built_project / "site")
    context = chromium_browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base + "2025/")
        assert not page.locator(".project-tools").is_visible()
        rows = page.evaluate("() => document.querySelectorAll('.project-tools ~ table tbody tr').length")
        assert rows == 8  # the plain table, complete
        # Unit page: why the project shares do not add up to 100 % (the layout's categories without project forms).
        page.goto(base + UNIT)
        text = page.inner_text("article")
        assert "各项目年度资金合计占单位年度资金总额的 69.9%，不是 100%" in text
        assert "人员类 189 万元、公用经费 16.47 万元没有对应的项目支出绩效目标申报表" in text
    finally:
        context.close()


# Is the focused element something a reader can see: non-empty box on screen, not transparent or hidden.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect(), s = getComputedStyle(e);
  let opacity = 1;
  for (let n = e; n && n.nodeType === 1; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
  const visible = r.width > 0 && r.height > 0 && s.visibility === "visible" && opacity > 0.1
    && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  return {tag: e.tagName, cls: String(e.className).slice(0, 60), text: (e.textContent || "").trim().slice(0, 20), visible};
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_tab_stop_is_visible(built_project: Path, serve_dir, open_page, viewport) -> None:
    base = serve_dir(built_project / "site")
    page = open_page(base + PROJECT, setup=lambda page: page.set_viewport_size(viewport)).page
    seen, hidden = [], []
    for _ in range(40):
        page.keyboard.press("Tab")
        page.wait_for_timeout(300)  # Material fades the skip link in
        info = page.evaluate(FOCUSED)
        if info is None:
            continue
        seen.append(info)
        if not info["visible"]:
            hidden.append(info)
    assert len(seen) > 10
    assert not hidden, hidden


CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"


def test_no_space_between_chinese_characters_in_any_page(built_project: Path, serve_dir, open_page) -> None:
    import re

    site = built_project / "site"
    base = serve_dir(site)
    pattern = re.compile(f"{CJK}[ \t\u00a0]+{CJK}")
    found = []
    for path in [*_pages(site), "about.html"]:
        page = open_page(base + path).page
        # Each block's rendered text, as the reader sees it (line wraps in the source collapse to spaces).
        for text in page.evaluate(
            "() => Array.from(document.querySelectorAll('article p, article li, article td, article th, article figcaption, "
            "footer p')).map(e => e.innerText)"
        ):
            for line in text.splitlines():
                found += [(path, line[max(0, m.start() - 8) : m.end() + 8]) for m in pattern.finditer(line)]
    assert not found, found


def test_year_data_downloads_keep_their_names(built_project: Path, serve_dir, open_page) -> None:
    base = serve_dir(built_project / "site")
    page = open_page(base + "2025/").page
    links = page.evaluate(
        "() => Array.from(document.querySelectorAll('a[href*=\"disclosure-2025\"]')).map(a => [a.getAttribute('href'), a.download])"
    )
    assert links and all(name == "" for _, name in links), links
