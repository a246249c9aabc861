"""Hostile text in every string field is published as text: nothing runs, nothing links out, no dialog opens."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.site.build import build_site
from tests.support import make_project

pytestmark = pytest.mark.browser

#: Each payload ends up in every text field of one project form (and the unit's, for the first).
PAYLOADS = [
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "[点我](javascript:window.__pwned=1)",
    '<a href="javascript:window.__pwned=1">链接</a>',
    '{: onclick="window.__pwned=1" } 属性',
    "单元格 | 换行\n<svg onload=window.__pwned=1>",
    '--8<-- "mkdocs.yml"',
    "&copy; &lt;script&gt; {{ config.site_name }}",
    "::error file=x,line=1::伪造 %0A 注释",
    "</td></tr></table></div><iframe src=javascript:window.__pwned=1></iframe>",
]


def _quoted(text: str) -> str:
    # JSON strings are valid YAML: an exact way to write any payload into a content file.
    import json

    return json.dumps(text, ensure_ascii=False)


def _layout(label: str) -> str:
    """A site layout with every kind of part, whose printed labels are hostile too (layout files come in PRs)."""
    q = _quoted(label)
    return f"""title: {q}
unit:
  title: {q}
  subtitle: {_quoted(label + " {fiscal_year}")}
  totals: {{total: budget.total.total}}
  parts:
    - fields:
        - {{name: unit_name, title: {q}, required: true}}
        - {{name: department, title: {q}, same_row: true}}
    - table:
        name: budget
        title: {_quoted(label + "（{money_unit}）")}
        corner: {q}
        columns:
          - {{name: total, title: {q}, required: true}}
          - {{name: fiscal, title: {q}}}
        rows:
          - {{name: total, title: {q}, required: true}}
          - {{name: part, title: {q}, group: {q}}}
        sums:
          - {{each: column, total: total, parts: [part]}}
    - fields:
        - {{name: tasks, title: {q}, type: longtext, group: {q}}}
    - indicators:
        name: indicators
        title: {q}
        columns:
          - {{name: level1, title: {q}, role: level1, required: true}}
          - {{name: value, title: {q}, role: target}}
          - {{name: note, title: {q}, role: text}}
project:
  title: {q}
  categories:
    - {{name: 甲类, title: {q}}}
  totals: {{total: funding.total}}
  parts:
    - fields:
        - {{name: name, title: {q}, required: true}}
        - {{name: unit_name, title: {q}, required: true}}
        - {{name: department, title: {q}}}
        - {{name: attribute, title: {q}, type: choice, choices: [{q}, 乙], ticks: true}}
    - table:
        name: funding
        title: {q}
        rows:
          - {{name: total, title: {q}, required: true}}
    - table:
        name: sources
        title: {q}
        items: true
        columns:
          - {{name: name, title: {q}, type: text, required: true}}
          - {{name: amount, title: {q}, required: true}}
    - fields:
        - {{name: goal, title: {q}, type: longtext}}
    - indicators:
        name: indicators
        title: {q}
        columns:
          - {{name: level1, title: {q}, role: level1, required: true}}
          - {{name: level2, title: {q}, role: level2}}
          - {{name: name, title: {q}, role: level3}}
          - {{name: value, title: {q}, role: target}}
          - {{name: unit, title: {q}, role: unit}}
          - {{name: note, title: {q}, role: text}}
"""


def _project(index: int, text: str, unit_name: str) -> str:
    q = _quoted(text)
    return f"""layout: hostile
id: p{index}
fiscal_year: 2025
order: {index + 1}
name: {_quoted(f"项目{index} " + text)}
unit_name: {_quoted(unit_name)}
category: 甲类
department: {q}
attribute: 乙
source: {{title: {q}, url: "https://example.org/a)[x](javascript:window.__pwned=1)", published: {q}}}
funding: {{total: 1}}
sources:
  - {{name: {q}, amount: 1}}
