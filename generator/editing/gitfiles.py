"""The files of a site at a git revision or in the working tree, read as bytes.

A revision is read through `git ls-tree` + `git cat-file --batch` (one process each, whatever the number
of files); the working tree from disk. Besides the content files, the site's own layouts (`layouts/*.yml`)
and settings (`disclosure.yml`) are read the same way, so each side is checked against its own layouts.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Optional

from generator.errors import Refusal, UsageError
from generator.forms.registry import SETTINGS_FILE, SITE_LAYOUTS

#: git's empty tree: the base of a repository's first commit.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
#: The `head` value that means "the files on disk".
WORKTREE = None
GIT_TIMEOUT = 300


class GitError(Refusal):
    """A git command failed: reported with a clear message and exit status 1."""


def git(args: list[str], cwd: str | os.PathLike[str], stdin: bytes | None = None) -> bytes:
    """Run git in `cwd` and return its output; raise GitError with git's last line on failure."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError as exc:
        raise GitError("找不到 git 命令：请先安装 git") from exc
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git {args[0]} 运行失败：{exc}") from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} 失败：{detail[-1] if detail else f'退出码 {proc.returncode}'}")
    return proc.stdout


def commit_of(rev: str, cwd: str | os.PathLike[str]) -> Optional[str]:
    """Return the commit id of `rev`, or None when it does not name a commit."""
    try:
        out = git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd)
    except GitError:
        return None
    return out.decode().strip() or None


def resolve_revision(rev: str, cwd: str | os.PathLike[str]) -> str:
    """Return the commit id of `rev`; refuse option-like names (UsageError) and unknown ones (GitError)."""
    if not rev or rev.startswith("-"):
        raise UsageError(f"无效的版本“{rev}”")
    sha = commit_of(rev, cwd)
    if sha is None:
        raise GitError(f"找不到版本“{rev}”（git 中没有这个分支、标签或提交；在 CI 中请用 fetch-depth: 0 检出完整历史）")
    return sha


def default_base(cwd: str | os.PathLike[str], head: str = "HEAD") -> tuple[str, str]:
    """Return (commit or tree id, label): the merge base of `head` with main, else origin/main, else its first parent."""
    if commit_of(head, cwd) is None:
        raise GitError(f"找不到版本“{head}”（仓库中还没有提交？）")
    for branch in ("main", "origin/main"):
        if commit_of(branch, cwd) is None:
            continue
        try:
            sha = git(["merge-base", head, branch], cwd).decode().strip()
        except GitError:
            continue  # unrelated histories: try the next candidate
        if sha:
            return sha, f"{branch} 与 {head} 的分叉点 {sha[:7]}"
    parent = commit_of(f"{head}^1", cwd)
    if parent is not None:
        return parent, f"{head}^1 {parent[:7]}"
    return EMPTY_TREE, "空（没有上一个提交）"


def read_revision(folder: str | os.PathLike[str], rev: str, paths: tuple[str, ...] = (".",)) -> dict[str, bytes]:
    """Return {path relative to `folder` (posix): bytes} of every .yml/.yaml file under `paths` at `rev`."""
    listing = git(["ls-tree", "-r", "-z", rev, "--", *paths], folder)
    entries: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        parts = meta.split()
        if len(parts) != 3 or parts[1] != b"blob":
            continue
        path = name.decode("utf-8", "surrogateescape")
        if path.endswith((".yml", ".yaml")):
            entries.append((path, parts[2].decode()))
    if not entries:
        return {}
    out = git(["cat-file", "--batch"], folder, stdin="".join(f"{sha}\n" for _, sha in entries).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for path, _sha in entries:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3:
            raise GitError(f"git cat-file 输出无法识别：{out[pos:end][:80]!r}")
        size = int(header[2])
        files[path] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return files


def read_worktree(content: str | os.PathLike[str]) -> dict[str, bytes]:
    """Return {path relative to content/ (posix): bytes} of every .yml/.yaml file on disk (hidden ones skipped)."""
    root = Path(content)
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith((".yml", ".yaml")):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            try:
                files[rel] = path.read_bytes()
            except OSError:
                files[rel] = b""  # reported as a file that did not load (empty-file)
    return files


def _site_file(rel: str) -> bool:
    folder, _, name = rel.partition("/")
    return rel == SETTINGS_FILE or (folder == SITE_LAYOUTS and "/" not in name and name.endswith(".yml"))


def read_site_revision(content: str | os.PathLike[str], rev: str) -> Optional[dict[str, bytes]]:
    """Return the site's settings and own layouts at `rev` ({"disclosure.yml": …, "layouts/x.yml": …}).

    None when the site folder (the parent of content/) is not inside the repository.
    """
    site = Path(content).resolve().parent
    try:
        files = read_revision(site, rev, (SETTINGS_FILE, SITE_LAYOUTS))
    except GitError:
        return None
    return {rel: data for rel, data in files.items() if _site_file(rel)}


def read_site_worktree(content: str | os.PathLike[str]) -> dict[str, bytes]:
    """Return the site's settings and own layouts on disk."""
    site = Path(content).resolve().parent
    files: dict[str, bytes] = {}
    settings = site / SETTINGS_FILE
    if settings.is_file() and not settings.is_symlink():
        files[SETTINGS_FILE] = settings.read_bytes()
    folder = site / SITE_LAYOUTS
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            rel = f"{SITE_LAYOUTS}/{path.name}"
            if _site_file(rel) and path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                files[rel] = path.read_bytes()
    return files
