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


class NotRegularFile(OSError):
    """The path is a symbolic link, a folder, a FIFO, a socket or a device: it is never opened for reading."""

    def __init__(self, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(f"not a regular file ({kind}): {os.fspath(path)}")
        self.kind = kind


class FileTooLarge(OSError):
    """The file is larger than the caller's limit (nothing was read)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"file too large: {size} bytes")
        self.size = size


def file_kind(mode: int) -> str:
    """Return what a stat mode is, in the words problems use (常规文件, 符号链接 …)."""
    import stat

    for test, name in (
        (stat.S_ISREG, "常规文件"),
        (stat.S_ISLNK, "符号链接"),
        (stat.S_ISDIR, "目录"),
        (stat.S_ISFIFO, "命名管道（FIFO）"),
        (stat.S_ISSOCK, "套接字"),
        (stat.S_ISCHR, "字符设备"),
        (stat.S_ISBLK, "块设备"),
    ):
        if test(mode):
            return name
    return "特殊文件"


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """Return the bytes of a regular file of at most `limit` bytes, never following a symbolic link.

    Opened without following a final symlink and without blocking (a FIFO cannot hang the reader), then
    checked with fstat on the open descriptor, so what is read is what was checked.
    """
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        import errno

        if exc.errno in (errno.ELOOP, errno.EMLINK) or os.path.islink(path):
            raise NotRegularFile(path, "符号链接") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, file_kind(info.st_mode))
        if info.st_size > limit:
            raise FileTooLarge(info.st_size)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(len(data))
    return data


def link_or_copy(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Put `source` at `target` as a hard link (a copy where links are impossible), its folder made first.

    For outputs that are replaced as a whole, never written in place (a link shares the cached bytes).
    """
    import shutil

    Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or no hard links
        shutil.copyfile(source, target)
