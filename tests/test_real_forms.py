"""Real public forms of other templates (tests/fixtures/real/<slug>/): each checks clean in its own layout.

The browser test (tests/browser/test_real_layouts.py) opens their pages; these run everywhere and fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.datasets.tables import year_tables
from generator.forms.validate import check_content

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"
FIXTURES = sorted(p for p in REAL.iterdir() if (p / "content").is_dir())
BUILTIN = ROOT / "generator" / "forms" / "layouts"


def test_at_least_five_real_layouts_have_a_real_form():
    layouts = set()
    for slug in FIXTURES:
        for path in (slug / "content").rglob("*.yml"):
            layouts |= {
                line.split(":", 1)[1].strip()
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("layout:")
            }
    assert len(layouts - {"sichuan-panzhihua-2025"}) >= 5, layouts
    assert all((BUILTIN / f"{name}.yml").is_file() for name in layouts)


@pytest.mark.parametrize("slug", FIXTURES, ids=[p.name for p in FIXTURES])
def test_real_form_checks_clean_and_names_its_source(slug: Path):
    result = check_content(slug / "content", jobs=1)
    assert [p.format() for p in result.problems] == []
    forms = [ff.form for ff in result.files]
    assert forms and all(f.layout.builtin and f.layout.name != "sichuan-panzhihua-2025" for f in forms)
    for form in forms:
        assert form.source is not None and form.source.url, f"{form.id}: a real fixture says where it was published"


def test_the_primary_target_column_is_the_value_parsed_and_exported():
    # 武汉市青山区 2020 (the central two-period template): 指标值(长期) comes first and is blank in the source;
    # 指标值(年度) is the layout's primary target column.
    slug = REAL / "hubei-2020-wuhan-qingshan-jiaoyuju-project-jichu-sheshi"
    result = check_content(slug / "content", jobs=1)
    (ff,) = result.files
    form = ff.form
    primary = [c.name for c in form.indicators[0].part.columns if c.role == "target" and c.primary]
    assert primary == ["value"]
    for ind in form.indicators:
        assert ind.cell("target") == ind.row.value
    parsed = [ind.parsed for ind in form.indicators]
    assert any(p.number is not None for p in parsed), "the 年度 values (e.g. ≥95%) are the ones parsed"
    rel = f"{ff.year}/{ff.unit_id}/{ff.stem}.yml"
    tables = {t.name: t for t in year_tables(form.fiscal_year, [(rel, form)])}
    values = [row["value"] for row in tables["indicators"].rows]
    assert values == [ind.row.value for ind in form.indicators] and any(values)


def test_lines_outside_the_table_and_two_fields_in_one_cell_print_as_published():
    # 炎陵县 2017: “附件2-1” above the title, “填报单位(盖章):…” above the table, “填报人: 联系电话:” below it,
    # and “年初职工人数: 14 人,人员编制: 9 人” in one cell.
    from generator.site.build import render_outputs
    from generator.site.render import Settings

    slug = REAL / "hunan-yanling-2017-jiaotong-unit"
    result = check_content(slug / "content", jobs=1)
    pages = render_outputs(result, Settings(root=ROOT, downloads=False))
    page = pages["2017/yanling-jiaotong-yunshuju/index.md"].decode()
    above, title = page.index('<p class="form-line form-line-above">附件2-1</p>'), page.index('<p class="form-title">')
    assert above < title < page.index('<p class="form-line">填报单位(盖章):炎陵县交通运输局</p>') < page.index("<table")
    assert '<td colspan="3">14 人,人员编制:9 人</td>' in page
    assert page.index('<p class="form-line">填报人:　联系电话:</p>') > page.rindex("</table>")
