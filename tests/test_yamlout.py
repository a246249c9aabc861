"""The YAML writer: content files in the shipped files' style, all of it derived from the layout, read back exactly."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from generator.editing.yamllayout import modeline, value_kind
from generator.editing.yamlout import form_text, form_yaml, key_yaml, plain_data
from generator.editing.yamlscalars import display_width, scalar
from generator.forms.form import Form
from generator.forms.load import load_file, load_text
from generator.forms.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "content").glob("*/*/*.yml"))
SAMPLE = "sichuan-panzhihua-2025"


@pytest.fixture(scope="module")
def registry():
    return load_registry(ROOT)


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    """A site whose own layout is the corpus layout (项目期, 资金来源 items, 指标性质 with choices)."""
    site = tmp_path_factory.mktemp("site")
    (site / "layouts").mkdir()
    shutil.copy(ROOT / "tests/corpus/_layouts/corpus-extended.yml", site / "layouts")
    return load_registry(site).layouts["corpus-extended"]


def kind_of(path: Path) -> str:
    return "unit" if path.name == "unit.yml" else "project"


def test_shipped_files_are_written_byte_for_byte(registry):
    """Given their data, the writer reproduces every shipped file exactly (modeline, comments, alignment, >- and |-)."""
    assert len(SHIPPED) == 9
    layout = registry.layouts[SAMPLE]
    for path in SHIPPED:
        data = load_file(path).data
        text, lines = form_yaml(layout, kind_of(path), data)
        assert text == path.read_text(encoding="utf-8"), path.name
        # From the checked form too: model -> plain data -> the same file.
        form = Form(layout, kind_of(path), layout.models[kind_of(path)].model_validate(data))
        assert plain_data(form) == data
        assert form_text(form) == text
        # The line of every written path, for locating problems in generated files.
        numbered = text.split("\n")
        assert numbered[lines[("id",)] - 1] == f"id: {data['id']}"
        first = "budget" if kind_of(path) == "unit" else "funding"
        assert numbered[lines[(first,)] - 1] == f"{first}:"
        assert numbered[lines[("indicators", 0)] - 1].startswith("  - level1: ")


def test_key_order_comes_from_the_model(registry):
    layout = registry.layouts[SAMPLE]
    path = ROOT / "content/2025/renhe-shehui-gongzuobu/unit.yml"
    data = load_file(path).data
    keys = list(data)
    random.Random(7).shuffle(keys)
    shuffled = {k: data[k] for k in keys}
    shuffled["budget"] = dict(reversed(list(data["budget"].items())))
    assert form_yaml(layout, "unit", shuffled)[0] == path.read_text(encoding="utf-8")


def test_modeline_points_at_the_layouts_schema():
    assert (
        modeline(SAMPLE, "project")
        == "# yaml-language-server: $schema=../../../schema/sichuan-panzhihua-2025/project.schema.json"
    )


def test_value_kinds_come_from_the_layout(registry, extended):
    spec = registry.layouts[SAMPLE].form("unit")
    assert value_kind(spec, ("budget", "specific", "total")) == "money"
    assert value_kind(spec, ("tasks",)) == "longtext"
    assert value_kind(spec, ("fiscal_year",)) == "year"
    assert value_kind(spec, ("unit_name",)) is None
    project = extended.form("project")
    assert value_kind(project, ("funding", "fiscal")) == "money"
    assert value_kind(project, ("funding_sources", 0, "amount")) == "money"
    assert value_kind(project, ("funding_sources", 0, "name")) is None
    assert value_kind(project, ("order",)) == "count"


@pytest.mark.parametrize(
    "text",
    [
        "新项目",
        "2025",
        "012",
        "on",
        "NO",
        "~",
        "null",
        "- 列表",
        "a: b",
        "#x",
        "x #y",
        "'q'",
        '"',
        "1:20",
        "%s",
        "@x",
        "{x}",
        "[x](javascript:alert(1))",
        "a  b",
        " 前导空格",
        "尾随空格 ",
        "a\\b",
        "两行\n文字",
        "结尾换行\n",
        "\t制表",
    ],
)
def test_texts_read_back_exactly(registry, text):
    layout = registry.layouts[SAMPLE]
    data = load_file(ROOT / "content/2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml").data
    data = {**data, "name": text, "goal": text, "indicators": [{**data["indicators"][0], "value": text}]}
    out, _ = form_yaml(layout, "project", data)
    back = load_text(out)
    assert not back.problems and back.data == data, out


def test_text_that_looks_like_a_number_is_quoted(registry):
    layout = registry.layouts[SAMPLE]
    data = load_file(ROOT / "content/2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml").data
    out, _ = form_yaml(layout, "project", {**data, "name": "2025"})
    assert "name: '2025'\n" in out and "fiscal_year: 2025\n" in out and "  total: 8\n" in out
    assert scalar("2025", "year") == "2025" and scalar("2025") == "'2025'" and scalar("8.50", "money") == "8.50"
    # What YAML 1.2 tools (the editor) would read as a number, though PyYAML reads text.
    assert scalar("0812") == "'0812'" and scalar("1e3") == "'1e3'" and scalar("0o17") == "'0o17'" and scalar("A1") == "A1"


def test_unreadable_text_is_written_escaped_for_check_to_report(registry):
    layout = registry.layouts[SAMPLE]
    data = load_file(ROOT / "content/2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml").data
    out, lines = form_yaml(layout, "project", {**data, "name": "零宽\u200b字符"})
    assert 'name: "零宽\\u200b字符"' in out and 'id: "cun-shequ-huanjie"' in out  # every scalar quoted
    assert {p.code for p in load_text(out).problems} == {"forbidden-character"}
    assert lines[("name",)] == out.split("\n").index('name: "零宽\\u200b字符"') + 1


def test_items_period_and_merge_in_a_site_layout(extended):
    data = {
        "layout": "corpus-extended",
        "id": "p",
        "fiscal_year": "2025",
        "name": "项目",
        "unit_name": "单位",
        "period": "2023年—2025年",
        "category": "其他运转类",
        "funding": {"total": "10", "fiscal": "10", "other": ""},
        "funding_sources": [{"name": "一般公共预算", "amount": "7"}, {"name": "上年结转", "amount": "3"}],
        "goal": "目标。",
        "indicators": [
            {
                "level1": "产出指标",
                "level2": "数量指标",
                "name": "人数",
                "value": "≥1人",
                "nature": "≥",
                "merge": ["name", "value"],
            }
        ],
    }
    out, _ = form_yaml(extended, "project", data)
    assert out.startswith(
        "# yaml-language-server: $schema=../../../schema/corpus-extended/project.schema.json\n"
        "# 其他运转类项目支出绩效目标申报表（2025年度）\nlayout: corpus-extended\nid: p\n"
    )
    assert "period: 2023年—2025年\ncategory: 其他运转类\n" in out
    assert (
        "\n\n# 资金来源（万元）：金额之和 = 项目资金 年度资金总额\nfunding_sources:\n  - name: 一般公共预算\n    amount: 7\n"
        in out
    )
    assert "\n\ngoal: >-\n  目标。\n" in out
    # Optional columns are listed above the indicator table only where some row has them.
    assert "# 绩效指标：一级指标 / 二级指标 / 三级指标 / 指标值（包含数字及文字描述） / 指标性质\n" in out
    assert "    nature: ≥\n    merge: [name, value]\n" in out
    back = load_text(out)
    assert back.data == data
    extended.models["project"].model_validate(back.data)
    # Without the optional column and the optional carryover row, the comments do not list them.
    plain = {**data, "indicators": [{k: v for k, v in data["indicators"][0].items() if k != "nature"}]}
    assert "/ 指标值（包含数字及文字描述）\n" in form_yaml(extended, "project", plain)[0]
    assert "# 项目资金（万元）：年度资金总额 = 财政拨款 + 其他资金\n" in out
    with_carryover = {**data, "funding": {**data["funding"], "carryover": ""}}
    assert (
        "# 项目资金（万元）：年度资金总额 = 财政拨款 + 其他资金 + 上年结转\n" in form_yaml(extended, "project", with_carryover)[0]
    )


def test_key_yaml_writes_one_key_like_the_file(registry):
    layout = registry.layouts[SAMPLE]
    data = load_file(ROOT / "content/2025/renhe-shehui-gongzuobu/unit.yml").data
    assert key_yaml(layout, "unit", "budget", data["budget"])[1] == "  total:           {total: 682.42, fiscal: 682.42, other: }"
    assert key_yaml(layout, "unit", "tasks", "任务。") == ["tasks: >-", "  任务。"]


def test_display_width_counts_cjk_twice():
    assert display_width("ab") == 2 and display_width("项目") == 4 and display_width("（") == 2
