"""Reproducible zips: the same names, contents and timestamp give the same bytes, with a sha256sum manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

from generator.errors import Refusal
from pathlib import Path

from generator.fileio import write_bytes_atomic

MANIFEST = "MANIFEST.sha256"
#: 1980-01-01T00:00:00Z, the earliest time a zip entry can hold.
ZIP_EPOCH = 315532800
COMPRESSLEVEL = 9
FILE_MODE = 0o100644
DIR_MODE = 0o040755


class ArchiveError(Refusal):
    """The archive cannot be built (the message says why, in terms of the inputs)."""


def manifest(files: dict[str, bytes]) -> bytes:
    """sha256sum-format lines for `files`, sorted by path."""
    lines = []
    for name in sorted(files):
        if "\n" in name or "\\" in name or "\r" in name:
            raise ArchiveError(f"file name not representable in {MANIFEST}: {name!r}")
        lines.append(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n")
    return "".join(lines).encode("utf-8")


def zip_bytes(files: dict[str, bytes], timestamp: int) -> bytes:
    """A zip of `files` (plus their folders) that depends only on names, contents and `timestamp`.

    Sorted entries, one fixed time (UTC, 2-second DOS resolution), modes 0644/0755, Unix as the creating
    system, DEFLATE at a fixed level, no extra fields, no comment.
    """
    date_time = dt.datetime.fromtimestamp(max(timestamp, ZIP_EPOCH), dt.timezone.utc).timetuple()[:6]
    names: set[str] = set()
    for name in files:
        parts = name.split("/")
        for depth in range(1, len(parts)):
            names.add("/".join(parts[:depth]) + "/")
        names.add(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(names):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (DIR_MODE << 16) | 0x10
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, b"")
            else:
                info.external_attr = FILE_MODE << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL)
    return buffer.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename (always rewrites)."""
    write_bytes_atomic(path, data, always=True, durable=True)
