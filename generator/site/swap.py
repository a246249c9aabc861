"""Replacing the built site in one step: readers see the old site or the new one, never neither.

On Linux the new folder and the old one are exchanged with `renameat2(RENAME_EXCHANGE)` (one atomic
system call), then the old one is removed. Where that call is missing (other systems, file systems that
refuse it) two renames are used, and a build killed between them is repaired by the next one: the old
site, parked as `.site.old-<pid>`, is moved back before anything else happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _renameat2():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths; return False when the system cannot (nothing changed)."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(b))


def parked(target: Path) -> list[Path]:
    """Return old sites parked by the two-rename fallback (`.site.old-*`), newest first."""
    return sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)


def recover(target: Path) -> str | None:
    """Undo a swap that was killed half-way: put a parked old site back when `target` is missing.

    Returns a note for the user when something was repaired. Other leftovers (temporary build folders,
    parked sites once `target` exists) are never served and are removed.
    """
    note = None
    if not os.path.lexists(target):
        for old in parked(target):
            os.replace(old, target)
            note = f"{target.name}/ was restored from an interrupted build"
            break
    for stale in list(target.parent.glob(f".{target.name}.tmp-*")) + parked(target):
        _remove(stale)
    return note


def _remove(path: Path) -> None:
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def swap_in(new: Path, target: Path) -> None:
    """Make `new` the content of `target` atomically (exchange), or with two renames where that is impossible."""
    if not os.path.lexists(target):
        os.replace(new, target)
        return
    if exchange(new, target):
        _remove(new)  # `new` now holds the previous site
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    os.replace(target, old)
    try:
        os.replace(new, target)  # killed between these two: `recover` puts `old` back next time
    except BaseException:
        os.replace(old, target)
        raise
    _remove(old)
