"""Whatever text a unit pastes, the importer reports problems and never raises (labels, tabs and breaks shuffled)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.forms.registry import registry_for
from generator.importing.grid import read_text
from generator.importing.session import Options, Session

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "tests" / "fixtures" / "2025-renhe-shehui-gongzuobu.txt").read_text(encoding="utf-8")
WORDS = sorted(set(w for line in SAMPLE.split("\n") for w in line.split("\t") if 0 < len(w) < 30))[:300]
PIECES = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(["\t", "\n", "\n\n", "", " ", "：", "(2025年度)"]), st.text(max_size=5)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=120))
def test_any_text_gives_problems_not_exceptions(pieces):
    session = Session(registry_for(ROOT / "content"), Path("/nonexistent-content"), Options())
    session.read_document(read_text("x.txt", "".join(pieces)), "x.txt")
    for form in session.forms:
        assert form.rel.endswith(".yml")
    assert all(p.format() for p in session.problems)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(SAMPLE.split("\n")) - 1), max_size=40))
def test_the_sample_with_lines_removed_never_raises(dropped):
    lines = SAMPLE.split("\n")
    kept = "\n".join(line for i, line in enumerate(lines) if i not in set(dropped))
    session = Session(registry_for(ROOT / "content"), Path("/nonexistent-content"), Options())
    session.read_document(read_text("x.txt", kept), "x.txt")
