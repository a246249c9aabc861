"""Damaged workbooks: whatever the bytes, reading reports documented problems and never raises."""

from __future__ import annotations

import io
import zipfile

from tests.excel_corpus import exported
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.excel.importer import SheetProblem, read_workbook
from generator.problems import CODES
from tests.support import examples

BASE = exported()
PARTS = [i.filename for i in zipfile.ZipFile(io.BytesIO(BASE)).infolist()]
TOKENS = ["<", ">", "/>", "</c>", '<c r="A1">', '<c r="ZZZ9" t="b"><v>1</v></c>', '<f>A1+1</f>', 't="e"', 't="d"',
          '<v>1e309</v>', '<v>NaN</v>', "&amp;", "&#0;", "<!DOCTYPE x>", '<mergeCell ref="A1:B2"/>', '"', "r=", "_x0000_", "\x00"]  # fmt: skip


def _mutate(part: str, at: int, cut: int, insert: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(BASE))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                at = min(at, len(data))
                data = data[:at] + insert.encode("utf-8", "surrogatepass") + data[at + cut :]
            dst.writestr(info.filename, data)
    return out.getvalue()


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(PARTS),
    st.integers(0, 20000),
    st.integers(0, 40),
    st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=4).map("".join),
)
def test_damaged_parts_give_problems_not_tracebacks(part, at, cut, insert):
    forms, problems = read_workbook(_mutate(part, at, cut, insert), "f.xlsx")
    for problem in problems:
        assert isinstance(problem, SheetProblem) and problem.code in CODES
        assert "\n" not in problem.format()


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(0, len(BASE) - 1), st.binary(min_size=1, max_size=8))
def test_damaged_bytes_give_problems_not_tracebacks(at, junk):
    forms, problems = read_workbook(BASE[:at] + junk + BASE[at + len(junk) :], "f.xlsx")
    assert forms or problems
