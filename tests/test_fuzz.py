"""Random bytes and YAML-ish text: the loader and the checker only ever report documented problems."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.forms.load import load_bytes
from generator.problems import CODES, Problem
from generator.forms.crossform import cross_form_problems
from generator.forms.registry import registry_for
from generator.forms.validate import FormFile, check_file
from tests.support import examples, site_settings

BASE = Path(__file__).resolve().parent / "corpus" / "_base"
TOKENS = [
    "id", "fiscal_year", "name", "unit_name", "category", "funding", "total", "fiscal", "other", "goal",
    "indicators", "level1", "level2", "value", "acknowledge", "budget", "tasks", "<<", "- ", ": ", ":", "\n",
    "\n  ", "\n    ", "\t", " ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!x ", "? ", "---\n", "...\n",
    "#", "'", '"', "|", ">-", "\\u202e", "\\n", "2025", "10", "682.42", "012", "NO", "on", "1:20", "~", "６８２",
    "≥90%", "其他运转类", "示例单位", "XX", "\u200b", "\ufeff", "\r\n", "\x00", "%", "indicator-taxonomy",
]  # fmt: skip
yamlish = st.lists(st.sampled_from(TOKENS) | st.text(max_size=5), max_size=60).map("".join)
#: Valid forms with a random slice replaced: mostly-valid input reaches the model and the sums.
mutated = st.tuples(
    st.sampled_from(["unit.yml", "project.yml"]),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=20),
    yamlish,
).map(lambda t: (t[0], _splice((BASE / t[0]).read_bytes(), t[1], t[2], t[3].encode("utf-8", "surrogatepass"))))


def _splice(raw: bytes, at: int, cut: int, insert: bytes) -> bytes:
    at = min(at, len(raw))
    return raw[:at] + insert + raw[at + cut :]


def _check_problems(problems: list[Problem]) -> None:
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.code in CODES
        assert problem.line >= 1 and problem.col >= 1
        line = problem.format()
        assert "\n" not in line and "\r" not in line
        assert "\n" not in problem.format_github()


_TMP = Path(tempfile.mkdtemp(prefix="disclosure-fuzz-"))
site_settings(_TMP)


def _check_bytes(raw: bytes, name: str) -> None:
    doc = load_bytes(raw, "fuzz.yml")
    _check_problems(doc.problems)
    folder = _TMP / "content" / "2025" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    other = "project.yml" if name == "unit.yml" else "unit.yml"
    (folder / other).write_bytes((BASE / other).read_bytes())
    (folder / name).write_bytes(raw)
    files = [
        FormFile(str(folder / n), "unit" if n == "unit.yml" else "project", "2025", "demo", n[:-4]) for n in sorted({name, other})
    ]
    for ff in files:
        checked = check_file(ff)
        _check_problems(checked.problems)
    _check_problems(list(cross_form_problems(files, registry_for(_TMP / "content"))))


SETTINGS = settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(raw):
    _check_bytes(raw, "project.yml")


@SETTINGS
@given(yamlish)
def test_random_yamlish_text(text):
    _check_bytes(text.encode("utf-8", "surrogatepass"), "project.yml")


@SETTINGS
@given(mutated)
def test_mutated_forms(case):
    name, raw = case
    _check_bytes(raw, name)
