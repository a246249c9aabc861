"""The bounded site navigation: home, then years -> units; projects are linked from unit pages."""

from __future__ import annotations

#: A year with more units than this lists them on its year page only, not in the navigation: Material
#: repeats the active section's navigation in every page, so a long list would grow every page's HTML.
NAV_UNITS_LIMIT = 40


def site_nav(years) -> list:
    """Return the bounded navigation: home, then years -> units (projects are linked from unit pages).

    Titles are escaped like all content: Material inserts nav titles into pages unescaped.
    """
    from generator.site.escape import escape_text

    nav: list = [{"首页": "index.md"}]
    for year in years:
        units = [{escape_text(u.unit_name): f"{year.year}/{u.id}/index.md"} for u in year.units]
        if len(units) > NAV_UNITS_LIMIT:
            units = []
        nav.append({f"{year.year} 年度": [f"{year.year}/index.md", *units]})
    return nav


#: `not_in_nav` when some year lists its units on the year page only (they are not nav entries then).
NOT_IN_NAV_YEARS_ONLY = "*.md\n!/index.md\n!/*/index.md\n"


def nav_overrides(nav: list) -> dict:
    """Return the MkDocs config overrides for a generated navigation."""
    overrides: dict = {"nav": nav}
    if any(isinstance(v, list) and len(v) == 1 for item in nav for v in item.values()):
        overrides["not_in_nav"] = NOT_IN_NAV_YEARS_ONLY
    return overrides
