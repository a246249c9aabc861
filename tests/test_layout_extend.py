"""Adding a column, a header field and a section to a layout needs no code: check, pages and schema follow."""

from __future__ import annotations

import json

from checkrun import run_check
from layout_extend import ADDED, NAME, PROJECT, write_extended_site

from generator.forms.registry import load_registry
from generator.forms.schemas import schema_documents
from generator.forms.validate import check_content
from generator.site.build import render_outputs
from generator.site.render import Settings


def test_extended_site_checks_clean(tmp_path, monkeypatch, capsys):
    content = write_extended_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run_check(capsys, "content")
    assert result.status == 0 and {p.code for p in result.problems} == set()  # the sample's own warnings are acknowledged
    assert str(content).endswith("content")


def test_additions_are_on_the_page_under_their_labels(tmp_path):
    content = write_extended_site(tmp_path)
    result = check_content(content, jobs=1)
    assert not result.errors
    page = render_outputs(result, Settings(root=tmp_path, downloads=False))[f"2025/renhe-shehui-gongzuobu/{PROJECT}.md"].decode()
    field, section, column = (ADDED[k] for k in ("field", "section", "column"))
    assert f'<tr><th scope="row">{field[1]}</th>\n<td>{field[2]}</td>' in page
    assert f'<tr><th scope="row">{section[1]}</th>\n<td class="text">' in page and section[2][1:8] in page
    assert f'<th scope="col">{column[1]}</th>' in page and column[2] in page
    # A form of the same layout that leaves the optional column empty does not print it.
    other = render_outputs(result, Settings(root=tmp_path, downloads=False))[
        "2025/renhe-shehui-gongzuobu/cun-ganbu-huachengbao.md"
    ].decode()
    assert column[1] not in other and section[1] not in other
    assert f'<tr><th scope="row">{field[1]}</th>\n<td></td>' in other  # a non-optional field prints blank


def test_additions_are_in_the_json_schema(tmp_path):
    write_extended_site(tmp_path)
    documents = schema_documents(load_registry(tmp_path))
    schema = json.loads(documents[f"{NAME}/project.schema.json"])
    field, section, column = (ADDED[k] for k in ("field", "section", "column"))
    assert schema["properties"][field[0]]["title"] == field[1]
    assert schema["properties"][section[0]]["title"] == section[1]
    indicator = next(d for d in schema["$defs"].values() if "level1" in d.get("properties", {}))
    assert indicator["properties"][column[0]]["title"] == column[1]
