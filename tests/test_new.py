"""`disclosure new unit|project`: the scaffold follows the layout, passes `check`, never overwrites, prompts on a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkrun import run_check

from generator.cli import main
from generator.editing import new as scaffold
from generator.forms.layout import field_spec
from generator.forms.load import load_file
from generator.forms.registry import load_registry

UNIT_DIR = Path("content/2025/renhe-shehui-gongzuobu")
NEW_PROJECT = [
    "new",
    "project",
    "--year",
    "2025",
    "--unit",
    "renhe-shehui-gongzuobu",
    "--id",
    "xin-xiangmu",
    "--name",
    "新项目",
    "--category",
    "特定目标类",
    "--total",
    "10",
]


@pytest.fixture(autouse=True)
def _no_annotations(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def adjust_unit(old: str, new: str) -> None:
    path = UNIT_DIR / "unit.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def read(path: Path | str, kind: str):
    """Return the file's data validated by the site's default layout, and that layout."""
    layout = load_registry(".").layouts["sichuan-panzhihua-2025"]
    return layout.models[kind].model_validate(load_file(path).data), layout


def test_new_project_passes_check_with_its_unit(content_copy, capsys):
    assert main(NEW_PROJECT) == 0
    out = capsys.readouterr().out
    path = UNIT_DIR / "xin-xiangmu.yml"
    assert f"已创建 {path}" in out
    # The note names the unit cells to raise (the layout's cross_form cells and the unit table's sums).
    assert "budget.specific（预算资金 特定目标类项目经费）：合计 8 → 18，财政资金 8 → 18" in out
    assert "budget.total（预算资金 年度资金总额）：合计 682.42 → 692.42，财政资金 682.42 → 692.42" in out

    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../../schema/sichuan-panzhihua-2025/project.schema.json"
    assert text.splitlines()[1] == "# 特定目标类项目支出绩效目标申报表（2025年度）"
    form, layout = read(path, "project")
    assert (form.id, form.name, form.category, form.funding.total, form.funding.fiscal, form.funding.other) == (
        "xin-xiangmu",
        "新项目",
        "特定目标类",
        10,
        10,
        None,
    )
    assert form.unit_name == "中共攀枝花市仁和区委社会工作部" and form.order == 9 and form.layout is None
    # Every key of the model is there (optional ones commented), each part under its printed label.
    model = layout.models["project"]
    for name in model.model_fields:
        assert f"{name}:" in text, name
    spec = layout.form("project")
    for part in spec.parts:
        for field in part.fields or ():
            assert field.title in text, field.title
        if part.table is not None:
            assert "# 项目资金（万元）：年度资金总额 = 财政拨款 + 其他资金\n" in text
            assert all(row.title in text for row in part.table.rows)
            assert "  # carryover:" in text  # an optional row
        if part.indicators is not None:
            assert "# 绩效指标：一级指标 / 二级指标 / 三级指标 / 指标值（包含数字及文字描述）" in text
            # One example row per 一级指标 of the taxonomy.
            assert [row.level1 for row in form.indicators] == list(part.indicators.taxonomy)

    # Without the unit's lines the sums disagree; with them, check passes.
    before = run_check(capsys, "content")
    assert before.status == 1 and {p.code for p in before.problems if p.level == "error"} == {"project-sum-mismatch"}
    adjust_unit("total:           {total: 682.42, fiscal: 682.42", "total:           {total: 692.42, fiscal: 692.42")
    adjust_unit("specific:        {total: 8,      fiscal: 8,", "specific:        {total: 18,     fiscal: 18,")
    after = run_check(capsys, "content")
    assert after.status == 0
    new_file = [p for p in after.problems if p.path.endswith("xin-xiangmu.yml")]
    # What is left to fill in is flagged line by line (a warning: check passes, build --strict does not).
    assert new_file and {p.code for p in new_file} == {"placeholder-text"}


def test_new_never_overwrites(content_copy, capsys):
    assert main(NEW_PROJECT) == 0
    path = UNIT_DIR / "xin-xiangmu.yml"
    path.write_text(path.read_text(encoding="utf-8") + "# 编辑过\n", encoding="utf-8")
    edited = path.read_bytes()
    capsys.readouterr()
    assert main(NEW_PROJECT) == 1
    err = capsys.readouterr().err
    assert "已存在，不会覆盖" in err and "Traceback" not in err
    assert path.read_bytes() == edited
    # An existing project (seed content) and an existing unit are refused the same way.
    assert main(NEW_PROJECT[:7] + ["cun-shequ-huanjie"] + NEW_PROJECT[8:]) == 1
    assert main(["new", "unit", "--year", "2025", "--id", "renhe-shehui-gongzuobu", "--name", "x"]) == 1
    assert "已存在，不会覆盖" in capsys.readouterr().err
    assert not list(UNIT_DIR.glob(".*.tmp"))


def test_write_new_refuses_a_file_that_appears(tmp_path):
    target = tmp_path / "a.yml"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(scaffold.NewError):
        scaffold.write_new(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yml"]


def test_new_unit_in_a_fresh_year_passes_check(content_copy, capsys):
    assert main(["new", "unit", "--year", "2026", "--id", "xin-danwei", "--name", "新单位：“测试” #1"]) == 0
    path = Path("content/2026/xin-danwei/unit.yml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schema/sichuan-panzhihua-2025/unit.schema.json\n")
    form, layout = read(path, "unit")
    assert form.unit_name == "新单位：“测试” #1" and form.fiscal_year == 2026
    # Every row of the budget table is there, the optional one commented, as aligned flow maps.
    assert "  total:           {total: 0, fiscal: , other: }" in text and "  # operating:" in text
    assert "# 年度主要任务及拟达到的目标\ntasks: >-\n" in text
    capsys.readouterr()
    result = run_check(capsys, "content")
    assert result.status == 0
    assert {p.code for p in result.problems if p.path.startswith("content/2026")} == {"placeholder-text"}
    # A project in the new unit: the note asks to raise the unit's cells from 0 (or blank).
    assert (
        main(
            [
                "new",
                "project",
                "--year",
                "2026",
                "--unit",
                "xin-danwei",
                "--id",
                "p1",
                "--name",
                "项目: 'A' #2",
                "--category",
                "其他运转类",
                "--total",
                "5.5",
                "--other",
                "0.5",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "budget.other_operating（预算资金 其他运转类项目支出）：合计 0 → 5.5，财政资金 空 → 5.0，其他资金 空 → 0.5" in out
    project, _ = read("content/2026/xin-danwei/p1.yml", "project")
    assert project.name == "项目: 'A' #2" and (project.funding.fiscal, project.funding.other) == (5, 0.5)


@pytest.mark.parametrize(
    "argv, status, message",
    [
        (["new", "project", "--year", "2025"], 2, "缺少 --unit"),
        (NEW_PROJECT[:-2], 2, "缺少 --total"),
        (NEW_PROJECT[:-1] + ["10万元"], 2, "金额只能写半角数字"),
        (NEW_PROJECT[:-3] + ["其他类", "--total", "10"], 2, "项目类别应为：人员类、公用经费、其他运转类、特定目标类"),
        (NEW_PROJECT[:7] + ["Xin_Xiangmu"] + NEW_PROJECT[8:], 2, "编号只能由小写英文字母"),
        (NEW_PROJECT[:7] + ["index"] + NEW_PROJECT[8:], 2, "保留名称"),
        (NEW_PROJECT + ["--fiscal", "6", "--other", "3"], 2, "年度资金总额 10 ≠ 财政拨款 6 + 其他资金 3"),
        (NEW_PROJECT[:5] + ["no-such-unit"] + NEW_PROJECT[6:], 1, "没有单位“no-such-unit”"),
        (["new", "unit", "--year", "2026", "--id", "x", "--name", "x", "--total", "1"], 2, "new unit 不使用 --total"),
        (["new", "project", "--content", "missing"] + NEW_PROJECT[2:], 2, "找不到内容目录"),
        (NEW_PROJECT + ["--layout", "no-such-layout"], 2, "--layout 'no-such-layout'：没有这个表样"),
    ],
)
def test_bad_values_without_a_terminal(content_copy, capsys, argv, status, message):
    assert main(argv) == status
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert not (UNIT_DIR / "xin-xiangmu.yml").exists()


def test_every_missing_argument_is_reported_at_once(content_copy, capsys):
    assert main(["new", "project", "--year", "2025", "--total", "10万元"]) == 2
    err = capsys.readouterr().err
    for flag in ("缺少 --unit", "缺少 --id", "缺少 --name", "缺少 --category", "--total '10万元'"):
        assert flag in err, flag
    assert len(err.strip().splitlines()) == 5
    assert main(["new", "unit"]) == 2
    err = capsys.readouterr().err
    assert "缺少 --year" in err and "缺少 --id" in err and "缺少 --name" in err


def test_duplicate_id_in_another_unit_of_the_year(content_copy, capsys):
    assert main(["new", "unit", "--year", "2025", "--id", "other-unit", "--name", "另一单位"]) == 0
    assert (
        main(
            [
                "new",
                "project",
                "--year",
                "2025",
                "--unit",
                "other-unit",
                "--id",
                "cun-shequ-huanjie",
                "--name",
                "x",
                "--category",
                "人员类",
                "--total",
                "1",
            ]
        )
        == 1
    )
    assert "已被 content/2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml 使用" in capsys.readouterr().err


def test_prompts_on_a_terminal(content_copy, capsys, monkeypatch):
    answers = iter(["", "Bad Id", "xin-xiangmu", "新项目", "特定", "特定目标类", "10"])
    prompts = []

    def fake_input(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("builtins.input", fake_input)
    # --year given as a flag; the single unit of the year is the default answer.
    status = scaffold.run("project", content="content", interactive=True, year="2025")
    assert status == 0
    assert prompts[0] == "单位编号 [renhe-shehui-gongzuobu]："
    assert prompts[-1] == "年度资金总额（万元）："  # the layout's label of its total cell
    assert len(prompts) == 7  # the bad id and the bad category were asked again
    err = capsys.readouterr().err
    assert "编号只能由小写英文字母" in err and "项目类别应为" in err
    form, _ = read(UNIT_DIR / "xin-xiangmu.yml", "project")
    assert (form.name, form.category, form.funding.total) == ("新项目", "特定目标类", 10)


PROJECT_ONLY = """\
title: 测试表样（只有项目表，没有类别）
project:
  title: 项目绩效目标表
  totals: {total: money.total}
  parts:
    - fields:
        - {name: name, title: 项目名称, required: true}
        - {name: unit_name, title: 实施单位, required: true}
        - {name: code, title: 项目编码, type: code, required: true, help: 财政系统中的编码}
        - {name: start, title: 开始日期, type: date}
        - {name: kind, title: 项目类型, type: choice, choices: [新增, 延续]}
        - {name: remark, title: 备注, optional: true}
    - table:
        name: money
        title: 资金（{money_unit}）
        rows:
          - {name: total, title: 资金总额, required: true}
    - indicators:
        name: goals
        title: 年度指标
        columns:
          - {name: level1, title: 一级指标, role: level1, required: true}
          - {name: target, title: 目标值, role: target}
          - {name: weight, title: 分值, role: weight}
          - {name: direction, title: 方向, role: direction, choices: [正向, 反向]}