goal: {q}
indicators:
  - level1: {q}
    level2: {q}
    name: {q}
    value: {q}
    unit: {q}
    note: {q}
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("hostile"))
    shutil.rmtree(project / "content")
    (project / "layouts").mkdir(exist_ok=True)
    (project / "layouts" / "hostile.yml").write_text(_layout(PAYLOADS[3]), encoding="utf-8")
    folder = project / "content" / "2025" / "hostile"
    folder.mkdir(parents=True)
    unit_name = "单位 " + PAYLOADS[0]
    total = len(PAYLOADS)
    q = _quoted(PAYLOADS[1])
    (folder / "unit.yml").write_text(
        f"""layout: hostile
id: hostile
fiscal_year: 2025
unit_name: {_quoted(unit_name)}
department: {q}
budget:
  total: {{total: {total}, fiscal: {total}}}
  part: {{total: {total}, fiscal: {total}}}
tasks: {_quoted(PAYLOADS[4])}
indicators:
  - {{level1: {q}, value: {q}, note: {q}}}
""",
        encoding="utf-8",
    )
    for index, payload in enumerate(PAYLOADS):
        (folder / f"p{index}.yml").write_text(_project(index, payload, unit_name), encoding="utf-8")
    status = build_site(content=str(project / "content"), site_dir=str(project / "site"), config=str(project / "mkdocs.yml"))
    assert status == 0, "the hostile content must build (it is valid content, only its text is hostile)"
    return project / "site"


_AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
      if (/^\\s*javascript:/i.test(attr.value)) bad.push(el.tagName + ' ' + attr.name + '=' + attr.value);
    }
  }
  for (const el of document.querySelectorAll('article script, article iframe, article img, article svg svg, article object, article embed')) {
    bad.push('element ' + el.tagName);
  }
  return {bad, pwned: window.__pwned === 1};
}"""


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_no_payload_runs_on_any_page(hostile_site: Path, serve_dir, open_page) -> None:
    base = serve_dir(hostile_site)
    pages = _pages(hostile_site)
    assert len(pages) >= len(PAYLOADS) + 3
    for rel in pages:
        dialogs: list[str] = []
        guarded = open_page(base + rel, setup=lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
        result = guarded.page.evaluate(_AUDIT)
        assert not dialogs, f"{rel}: a dialog opened: {dialogs}"
        assert not result["pwned"], f"{rel}: content script ran"
        assert not result["bad"], f"{rel}: content produced {result['bad']}"
        assert not guarded.blocked, f"{rel}: requests to other hosts: {guarded.blocked}"
        guarded.page.context.close()


def test_payload_text_is_visible_literally(hostile_site: Path, serve_dir, open_page) -> None:
    base = serve_dir(hostile_site)
    guarded = open_page(base + "2025/hostile/p1/")
    text = guarded.page.inner_text("article")
    assert '<img src=x onerror="window.__pwned=1;alert(1)">' in text
    guarded = open_page(base + "2025/hostile/p4/")
    assert '{: onclick="window.__pwned=1" } 属性' in guarded.page.inner_text("article")
    hrefs = guarded.page.eval_on_selector_all(".original-source a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == ["https://example.org/a)[x](javascript:window.__pwned=1)"], "the source URL is one literal href"
    title = open_page(base + "2025/hostile/").page.title()
    assert "<script>" in title, "the page title shows the unit name as text"


@pytest.mark.parametrize("param", ["q", "h"])
def test_search_parameters_do_not_inject(hostile_site: Path, serve_dir, open_page, param: str) -> None:
    base = serve_dir(hostile_site)
    payload = '<img src=x onerror="window.__pwned=1;alert(1)">'
    dialogs: list[str] = []
    guarded = open_page(
        f"{base}2025/hostile/p1/?{param}={quote(payload)}",
        setup=lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())),
    )
    page = guarded.page
    if param == "q":
        page.wait_for_selector(".md-search-result__meta", timeout=10_000)
    page.wait_for_timeout(300)
    result = page.evaluate(_AUDIT)
    assert not dialogs and not result["pwned"] and not result["bad"], (dialogs, result)


def test_search_results_show_hostile_text_as_text(hostile_site: Path, serve_dir, open_page) -> None:
    """The public site's search box puts titles, trails and previews taken from the index into the
    page: a payload in the content is shown as text there, and nothing of it runs."""
    base = serve_dir(hostile_site)
    dialogs: list[str] = []
    guarded = open_page(base + "2025/", setup=lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    page = guarded.page
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("onerror")
    page.wait_for_selector(".md-search-result__item", timeout=20_000)
    page.wait_for_timeout(300)
    shown = page.inner_text(".md-search-result__list")
    assert "<img" in shown or "onerror" in shown, shown
    result = page.evaluate(_AUDIT)
    assert page.locator(".md-search-result img, .md-search-result script, .md-search-result iframe").count() == 0
    assert not dialogs and not result["pwned"] and not result["bad"], (dialogs, result)
    assert not guarded.blocked, guarded.blocked
