"""Where an archive comes from: the source revision (with -dirty) and the source date, never the packing time."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from generator.archive.reproducible import ZIP_EPOCH

BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Provenance:
    #: `git rev-parse HEAD`, plus "-dirty" when inputs have uncommitted changes; "unknown" outside git.
    revision: str
    #: Seconds since the epoch: SOURCE_DATE_EPOCH, else the last commit's time, else 1980-01-01.
    timestamp: int
    #: Where `timestamp` came from (for the README).
    origin: str

    @property
    def date_text(self) -> str:
        """The build date as the README states it, with where it comes from (never the packing time)."""
        when = dt.datetime.fromtimestamp(self.timestamp, BEIJING).strftime("%Y-%m-%d %H:%M:%S（北京时间）")
        if self.origin == "commit":
            return f"{when}，即源码最后一次提交的时间（不是打包时间）"
        if self.origin == "SOURCE_DATE_EPOCH":
            return f"{when}，取自环境变量 SOURCE_DATE_EPOCH（不是打包时间）"
        return "未知（不是在 git 仓库中构建的；压缩包内的文件时间统一为 1980-01-01）"

    @property
    def revision_text(self) -> str:
        if self.revision == "unknown":
            return "未知（不是在 git 仓库中构建的）"
        if self.revision.endswith("-dirty"):
            return f"{self.revision}（-dirty：构建时内容或生成器有未提交的修改）"
        return self.revision


def git_output(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def provenance(root: Path, inputs: Iterable[Path]) -> Provenance:
    """Return the revision and the source date of the project at `root`.

    "-dirty" is appended when any of `inputs` (content, configuration, theme overrides, schema, the
    generator's own code) that lies inside the repository has staged, unstaged or untracked changes.
    """
    head = git_output(root, "rev-parse", "HEAD")
    commit_time = git_output(root, "log", "-1", "--format=%ct", "HEAD") if head else None
    revision = head or "unknown"
    if head:
        top = Path(git_output(root, "rev-parse", "--show-toplevel") or root).resolve()
        specs = []
        for path in inputs:
            try:
                specs.append(Path(path).resolve().relative_to(top).as_posix() or ".")
            except ValueError:
                continue  # outside this repository (e.g. an installed generator): cannot tell
        if specs:
            status = git_output(top, "status", "--porcelain", "--untracked-files=all", "--", *specs)
            if status is None or status:
                revision += "-dirty"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return Provenance(revision, max(int(epoch), ZIP_EPOCH), "SOURCE_DATE_EPOCH")
    if commit_time and commit_time.isdigit():
        return Provenance(revision, max(int(commit_time), ZIP_EPOCH), "commit")
    return Provenance(revision, ZIP_EPOCH, "default")