"""


def test_layout_without_categories_or_unit_form(content_copy, capsys):
    """A site layout with project forms only: no category, the unit's name given, every part from the layout."""
    site = content_copy.parent
    (site / "layouts").mkdir()
    (site / "layouts" / "xiangmu-only.yml").write_text(PROJECT_ONLY, encoding="utf-8")
    argv = [
        "new",
        "project",
        "--layout",
        "xiangmu-only",
        "--year",
        "2025",
        "--unit",
        "xin-danwei",
        "--id",
        "p1",
        "--name",
        "项目一",
        "--total",
        "5",
    ]
    assert main(argv + ["--category", "特定目标类"]) == 2
    assert "--category：表样“xiangmu-only”没有项目类别" in capsys.readouterr().err
    assert main(argv) == 2
    assert "缺少 --unit-name" in capsys.readouterr().err
    assert main(argv + ["--unit-name", "某单位"]) == 0
    out = capsys.readouterr().out
    assert "注意" not in out  # no unit form: no cells to raise
    path = Path("content/2025/xin-danwei/p1.yml")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../../schema/xiangmu-only/project.schema.json"
    assert lines[1] == "# 项目绩效目标表（2025年度）"
    assert "layout: xiangmu-only" in lines  # not the year's default
    assert "category" not in text
    assert any(line.startswith("code: XX") and "项目编码：财政系统中的编码" in line for line in lines)
    assert any(line.startswith("# kind: 新增") and "新增 / 延续" in line for line in lines)
    assert any(line.startswith("# remark: 待填") and "原表有此栏时填写" in line for line in lines)
    assert "# 资金（万元）\nmoney:\n  total: 5" in text
    assert "# 年度指标：一级指标 / 目标值 / 分值 / 方向" in text and "  - level1: 待填" in text
    layout = load_registry(site).layouts["xiangmu-only"]
    assert field_spec(layout.form("project"), "code") is not None
    form = layout.models["project"].model_validate(load_file(path).data)
    assert form.unit_name == "某单位" and form.money.total == 5
    result = run_check(capsys, "content")
    assert result.status == 0
    assert {p.code for p in result.problems if p.path.startswith("content/2025/xin-danwei")} == {"placeholder-text"}
