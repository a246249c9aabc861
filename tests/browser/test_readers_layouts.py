"""Issue 13, readers, on the real public forms of other templates (tests/fixtures/real): phone tables.

Every page of the site built from all real fixtures, at 390 px: the page never scrolls sideways, no
table cell is cut off without the scroll cue, and no chart text is below 12 px.
"""

from __future__ import annotations

import pytest

from tests.browser.test_readers import CHART_TEXT, CUT_CELLS, PHONE
from tests.browser.test_real_layouts import FIXTURES, page_urls, real_site  # noqa: F401 - real_site is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_real_layouts_are_readable_on_a_phone(real_site, open_page) -> None:  # noqa: F811 - the fixture
    urls = sorted(
        {url for slug in FIXTURES for url in page_urls(slug)}
        | {url.split("/")[0] + "/" for slug in FIXTURES for url in page_urls(slug)}
    )
    assert len(urls) > 10
    problems = []
    for url in ["", *urls]:
        guarded = open_page(real_site + url, setup=lambda page: page.set_viewport_size(PHONE))
        page = guarded.page
        width = page.evaluate("document.documentElement.scrollWidth")
        cut = [c for c in page.evaluate(CUT_CELLS) if not c["cue"] or c["indicator"]]
        small = [t for t in page.evaluate(CHART_TEXT) if t["px"] < 12]
        if width > PHONE["width"] or cut or small:
            problems.append((url, width, cut[:3], small[:3]))
        assert guarded.errors == [], guarded.errors
    assert problems == []
