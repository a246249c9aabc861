"""`disclosure migrate`: files written for the earlier fixed model become files of a layout, checked, atomically, once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from checkrun import run_check

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_LAYOUT = ROOT / "generator/forms/layouts/sichuan-panzhihua-2025.yml"
OLD_UNIT_SCHEMA = "# yaml-language-server: $schema=../../../schema/unit.schema.json\n"
OLD_PROJECT_SCHEMA = "# yaml-language-server: $schema=../../../schema/project.schema.json\n"

OLD_UNIT = (
    OLD_UNIT_SCHEMA
    + """\
# 部门（单位）整体支出绩效目标申报表（2025年度）
id: u
fiscal_year: 2025
unit_name: 测试单位
department:
money_unit: 万元

# 预算资金（万元）：每行 合计 = 财政资金 + 其他资金；空白单元格留空。
budget:
  total:           {total: 10, fiscal: 10, other: }
  personnel:       {total: 0,  fiscal: 0,  other: }
  public_funds:    {total: 0,  fiscal: 0,  other: }
  other_operating: {total: 10, fiscal: 10, other: }
  specific:        {total: 0,  fiscal: 0,  other: }

tasks: >-
  年度任务。

# 绩效指标：一级指标 / 二级指标 / 指标值（包含数字及文字描述）
indicators:
  - level1: 产出指标
    level2: 数量指标
    value: 服务1000人次
"""
)

OLD_PROJECT = (
    OLD_PROJECT_SCHEMA
    + """\
# 其他运转类项目支出绩效目标申报表（2025年度）
id: p
fiscal_year: 2025
order: 1
name: 测试项目
unit_name: 测试单位
category: 其他运转类
period:
  start: 2023
  end: 2025
money_unit: 万元

# 项目资金（万元）：年度资金总额 = 财政拨款 + 其他资金
funding:
  total: 10
  fiscal: 10
  other:

# 资金来源：手写的注释，迁移后仍在
funding_sources:
  - name: 一般公共预算
    amount: 10

goal: >-
  总体目标。

# 绩效指标：一级指标 / 二级指标 / 三级指标 / 指标值（包含数字及文字描述）
indicators:
  - level1: 产出指标
    level2: 数量指标
    name: 服务人次
    value: ≥1000人次
    nature: ≥
    measure_unit:
"""
)


def make_site(root: Path, files: dict[str, str], default: str, layouts: dict[str, str] | None = None) -> Path:
    """A site with disclosure.yml, its own layouts and content files (path below content/ -> text)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "disclosure.yml").write_text(f"layout: {default}\n", encoding="utf-8")
    for name, text in (layouts or {}).items():
        (root / "layouts").mkdir(exist_ok=True)
        (root / "layouts" / f"{name}.yml").write_text(text, encoding="utf-8")
    for rel, text in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def snapshot(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted((site / "content").rglob("*.yml"))}


