"""What the public site's Pagefind index is given for a page (generator/site/searchindex.py)."""

from __future__ import annotations

from generator.site.searchindex import (
    ROW_MARK,
    VARIANTS_MARK,
    augmented,
    characters,
    number_variants,
    page_url,
    row_lines,
)

PAGE = """<html lang="zh"><body><nav>导航</nav>
<article class="md-content__inner md-typeset" data-pagefind-body>
<h1>村干部“花城保”经费</h1>
<p><span class="breadcrumb" data-search-exclude><a href="../../">首页</a> › <a href="../">2025 年度</a> › <a href="./">某单位</a> › 村干部“花城保”经费</span></p>
<table class="form-table money-table"><tbody>
<tr><th scope="row">年度资金总额：</th>
<td class="money">5</td></tr>
<tr><th scope="row">其他资金</th>
<td class="money"></td></tr>
</tbody></table>
<table class="form-table indicator-table"><thead><tr><th scope="col">一级指标</th><th scope="col">三级指标</th><th scope="col">指标值</th></tr></thead>
<tbody>
<tr><th scope="rowgroup" rowspan="2">项目完成</th>
<td>村干部职数</td>
<td class="value">291人</td></tr>
<tr><td>服务对象满意度</td>
<td class="value">&ge;95%</td></tr>
<tr><td>注入</td>
<td class="value">&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>
</tbody></table>
<svg><text>不应索引</text></svg>
</article></body></html>"""


def test_row_lines_are_label_then_value():
    assert row_lines(PAGE) == [
        "年度资金总额 → 5",
        "村干部职数 → 291人",
        "服务对象满意度 → ≥95%",
        "注入 → <script>alert(1)</script>",
    ]


def test_number_variants_drop_the_operator_and_space_the_unit():
    assert number_variants("≥95%") == ["95 %"]
    assert number_variants("培训党务工作者500人次，2025年1月") == ["500 人次", "2025 年", "1 月"]
    assert number_variants("不低于90%，共计476.95万元") == ["90 %", "476.95 万元"]
    assert number_variants("无数字") == []


def test_characters_are_the_article_han_once_each_without_breadcrumb_or_chart():
    found = characters(PAGE)
    assert len(found) == len(set(found))
    assert "花" in found and "满" in found
    assert "首" not in found  # 首页: the breadcrumb is navigation
    assert "应" not in found  # the chart's drawing
    assert "导" not in found  # outside the article


def test_augmented_page_appends_rows_variants_and_trail_escaped():
    out = augmented(PAGE)
    extra = out[out.index('<div class="pagefind-extra">') : out.index("</article>")]
    assert f"<p>{ROW_MARK} 村干部职数 → 291人</p>" in extra
    assert f"<p>{VARIANTS_MARK} " in extra and "95 %" in extra and "291 人" in extra
    assert 'data-pagefind-meta="trail">2025 年度 › 某单位</span>' in extra
    # Text taken out of the page is escaped again: no markup can come from a cell.
    assert "<script>" not in extra and "&lt;script&gt;" in extra
    assert out.startswith(PAGE[: PAGE.index("</article>")])


def test_page_without_article_is_unchanged():
    assert augmented("<html><body>x</body></html>") == "<html><body>x</body></html>"


def test_page_url():
    assert page_url("2025/x/index.html") == "/2025/x/"
    assert page_url("2025/x/y.html") == "/2025/x/y.html"


def test_sources_are_kept_for_unchanged_pages_and_equal_fresh_ones(tmp_path):
    from generator.site.searchindex import write_sources

    site, kept, fresh = tmp_path / "site", tmp_path / "kept", tmp_path / "fresh"
    for rel in ("2025/a/index.html", "2025/b/index.html", "index.html", "404.html"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(PAGE.replace("花城保", rel), encoding="utf-8")
    assert write_sources(site, kept) == 2  # the home page and 404 are not results
    assert not (kept / "index.html").exists()
    (site / "2025/b/index.html").write_text(PAGE.replace("花城保", "改过"), encoding="utf-8")
    (site / "2025/c/index.html").parent.mkdir(parents=True)
    (site / "2025/c/index.html").write_text(PAGE, encoding="utf-8")
    (site / "2025/a/index.html").unlink()
    (site / "2025/a/index.html").parent.rmdir()
    (site / "2025/d").mkdir()
    (site / "2025/d/index.html").write_text(PAGE, encoding="utf-8")
    write_sources(site, kept)
    write_sources(site, fresh)
    assert not (kept / "2025/a/index.html").exists()
    assert {p.relative_to(kept).as_posix() for p in kept.rglob("*.html")} == {
        "2025/b/index.html",
        "2025/c/index.html",
        "2025/d/index.html",
    }
    for rel in ("2025/b/index.html", "2025/c/index.html", "2025/d/index.html"):
        assert (kept / rel).read_bytes() == (fresh / rel).read_bytes()
    assert "改过" in (kept / "2025/b/index.html").read_text(encoding="utf-8")


def test_a_kept_copy_is_not_rewritten(tmp_path):
    from generator.site.searchindex import write_sources

    site, kept = tmp_path / "site", tmp_path / "kept"
    (site / "2025/a").mkdir(parents=True)
    (site / "2025/a/index.html").write_text(PAGE, encoding="utf-8")
    write_sources(site, kept)
    copy = kept / "2025/a/index.html"
    copy.write_text("marker", encoding="utf-8")  # a kept copy is trusted by its page's digest
    write_sources(site, kept)
    assert copy.read_text(encoding="utf-8") == "marker"
    (site / "2025/a/index.html").write_text(PAGE + " ", encoding="utf-8")
    write_sources(site, kept)
    assert copy.read_text(encoding="utf-8") == augmented(PAGE + " ")


def test_sources_written_by_worker_processes_equal_one_process_ones(tmp_path):
    """Many pages are augmented by forked workers: the same copies and manifest as in one process."""
    from generator.site.searchindex import MANIFEST, write_sources

    site = tmp_path / "site"
    for i in range(520):  # above the threshold for workers
        page = site / "2025" / f"u{i:03d}" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(PAGE.replace("花城保", f"单位{i}"), encoding="utf-8")
    assert write_sources(site, tmp_path / "two", jobs=2) == write_sources(site, tmp_path / "one", jobs=1) == 520
    one = {p.relative_to(tmp_path / "one").as_posix(): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "two").as_posix(): p.read_bytes() for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert one == two and MANIFEST in one


def test_a_copy_made_by_other_code_is_made_again(tmp_path, monkeypatch):
    """The manifest records a digest of searchindex.py: copies made by an older version are redone."""
    from generator.site import searchindex

    site, kept = tmp_path / "site", tmp_path / "kept"
    (site / "2025/a").mkdir(parents=True)
    (site / "2025/a/index.html").write_text(PAGE, encoding="utf-8")
    searchindex.write_sources(site, kept)
    copy = kept / "2025/a/index.html"
    copy.write_text("made by older code", encoding="utf-8")
    monkeypatch.setattr(searchindex, "code_digest", lambda: "another version")
    searchindex.write_sources(site, kept)
    assert copy.read_text(encoding="utf-8") == augmented(PAGE)


def test_a_year_page_is_indexed_without_its_listing():
    """The year page lists every unit and project by name: their own pages are the results for them."""
    from generator.site.searchindex import is_listing

    year = PAGE.replace("<h1>村干部“花城保”经费</h1>", "<h1>2025 年度</h1><p>共有 1 个预算单位</p>")
    out = augmented(year, listing=True)
    assert "共有 1 个预算单位" in out and "<table" not in out and "291人" not in out
    assert is_listing("2025/index.html") and not is_listing("2025/x/index.html") and not is_listing("index.html")


def _pages(count_per_unit: dict[str, int]) -> list[str]:
    pages = ["2025/index.html", "about.html", "2025/data/index.html"]
    for unit, count in count_per_unit.items():
        pages.append(f"2025/{unit}/index.html")
        pages += [f"2025/{unit}/p{i}/index.html" for i in range(count - 1)]
    return pages


def test_a_small_site_is_one_bundle():
    from generator.site.searchbundles import FIRST_BUNDLE, plan_bundles

    pages = _pages({"a": 3, "b": 4})
    assert plan_bundles(pages, limit=10) == {FIRST_BUNDLE: sorted(pages)}


def test_a_large_site_is_bundles_of_whole_units_that_stay_where_they_are():
    from generator.site.searchbundles import FIRST_BUNDLE, plan_bundles, unit_of

    units = {f"unit-{i:03d}": 10 for i in range(100)}
    pages = _pages(units)
    bundles = plan_bundles(pages, limit=300)
    assert list(bundles)[0] == FIRST_BUNDLE
    assert bundles[FIRST_BUNDLE] == ["2025/data/index.html", "2025/index.html", "about.html"]  # no unit page
    assert len(bundles) - 1 == 4  # 1,000 unit pages: the smallest power of two with <= 300 each, about
    assert sorted(rel for found in bundles.values() for rel in found) == sorted(pages)
    home = {unit_of(rel): key for key, found in bundles.items() for rel in found if unit_of(rel)}
    for key, found in bundles.items():
        assert all(home[unit_of(rel)] == key for rel in found if unit_of(rel))  # a unit's pages together
        assert key == FIRST_BUNDLE or len(found) <= 2 * 300
    # A unit added (or a page added to a unit) moves no other unit to another bundle.
    more = plan_bundles(_pages({**units, "unit-new": 5, "unit-000": 12}), limit=300)
    moved = {unit_of(rel): key for key, found in more.items() for rel in found if unit_of(rel)}
    assert all(moved[unit] == key for unit, key in home.items())


def _site(root, units: dict[str, str]) -> None:
    for rel in ("index.html", "404.html", "2025/index.html"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(PAGE.replace("花城保", "年度"), encoding="utf-8")
    for unit, word in units.items():
        for rel in (f"2025/{unit}/index.html", f"2025/{unit}/p/index.html"):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(PAGE.replace("花城保", word), encoding="utf-8")


def _tree(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bundles_are_merged_by_a_list_and_an_edit_indexes_its_bundle_only(tmp_path):
    """Several bundles: the first has Pagefind's program, the others their data only, listed in
    bundles.json; after one page changes only its bundle is indexed again, and the index equals a cold one."""
    import json

    from generator.site.searchbundles import BUNDLES_LIST, PARTS, index_site
    from generator.site.searchindex import BUNDLE

    units = {f"unit-{i}": f"单位{i}" for i in range(6)}
    site, sources = tmp_path / "site", tmp_path / "build" / "pagefind-pages"
    _site(site, units)
    first = index_site(site, sources, limit=4)
    parts = json.loads((site / BUNDLE / BUNDLES_LIST).read_text(encoding="utf-8"))
    assert first.bundles == len(parts) + 1 >= 3 and first.kept == 0 and first.pages == 13
    assert (site / BUNDLE / "pagefind.js").is_file() and (site / BUNDLE / "wasm.unknown.pagefind").is_file()
    for part in parts:
        names = {p.name for p in (site / BUNDLE / part).iterdir()}
        assert part.startswith(PARTS + "/") and "pagefind.js" not in names and "pagefind-entry.json" in names
        assert any(name.endswith(".pf_meta") for name in names) and "fragment" in names
    assert index_site(site, sources, limit=4).kept == first.bundles  # nothing changed: nothing indexed

    (site / "2025/unit-3/p/index.html").write_text(PAGE.replace("花城保", "改过的项目"), encoding="utf-8")
    again = index_site(site, sources, limit=4)
    assert again.kept == first.bundles - 1
    cold = tmp_path / "cold"
    _site(cold, units)
    (cold / "2025/unit-3/p/index.html").write_text(PAGE.replace("花城保", "改过的项目"), encoding="utf-8")
    index_site(cold, tmp_path / "other" / "pagefind-pages", limit=4)
    assert _tree(site / BUNDLE) == _tree(cold / BUNDLE)
