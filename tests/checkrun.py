"""Helpers shared by the tests: run `disclosure check` in-process and parse what it prints."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.cli import main
from generator.problems import CODES

#: `path:line:col: level: message (code)`: one line per problem.
LINE_RE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>[0-9]+):(?P<col>[0-9]+): (?P<level>error|warning): (?P<message>.*) \((?P<code>[a-z0-9-]+)\)$"
)
SUMMARY_RE = re.compile(
    r"^(?P<forms>[0-9]+) forms? checked: (?P<errors>[0-9]+) errors?, (?P<warnings>[0-9]+) warnings?"
    r"(?:, (?P<acknowledged>[0-9]+) acknowledged)?$"
)


@dataclass
class Reported:
    path: str
    line: int
    col: int
    level: str
    message: str
    code: str


@dataclass
class CheckOutput:
    status: int
    problems: list[Reported]
    summary: re.Match

    def found(self, strip: str = "") -> Counter:
        """Return a Counter of (path without `strip`, line, code)."""
        return Counter((p.path[len(strip) :] if p.path.startswith(strip) else p.path, p.line, p.code) for p in self.problems)


def parse_output(out: str) -> tuple[list[Reported], re.Match]:
    """Parse check output strictly: every line a problem in the documented format, the last the summary."""
    assert "Traceback" not in out
    lines = out.splitlines()
    assert lines, "check printed nothing"
    summary = SUMMARY_RE.match(lines[-1])
    assert summary, f"last line is not the summary: {lines[-1]!r}"
    problems = []
    for line in lines[:-1]:
        match = LINE_RE.match(line)
        assert match, f"not a problem line: {line!r}"
        assert match["code"] in CODES, line
        assert match["level"] == CODES[match["code"]][0], line
        problems.append(
            Reported(match["path"], int(match["line"]), int(match["col"]), match["level"], match["message"], match["code"])
        )
    errors = sum(1 for p in problems if p.level == "error")
    assert int(summary["errors"]) == errors
    assert int(summary["warnings"]) == len(problems) - errors
    return problems, summary


def run_check(capsys, content: str | Path = "content", *extra: str) -> CheckOutput:
    """Run `disclosure check --content CONTENT` in-process and parse its output."""
    status = main(["check", "--content", str(content), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    problems, summary = parse_output(captured.out)
    return CheckOutput(status, problems, summary)
