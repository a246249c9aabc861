"""The loader: plain text data, exact 1-based positions, and refusals as problems (never exceptions)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from generator.forms.document import Document, Mark, dotted
from generator.forms.load import MAX_BYTES, MAX_DEPTH, load_bytes, load_file, load_text

SAMPLE = textwrap.dedent(
    """\
    # comment
    id: demo
    funding:
      total: 682.42
      other:
    budget:
      total:     {total: 10, fiscal: 10, other: }
    indicators:
      - level1: 产出指标
        value: ≥90%
      - level1: 效益指标
        value: |-
          第一行
          第二行
    """
)


def codes(doc: Document) -> list[tuple[int, int, str]]:
    return [(p.line, p.col, p.code) for p in doc.problems]


@pytest.mark.parametrize(
    "path, prefer_key, line, col",
    [
        (("id",), False, 2, 5),
        (("id",), True, 2, 1),
        (("funding",), True, 3, 1),
        (("funding", "total"), False, 4, 10),
        (("funding", "total"), True, 4, 3),
        (("funding", "other"), True, 5, 3),
        (("budget", "total"), False, 7, 14),
        (("budget", "total", "total"), False, 7, 22),
        (("budget", "total", "fiscal"), False, 7, 34),
        (("budget", "total", "other"), True, 7, 38),
        (("indicators", 0), False, 9, 5),
        (("indicators", 0, "value"), False, 10, 12),
        (("indicators", 1, "level1"), False, 11, 13),
        (("indicators", 1, "value"), False, 12, 12),
    ],
)
def test_positions_are_one_based(path, prefer_key, line, col):
    doc = load_text(SAMPLE)
    assert doc.problems == []
    assert doc.mark(path, prefer_key=prefer_key) == Mark(line, col)


def test_missing_path_falls_back_to_the_closest_parent():
    doc = load_text(SAMPLE)
    assert doc.mark(("funding", "fiscal")) == doc.mark(("funding",))
    assert doc.mark(("indicators", 7, "value")) == doc.mark(("indicators",))
    assert doc.mark(("nothing",)) == Mark(2, 1)  # the top-level mapping starts at its first key


def test_problem_carries_the_field_path():
    doc = load_text(SAMPLE)
    problem = doc.problem(("indicators", 1, "value"), "empty-value", "x")
    assert (problem.line, problem.col, problem.field, problem.at) == (12, 12, "indicators[1].value", ("indicators", 1, "value"))
    assert dotted(("budget", "total", "fiscal")) == "budget.total.fiscal"


def test_data_is_plain_text():
    doc = load_text(SAMPLE)
    assert doc.data["funding"] == {"total": "682.42", "other": ""}
    assert doc.data["budget"]["total"] == {"total": "10", "fiscal": "10", "other": ""}
    assert doc.data["indicators"][1]["value"] == "第一行\n第二行"


@pytest.mark.parametrize(
    "written, value",
    [
        ("NO", "NO"),
        ("no", "no"),
        ("on", "on"),
        ("Off", "Off"),
        ("yes", "yes"),
        ("true", "true"),
        ("~", "~"),
        ("null", "null"),
        ("012", "012"),
        ("0x1F", "0x1F"),
        ("1:20", "1:20"),
        ("2025-01-02", "2025-01-02"),
        ("1e2", "1e2"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("1_000", "1_000"),
        ("682.420", "682.420"),
        ("'012'", "012"),
        ('"on"', "on"),
        ("", ""),
    ],
)
def test_no_implicit_typing(written, value):
    item = written or "''"
    doc = load_text(f"a: {written}\nb: [x, {item}]\nc: {{k: {written}}}\n")
    assert doc.problems == []
    assert doc.data == {"a": value, "b": ["x", value], "c": {"k": value}}
    assert type(doc.data["a"]) is str


def test_bom_and_crlf_do_not_move_positions():
    plain = load_bytes(SAMPLE.encode("utf-8"))
    for raw in (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), SAMPLE.replace("\n", "\r\n").encode("utf-8")):
        doc = load_bytes(raw)
        assert doc.problems == [] and doc.data == plain.data
        for path in (("id",), ("budget", "total", "fiscal"), ("indicators", 1, "value")):
            assert doc.mark(path) == plain.mark(path)
            assert doc.mark(path, prefer_key=True) == plain.mark(path, prefer_key=True)


def test_duplicate_key_keeps_the_first_value():
    doc = load_text("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n")
    assert codes(doc) == [(4, 3, "duplicate-key"), (5, 1, "duplicate-key")]
    assert doc.data == {"a": "1", "b": {"c": "2"}}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: &x 1\nb: *x\n", [(1, 4, "yaml-anchor"), (2, 4, "yaml-anchor")]),
        ("a: [&x 1, 2, *x]\n", [(1, 5, "yaml-anchor"), (1, 14, "yaml-anchor")]),
        ("a: !!python/object/apply:os.system [ls]\n", [(1, 4, "yaml-tag")]),
        ("a: !!binary aGVsbG8=\n", [(1, 4, "yaml-tag")]),
        ("<<: {a: 1}\nb: 2\n", [(1, 1, "yaml-merge-key")]),
        ("a: 1\n---\nb: 2\n", [(2, 1, "multiple-documents")]),
        ("[a, b]: 1\n", [(1, 1, "invalid-key")]),
        ('"": 1\n', [(1, 1, "invalid-key")]),
        ("- a\n- b\n", [(1, 1, "not-a-mapping")]),
        ("text\n", [(1, 1, "not-a-mapping")]),
        ("", [(1, 1, "empty-file")]),
        ("# only a comment\n", [(1, 1, "empty-file")]),
        ("---\n", [(1, 1, "empty-file")]),
        ("a: [1\n", [(2, 1, "yaml-syntax")]),
        ("a:\n\tb: 1\n", [(2, 1, "yaml-syntax")]),
        ("a: x\u200by\n", [(1, 5, "forbidden-character")]),
        ("a: \u202eabc\n", [(1, 4, "forbidden-character")]),
        ("a: x\u2028y\nb: 1\n", [(1, 5, "forbidden-character")]),
        ("a: x\ry\n", [(1, 5, "forbidden-character")]),
        ('a: "x\\u200by"\n', [(1, 4, "forbidden-character")]),
        ('a: "\\x00"\n', [(1, 4, "forbidden-character")]),
        ('"k\\u202e": 1\n', [(1, 1, "forbidden-character")]),
    ],
)
def test_refusals(text, expected):
    doc = load_text(text)
    assert codes(doc) == expected


def test_refused_yaml_features_are_never_expanded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(9)
    )
    doc = load_text(bomb)  # 10**10 strings if expanded
    assert {p.code for p in doc.problems} == {"yaml-anchor"}
    assert len(doc.problems) == 10 + 9 * 10


@pytest.mark.parametrize("depth, refused", [(MAX_DEPTH - 1, False), (MAX_DEPTH + 1, True), (500, True)])
def test_depth_limit(depth, refused):
    flow = load_text("a: " + "[" * depth + "]" * depth + "\n")
    block = load_text("".join(" " * i + f"k{i}:\n" for i in range(depth)) + " " * depth + "x\n")
    for doc in (flow, block):
        assert [p.code for p in doc.problems] == (["too-deep"] if refused else [])
        assert (doc.data is None) is refused


def test_very_deep_block_nesting_does_not_crash():
    """200 kB of `- - - …` (100 000 levels, under the size limit): refused, not a C stack overflow."""
    code = textwrap.dedent(
        """\
        from generator.forms.load import load_text
        doc = load_text("a:\\n  " + "- " * 100000 + "x\\n")
        print(sorted({p.code for p in doc.problems}))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.strip()) == (0, "['too-deep']"), result.stderr[-2000:]


def test_size_limit(tmp_path):
    doc = load_bytes(b"a: " + b"x" * MAX_BYTES)
    assert codes(doc) == [(1, 1, "file-too-large")]
    big = tmp_path / "big.yml"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    assert codes(load_file(big)) == [(1, 1, "file-too-large")]


def test_invalid_utf8_position_counts_characters():
    doc = load_bytes("a: 1\nb: 中文".encode("utf-8") + b"\xff\n")
    assert codes(doc) == [(2, 6, "invalid-encoding")]


def test_unreadable_file_is_a_problem(tmp_path):
    doc = load_file(tmp_path / "missing.yml")
    assert [p.code for p in doc.problems] == ["invalid-encoding"]
