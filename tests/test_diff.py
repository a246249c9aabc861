"""`disclosure diff`: forms compared between git revisions, as a data structure and as text / Markdown."""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import markdown
import pytest
from checkrun import run_check

from generator.editing import diff as diffmod
from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
UNIT = "content/2025/renhe-shehui-gongzuobu"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "测试",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "测试",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a copy of content/ on `main`, checked out on a branch `edit`."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "content", repo / "content")
    shutil.copy(ROOT / "disclosure.yml", repo / "disclosure.yml")
    git(repo, "init", "-q")
    git(repo, "checkout", "-q", "-b", "main")
    commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "edit")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return repo


NEW_PROJECT = """\
# yaml-language-server: $schema=../../../schema/sichuan-panzhihua-2025/project.schema.json
id: xin-xiangmu
fiscal_year: 2025
name: {name}
unit_name: 中共攀枝花市仁和区委社会工作部
category: 特定目标类
funding:
  total: 2
  fiscal: 2
  other:
goal: 新项目的总体目标。
indicators:
  - level1: 产出指标
    level2: 数量指标
    name: 培训人次
    value: ≥100人次
"""


def make_change(repo: Path, name: str = "新项目") -> None:
    """Raise one project by 1, add a project of 2, change an indicator value and a goal; balance the unit."""
    unit, project = repo / UNIT / "unit.yml", repo / UNIT / "chengxiang-jiceng-zhili.yml"
    edit(project, "funding:\n  total: 8\n  fiscal: 8\n", "funding:\n  total: 9\n  fiscal: 9\n")
    edit(project, "value: 2025年底前", "value: 2025年10月底前")
    edit(project, "形成一批治理体系更加健全", "形成一批治理体系明显健全")
    edit(unit, "total: 682.42, fiscal: 682.42", "total: 685.42, fiscal: 685.42")
    edit(unit, "total: 468.95, fiscal: 468.95", "total: 469.95, fiscal: 469.95")
    edit(unit, "specific:        {total: 8,      fiscal: 8,", "specific:        {total: 10,     fiscal: 10,")
    (repo / UNIT / "xin-xiangmu.yml").write_text(NEW_PROJECT.format(name=name), encoding="utf-8")


