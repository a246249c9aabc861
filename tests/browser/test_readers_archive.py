"""Issue 13, readers, in the offline archive (file://): the year's project table, download names, search box.

Builds `disclosure archive 2025` in a throwaway project and opens the unpacked pages with every request
that is not file:// aborted and recorded.
"""

from __future__ import annotations

from pathlib import Path

import pytest


pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def archive(unpacked_archive: Path) -> Path:
    """The 2025 archive, unzipped (built once per session: tests/browser/conftest.py)."""
    return unpacked_archive


def test_archive_year_table_and_download_names_work_offline(archive: Path, open_page) -> None:
    guarded = open_page((archive / "2025" / "index.html").as_uri(), archive=True)
    page = guarded.page
    tools = page.locator(".project-tools")
    tools.wait_for(state="visible")
    assert "共 8 个符合条件" in tools.inner_text()
    tools.locator("input[type=search]").fill("换届")
    visible = page.evaluate(
        "() => Array.from(document.querySelectorAll('.project-tools ~ * tbody tr')).filter(r => !r.hidden).length"
    )
    assert visible == 1
    project = open_page((archive / "2025" / "renhe-shehui-gongzuobu" / "cun-ganbu-huachengbao.html").as_uri(), archive=True)
    names = project.page.evaluate("() => Array.from(document.querySelectorAll('a[download]')).map(a => a.download)")
    assert "2025-renhe-shehui-gongzuobu-cun-ganbu-huachengbao.yml" in names
    for g in (guarded, project):
        assert g.blocked == [] and g.errors == [], (g.blocked, g.errors)


def test_archive_search_box_is_ready_before_the_first_keystroke(archive: Path, open_page) -> None:
    guarded = open_page((archive / "index.html").as_uri(), archive=True)
    page = guarded.page
    page.locator(".md-search__input").focus()
    # The search engine starts with the page: the prompt is "type to search", not "initialising", without typing.
    page.wait_for_function(
        """() => { const m = document.querySelector(".md-search-result__meta");
                   return m && m.textContent.trim() && !m.textContent.includes("正在初始化"); }""",
        timeout=15_000,
    )
    assert "正在初始化" not in page.locator(".md-search-result__meta").inner_text()
    assert guarded.blocked == [] and guarded.errors == []
