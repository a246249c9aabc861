"""`disclosure diff`: what a change does to the published forms, in Chinese, for editors and reviewers.

The work is split by stage: `gitfiles` reads the two sides (a git revision or the working tree, content
files plus the site's layouts and settings), `snapshot` parses and pairs the forms, `compare` compares two
versions of a form under its layout's labels, `changes` holds the result (`Diff`) and `report` formats it
as text or Markdown. This module is the command.
"""

from __future__ import annotations

import sys
from typing import Optional, TextIO

from generator.editing.changes import (
    AmountChange,
    Broken,
    CellEffect,
    Diff,
    FieldChange,
    FormChange,
    FormRef,
    IndicatorChange,
    SiteChange,
    TextChange,
    UnitEffect,
)
from generator.editing.compare import CONTEXT, compare_forms, compare_indicators, word_diff
from generator.editing.gitfiles import WORKTREE, GitError
from generator.errors import UsageError
from generator.editing.report import MARKDOWN_LIMIT, md, render_markdown, render_text
from generator.editing.snapshot import compute_diff, diff_files

__all__ = [
    "AmountChange", "Broken", "CellEffect", "CONTEXT", "Diff", "FieldChange", "FormChange", "FormRef", "GitError",
    "IndicatorChange", "MARKDOWN_LIMIT", "SiteChange", "TextChange", "UnitEffect", "UsageError", "WORKTREE",
    "compare_forms", "compare_indicators", "compute_diff", "diff_files", "md", "render_markdown", "render_text", "run",
    "word_diff",
]  # fmt: skip


def run(
    base: Optional[str], head: Optional[str], content: str = "content", fmt: str = "text", out: Optional[TextIO] = None
) -> int:
    """The `disclosure diff` command: print the report; 0 always, 1 on git failure, 2 on usage errors."""
    out = out or sys.stdout
    diff = compute_diff(content, base, head)  # GitError and UsageError: reported by the command line (cli.run_command)
    out.write(render_markdown(diff) if fmt == "markdown" else render_text(diff))
    return 0
