"""`disclosure new unit|project`: the scaffold passes `check`, never overwrites, prompts on a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkrun import run_check

from generator.editing import new as scaffold
from generator.cli import main
from generator.forms.load import load_file
from generator.forms.model import ProjectForm, UnitForm

UNIT_DIR = Path("content/2025/renhe-shehui-gongzuobu")
NEW_PROJECT = ["new", "project", "--year", "2025", "--unit", "renhe-shehui-gongzuobu", "--id", "xin-xiangmu",
               "--name", "新项目", "--category", "特定目标类", "--total", "10"]


@pytest.fixture(autouse=True)
def _no_annotations(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def adjust_unit(old: str, new: str) -> None:
    path = UNIT_DIR / "unit.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_new_project_passes_check_with_its_unit(content_copy, capsys):
    assert main(NEW_PROJECT) == 0
    out = capsys.readouterr().out
    path = UNIT_DIR / "xin-xiangmu.yml"
    assert f"已创建 {path}" in out
    # The note names the unit lines to raise, with old and new amounts.
    assert "budget.specific（特定目标类项目）：合计 8 → 18，财政资金 8 → 18" in out
    assert "budget.total（年度资金总额）：合计 682.42 → 692.42，财政资金 682.42 → 692.42" in out

    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../../schema/project.schema.json"
    form = ProjectForm.model_validate(load_file(path).data)
    assert (form.id, form.name, form.category, form.funding.total, form.funding.fiscal, form.funding.other) == (
        "xin-xiangmu", "新项目", "特定目标类", 10, 10, None)
    assert form.unit_name == "中共攀枝花市仁和区委社会工作部" and form.order == 9
    # Every optional field is there, commented out.
    for name in ("department", "implementing_unit", "attribute", "period", "period_funding", "contact", "funding_sources",
                 "medium_term_goal", "medium_term_value", "nature", "measure_unit", "weight", "direction", "explanation",
                 "note", "source", "acknowledge", "carryover", "money_decimals"):
        assert f"# {name}:" in text, name

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
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../../../schema/unit.schema.json\n")
    form = UnitForm.model_validate(load_file(path).data)
    assert form.unit_name == "新单位：“测试” #1" and form.fiscal_year == 2026
    capsys.readouterr()
    result = run_check(capsys, "content")
    assert result.status == 0
    assert {p.code for p in result.problems if p.path.startswith("content/2026")} == {"placeholder-text"}
    # A project in the new unit: the note asks to raise the unit's lines from 0.
    assert main(["new", "project", "--year", "2026", "--unit", "xin-danwei", "--id", "p1", "--name", "项目: 'A' #2",
                 "--category", "其他运转类", "--total", "5.5", "--other", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "budget.other_operating（其他运转类项目）：合计 0 → 5.5，财政资金 0 → 5.0，其他资金 空 → 0.5" in out
    project = ProjectForm.model_validate(load_file("content/2026/xin-danwei/p1.yml").data)
    assert project.name == "项目: 'A' #2" and (project.funding.fiscal, project.funding.other) == (5, 0.5)


@pytest.mark.parametrize(
    "argv, status, message",
    [
        (["new", "project", "--year", "2025"], 2, "缺少 --unit"),
        (NEW_PROJECT[:-2], 2, "缺少 --total"),
        (NEW_PROJECT[:-1] + ["10万元"], 2, "金额只能写半角数字"),
        (NEW_PROJECT[:-3] + ["其他类", "--total", "10"], 2, "项目类别应为"),
        (NEW_PROJECT[:7] + ["Xin_Xiangmu"] + NEW_PROJECT[8:], 2, "编号只能由小写英文字母"),
        (NEW_PROJECT[:7] + ["index"] + NEW_PROJECT[8:], 2, "保留名称"),
        (NEW_PROJECT + ["--fiscal", "6", "--other", "3"], 2, "≠ 财政拨款 6 + 其他资金 3"),
        (NEW_PROJECT[:5] + ["no-such-unit"] + NEW_PROJECT[6:], 1, "没有单位“no-such-unit”"),
        (["new", "unit", "--year", "2026", "--id", "x", "--name", "x", "--total", "1"], 2, "new unit 不使用 --total"),
        (["new", "project", "--content", "missing"] + NEW_PROJECT[2:], 2, "找不到内容目录"),
    ],
)
def test_bad_values_without_a_terminal(content_copy, capsys, argv, status, message):
    assert main(argv) == status
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert not (UNIT_DIR / "xin-xiangmu.yml").exists()


def test_duplicate_id_in_another_unit_of_the_year(content_copy, capsys):
    assert main(["new", "unit", "--year", "2025", "--id", "other-unit", "--name", "另一单位"]) == 0
    assert main(["new", "project", "--year", "2025", "--unit", "other-unit", "--id", "cun-shequ-huanjie", "--name", "x",
                 "--category", "人员类", "--total", "1"]) == 1
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
    assert len(prompts) == 7  # the bad id and the bad category were asked again
    err = capsys.readouterr().err
    assert "编号只能由小写英文字母" in err and "项目类别应为" in err
    form = ProjectForm.model_validate(load_file(UNIT_DIR / "xin-xiangmu.yml").data)
    assert (form.name, form.category, form.funding.total) == ("新项目", "特定目标类", 10)


def test_scalar_round_trips():
    from generator.forms.load import load_text

    for text in ("新项目", "项目: 'A' #1", "- 列表", "[x](javascript:alert(1))", "a  b", "“引号”", "{x}", "%s", "@x", "012"):
        doc = load_text(f"name: {scaffold.scalar(text)}\n")
        assert not doc.problems and doc.data == {"name": text}, text
