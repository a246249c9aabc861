"""The form model derived from a layout: exact Decimal money, strict text inputs, every amount reachable, the schema."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from generator.cli import main
from generator.forms.form import Form
from generator.forms.load import load_text
from generator.forms.model import json_schema
from generator.forms.registry import load_registry
from generator.forms.scalars import MONEY_PATTERN
from generator.forms.validate import FormFile, check_file

ROOT = Path(__file__).resolve().parent.parent
BASE = Path(__file__).resolve().parent / "corpus" / "_base"
LAYOUT = load_registry(ROOT).layouts["sichuan-panzhihua-2025"]
UnitForm = LAYOUT.models["unit"]
ProjectForm = LAYOUT.models["project"]
#: One row of the unit budget table (合计 / 财政资金 / 其他资金 / 上年结转).
MoneyRow = UnitForm.model_fields["budget"].annotation.model_fields["total"].annotation


def base(name: str) -> dict:
    doc = load_text((BASE / name).read_text(encoding="utf-8"))
    assert doc.problems == []
    return doc.data


def errors(model, data) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [(tuple(e["loc"]), e["type"]) for e in info.value.errors(include_url=False)]


def test_fixtures_validate():
    assert UnitForm.model_validate(base("unit.yml")).id == "demo"
    assert ProjectForm.model_validate(base("project.yml")).id == "project"


@pytest.mark.parametrize("written", ["189", "16.47", "682.42", "0", "10.50", "0.01", "100000000000.000001"])
def test_money_is_decimal_as_written(written):
    row = MoneyRow.model_validate({"total": written, "fiscal": written, "other": ""})
    assert type(row.total) is Decimal and str(row.total) == written
    assert row.other is None
    assert not any(isinstance(v, float) for v in row.model_dump().values())


def test_money_from_code_stays_decimal():
    row = MoneyRow(total=Decimal("1.10"), fiscal=Decimal("1.10"))
    assert str(row.total) == "1.10"


@pytest.mark.parametrize(
    "written",
    ["６８２.４２", "٦٨٢.٤٢", "1e2", "NaN", "Infinity", "-inf", "1_000.00", " 682.42 ", "0682.42", "-0.00", "+1",
     "1,000", "10万元", "10.", ".5", "0x10", "NO", "on", "1:20", "１０"],
)  # fmt: skip
def test_money_format_rejected(written):
    assert errors(MoneyRow, {"total": written}) == [(("total",), "money-format")]


@pytest.mark.parametrize("value", [682.42, 10, True, None, ["1"], {"a": "1"}])
def test_money_rejects_non_text(value):
    """Floats and bools never become money; data from the loader is always text."""
    assert errors(MoneyRow, {"total": value})[0][1] in ("wrong-type", "missing-field")


def test_money_cells_reach_every_amount(tmp_path):
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "extended.yml").write_bytes(
        (ROOT / "tests" / "corpus" / "_layouts" / "corpus-extended.yml").read_bytes()
    )
    layout = load_registry(tmp_path).layouts["extended"]
    data = base("project.yml")
    data["funding"] = {"total": "10", "fiscal": "6", "other": "1", "carryover": "3"}
    data["funding_sources"] = [{"name": "一般公共预算", "amount": "6"}, {"name": "上年结转", "amount": "4"}]
    form = Form(layout, "project", layout.models["project"].model_validate(data))
    found = dict(form.money_cells())
    assert found == {
        ("funding", "total"): Decimal("10"),
        ("funding", "fiscal"): Decimal("6"),
        ("funding", "other"): Decimal("1"),
        ("funding", "carryover"): Decimal("3"),
        ("funding_sources", 0, "amount"): Decimal("6"),
        ("funding_sources", 1, "amount"): Decimal("4"),
    }
    assert all(type(v) is Decimal for v in found.values())


def test_unit_money_cells_cover_every_row():
    data = base("unit.yml")
    data["budget"]["operating"] = {"total": "10", "fiscal": "10"}
    form = Form(LAYOUT, "unit", UnitForm.model_validate(data))
    rows = {path[1] for path, _ in form.money_cells() if path[0] == "budget"}
    assert rows == {"total", "personnel", "operating", "public_funds", "other_operating", "specific"}
    assert len([p for p, _ in form.money_cells() if p[0] == "budget"]) == 12  # blank `other` cells are not amounts


def check_data(tmp_path: Path, data: dict) -> list[tuple[str, str]]:
    """Write `data` as a project form, check it alone; return its (field, code) problems."""
    (tmp_path / "disclosure.yml").write_bytes((ROOT / "disclosure.yml").read_bytes())
    folder = tmp_path / "content" / "2025" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "project.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    checked = check_file(FormFile(str(path), "project", "2025", "demo", "project"))
    return [(p.field, p.code) for p in checked.problems]


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("fiscal_year", "NO", "invalid-year"),
        ("fiscal_year", "1:20", "invalid-year"),
        ("fiscal_year", "2025-01-02", "invalid-year"),
        ("fiscal_year", "02025", "invalid-year"),
        ("fiscal_year", ["2025"], "wrong-type"),
        ("id", "../x", "invalid-id"),
        ("id", "X Y", "invalid-id"),
        ("id", "a--b", "invalid-id"),
        ("id", "a" * 81, "invalid-id"),
        ("order", "012", "invalid-value"),
        ("order", "on", "invalid-value"),
        ("order", "0", "invalid-value"),
        ("money_decimals", "7", "invalid-value"),
        ("money_decimals", "NO", "invalid-value"),
        ("money_decimals", "-1", "invalid-value"),
        ("category", "专项", "invalid-choice"),
        ("money_unit", "千元", "invalid-choice"),
        ("name", ["a", "b"], "wrong-type"),
        ("name", {"a": "b"}, "wrong-type"),
        ("name", "", "missing-field"),
        ("goal", "  ", "missing-field"),
        ("goal", "\u3000\n", "missing-field"),
        ("kind", "project", "unknown-field"),
        ("unit_nmae", "x", "unknown-field"),
    ],
)
def test_field_errors(tmp_path, field, value, code):
    data = base("project.yml")
    data[field] = value
    assert check_data(tmp_path, data) == [(field, code)]


def test_blank_indicator_text_is_missing(tmp_path):
    data = base("project.yml")
    data["indicators"][0]["level1"] = " "
    assert check_data(tmp_path, data) == [("indicators[0].level1", "missing-field")]


@pytest.mark.parametrize("value, expected", [("0", 0), ("2", 2), ("6", 6), (3, 3)])
def test_money_decimals_range(value, expected):
    data = base("project.yml")
    data["money_decimals"] = value
    assert ProjectForm.model_validate(data).money_decimals == expected


def test_year_and_order_accept_text_and_int():
    data = base("project.yml")
    data.update(fiscal_year=2025, order="12")
    form = ProjectForm.model_validate(data)
    assert (form.fiscal_year, form.order) == (2025, 12)


def test_forms_are_frozen():
    data = ProjectForm.model_validate(base("project.yml"))
    with pytest.raises(ValidationError):
        data.name = "x"  # type: ignore[misc]
    assert Form(LAYOUT, "project", data).kind == "project"


def test_indicator_value_is_parsed_exactly():
    form = Form(LAYOUT, "project", ProjectForm.model_validate(base("project.yml")))
    parsed = form.indicators[0].parsed
    assert (parsed.operator, parsed.number, parsed.unit) == ("≥", Decimal("100"), "人")


def test_json_schema_has_the_money_pattern_and_the_printed_labels():
    for kind in ("unit", "project"):
        schema = json_schema(LAYOUT, kind)
        text = json.dumps(schema, ensure_ascii=False)
        assert json.dumps(MONEY_PATTERN) in text
        assert schema["additionalProperties"] is False
    project = json_schema(LAYOUT, "project")
    funding = project["$defs"][project["properties"]["funding"]["$ref"].split("/")[-1]]
    assert funding["properties"]["fiscal"]["title"] == "财政拨款"  # the short label, not a split description
    assert funding["properties"]["fiscal"]["description"] == "其中：财政拨款"
    pattern = re.compile(MONEY_PATTERN)
    assert all(pattern.match(s) for s in ("0", "682.42", "189", "16.47"))
    assert not any(pattern.match(s) for s in ("0682.42", "-1", "1e2", "６８２.４２", "1_000", ""))


def test_schema_files_are_up_to_date(capsys):
    assert main(["schema", "--check", "--output", str(ROOT / "schema")]) == 0


def test_schema_check_detects_stale_files(tmp_path, capsys):
    assert main(["schema", "--output", str(tmp_path)]) == 0
    assert main(["schema", "--check", "--output", str(tmp_path)]) == 0
    stale = tmp_path / "sichuan-panzhihua-2025" / "unit.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    assert main(["schema", "--check", "--output", str(tmp_path)]) == 1
    assert "unit.schema.json" in capsys.readouterr().err
    layout_schema = json.loads((ROOT / "schema" / "layout.schema.json").read_text(encoding="utf-8"))
    assert layout_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for name in ("unit", "project"):
        schema = json.loads((ROOT / "schema" / "sichuan-panzhihua-2025" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["additionalProperties"] is False
