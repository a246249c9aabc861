"""Bad workbooks (tests/excel_corpus.py): each gives its (sheet!cell, code) errors, exit 1, and content/ untouched."""

from __future__ import annotations

import io
from collections import Counter

import defusedxml
import openpyxl
from openpyxl import load_workbook
import pytest
from tests.excel_corpus import CASES, REL, XLSX_LINE, _shown_at, data_row, entity_bomb, exported, tree_hash

from checkrun import LINE_RE
from generator.cli import main
from generator.forms.load import load_file
from generator.problems import CODES


def _expected(case, raw: bytes) -> Counter:
    out: Counter = Counter()
    for where, code in case.expect:
        if where.startswith("_data:"):
            where = f"_data!C{data_row(raw, where[len('_data:') :])}"
        elif "{last}" in where:  # the row below the exported form sheet
            where = where.format(last=load_workbook(io.BytesIO(exported())).active.max_row + 1)
        elif where.startswith("visible:"):
            where = _shown_at(raw, where[len("visible:") :])
        elif where.startswith("content:"):
            where = "content/2025/renhe-shehui-gongzuobu/" + where[len("content:") :]
        out[(where, code)] += 1
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, content_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    raw = case.build()
    book = tmp_path / f"{case.name}.xlsx"
    book.write_bytes(raw)
    before = tree_hash(content_copy)
    status = main(["import-xlsx", book.name, "--content", "content", *(["--force"] if case.reads else [])])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    found: Counter = Counter()
    for line in captured.out.splitlines()[:-1]:
        match = XLSX_LINE.match(line)
        if match:
            assert match["path"] == book.name
            if match["level"] == "error":
                found[(match["where"] or "", match["code"])] += 1
        else:
            match = LINE_RE.match(line)
            assert match, f"not a problem line: {line!r}"
            if match["level"] == "error":
                found[(match["path"], match["code"])] += 1
        assert match["code"] in CODES and match["level"] == CODES[match["code"]][0]
    assert found == _expected(case, raw), f"{case.description}\n{captured.out}"
    if not case.reads:
        assert status == 1
        assert tree_hash(content_copy) == before, "a refused import must not touch content/"
        return
    assert status == 0, captured.out + captured.err
    doc = load_file(content_copy / REL)
    for dotted, value in case.reads.items():
        node = doc.data
        for part in dotted.replace("[", ".").replace("]", "").split("."):
            node = node[int(part)] if part.isdigit() else node[part]
        assert node == value
    assert main(["check", "--content", "content"]) == 0
    if case.name.startswith("visible-"):
        assert "导入可见表中的修改" in captured.err
    if case.name.startswith("data-only-"):
        assert "导入_data 工作表中的修改" in captured.err


def test_every_case_is_named_and_described():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) and all(c.description for c in CASES)


def test_openpyxl_itself_refuses_entity_declarations():
    """defusedxml is installed and openpyxl uses it: even without our own scan, the bomb is refused."""
    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(ValueError) as exc:  # openpyxl wraps the parser's error in its own ValueError
        openpyxl.load_workbook(io.BytesIO(entity_bomb()))
    chain = [exc.value]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    assert any(isinstance(e, defusedxml.EntitiesForbidden) for e in chain), chain


def test_codes_used_by_the_corpus_are_documented_problem_codes():
    used = {code for case in CASES for _, code in case.expect}
    assert used <= set(CODES)
    assert "invalid-workbook" in used
