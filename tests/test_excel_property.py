"""Property: any valid form of any layout survives model -> workbook -> `_data` -> YAML -> model unchanged.

Forms are drawn from the layouts' own models (`excel_layouts.form_data`): the sample's, the corpus layouts
and a layout with grouped and same-row fields, column groups, item tables and two indicator tables. Text has
Chinese, text starting with = + - @ or a tab, quotes, `_x0041_`-like sequences, YAML indicators, `[]`/`{}`
and line breaks; amounts sit at the edges (0.00 and 99999999.99). Reading the workbook back also
cross-checks every visible cell against `_data`, so the printed layout is covered too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from excel_layouts import form_data, layout_registry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.excel import formdata
from generator.excel.importer import read_workbook
from generator.excel.workbook import form_workbook
from generator.forms.form import Form
from generator.forms.load import load_text
from tests.support import examples

REGISTRY = layout_registry(Path(tempfile.mkdtemp(prefix="excel-property-")))
KINDS = [(layout, kind) for _, layout in sorted(REGISTRY.layouts.items()) for kind in sorted(layout.models)]


@st.composite
def forms(draw) -> Form:
    layout, kind = draw(st.sampled_from(KINDS))
    data = draw(form_data(layout, kind))
    return Form(layout, kind, layout.models[kind].model_validate(data))


@settings(max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(forms())
def test_any_form_round_trips_through_a_workbook(form):
    rel = f"2025/demo/{'unit' if form.kind == 'unit' else form.id}.yml"
    found, problems = read_workbook(form_workbook(form, rel), "p.xlsx", REGISTRY)
    assert problems == []
    assert [f.rel for f in found] == [rel] and found[0].layout is form.layout
    assert found[0].data == formdata.form_data(form)
    yaml_text, _ = formdata.form_yaml(form.layout, form.kind, found[0].data)
    doc = load_text(yaml_text)
    assert doc.problems == [], yaml_text
    assert form.layout.models[form.kind].model_validate(doc.data) == form.data
