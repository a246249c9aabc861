"""The form sheet follows any layout: grouped and same-row fields, column groups, item tables, several indicator tables."""

from __future__ import annotations

import io

import pytest
from excel_layouts import RICH, layout_registry
from openpyxl import load_workbook

from generator.excel.cells import SHEET_FORM
from generator.excel.formdata import form_data
from generator.excel.importer import read_workbook
from generator.excel.workbook import form_workbook
from generator.forms.form import Form

UNIT = {
    "id": "demo", "fiscal_year": "2025", "unit_name": "示例单位", "unit_code": "510401", "staff": "12.5",
    "income": {"total": {"total": "300", "fiscal": "200", "fund": "50", "other": "50"},
               "basic": {"total": "100", "fiscal": "100", "fund": "", "other": "", "note": "含公用经费"},
               "project": {"total": "200", "fiscal": "100", "fund": "50", "other": "50"}},
    "duty": "负责本地区的示例工作。", "plan": "完成年度示例任务。",
    "goals": [
        {"level1": "产出指标", "level2": "数量指标", "name": "服务人数", "value": "≥100人", "weight": "10"},
        {"level1": "产出指标", "level2": "数量指标", "name": "覆盖村数", "value": "20个", "weight": "10.5"},
        {"level1": "产出指标", "level2": "质量指标", "name": "合格率", "value": "100%"},
        {"level1": "满意度指标", "level2": "满意度指标", "name": "满意度≥90%", "value": "", "merge": ["name", "value"]},
    ],
    "mid_goals": [
        {"level1": "产出指标", "level2": "数量指标", "value": "三年内完成", "mid": "1000人", "direction": "正向"},
        {"level1": "产出指标", "level2": "数量指标", "value": "每年", "mid": ""},
    ],
}  # fmt: skip
PROJECT = {
    "id": "p1", "fiscal_year": "2025", "name": "示例项目", "unit_name": "示例单位", "attribute": "延续项目",
    "start": "2025-01-01", "requested": "120.50",
    "sources": {"items": [{"source": "本级财政", "amount": "100", "share": "83%"}, {"source": "上级补助", "amount": "20.50"}],
                "sum": {"amount": "120.50", "share": "100%"}},
    "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "人数", "value": "10人"}],
}  # fmt: skip


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    return layout_registry(tmp_path_factory.mktemp("layouts"))


def _sheet(registry, kind: str, data: dict) -> tuple[Form, bytes, object, set[str]]:
    layout = registry.layouts[RICH]
    form = Form(layout, kind, layout.models[kind].model_validate(data))
    raw = form_workbook(form, f"2025/demo/{'unit' if kind == 'unit' else form.id}.yml")
    ws = load_workbook(io.BytesIO(raw))[SHEET_FORM]
    return form, raw, ws, {str(r) for r in ws.merged_cells.ranges}


def _values(ws, row: int) -> list:
    return [ws.cell(row, c).value for c in range(1, ws.max_column + 1)]


def test_unit_sheet_of_a_richer_layout(registry):
    form, raw, ws, merged = _sheet(registry, "unit", UNIT)
    assert ws["A1"].value == "单位整体支出绩效目标表" and ws["A2"].value == "（2025年）"
    # Same-row fields: label | value | label | value; a number field is a numeric cell.
    assert _values(ws, 3) == ["单位名称", "示例单位", None, None, "单位编码", "510401", None, None]
    assert {"B3:D3", "F3:H3"} <= merged and ws["B4"].value == 2025 and ws["F4"].value == 12.5
    # Column groups: a header row of groups above the grouped columns' titles; ungrouped titles merged down.
    assert _values(ws, 5)[1:] == ["收入项目", None, "合计", "财政拨款", None, "其他收入", "说明"]
    assert _values(ws, 6)[4:6] == ["一般公共预算", "政府性基金"]
    assert {"A5:A9", "B5:C6", "D5:D6", "E5:F5", "G5:G6", "H5:H6"} <= merged
    assert ws["A5"].value == "收入预算\n（元）"
    # Row groups merged down the row labels; the optional column printed because one row fills it.
    assert (
        ws["B8"].value == "按支出性质" and "B8:B9" in merged and ws["C9"].value == "项目支出" and ws["H8"].value == "含公用经费"
    )
    # Grouped long text fields.
    assert ws["A10"].value == "部门概况" and "A10:A11" in merged and ws["B11"].value == "年度工作计划" and "C11:H11" in merged
    # Two indicator tables with their own columns; weight numeric; a merged row; a level not merged down.
    assert _values(ws, 12)[:5] == ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值"] and ws["H12"].value == "分值"
    assert {"B13:B15", "C13:C14", "D16:G16"} <= merged and ws["H14"].value == 10.5 and ws["D16"].value == "满意度≥90%"
    assert _values(ws, 17)[:4] == ["中期绩效指标", "一级指标", "二级指标", "指标值"] and ws["G17"].value == "中期指标值"
    assert "B18:B19" in merged and ws["C18"].value == ws["C19"].value == "数量指标"
    forms, problems = read_workbook(raw, "u.xlsx", registry)
    assert problems == [] and forms[0].data == form_data(form)


def test_project_sheet_of_a_richer_layout(registry):
    form, raw, ws, merged = _sheet(registry, "project", PROJECT)
    assert ws["B5"].value == "新增项目□　延续项目√" and ws["D5"].value == "开始日期" and ws["E5"].value == "2025-01-01"
    assert ws["B6"].value == 120.5 and ws["B6"].number_format == "0.00"
    # An item table: its column titles, the item rows, then the fixed 合计 row titled over the text column.
    assert _values(ws, 7)[:5] == ["资金来源\n（元）", "来源", None, "金额", "占比"]
    assert [ws["B8"].value, ws["D8"].value, ws["E8"].value] == ["本级财政", 100, "83%"]
    assert [ws["B10"].value, ws["D10"].value, ws["E10"].value] == ["合计", 120.5, "100%"]
    assert {"A7:A10", "B8:C8", "B10:C10"} <= merged
    forms, problems = read_workbook(raw, "p.xlsx", registry)
    assert problems == [] and forms[0].data == form_data(form)
    # The ticked choice is not shown verbatim: it is not cross-checked, but read from `_data`.
    assert ("attribute",) not in forms[0].shown and forms[0].data["attribute"] == "延续项目"
