"""On a phone the page itself never scrolls sideways: wide form tables scroll inside their sheet."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PAGES = ["", "2025/", "2025/renhe-shehui-gongzuobu/", "2025/renhe-shehui-gongzuobu/zhiyuan-fuwu-shegong-duiwu/"]


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_page_scroll_at_390px(built_project: Path, serve_dir, open_page, path: str) -> None:
    base = serve_dir(built_project / "site")
    guarded = open_page(base + path, setup=lambda page: page.set_viewport_size({"width": 390, "height": 844}))
    width = guarded.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path or 'home'}: the page is {width}px wide on a 390px screen"
    assert not guarded.blocked
