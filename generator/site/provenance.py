"""When each content file last changed, from git history (one `git log` for the whole tree)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path


def last_changed(content: str | os.PathLike[str], only: str | None = None) -> dict[str, str]:
    """Return {path relative to content/: "YYYY-MM-DD"} of each file's last commit.

    Files with uncommitted changes, or outside a git checkout, get their modification date instead.
    """
    root = Path(content)
    scope = only.strip("/") if only else "."
    dates: dict[str, str] = {}
    try:
        log = subprocess.run(
            ["git", "-C", str(root), "log", "--format=%x00%cs", "--name-only", "--relative", "--", scope],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        dirty = (
            subprocess.run(
                ["git", "-C", str(root), "diff", "--name-only", "--relative", "HEAD", "--", scope],
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
            + subprocess.run(
                ["git", "-C", str(root), "ls-files", "--others", "--exclude-standard", "--", scope],
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
        )
    except (OSError, subprocess.SubprocessError):
        log, dirty = "", ""
    current = ""
    for line in log.splitlines():
        if line.startswith("\x00"):
            current = line[1:]
        elif line and line not in dates:
            dates[line] = current
    changed = set(dirty.splitlines())
    for path in (root / scope).rglob("*.yml"):
        rel = path.relative_to(root).as_posix()
        if rel in changed or rel not in dates:
            stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
            dates[rel] = stamp.date().isoformat()
    return dates


def repository_url(root: str | os.PathLike[str], environ: dict[str, str] | None = None) -> str | None:
    """Return the repository's web address for source and history links, when it can be known.

    In GitHub Actions it comes from GITHUB_SERVER_URL and GITHUB_REPOSITORY; elsewhere from the `origin`
    remote when that is an https or `git@host:owner/repo` address. Anything else gives None.
    """
    env = os.environ if environ is None else environ
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY"):
        return f"{env['GITHUB_SERVER_URL'].rstrip('/')}/{env['GITHUB_REPOSITORY']}"
    try:
        remote = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return web_address(remote)


def web_address(remote: str) -> str | None:
    """Turn a git remote (https://host/o/r.git or git@host:o/r.git) into https://host/o/r."""
    import re

    match = re.fullmatch(r"https://(?:[^@/]+@)?([A-Za-z0-9.-]+)/([\w.-]+/[\w.-]+?)(?:\.git)?/?", remote) or re.fullmatch(
        r"git@([A-Za-z0-9.-]+):([\w.-]+/[\w.-]+?)(?:\.git)?", remote
    )
    return f"https://{match.group(1)}/{match.group(2)}" if match else None