@pytest.fixture(autouse=True)
def _no_annotations(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


EXTENDED = (ROOT / "tests/corpus/_layouts/corpus-extended.yml").read_text(encoding="utf-8")


def test_old_files_are_migrated_and_pass_check(tmp_path, monkeypatch, capsys):
    site = make_site(
        tmp_path / "site",
        {"2025/u/unit.yml": OLD_UNIT, "2025/u/p.yml": OLD_PROJECT},
        "sichuan-panzhihua-2025",
        {"corpus-extended": EXTENDED},
    )
    monkeypatch.chdir(site)
    assert main(["migrate", "--layout", "corpus-extended"]) == 0
    out = capsys.readouterr().out
    assert "已迁移 content/2025/u/p.yml：$schema → ../../../schema/corpus-extended/project.schema.json" in out
    assert "period {start, end} → period: 2023年—2025年" in out and "已迁移 2 个文件，0 个无需改动" in out
    project = (site / "content/2025/u/p.yml").read_text(encoding="utf-8")
    lines = project.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../../schema/corpus-extended/project.schema.json"
    assert lines[2] == "layout: corpus-extended"  # not the year's default layout
    assert "category: 其他运转类\nperiod: 2023年—2025年\nmoney_unit: 万元\n" in project
    assert "# 资金来源：手写的注释，迁移后仍在\nfunding_sources:\n  - name: 一般公共预算\n" in project  # comments stay
    assert "    nature: ≥\n" in project and "measure_unit" not in project  # a blank old key has nowhere to go: dropped
    unit = (site / "content/2025/u/unit.yml").read_text(encoding="utf-8")
    assert "department" not in unit and "  total:           {total: 10, fiscal: 10, other: }\n" in unit
    # Everything else is as it was: only the changed lines differ.
    assert unit.splitlines()[3:] == [ln for ln in OLD_UNIT.splitlines()[1:] if ln != "department:"][1:]
    assert run_check(capsys, "content").status == 0

    before = snapshot(site)
    assert main(["migrate", "--layout", "corpus-extended"]) == 0
    assert "已迁移 0 个文件，2 个无需改动" in capsys.readouterr().out
    assert main(["migrate"]) == 0  # the files name their layout now
    assert "已迁移 0 个文件，2 个无需改动" in capsys.readouterr().out
    assert snapshot(site) == before


def test_default_layout_adds_no_layout_key(tmp_path, monkeypatch, capsys):
    site = make_site(
        tmp_path / "site",
        {"2025/u/unit.yml": OLD_UNIT, "2025/u/p.yml": OLD_PROJECT},
        "corpus-extended",
        {"corpus-extended": EXTENDED},
    )
    monkeypatch.chdir(site)
    assert main(["migrate"]) == 0
    capsys.readouterr()
    text = (site / "content/2025/u/p.yml").read_text(encoding="utf-8")
    assert "layout:" not in text and text.startswith("# yaml-language-server: $schema=../../../schema/corpus-extended/")
    assert run_check(capsys, "content").status == 0


def test_fields_without_a_place_are_refused_with_their_lines(tmp_path, monkeypatch, capsys):
    project = OLD_PROJECT.replace("category: 其他运转类\n", "category: 其他运转类\ndepartment: 主管部门甲\n")
    project = project.replace("    measure_unit:\n", "    measure_unit: 人次\n")
    site = make_site(tmp_path / "site", {"2025/u/unit.yml": OLD_UNIT, "2025/u/p.yml": project}, "sichuan-panzhihua-2025")
    monkeypatch.chdir(site)
    before = snapshot(site)
    assert main(["migrate"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    expected = {
        "content/2025/u/p.yml:9:1: error: department:": "主管部门",
        "content/2025/u/p.yml:10:1: error: period:": "项目期",
        "content/2025/u/p.yml:22:1: error: funding_sources:": "资金来源明细",
        "content/2025/u/p.yml:35:5: error: indicators[0].nature:": "指标性质",
        "content/2025/u/p.yml:36:5: error: indicators[0].measure_unit:": "度量单位",
    }
    for start, label in expected.items():
        line = next((ln for ln in lines if ln.startswith(start)), None)
        assert line is not None, (start, captured.out)
        assert f"表样“sichuan-panzhihua-2025”没有“{label}”" in line and line.endswith("(unknown-field)")
    assert lines[-1] == "5 errors, 0 warnings"
    assert "没有写入任何文件" in captured.err and "Traceback" not in captured.err
    assert snapshot(site) == before  # not even the unit, which alone could be migrated


def test_migrated_content_is_checked_before_writing(tmp_path, monkeypatch, capsys):
    project = OLD_PROJECT.replace("  total: 10\n  fiscal: 10\n", "  total: 10\n  fiscal: 9\n")
    site = make_site(
        tmp_path / "site",
        {"2025/u/unit.yml": OLD_UNIT, "2025/u/p.yml": project},
        "corpus-extended",
        {"corpus-extended": EXTENDED},
    )
    monkeypatch.chdir(site)
    before = snapshot(site)
    assert main(["migrate"]) == 1
    out = capsys.readouterr().out
    assert "content/2025/u/p.yml:" in out and "(total-mismatch)" in out and "/tmp" not in out
    assert snapshot(site) == before


def test_dry_run_writes_nothing(tmp_path, monkeypatch, capsys):
    site = make_site(
        tmp_path / "site",
        {"2025/u/unit.yml": OLD_UNIT, "2025/u/p.yml": OLD_PROJECT},
        "corpus-extended",
        {"corpus-extended": EXTENDED},
    )
    monkeypatch.chdir(site)
    before = snapshot(site)
    assert main(["migrate", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "-# yaml-language-server: $schema=../../../schema/project.schema.json" in out
    assert "+period: 2023年—2025年" in out and "将迁移 2 个文件" in out and "没有写入任何文件" in out
    assert snapshot(site) == before


def _renamed_layout() -> str:
    """The sample layout with the project's money table named `money`, contact fields and 资金来源 beside a 合计 row."""
    layout = yaml.safe_load(
        SAMPLE_LAYOUT.read_text(encoding="utf-8").replace("funding.", "money.").replace("name: funding\n", "name: money\n")
    )
    project = layout["project"]
    project["parts"][0]["fields"] += [{"name": "leader", "title": "项目负责人"}, {"name": "phone", "title": "联系电话"}]
    project["parts"].insert(
        2,
        {
            "table": {
                "name": "funding_sources",
                "title": "资金来源（{money_unit}）",
                "items": True,
                "optional": True,
                "columns": [
                    {"name": "source", "title": "资金来源", "type": "text", "required": True},
                    {"name": "amount", "title": "金额", "required": True},
                ],
                "rows": [{"name": "total", "title": "合计", "optional": True}],
                "sums": [{"each": "column", "total": "total", "parts": ["items"]}],
            }
        },
    )
    return yaml.safe_dump(layout, allow_unicode=True, sort_keys=False)


def test_old_shapes_go_where_the_layout_puts_them(tmp_path, monkeypatch, capsys):
    project = OLD_PROJECT.replace("period:\n  start: 2023\n  end: 2025\n", "contact: {name: 张三, phone: '0812'}\n")
    project = project.replace("    nature: ≥\n", "")
    site = make_site(
        tmp_path / "site", {"2025/u/unit.yml": OLD_UNIT, "2025/u/p.yml": project}, "renamed", {"renamed": _renamed_layout()}
    )
    monkeypatch.chdir(site)
    assert main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert "contact.name → leader" in out and "contact.phone → phone" in out and "funding → money" in out
    text = (site / "content/2025/u/p.yml").read_text(encoding="utf-8")
    assert "category: 其他运转类\nleader: 张三\nphone: '0812'\n" in text
    assert "\nmoney:\n  total: 10\n  fiscal: 10\n  other:\n" in text and "\nfunding:" not in text
    assert "funding_sources:\n  items:\n    - source: 一般公共预算\n      amount: 10\n" in text
    assert run_check(capsys, "content").status == 0
    before = snapshot(site)
    assert main(["migrate"]) == 0
    assert snapshot(site) == before


def test_usage_errors(tmp_path, monkeypatch, capsys):
    site = make_site(tmp_path / "site", {"2025/u/unit.yml": OLD_UNIT}, "sichuan-panzhihua-2025")
    monkeypatch.chdir(site)
    assert main(["migrate", "--layout", "no-such"]) == 2
    assert "没有名为“no-such”的表样" in capsys.readouterr().err
    assert main(["migrate", "--content", "missing"]) == 2
    assert "找不到内容目录" in capsys.readouterr().err


def test_shipped_content_is_migrated(tmp_path, monkeypatch, capsys):
    """The shipped files carry the layout's modeline; migrating them again changes nothing."""
    for path in sorted((ROOT / "content").glob("*/*/*.yml")):
        kind = "unit" if path.name == "unit.yml" else "project"
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first == f"# yaml-language-server: $schema=../../../schema/sichuan-panzhihua-2025/{kind}.schema.json"
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "disclosure.yml", tmp_path / "disclosure.yml")
    monkeypatch.chdir(tmp_path)
    assert main(["migrate", "--dry-run"]) == 0
    assert capsys.readouterr().out == "将迁移 0 个文件，9 个无需改动（--dry-run：没有写入任何文件）\n"
