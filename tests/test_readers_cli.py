"""Issue 13, readers, through the real CLI: site settings (extra.site), findability and the source document.

`tests/site_corpus/*.yml` are mkdocs.yml files with `# expect: <line> <code>` headers (`x5`: five of them),
like the layout corpus; each is checked by the same function the build calls.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from generator.cli import main
from generator.site.siteinfo import site_info_problems
from tests.support import make_project

SITE_CORPUS = Path(__file__).resolve().parent / "site_corpus"
UNIT = "2025/renhe-shehui-gongzuobu"
PROJECT = "cun-ganbu-huachengbao"
FILLED = """
extra:
  site:
    publisher: 某市财政局
    contact_info: disclosure@example.org
    report: https://github.com/org/repo/issues/new
    licence: CC BY 4.0
    licence_url: https://creativecommons.org/licenses/by/4.0/
    about: 本站由某市财政局维护。
"""


def _expected(path: Path) -> Counter:
    out: Counter = Counter()
    for line, code, times in re.findall(r"^# expect: ([0-9]+) ([a-z0-9-]+)(?: x([0-9]+))?$", path.read_text("utf-8"), re.M):
        out[(int(line), code)] += int(times or 1)
    return out


@pytest.mark.parametrize("path", sorted(SITE_CORPUS.glob("*.yml")), ids=lambda p: p.stem)
def test_site_corpus(path: Path) -> None:
    found = Counter((p.line, p.code) for p in site_info_problems(path))
    assert found == _expected(path)
    assert all(p.level == "warning" for p in site_info_problems(path))


def _build(project: Path, monkeypatch, capsys, *args: str, site_url: str | None = None) -> tuple[int, str]:
    monkeypatch.chdir(project)
    if site_url:
        monkeypatch.setenv("SITE_URL", site_url)
    else:
        monkeypatch.delenv("SITE_URL", raising=False)
    status = main(["build", "--no-excel", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return status, out.out + out.err


def test_deploy_build_warns_about_unset_site_settings_and_pages_are_findable(tmp_path, monkeypatch, capsys) -> None:
    project = make_project(tmp_path / "p")
    status, out = _build(project, monkeypatch, capsys, site_url="https://example.org/disclosure/")
    assert status == 0
    lines = [line for line in out.splitlines() if line.endswith("(site-info-unset)")]
    assert len(lines) == 5, out
    assert all(re.match(r"mkdocs\.yml:[0-9]+:5: warning: ", line) for line in lines), lines
    assert any("extra.site.report" in line for line in lines)
    # Canonical links and the sitemap come from site_url; every page has its own description.
    site = project / "site"
    unit = (site / UNIT / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://example.org/disclosure/2025/renhe-shehui-gongzuobu/">' in unit
    assert re.search(r'<meta name="description" content="中共攀枝花市仁和区委社会工作部 2025 年度[^"]*682\.42 万元', unit)
    page = (site / UNIT / PROJECT / "index.html").read_text("utf-8")
    assert re.search(
        r'<meta name="description" content="村干部“花城保”经费（中共攀枝花市仁和区委社会工作部，2025 年度）[^"]*5 万元', page
    )
    descriptions = {
        re.search(r'<meta name="description" content="([^"]*)"', p.read_text("utf-8")).group(1)
        for p in site.rglob("index.html")
        if "assets" not in p.parts
    }
    assert len(descriptions) == len([p for p in site.rglob("index.html") if "assets" not in p.parts])
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://example.org/disclosure/2025/renhe-shehui-gongzuobu/cun-ganbu-huachengbao/</loc>" in sitemap
    # The same settings fail a strict deploy build: a site is not published anonymously by accident.
    status, out = _build(project, monkeypatch, capsys, "--strict", site_url="https://example.org/disclosure/")
    assert status == 1 and "(site-info-unset)" in out


def test_local_build_does_not_warn_and_filled_settings_are_shown(tmp_path, monkeypatch, capsys) -> None:
    project = make_project(tmp_path / "p")
    status, out = _build(project, monkeypatch, capsys)
    assert status == 0 and "site-info-unset" not in out
    assert '<link rel="canonical"' not in (project / "site" / "index.html").read_text("utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text("utf-8")
    config.write_text(text[: text.index("\nextra:\n")] + FILLED, encoding="utf-8")
    status, out = _build(project, monkeypatch, capsys, "--strict", site_url="https://example.org/")
    assert "site-info-unset" not in out
    html = (project / "site" / "index.html").read_text("utf-8")
    assert "某市财政局" in html and 'href="https://github.com/org/repo/issues/new"' in html
    assert 'rel="license noopener">CC BY 4.0</a>' in html
    about = (project / "site" / "about.html").read_text("utf-8")
    assert "本站由某市财政局维护。" in about and "mailto:" not in about.split("联系方式")[0]


def _source(project: Path, text: str) -> None:
    path = project / "content" / UNIT / f"{PROJECT}.yml"
    path.write_text(path.read_text("utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def test_source_document_is_shown_or_said_to_be_unrecorded(tmp_path, monkeypatch, capsys) -> None:
    project = make_project(tmp_path / "p")
    _source(
        project,
        "source:\n  title: 关于公开2025年部门预算的公告\n  url: https://example.gov.cn/a.html\n"
        "  published: 2025-02-10\n  publisher: 攀枝花市仁和区人民政府\n  file: 附件3.pdf\n",
    )
    status, out = _build(project, monkeypatch, capsys)
    assert status == 0, out
    page = (project / "site" / UNIT / PROJECT / "index.html").read_text("utf-8")
    source = re.search(r'<p class="original-source">(.*?)</p>', page, re.S).group(1)
    assert '<a href="https://example.gov.cn/a.html" rel="nofollow noopener">关于公开2025年部门预算的公告</a>' in source
    assert "（文件名：附件3.pdf）" in source
    assert "发布单位：攀枝花市仁和区人民政府" in source and "原件公开日期：2025-02-10" in source
    # The site's own date is labelled as such, apart from the publication date.
    assert re.search(r"本站数据更新：[0-9]{4}-[0-9]{2}-[0-9]{2}（本站源文件最后一次修改的日期，不是原件公开日期）", page)
    assert "数据截至" not in page
    other = (project / "site" / UNIT / "cun-shequ-huanjie" / "index.html").read_text("utf-8")
    assert '<p class="original-source">原始公开文件：未记录' in other
    # A source with a title only: what is not recorded is said so.
    _source(project, "")
    path = project / "content" / UNIT / f"{PROJECT}.yml"
    text = path.read_text("utf-8")
    path.write_text(text[: text.index("source:")] + "source:\n  title: 部门预算公开（纸质）\n", encoding="utf-8")
    status, out = _build(project, monkeypatch, capsys)
    page = (project / "site" / UNIT / PROJECT / "index.html").read_text("utf-8")
    source = re.search(r'<p class="original-source">(.*?)</p>', page, re.S).group(1)
    assert "部门预算公开（纸质）" in source and "发布单位：未记录" in source and "原件公开日期：未记录" in source
    assert "网址：未记录" in source


def _cells(html: str, label: str) -> list[str]:
    """The cells of the table row whose first cell contains `label` (tags stripped)."""
    row = re.search(rf"<tr>\s*<td[^>]*>(?:<a[^>]*>)?(?:<strong>)?{re.escape(label)}.*?</tr>", html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_one_zero_rule_blank_only_where_the_source_is_blank(tmp_path, monkeypatch, capsys) -> None:
    project = make_project(tmp_path / "p")
    status, out = _build(project, monkeypatch, capsys)
    year = (project / "site" / "2025" / "index.html").read_text("utf-8")
    home = (project / "site" / "index.html").read_text("utf-8")
    # The shipped unit leaves 其他资金 blank: blank in the unit row, the year total and the home page.
    assert _cells(year, "中共攀枝花市仁和区委社会工作部")[3] == ""
    assert _cells(year, "合计")[3] == "" and _cells(home, "2025 年度")[5] == ""
    unit = project / "content" / UNIT / "unit.yml"
    unit.write_text(re.sub(r"other: \}", "other: 0}", unit.read_text("utf-8")), encoding="utf-8")
    status, out = _build(project, monkeypatch, capsys)
    assert status == 0, out
    year = (project / "site" / "2025" / "index.html").read_text("utf-8")
    home = (project / "site" / "index.html").read_text("utf-8")
    page = (project / "site" / UNIT / "index.html").read_text("utf-8")
    # Written as 0 in the source: 0 everywhere it is shown.
    assert _cells(year, "中共攀枝花市仁和区委社会工作部")[3] == "0"
    assert _cells(year, "合计")[3] == "0" and _cells(home, "2025 年度")[5] == "0"
    assert re.search(r'<td class="money">0</td>', page)
