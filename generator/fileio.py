"""Writing files safely: atomically, and only when the content changed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, always: bool = False, durable: bool = False) -> bool:
    """Write `data` to `path` via a temporary file and rename; return False when it was already equal.

    Skipping identical writes keeps mtimes, so incremental builds and file watchers see only real changes
    (`always` rewrites anyway). `durable` flushes to disk before the rename (archives, imported content).
    """
    path = Path(path)
    if not always:
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
        except OSError:
            pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; published files are world-readable
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True


def write_text_atomic(path: str | os.PathLike[str], text: str) -> bool:
    """Write UTF-8 text atomically; return whether the file changed."""
    return write_bytes_atomic(path, text.encode("utf-8"))
