"""Issue 12, finding 8 (diff): a published file changed in any way appears in the review output.

Changes outside form fields (the `$schema` modeline, comments) do not change any cell, but they are part
of the published YAML download, so `disclosure diff` lists them (text and Markdown, escaped like the rest).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

FORM = "content/2025/renhe-shehui-gongzuobu/cun-shequ-huanjie.yml"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "GITHUB_ACTIONS"}
    env.update(
        PYTHONPATH=str(ROOT),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=True)


def test_hardening_diff_shows_modeline_and_comment_changes(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "disclosure.yml", tmp_path / "disclosure.yml")
    _run(tmp_path, "git", "init", "-q", "-b", "main")
    _run(tmp_path, "git", "add", "-A")
    _run(tmp_path, "git", "commit", "-q", "-m", "c")
    form = tmp_path / FORM
    lines = form.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = "# yaml-language-server: $schema=https://evil.example/[x](y).json\n"
    form.write_text("".join(lines) + "# 新增的注释 <b>*x*</b>\n", encoding="utf-8")
    text = _run(tmp_path, sys.executable, "-m", "generator", "diff", "HEAD").stdout
    assert "修改 1 张表单" in text and FORM in text
    assert "https://evil.example/[x](y).json" in text and "新增的注释" in text
    markdown = _run(tmp_path, sys.executable, "-m", "generator", "diff", "--format", "markdown", "HEAD").stdout
    assert "新增的注释" in markdown
    assert "<b>" not in markdown and "](y)" not in markdown  # escaped: no HTML, no link
