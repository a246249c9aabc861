"""One exception hierarchy for everything the `disclosure` command reports without a traceback, and its exit codes.

Problems in content are not exceptions: they are collected and printed as `file:line:col: level: message (code)`
lines (generator.problems) and the command returns EXIT_PROBLEMS. Exceptions are for what stops a command:
bad arguments (UsageError, exit 2), a refusal that names its reason (Refusal, exit 1: the file exists, the
workbook is unsafe, git failed). The command-line boundary (generator.cli.main) prints `disclosure <command>:
错误：<message>` for each and returns `exit_code`; OSError (disk full, permission denied) is reported the same way.
Anything else is a bug: it is reported with its traceback and exit status EXIT_INTERNAL.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class DisclosureError(Exception):
    """A reason a command stops: one or more messages for the user, and the exit status to end with."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, *messages: str) -> None:
        super().__init__("\n".join(messages))
        self.messages = [line for message in messages for line in str(message).split("\n")] or [""]


class UsageError(DisclosureError):
    """Bad or missing arguments (every one of them, one message each)."""

    exit_code = EXIT_USAGE


class Refusal(DisclosureError):
    """The command will not do what was asked, and says why (an existing file, an unsafe input, a failed tool)."""
