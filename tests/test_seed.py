"""The shipped 2025 content: it checks clean, matches the reference text cell for cell, and every amount counts."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from checkrun import run_check
from tests.support import CONTENT, SEED_PROJECTS, SEED_UNIT, reference_cells

from generator.forms.load import load_file
from generator.forms.form import Form
from generator.forms.registry import registry_for
from generator.forms.validate import check_content

LAYOUT = registry_for(CONTENT).layouts["sichuan-panzhihua-2025"]


def unit_cell_of(category: str, project_cell: str) -> str:
    """Return the unit budget cell a project's cell is summed into, by the layout's cross_form rules."""
    rule = next(r for r in LAYOUT.spec.cross_form if r.category == category)
    return next(u for u, p in rule.sums.items() if p == project_cell)


TAXONOMY_WARNINGS = {
    "cun-ganbu-huachengbao",
    "cun-shequ-huanjie",
    "zhiyuan-fuwu-shegong-duiwu",
    "zonghe-fuwu-zhongxin-shegong",
}
#: Projects in the order the reference prints them (their `order` field).
PROJECT_IDS = SEED_PROJECTS
#: Header and label cells of the printed form layout (compared with the cell's inner line breaks removed).
LABELS = {
    "部门（单位）整体支出绩效目标申报表",
    "其他运转类项目支出绩效目标申报表",
    "特定目标类项目支出绩效目标申报表",
    "（2025年度）",
    "项目名称", "预算单位", "项目资金（万元）", "预算资金（万元）",
    "年度资金总额：", "其中：财政拨款", "其他资金", "合计", "财政资金",
    "其中：人员类项目支出", "运转类项目支出", "公用经费项目支出",
    "其他运转类项目支出", "特定目标类项目经费",
    "年度主要任务及拟达到的目标", "总体目标",
    "绩效指标", "一级指标", "二级指标", "三级指标",
    "指标值（包含数字及文字描述）",
}  # fmt: skip


def strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return [node] if isinstance(node, str) else []


def seed_data() -> dict[str, dict]:
    docs = {}
    for path in sorted(SEED_UNIT.glob("*.yml")):
        doc = load_file(path)
        assert doc.problems == []
        docs[path.stem] = doc.data
    return docs


def test_seed_checks_clean_with_its_four_taxonomy_warnings_acknowledged(capsys, monkeypatch):
    """The original form files four indicators under another first-level indicator: published as printed, acknowledged."""
    monkeypatch.chdir(CONTENT.parent)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = run_check(capsys, "content", "--strict")
    assert result.status == 0 and result.problems == []
    assert result.summary.group(0) == "9 forms checked: 0 errors, 0 warnings, 4 acknowledged"
    acknowledged = {
        path.stem
        for path in (CONTENT / "2025" / "renhe-shehui-gongzuobu").glob("*.yml")
        if "indicator-taxonomy: 原表如此，照录" in path.read_text(encoding="utf-8")
    }
    assert acknowledged == TAXONOMY_WARNINGS


def test_nine_forms_for_2025():
    result = check_content(CONTENT)
    forms = [f.form for f in result.files if f.year == "2025"]
    assert len(forms) == 9 and all(forms)
    assert sum(f.kind == "unit" for f in forms) == 1
    projects = sorted((f for f in forms if f.kind == "project"), key=lambda f: f.order)
    assert [p.id for p in projects] == PROJECT_IDS
    assert [p.order for p in projects] == list(range(1, 9))


def test_every_reference_cell_is_in_the_content():
    values = [s for data in seed_data().values() for s in strings(data)]
    cells = reference_cells()
    data_cells = [(raw, joined) for raw, joined in cells if joined not in LABELS]
    assert len(cells) - len(data_cells) > 100  # the layout labels were recognised
    assert len(data_cells) > 250
    missing = [raw for raw, joined in data_cells if not any(raw in v or joined in v for v in values)]
    assert missing == []


def test_each_form_holds_its_own_cells():
    """Cells of the n-th printed form are values of the n-th file (unit, then projects by `order`)."""
    docs = seed_data()
    forms: list[tuple[str, list[tuple[str, str]]]] = []
    for raw, joined in reference_cells():
        if joined.endswith("绩效目标申报表"):
            forms.append((joined, []))
        elif forms and joined not in LABELS:
            forms[-1][1].append((raw, joined))
    assert len(forms) == 9
    for (title, cells), doc_id in zip(forms, ["unit"] + PROJECT_IDS):
        values = strings(docs[doc_id])
        assert [raw for raw, joined in cells if not any(raw in v or joined in v for v in values)] == [], doc_id
        if doc_id != "unit":
            assert title == f"{docs[doc_id]['category']}项目支出绩效目标申报表"


def test_category_totals():
    result = check_content(CONTENT)
    projects = [f.form for f in result.projects()]
    other_operating = sum((p.total for p in projects if p.category == "其他运转类"), Decimal(0))
    specific = sum((p.total for p in projects if p.category == "特定目标类"), Decimal(0))
    assert (type(other_operating), str(other_operating)) == (Decimal, "468.95")
    assert specific == Decimal("8")
    unit = result.units()[0].form
    assert unit.cell("budget.other_operating.total") == other_operating
    assert unit.cell("budget.specific.total") == specific
    assert unit.total == Decimal("682.42")


# --------------------------------------------------------------------------- every amount counts


def _amounts() -> list[tuple[str, tuple, int, int, Decimal, int, int]]:
    """(file, path, line, col, amount, line of the row's total, line of the unit row it is summed into)."""
    unit_doc = load_file(SEED_UNIT / "unit.yml")
    out = []
    for path in sorted(SEED_UNIT.glob("*.yml")):
        doc = load_file(path)
        kind = "unit" if path.name == "unit.yml" else "project"
        form = Form(LAYOUT, kind, LAYOUT.models[kind].model_validate(doc.data))
        for where, amount in form.money_cells():
            mark = doc.mark(where)
            row_total = doc.mark(where[:-1] + ("total",))
            if kind == "project":
                unit_row = unit_doc.mark(tuple(unit_cell_of(form.category, ".".join(where)).split("."))).line
            else:
                unit_row = unit_doc.mark(("budget", "total", where[-1])).line
            out.append((path.name, where, mark.line, mark.col, amount, row_total.line, unit_row))
    return out


AMOUNTS = _amounts()
ARITHMETIC = {"total-mismatch", "sum-mismatch", "project-sum-mismatch"}


def test_amounts_found():
    assert len(AMOUNTS) == 5 * 2 + 8 * 2  # unit: 5 rows x (total, fiscal); projects: total, fiscal


@pytest.fixture(scope="module")
def seed_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("seed")
    shutil.copytree(SEED_UNIT, root / "content" / "2025" / SEED_UNIT.name)
    shutil.copy(CONTENT.parent / "disclosure.yml", root / "disclosure.yml")
    return root


@pytest.mark.parametrize("delta", ["+0.01", "-0.01"])
@pytest.mark.parametrize(
    "name, where, line, col, amount, total_line, unit_line",
    AMOUNTS,
    ids=[f"{a[0][:-4]}:{'.'.join(map(str, a[1]))}" for a in AMOUNTS],
)
def test_changing_any_amount_breaks_a_total(
    seed_copy, monkeypatch, capsys, name, where, line, col, amount, total_line, unit_line, delta
):
    target = seed_copy / "content" / "2025" / SEED_UNIT.name / name
    original = target.read_text(encoding="utf-8")
    lines = original.split("\n")
    text = lines[line - 1]
    written = str(amount)
    assert text[col - 1 : col - 1 + len(written)] == written  # the loader's position is exact
    changed = str(amount + Decimal(delta))
    lines[line - 1] = text[: col - 1] + changed + text[col - 1 + len(written) :]
    target.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.chdir(seed_copy)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    try:
        result = run_check(capsys, "content")
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.status == 1
    arithmetic = [p for p in result.problems if p.code in ARITHMETIC]
    assert {p.code for p in result.problems} <= ARITHMETIC | {"indicator-taxonomy"}
    assert all("≠" in p.message for p in arithmetic)
    # The row that holds the amount no longer adds up, and the message names the changed part.
    reported = sorted((Path(p.path).name, p.line, p.code) for p in arithmetic)
    assert any(n == name and n_line == total_line for n, n_line, _ in reported), reported
    assert any(changed in p.message for p in arithmetic)
    # …and the unit form's column no longer adds up either: its sum over categories, or over project forms.
    unit_code = "sum-mismatch" if name == "unit.yml" else "project-sum-mismatch"
    assert ("unit.yml", unit_line, unit_code) in reported, reported