def test_diff_between_two_commits(repo, capsys):
    make_change(repo)
    commit(repo, "edit")
    assert run_check(capsys, "content").status == 0  # the change itself is consistent

    d = diffmod.compute_diff("content", "main", "edit")
    assert d.base.startswith("main ") and d.head.startswith("edit ")
    assert [(r.id, r.kind, r.category, r.total, r.title) for r in d.added] == [
        ("xin-xiangmu", "project", "特定目标类", Decimal("2"), "新项目")
    ]
    assert d.added[0].path == f"{UNIT}/xin-xiangmu.yml"
    assert d.removed == [] and d.renamed == [] and d.broken == []

    by_path = {c.new.path: c for c in d.changed}
    assert set(by_path) == {f"{UNIT}/chengxiang-jiceng-zhili.yml", f"{UNIT}/unit.yml"}
    project = by_path[f"{UNIT}/chengxiang-jiceng-zhili.yml"]
    amounts = {a.field: (a.old, a.new, a.delta, a.label) for a in project.amounts}
    assert amounts == {  # labelled as the layout prints them
        "funding.total": (Decimal(8), Decimal(9), Decimal(1), "项目资金 年度资金总额"),
        "funding.fiscal": (Decimal(8), Decimal(9), Decimal(1), "项目资金 财政拨款"),
    }
    [indicator] = project.indicators
    assert (indicator.change, indicator.level1, indicator.level2, indicator.name) == (
        "changed",
        "项目完成",
        "时效指标",
        "目标任务完成时限",
    )
    assert (indicator.old_value, indicator.new_value) == ("2025年底前", "2025年10月底前")
    [goal] = project.fields
    assert goal.field == "goal" and goal.label == "总体目标"
    assert ("-", "更加") in goal.pieces and ("+", "明显") in goal.pieces  # jieba words, not characters
    assert sum(len(t) for op, t in goal.pieces if op == "=") <= 2 * diffmod.CONTEXT + 2

    unit = by_path[f"{UNIT}/unit.yml"]
    assert {a.field: (a.old, a.new) for a in unit.amounts} == {
        "budget.total.total": (Decimal("682.42"), Decimal("685.42")),
        "budget.total.fiscal": (Decimal("682.42"), Decimal("685.42")),
        "budget.other_operating.total": (Decimal("468.95"), Decimal("469.95")),
        "budget.other_operating.fiscal": (Decimal("468.95"), Decimal("469.95")),
        "budget.specific.total": (Decimal(8), Decimal(10)),
        "budget.specific.fiscal": (Decimal(8), Decimal(10)),
    }

    [effect] = d.effects
    assert (effect.unit, effect.total_old, effect.total_new) == ("renhe-shehui-gongzuobu", Decimal("682.42"), Decimal("685.42"))
    assert effect.total_label == "预算资金 年度资金总额 合计"
    # The layout's cross_form cells whose amounts moved: 合计 and 财政资金 of two categories.
    cells = {c.unit_cell: c for c in effect.cells}
    assert set(cells) == {
        "budget.other_operating.total",
        "budget.other_operating.fiscal",
        "budget.specific.total",
        "budget.specific.fiscal",
    }
    other = cells["budget.other_operating.total"]
    assert (other.category, other.project_cell, other.label) == (
        "其他运转类",
        "funding.total",
        "预算资金 其他运转类项目支出 合计",
    )
    assert (other.declared_old, other.declared_new, other.sum_old, other.sum_new, other.count_old, other.count_new) == (
        Decimal("468.95"),
        Decimal("469.95"),
        Decimal("468.95"),
        Decimal("469.95"),
        7,
        7,
    )
    specific = cells["budget.specific.total"]
    assert (specific.declared_new, specific.sum_new, specific.count_old, specific.count_new) == (Decimal(10), Decimal(10), 1, 2)
    assert specific.difference_new == 0

    text = diffmod.render_text(d)
    assert f"+ {UNIT}/xin-xiangmu.yml  项目表 “新项目” 特定目标类 2 万元" in text
    assert "金额 项目资金 年度资金总额：8 → 9（+1）万元" in text
    assert "金额 项目资金 财政拨款：8 → 9（+1）万元" in text
    assert "项目完成 / 时效指标 / 目标任务完成时限：2025年底前 → 2025年10月底前" in text
    assert "[-更加-]{+明显+}" in text
    assert "预算资金 特定目标类项目经费 合计（特定目标类项目）：单位表 8 → 10；项目表之和 8（1 张）→ 10（2 张）万元；一致" in text
    assert "预算资金 年度资金总额 合计：682.42 → 685.42（+3.00）万元" in text
    assert "格式或注释" not in text  # only form content changed

    md = diffmod.render_markdown(d)
    assert "| 城乡基层治理实施经费 | 项目资金 年度资金总额 | 8 | 9 | +1 万元 |" in md
    assert "| 城乡基层治理实施经费 | 项目资金 财政拨款 | 8 | 9 | +1 万元 |" in md
    assert "| 新增 |" in md and "新项目" in md
    assert "2025年底前 → 2025年10月底前" in md
    assert "~~更加~~ **明显**" in md
    assert "| 预算资金 特定目标类项目经费 合计（特定目标类项目） | 8 → 10 | 8（1 张）→ 10（2 张） | 一致 |" in md

    # The command: default base = merge base with main, head = the working tree (same as the commit here).
    assert main(["diff"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("表单变化：main 与 HEAD 的分叉点 ")
    assert "金额 项目资金 年度资金总额：8 → 9（+1）万元" in out
    assert main(["diff", "--format", "markdown", "main", "edit"]) == 0
    assert capsys.readouterr().out == md


def test_unbalanced_change_tells_which_unit_line_to_update(repo):
    edit(
        repo / UNIT / "chengxiang-jiceng-zhili.yml", "funding:\n  total: 8\n  fiscal: 8\n", "funding:\n  total: 9\n  fiscal: 9\n"
    )
    d = diffmod.compute_diff("content")  # working tree against main, uncommitted
    assert d.head.startswith("工作区")
    [effect] = d.effects
    assert [c.unit_cell for c in effect.cells] == ["budget.other_operating.total", "budget.other_operating.fiscal"]
    cell = effect.cells[0]
    assert (cell.category, cell.declared_old, cell.declared_new) == ("其他运转类", Decimal("468.95"), Decimal("468.95"))
    assert (cell.sum_old, cell.sum_new, cell.difference_new) == (Decimal("468.95"), Decimal("469.95"), Decimal("-1.00"))
    text = diffmod.render_text(d)
    assert "不一致：单位表比项目表之和少 1.00 万元，请更新 budget.other_operating.total" in text
    assert "不一致：单位表比项目表之和少 1.00 万元，请更新 budget.other_operating.fiscal" in text


def test_rename_is_detected(repo):
    old, new = repo / UNIT / "cun-shequ-huanjie.yml", repo / UNIT / "cun-shequ-huanjie-2025.yml"
    git(repo, "mv", str(old), str(new))
    edit(new, "id: cun-shequ-huanjie\n", "id: cun-shequ-huanjie-2025\n")
    commit(repo, "rename")
    d = diffmod.compute_diff("content", "main", "HEAD")
    assert d.added == [] and d.removed == [] and d.effects == []
    [change] = d.renamed
    assert (change.old.id, change.new.id, change.rename_reason) == (
        "cun-shequ-huanjie",
        "cun-shequ-huanjie-2025",
        "内容相同，仅编号不同",
    )
    assert change.empty
    assert (
        "cun-shequ-huanjie.yml → content/2025/renhe-shehui-gongzuobu/cun-shequ-huanjie-2025.yml（编号 cun-shequ-huanjie → cun-shequ-huanjie-2025）"
        in diffmod.render_text(d)
    )


def test_rename_with_changes_by_name(repo):
    old, new = repo / UNIT / "cun-shequ-huanjie.yml", repo / UNIT / "huanjie.yml"
    old.rename(new)
    edit(new, "id: cun-shequ-huanjie\n", "id: huanjie\n")
    edit(new, "goal: >-\n", "goal: >-\n  新增一句。\n")
    d = diffmod.compute_diff("content")
    [change] = d.changed
    assert change.rename_reason == "名称相同" and [f.field for f in change.fields] == ["goal"]


INJECTION = "'[点我](javascript:alert(1)) <img src=x onerror=alert(1)> **粗体** https://evil.example/x @someone www.evil.example'"


def test_markdown_cannot_be_injected(repo):
    make_change(repo, name=INJECTION)
    edit(
        repo / UNIT / "chengxiang-jiceng-zhili.yml",
        "形成一批治理体系明显健全",
        "形成一批<script>alert(1)</script>[链接](https://evil.example)治理体系明显健全",
    )
    d = diffmod.compute_diff("content")
    assert d.added[0].title.startswith("[点我](javascript:")
    md = diffmod.render_markdown(d)
    for raw in ("<img", "<script", "](", "javascript:", "https://", "**粗体**", "@someone", "www.evil"):
        assert raw not in md, raw
    assert "&#91;点我&#93;(javascript&#58;alert(1))" in md and "&#60;img src=x onerror=alert(1)&#62;" in md
    html = markdown.markdown(md, extensions=["tables"])
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert "<strong>粗体</strong>" not in html
    assert "<del>" not in html  # python-markdown has no ~~; GitHub renders the diff markers, content stays text
    text = diffmod.render_text(d)
    assert "[点我](javascript:alert(1))" in text  # plain text is shown as written


def test_markdown_injection_with_githubs_renderer(repo):
    """The same, rendered by cmark-gfm (GitHub's Markdown library, with its autolink extension)."""
    cmarkgfm = pytest.importorskip(
        "cmarkgfm", reason="cmarkgfm (GitHub's renderer) is not installed; the escaping is still tested above"
    )
    from cmarkgfm.cmark import Options

    make_change(repo, name=INJECTION)
    edit(
        repo / UNIT / "chengxiang-jiceng-zhili.yml",
        "形成一批治理体系明显健全",
        "形成一批<script>alert(1)</script>[链接](https://evil.example)“治理体系”更为健全 www.evil.example x@evil.example",
    )
    md = diffmod.render_markdown(diffmod.compute_diff("content"))
    html = cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert "<del>更加</del>" in html and "<strong>" in html  # the diff markers do render next to CJK text


def test_broken_side_is_reported_not_raised(repo, capsys):
    (repo / UNIT / "cun-shequ-huanjie.yml").write_text("id: [unclosed\n", encoding="utf-8")
    (repo / UNIT / "new-broken.yml").write_text("id: x\nfunding: {total: 1\n", encoding="utf-8")
    assert main(["diff"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "无法读取的文件" in captured.out
    d = diffmod.compute_diff("content")
    assert {(b.side, b.path.rsplit("/", 1)[-1]) for b in d.broken} == {
        ("new", "cun-shequ-huanjie.yml"),
        ("new", "new-broken.yml"),
    }
    assert all("yaml-syntax" in b.message for b in d.broken)
    [effect] = d.effects
    assert effect.cells and all(not c.complete_new for c in effect.cells)
    assert main(["diff", "--format", "markdown"]) == 0
    assert "无法读取的文件" in capsys.readouterr().out


def test_git_failures_and_usage_errors(repo, tmp_path, capsys, monkeypatch):
    assert main(["diff", "no-such-branch"]) == 1
    err = capsys.readouterr().err
    assert "找不到版本“no-such-branch”" in err and "Traceback" not in err
    assert main(["diff", "--", "--output=/tmp/x"]) == 2
    assert "无效的版本" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["diff", "--format", "html"])
    assert exc.value.code == 2
    capsys.readouterr()
    outside = tmp_path / "outside"
    shutil.copytree(ROOT / "content", outside / "content")
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert main(["diff"]) == 1
    assert "不在 git 仓库中" in capsys.readouterr().err
    assert main(["diff", "--content", "missing"]) == 2


def test_default_base_without_main(tmp_path, monkeypatch, capsys):
    repo = tmp_path / "r"
    repo.mkdir()
    shutil.copytree(ROOT / "content", repo / "content")
    shutil.copy(ROOT / "disclosure.yml", repo / "disclosure.yml")
    git(repo, "init", "-q")
    git(repo, "checkout", "-q", "-b", "trunk")
    monkeypatch.chdir(repo)
    commit(repo, "first")
    # The first commit: compared with nothing, every form is new.
    d = diffmod.compute_diff("content", head="HEAD")
    assert d.base.startswith("空") and len(d.added) == 9 and not d.changed
    assert [(s.change, s.path) for s in d.site] == [("added", "disclosure.yml")]
    edit(repo / UNIT / "unit.yml", "unit_name: 中共攀枝花市仁和区委社会工作部", "unit_name: 仁和区委社会工作部")
    commit(repo, "second")
    d = diffmod.compute_diff("content")
    assert d.base.startswith("HEAD^1 ")
    [change] = d.changed
    assert [(f.field, f.old, f.new, f.pieces) for f in change.fields] == [
        ("unit_name", "中共攀枝花市仁和区委社会工作部", "仁和区委社会工作部", ())
    ]


def test_word_diff_context_and_limits():
    old = "甲" * 100 + "社会工作" + "乙" * 100
    new = "甲" * 100 + "基层治理" + "乙" * 100
    pieces = diffmod.word_diff(old, new)
    assert pieces[0] == ("…", "") and pieces[-1] == ("…", "")
    kept = [t for op, t in pieces if op == "="]
    assert all(len(t) <= diffmod.CONTEXT for t in kept)
    assert ("-", "社会工作") in pieces or ("-", "社会") in pieces
    assert diffmod.word_diff("相同", "相同") == []
    long = diffmod.word_diff("开头", "开头" + "新" * 500)
    assert any(op == "+" and "（共 500 字）" in t for op, t in long)


def test_markdown_is_cut_below_the_comment_limit():
    d = diffmod.Diff("a", "b")
    d.added = [diffmod.FormRef(f"content/2025/u/p{i}.yml", "project", "2025", "u", f"p{i}", "项目" * 20) for i in range(400)]
    md = diffmod.render_markdown(d, limit=5000)
    assert len(md) < 5000 and "已截断" in md


def test_changes_outside_form_fields_are_shown(repo):
    """A modeline, a comment, key order or `layout:`: none changes the form's data, all appear in the review."""
    unit, project = repo / UNIT / "unit.yml", repo / UNIT / "cun-shequ-huanjie.yml"
    edit(unit, "# 预算资金（万元）：", "# 预算资金（万元，据原表）：")
    edit(
        project,
        "$schema=../../../schema/sichuan-panzhihua-2025/project.schema.json",
        "$schema=../../../schema/project.schema.json",
    )
    edit(project, "order: 8\nname: 村（社区）换届工作经费\n", "name: 村（社区）换届工作经费\norder: 8\n")
    other = repo / UNIT / "cun-ganbu-huachengbao.yml"
    edit(other, "id: cun-ganbu-huachengbao\n", "layout: sichuan-panzhihua-2025\nid: cun-ganbu-huachengbao\n")
    edit(other, "# 绩效指标：", "# 绩效指标（原表第 2 页）：")
    d = diffmod.compute_diff("content")
    by_path = {c.new.path: c for c in d.changed}
    assert set(by_path) == {f"{UNIT}/unit.yml", f"{UNIT}/cun-shequ-huanjie.yml", f"{UNIT}/cun-ganbu-huachengbao.yml"}
    unit_change = by_path[f"{UNIT}/unit.yml"]
    assert unit_change.empty and unit_change.text.messages == ("文件有格式或注释改动，表单内容未变",)
    assert [(op, n) for op, n, _ in unit_change.text.excerpt] == [("-", 8), ("+", 8)]
    moved = by_path[f"{UNIT}/cun-shequ-huanjie.yml"]
    assert moved.empty and len(moved.text.excerpt) == 4  # the modeline and the two keys
    named = by_path[f"{UNIT}/cun-ganbu-huachengbao.yml"]
    assert [(f.field, f.label, f.old, f.new) for f in named.fields] == [("layout", "表样", None, "sichuan-panzhihua-2025")]
    assert named.text.messages == ("注释有改动",)
    assert d.effects == []
    text = diffmod.render_text(d)
    assert "文件有格式或注释改动，表单内容未变：" in text
    assert "原第 8 行：# 预算资金（万元）：每行" in text and "新第 8 行：# 预算资金（万元，据原表）：每行" in text
    assert "表样：（无） → sichuan-panzhihua-2025" in text and "注释有改动：" in text
    md = diffmod.render_markdown(d)
    assert "文件有格式或注释改动，表单内容未变" in md and "修改 3 张表单" in md


def _custom_layout(path: Path) -> None:
    """The sample layout plus a header field, a longtext section, an indicator column and a 资金来源 table."""
    import yaml

    layout = yaml.safe_load((ROOT / "generator/forms/layouts/sichuan-panzhihua-2025.yml").read_text(encoding="utf-8"))
    project = layout["project"]
    project["parts"][0]["fields"].append({"name": "contact", "title": "项目负责人及电话"})
    project["parts"].insert(
        2,
        {
            "table": {
                "name": "funding_sources",
                "title": "资金来源（{money_unit}）",
                "short": "资金来源",
                "items": True,
                "optional": True,
                "columns": [
                    {"name": "name", "title": "资金来源", "type": "text", "required": True},
                    {"name": "amount", "title": "金额", "required": True},
                ],
            }
        },
    )
    project["sums"] = [{"total": "funding.total", "parts": ["funding_sources.amount"]}]
    project["parts"].insert(4, {"fields": [{"name": "medium_goal", "title": "中期目标", "type": "longtext"}]})
    indicators = next(p["indicators"] for p in project["parts"] if "indicators" in p)
    indicators["columns"].append({"name": "explanation", "title": "指标解释", "role": "text"})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(layout, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_site_layout_drives_new_and_diff(tmp_path, monkeypatch, capsys):
    """A site's own layout with added parts: `new` writes each of them, `diff` reports each under its printed label."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    _custom_layout(site / "layouts" / "renhe-custom.yml")
    (site / "disclosure.yml").write_text("layout: renhe-custom\n", encoding="utf-8")
    monkeypatch.chdir(site)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["migrate"]) == 0  # the shipped files now point at the site layout's schema
    assert "已迁移 9 个文件" in capsys.readouterr().out
    assert (
        (site / UNIT / "unit.yml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=../../../schema/renhe-custom/unit.schema.json\n")
    )
    assert run_check(capsys, "content").status == 0
    git(site, "init", "-q")
    git(site, "checkout", "-q", "-b", "main")
    commit(site, "base")

    assert (
        main(
            [
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
        )
        == 0
    )
    capsys.readouterr()
    text = (site / UNIT / "xin-xiangmu.yml").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../../schema/renhe-custom/project.schema.json"
    assert any(line.startswith("contact: 待填") and line.endswith("# 项目负责人及电话") for line in lines)
    assert "# 中期目标\nmedium_goal: >-\n  待填：中期目标，照录原表。\n" in text
    assert any(line.strip().startswith("explanation: 待填") and line.endswith("# 指标解释") for line in lines)
    assert "/ 指标解释（原样照录" in text
    assert "# 资金来源（万元）：金额之和 = 项目资金 年度资金总额\n# funding_sources:" in text
    (site / UNIT / "xin-xiangmu.yml").unlink()

    git(site, "checkout", "-q", "-b", "edit")
    project = site / UNIT / "chengxiang-jiceng-zhili.yml"
    edit(
        project,
        "unit_name: 中共攀枝花市仁和区委社会工作部\n",
        "unit_name: 中共攀枝花市仁和区委社会工作部\ncontact: 张三 0812-1234567\n",
    )
    edit(project, "\n# 绩效指标：", "\nmedium_goal: >-\n  三年内建成城乡基层治理示范点位。\n\n# 绩效指标：")
    edit(
        project,
        "funding:\n  total: 8\n  fiscal: 8\n  other:\n",
        "funding:\n  total: 8\n  fiscal: 8\n  other:\n\nfunding_sources:\n  - name: 一般公共预算\n    amount: 8\n",
    )
    edit(project, "    value: 2025年底前\n", "    value: 2025年底前\n    explanation: 以验收时间为准\n")
    commit(site, "edit")
    assert run_check(capsys, "content").status == 0

    d = diffmod.compute_diff("content", "main", "edit")
    [change] = d.changed
    fields = {f.label: (f.old, f.new) for f in change.fields}
    assert fields == {"项目负责人及电话": (None, "张三 0812-1234567"), "中期目标": (None, "三年内建成城乡基层治理示范点位。")}
    assert [(a.label, a.old, a.new) for a in change.amounts] == [("资金来源“一般公共预算” 金额", None, Decimal(8))]
    [indicator] = change.indicators
    assert indicator.name == "目标任务完成时限" and [(f.label, f.new) for f in indicator.fields] == [
        ("指标解释", "以验收时间为准")
    ]
    out = diffmod.render_text(d)
    assert "项目负责人及电话：（无） → 张三 0812-1234567" in out
    assert "中期目标：（无） → 三年内建成城乡基层治理示范点位。" in out
    assert "指标解释：（无） → 以验收时间为准" in out
    assert "金额 资金来源“一般公共预算” 金额：空 → 8（+8）万元" in out

    # An item row is matched by its name, not its position: a row inserted before it is the only change.
    edit(
        project,
        "funding_sources:\n  - name: 一般公共预算\n    amount: 8\n",
        "funding_sources:\n  - name: 上年结转\n    amount: 1\n  - name: 一般公共预算\n    amount: 7\n",
    )
    d = diffmod.compute_diff("content", "edit")
    [change] = d.changed
    assert [(a.label, a.old, a.new) for a in change.amounts] == [
        ("资金来源“一般公共预算” 金额", Decimal(8), Decimal(7)),
        ("资金来源“上年结转” 金额", None, Decimal(1)),
    ]

    # A change to the site's layout is listed for review.
    layout = site / "layouts" / "renhe-custom.yml"
    layout.write_text(layout.read_text(encoding="utf-8").replace("title: 中期目标", "title: 中期目标（三年）"), encoding="utf-8")
    d = diffmod.compute_diff("content", "edit")
    assert [(s.change, s.path) for s in d.site] == [("changed", "layouts/renhe-custom.yml")]
    assert "表样或站点设置的改动" in diffmod.render_text(d) and "layouts/renhe-custom.yml" in diffmod.render_markdown(d)
