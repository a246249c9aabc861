"""Write the parts of README.md and CONTRIBUTING.md that are generated from the code; `--check` fails when stale.

    python tools/docs.py          # rewrite the generated blocks in place
    python tools/docs.py --check  # exit 1 and name the stale blocks (CI and tests/test_docs.py run this)

A generated block sits between two HTML comments that name it:

    <!-- generated: problem-codes -->
    ...
    <!-- end generated: problem-codes -->

Blocks: `problem-codes` (README: code, level, meaning from generator.problems.CODES), `problem-fixes`
(CONTRIBUTING: the same plus the advice in generator.problemhelp.FIXES) and `cli <command>` (README: the
command's usage line and options, from the real argument parser, generator.cli.build_parser).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FILES = ("README.md", "CONTRIBUTING.md")
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[^>]+?) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)", re.S)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def problem_codes() -> str:
    from generator.problems import CODES

    lines = ["| 代码 | 级别 | 含义 |", "| --- | --- | --- |"]
    lines += [f"| `{code}` | {level} | {_cell(meaning)} |" for code, (level, meaning) in CODES.items()]
    return "\n".join(lines) + "\n"


def problem_fixes() -> str:
    from generator.problemhelp import FIXES
    from generator.problems import CODES

    missing = sorted(set(CODES) - set(FIXES))
    if missing:
        raise SystemExit(f"generator/problemhelp.py: no advice for {', '.join(missing)}")
    lines = ["| 代码 | 级别 | 含义 | 如何修正 |", "| --- | --- | --- | --- |"]
    lines += [f"| `{code}` | {level} | {_cell(meaning)} | {_cell(FIXES[code])} |" for code, (level, meaning) in CODES.items()]
    return "\n".join(lines) + "\n"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # noqa: SLF001 - argparse has no public API for its sub-commands
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return dict(action.choices)
    return {}


def _option_name(action: argparse.Action) -> str:
    if not action.option_strings:
        metavar = action.metavar or action.dest.upper()
        if action.choices and not action.metavar:
            metavar = "|".join(action.choices)
        return f"{metavar} ..." if action.nargs in ("*", "+") else str(metavar)
    names = ", ".join(action.option_strings)
    if action.nargs == 0:
        return names
    if action.choices:
        return f"{names} {'|'.join(map(str, action.choices))}"
    return f"{names} {action.metavar or action.dest.upper()}"


def cli(command: str) -> str:
    from generator.cli import build_parser

    parsers = _subparsers(build_parser())
    if command not in parsers:
        raise SystemExit(f"no such command: disclosure {command}")
    parser = parsers[command]
    usage = " ".join(parser.format_usage().split())[len("usage: ") :]
    lines = ["```", usage, "```", "", "| 参数 / 选项 | 说明 |", "| --- | --- |"]
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:  # noqa: SLF001
            continue
        lines.append(f"| `{_cell(_option_name(action))}` | {_cell(action.help or '')} |")
    return "\n".join(lines) + "\n"


def render(name: str) -> str:
    makers: dict[str, Callable[[], str]] = {"problem-codes": problem_codes, "problem-fixes": problem_fixes}
    if name in makers:
        return makers[name]()
    kind, _, arg = name.partition(" ")
    if kind == "cli" and arg:
        return cli(arg)
    raise SystemExit(f"unknown generated block: {name}")


def regenerate(text: str) -> str:
    return _BLOCK.sub(lambda m: m.group(1) + render(m.group("name")) + m.group(4), text)


def stale_blocks() -> list[str]:
    """Return `file: block` for every generated block whose text differs from what the code gives."""
    stale = []
    for name in FILES:
        text = (ROOT / name).read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            if match.group("body") != render(match.group("name")):
                stale.append(f"{name}: {match.group('name')}")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale blocks (exit 1)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_blocks()
        for item in stale:
            print(f"stale generated block: {item} (run python tools/docs.py)", file=sys.stderr)
        return 1 if stale else 0
    for name in FILES:
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        new = regenerate(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
