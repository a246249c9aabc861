"""Docs generated from the code (tools/docs.py) are current, and the check notices a stale block."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

from tests.support import ROOT


def _docs():
    spec = importlib.util.spec_from_file_location("docs_tool", ROOT / "tools" / "docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_blocks_are_current():
    assert _docs().stale_blocks() == []


def test_check_command_fails_on_a_stale_block(tmp_path):
    docs = _docs()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tampered = text.replace("| `yaml-syntax` | error |", "| `yaml-syntax` | warning |", 1)
    assert tampered != text
    assert docs.regenerate(tampered) == text
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "docs.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_problem_code_and_its_advice_is_in_the_generated_tables():
    from generator.problemhelp import FIXES
    from generator.problems import CODES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert set(FIXES) == set(CODES)
    for code in CODES:
        assert re.search(rf"^\| `{re.escape(code)}` \|", readme, re.M), code
        assert f"| `{code}` |" in contributing and FIXES[code].replace("|", "\\|") in contributing, code


def test_every_command_has_its_generated_reference():
    docs = _docs()
    from generator.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in docs._subparsers(build_parser()):
        assert f"<!-- generated: cli {command} -->" in readme, f"README: no generated option table for disclosure {command}"


def test_tests_import_helpers_from_the_support_module():
    """A conftest imported by name is loaded twice (once by pytest, once by the import): use tests.support."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if re.search(r"^\s*(from|import) (tests\.)?conftest\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []
