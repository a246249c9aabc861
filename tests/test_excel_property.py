"""Property: any valid form survives model -> workbook (in memory) -> `_data` -> YAML -> model unchanged.

Generated forms have Chinese text, text starting with = + - @ or a tab, quotes, `_x0041_`-like sequences, YAML
indicators and line breaks, empty optional fields, and amounts at the edges (0.00 and 99999999.99). Reading
the workbook back also cross-checks every visible cell against `_data`, so the layout is covered too.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.excel.workbook import form_data, form_workbook
from generator.excel.importer import read_workbook
from generator.forms.load import _FORBIDDEN, load_text
from generator.forms.model import CATEGORIES, ProjectForm, UnitForm
from generator.problems import CODES, WARNING
from generator.editing.yamlout import form_yaml

_SPECIAL = list("=+-@\t\n '\"#:{}[]|>&*!%,?\\_x0041F中文指标值≥％—　") + ["_x0041_", "_x005F_", ": ", " #", "- ", "\n\n"]
_pieces = st.one_of(
    st.sampled_from(_SPECIAL),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
    st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")),
)
_PREFIX = st.sampled_from(["", "", "", "=", "+", "-", "@", "\t", "'", "- ", "#", "0", "NO", "2025", "~", "null", " ", "|"])
text = st.tuples(_PREFIX, st.lists(_pieces, max_size=10).map("".join)).map("".join).map(lambda s: _FORBIDDEN.sub("", s))
required = text.filter(lambda s: s.strip() != "")
optional = st.one_of(st.none(), st.just(""), text)
amount = st.one_of(
    st.sampled_from([Decimal("0.00"), Decimal("99999999.99"), Decimal("0"), Decimal("0.01"), Decimal("8.50")]),
    st.integers(0, 9_999_999_999).map(lambda c: Decimal(c).scaleb(-2)),
    st.integers(0, 99_999_999).map(Decimal),
)
maybe_amount = st.one_of(st.none(), amount)
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
warning_codes = [c for c, (level, _) in CODES.items() if level == WARNING]
acknowledge = st.dictionaries(st.sampled_from(warning_codes), required, max_size=2)


def _drop_none(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


@st.composite
def money_row(draw) -> dict:
    return _drop_none({"total": draw(amount), "fiscal": draw(maybe_amount), "other": draw(maybe_amount),
                       "carryover": draw(st.one_of(st.none(), st.none(), amount))})


@st.composite
def indicator(draw, project: bool) -> dict:
    data = {"level1": draw(required), "level2": draw(required), "value": draw(text)}
    if project or draw(st.booleans()):
        data["name"] = draw(required if project else optional)
    if draw(st.booleans()):
        data.update(_drop_none({
            "medium_term_value": draw(optional), "nature": draw(st.sampled_from([None, "≥", "≤", "=", ">", "<", "定量", "定性"])),
            "measure_unit": draw(optional), "weight": draw(maybe_amount), "direction": draw(st.sampled_from([None, "正向", "反向"])),
            "explanation": draw(optional), "note": draw(optional), "acknowledge": draw(acknowledge),
        }))  # fmt: skip
    return data


@st.composite
def common(draw, project: bool) -> dict:
    data = {
        "id": draw(slug), "fiscal_year": draw(st.sampled_from(["2025", "2024", "1999"])), "unit_name": draw(required),
        "indicators": draw(st.lists(indicator(project), max_size=3)),
    }  # fmt: skip
    if draw(st.booleans()):
        data.update(_drop_none({
            "department": draw(optional), "money_unit": draw(st.sampled_from(["万元", "元"])),
            "funding_sources": draw(st.lists(st.fixed_dictionaries({"name": required, "amount": amount}), max_size=2)),
            "source": draw(st.one_of(st.none(), st.fixed_dictionaries({"title": optional, "url": st.sampled_from([None, "https://example.org/a?b=1"]), "published": optional}))),
            "acknowledge": draw(acknowledge),
        }))  # fmt: skip
    return data


@st.composite
def project_form(draw) -> ProjectForm:
    data = draw(common(True))
    data.update({"name": draw(required), "category": draw(st.sampled_from(CATEGORIES)), "funding": draw(money_row()), "goal": draw(required)})
    if draw(st.booleans()):
        start = draw(st.integers(2000, 2030))
        data.update(_drop_none({
            "order": draw(st.one_of(st.none(), st.integers(1, 999_999).map(str))), "implementing_unit": draw(optional),
            "attribute": draw(st.sampled_from([None, "新增", "延续"])),
            "period": draw(st.sampled_from([None, {"start": str(start), "end": str(start + 2)}])),
            "period_funding": draw(maybe_amount),
            "contact": draw(st.one_of(st.none(), st.fixed_dictionaries({"name": optional, "phone": optional}))),
            "medium_term_goal": draw(optional),
        }))  # fmt: skip
    return ProjectForm.model_validate(data)


@st.composite
def unit_form(draw) -> UnitForm:
    data = draw(common(False))
    budget = {name: draw(money_row()) for name in ("total", "personnel", "public_funds", "other_operating", "specific")}
    if draw(st.booleans()):
        budget["operating"] = draw(money_row())
    data.update({"budget": budget, "tasks": draw(required), "medium_term_tasks": draw(optional)})
    return UnitForm.model_validate(_drop_none(data))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(project_form(), unit_form()))
def test_any_form_round_trips_through_a_workbook(form):
    rel = f"2025/demo/{'unit' if isinstance(form, UnitForm) else form.id}.yml"
    forms, problems = read_workbook(form_workbook(form, rel), "p.xlsx")
    assert problems == []
    assert [f.rel for f in forms] == [rel]
    assert forms[0].data == form_data(form)
    yaml_text, _ = form_yaml(form.kind, forms[0].data)
    doc = load_text(yaml_text)
    assert doc.problems == [], yaml_text
    assert type(form).model_validate(doc.data) == _normalized(form)


def _normalized(form):
    """Parts the text format cannot tell apart from absent ones (all-empty source/contact) read back as absent."""
    updates = {}
    for name in ("source", "contact"):
        part = getattr(form, name, None)
        if part is not None and all(v is None for v in part.model_dump().values()):
            updates[name] = None
    return form.model_copy(update=updates) if updates else form
