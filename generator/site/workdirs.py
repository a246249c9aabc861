"""The folders a build writes and reads back (build/, dist/, site/, the Excel cache): never the repository's.

A pull request can commit anything, including files below build/ or dist/ that a later build would take
for its own output. So a build refuses to run while git tracks files there, keeps the Excel cache outside
the work tree (in the user's cache folder, keyed by the hash of every input), and removes anything in
the generated docs folder that is not a regular file or folder before MkDocs copies it.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

#: Folders below the project root that only the generator writes.
GENERATED = ("build", "dist", "site")


def tracked_outputs(root: Path, extra: tuple[Path, ...] = ()) -> list[str]:
    """Return files git tracks below build/, dist/, site/ (and `extra` folders inside the work tree)."""
    specs = list(GENERATED)
    for path in extra:
        try:
            specs.append(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            continue
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", *specs], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:  # not a git repository: nothing can have been committed
        return []
    return [name for name in done.stdout.decode("utf-8", "replace").split("\0") if name]


def tracked_links(root: Path) -> list[str]:
    """Return symbolic links git tracks anywhere in the work tree (content, theme, schema, layouts …).

    Git stores a link as its target's name; checked out, a build would copy whatever it points at (a
    token in .git/config, /proc/self/environ) into the site or an archive. Nothing the site is built from
    needs one, so a build refuses them all.
    """
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-s", "-z"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    links = []
    for entry in done.stdout.decode("utf-8", "replace").split("\0"):
        meta, _, name = entry.partition("\t")
        if meta.startswith("120000 "):
            links.append(name)
    return links


def excel_cache_dir(root: Path) -> Path | None:
    """Return the Excel cache folder: `$XDG_CACHE_HOME/disclosure/excel` (default ~/.cache), None if unusable.

    Entries are named by a hash of everything that goes into a file (form data, layout, generator code,
    openpyxl version, build date), so one cache serves every project. A cache inside the project's own
    tree is never used: the repository could provide its entries.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    folder = Path(base) / "disclosure" / "excel"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        resolved, project = folder.resolve(), root.resolve()
        if resolved == project or project in resolved.parents or not os.access(resolved, os.W_OK):
            return None
    except OSError:
        return None
    return folder


def remove_foreign(folder: Path) -> int:
    """Remove symbolic links, FIFOs, sockets and devices anywhere below `folder` (never following links)."""
    removed = 0
    if not folder.is_dir() or folder.is_symlink():
        return removed
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            mode = os.lstat(path).st_mode
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                os.unlink(path)
                removed += 1
        dirnames[:] = [
            d for d in dirnames if os.path.isdir(os.path.join(dirpath, d)) and not os.path.islink(os.path.join(dirpath, d))
        ]
    return removed
