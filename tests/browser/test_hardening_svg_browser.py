"""Issue 12, finding 7, in Chromium's HTML parser: every text of a chart stays inside its <svg>, shown literally."""

from __future__ import annotations

import pytest

from tests.test_hardening_svg import charts


@pytest.mark.browser
def test_hardening_chart_with_line_breaks_stays_one_svg_in_a_browser(chromium_browser):
    """In Chromium's HTML parser every text of the chart stays inside its <svg>, shown literally."""
    page = chromium_browser.new_page()
    try:
        page.set_content("<!doctype html><html><body><div id='c'>" + "".join(charts()) + "</div></body></html>")
        outside = page.evaluate(
            """() => {
                const box = document.getElementById('c');
                const stray = [...box.childNodes].filter(n => n.nodeName.toLowerCase() !== 'svg');
                return {stray: stray.map(n => n.nodeName), svgs: box.querySelectorAll('svg').length,
                        texts: box.querySelectorAll('svg text').length, scripts: document.scripts.length,
                        first: box.querySelector('svg text').textContent};
            }"""
        )
    finally:
        page.close()
    assert outside["stray"] == [] and outside["svgs"] == 2 and outside["scripts"] == 0
    assert outside["texts"] == 9  # 3 legend rows, 3 labels and 3 amounts
    assert "</svg><script>" in outside["first"] and "项目 第二行" in outside["first"]
