"""One exception hierarchy (generator.errors) mapped to messages and exit codes at the command-line boundary."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator import errors
from generator.cli import run_command
from generator.editing.gitfiles import GitError
from generator.editing.prompts import NewError
from generator.excel.reading import Refused
from generator.archive.reproducible import ArchiveError
from tests.support import ROOT


def test_every_refusal_of_the_stages_is_a_disclosure_error():
    for cls in (GitError, NewError, Refused, ArchiveError):
        assert issubclass(cls, errors.Refusal) and cls.exit_code == errors.EXIT_PROBLEMS
    assert errors.UsageError.exit_code == errors.EXIT_USAGE


def _raise(exc: BaseException):
    def call() -> int:
        raise exc

    return call


def test_usage_error_prints_every_message_and_exits_2(capsys):
    assert run_command("new", _raise(errors.UsageError("缺少 --year", "缺少 --id"))) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["disclosure new: 错误：缺少 --year", "disclosure new: 错误：缺少 --id"]


def test_refusal_exits_1_without_traceback(capsys):
    assert run_command("diff", _raise(GitError("unknown revision 'nope'"))) == 1
    err = capsys.readouterr().err
    assert err == "disclosure diff: 错误：unknown revision 'nope'\n"


def test_os_error_names_the_file(capsys):
    assert run_command("build", _raise(PermissionError(13, "Permission denied", "site/index.html"))) == 1
    assert capsys.readouterr().err == "disclosure build: 错误：Permission denied：site/index.html\n"


def test_a_bug_is_reported_as_internal_with_its_traceback(capsys):
    assert run_command("check", _raise(ZeroDivisionError("boom"))) == errors.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError: boom" in err and "内部错误" in err


def test_interrupt_exits_130(capsys):
    assert run_command("serve", _raise(KeyboardInterrupt())) == errors.EXIT_INTERRUPTED
    assert "已中断" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, code, text",
    [
        (["diff", "no-such-revision-xyz", "HEAD"], 1, "disclosure diff: 错误："),
        (["export-xlsx", "-o", "README.md/inside"], 1, "disclosure export-xlsx: 错误："),
    ],
)
def test_through_the_real_command(argv, code, text):
    done = subprocess.run([sys.executable, "-m", "generator", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stdout + done.stderr
    assert text in done.stderr and "Traceback" not in done.stderr
