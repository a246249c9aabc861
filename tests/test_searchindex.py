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
