"""Issue 12, finding 6: nothing from content can forge a GitHub workflow command in a log.

One reporter (`generator.problems.report`) prints the problems of check, build, archive, export and import;
every field it prints (paths, sheet names, fields, messages) is escaped, and `--format text|github` chooses
whether annotations follow the lines (default: github when GITHUB_ACTIONS=true).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.excel.reading import SheetProblem
from generator.problems import Problem, report, set_format
from tests.support import ROOT, site_settings

BASE = ROOT / "tests" / "corpus" / "_base"
#: The issue's file name: a newline, a forged annotation, then stop-commands to silence the real ones.
FORGED = (
    "x\n::error file=README.md,line=1,title=审阅通过::已审阅\n::stop-commands::zz\n  ::warning::indented\n##[error]legacy\ny.yml"
)
OURS = ("::error file=content/", "::warning file=content/")


@pytest.fixture(autouse=True)
def _default_format():
    set_format("auto")
    yield
    set_format("auto")


def forged_tree(root: Path) -> Path:
    site_settings(root)
    demo = root / "content" / "2025" / "demo"
    demo.mkdir(parents=True)
    (demo / "unit.yml").write_bytes((BASE / "unit.yml").read_bytes())
    (demo / "project.yml").write_bytes((BASE / "project.yml").read_bytes())
    (demo / FORGED).write_bytes((BASE / "project.yml").read_bytes())
    (demo / "esc\x1b[2Jname.yml").write_bytes((BASE / "project.yml").read_bytes())
    return root / "content"


def assert_no_forged_command(out: str, ours: tuple[str, ...] = OURS) -> list[str]:
    """Every line is a problem line, a summary or one of our own annotations; none opens a command."""
    lines = out.splitlines()
    for line in lines:
        head = line.lstrip()
        if head.startswith("::"):
            assert line.startswith(ours), line
        assert not head.startswith("##["), line
        assert "\x1b" not in line
    return lines


def test_hardening_file_name_cannot_forge_workflow_commands(tmp_path, monkeypatch, capsys):
    forged_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check"]) == 1
    lines = assert_no_forged_command(capsys.readouterr().out)
    annotations = [line for line in lines if line.startswith("::")]
    plain = [line for line in lines if not line.startswith("::")]
    assert len(annotations) == len(plain) - 1 >= 2  # one annotation per problem, then the summary line
    assert not any(line.startswith("::stop-commands") for line in lines)


@pytest.mark.parametrize("fmt,annotated", [("text", False), ("github", True), ("auto", True)])
def test_hardening_format_option_chooses_annotations(tmp_path, monkeypatch, capsys, fmt, annotated):
    forged_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check", "--format", fmt]) == 1
    lines = assert_no_forged_command(capsys.readouterr().out)
    assert any(line.startswith("::") for line in lines) == annotated


def test_hardening_format_github_outside_actions(tmp_path, monkeypatch, capsys):
    forged_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["check"]) == 1
    assert not any(line.startswith("::") for line in capsys.readouterr().out.splitlines())
    assert main(["check", "--format", "github"]) == 1
    assert any(line.startswith("::error file=content/") for line in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize("command", [["build"], ["export-xlsx", "-o", "out"], ["export-data", "-o", "out"], ["archive", "2025"]])
def test_hardening_every_command_reports_through_the_escaping_reporter(tmp_path, monkeypatch, capsys, command):
    forged_tree(tmp_path)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(command) == 1
    captured = capsys.readouterr()
    lines = assert_no_forged_command(captured.out)
    assert_no_forged_command(captured.err)
    assert any(line.startswith("::error file=content/2025/demo/x\\n%3A%3Aerror") for line in lines), lines


def test_hardening_import_reports_through_the_escaping_reporter(tmp_path, monkeypatch, capsys):
    forged_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    name = "wb\n::error::forged\n.xlsx"
    Path(name).write_bytes(b"not a zip")
    assert main(["import-xlsx", name, "--dry-run"]) == 1
    lines = assert_no_forged_command(capsys.readouterr().out, ("::error file=wb\\n%3A%3Aerror",))
    assert any(line.startswith("wb\\n::error::forged\\n.xlsx: error:") for line in lines), lines
    assert any(line.startswith("::error file=wb\\n%3A%3Aerror%3A%3Aforged\\n.xlsx,title=invalid-workbook::") for line in lines), (
        lines
    )


def test_hardening_every_field_is_escaped():
    problems = [
        Problem("::error::x.yml", 1, 1, "yaml-syntax", "m"),
        Problem("  ::warning::x.yml", 1, 1, "yaml-syntax", "m"),
        Problem("##[error]x.yml", 1, 1, "yaml-syntax", "m"),
        Problem("\u3000::error::x.yml", 1, 1, "yaml-syntax", "m"),
        Problem("a\rb\u2028c\u202ed\x00e\x1b.yml", 2, 3, "unknown-field", "m\n::error::x\r\n", field="k\n::error::f"),
        SheetProblem("a.xlsx", "s\n::error::sheet", 3, 4, "invalid-value", "m\n::x", field="f\n::y"),
        SheetProblem("\n::error::b.xlsx", "", 0, 0, "invalid-workbook", "m"),
    ]
    out = io.StringIO()
    report(problems, out, fmt="github")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 * len(problems)
    for line in lines:
        assert not line.lstrip().startswith(("::", "##[")) or line.startswith(("::error file=", "::warning file=")), line
        assert not any(ch in line for ch in "\r\x00\x1b\u2028\u202e")
    text = problems[5].format()
    assert text == "a.xlsx:s\\n::error::sheet!D3: error: f\\n::y: m\\n::x (invalid-value)"
    assert problems[5].format_github() == "::error file=a.xlsx,title=invalid-value s\\n%3A%3Aerror%3A%3Asheet!D3::m\\n::x"


def test_hardening_reporter_is_the_only_printer():
    """check, build, archive, export and import print problems only through `report` (no copies left)."""
    import re

    modules = [
        "cli.py",
        "site/build.py",
        "excel/workbook.py",
        "excel/importer.py",
        *[f"archive/{p.name}" for p in (ROOT / "generator" / "archive").glob("*.py")],
    ]
    offenders = []
    for rel in modules:
        for number, line in enumerate((ROOT / "generator" / rel).read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.format(_github)?\(\)|environ.*GITHUB_ACTIONS", line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
