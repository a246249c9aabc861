"""The site cut into pieces that MkDocs builds one at a time: the unit of incremental builds and of shards.

MkDocs 1.6 has no incremental build, so the generator builds the site as pieces, each an ordinary MkDocs
run over a docs folder of its own, and merges their outputs (generator/site/merge.py):

- `site`: the home page and everything outside the year folders (the JSON Schemas);
- `<year>`: the year page and the year's own files (data downloads, archives);
- `<year>-<bucket>`: the unit folders of the year, put in buckets by a hash of the unit's id, so that a
  unit added or removed moves no other unit to another piece.

Every piece is built with the whole site's navigation. The pages of the navigation and the files its
pages link to that another piece owns are present as *stubs*: the front matter and heading of a page
(all that a page contributes to other pages: its title in the navigation), an empty file for any
other file. MkDocs then renders every owned page exactly as in one run over the whole site (same
navigation, same previous/next links, links to existing files), and the stubs are left out when
merging. A piece is rebuilt only when its fingerprint changes: the bytes of its docs folder, stubs
included, the configuration, the theme overrides and the tool versions.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

#: A year's unit folders go in the smallest power-of-two number of buckets holding about this many files.
PIECE_FILES = 1200
#: The piece of the home page and of everything outside the year folders.
SITE_PIECE = "site"

_YEAR = re.compile(r"^[0-9]{4}$")
#: Markdown links and images the generator writes: `[text](target)`.
_LINK = re.compile(r"\]\(([^()\s]+)\)")
_FRONT_MATTER = re.compile(rb"\A---\r?\n.*?\r?\n---\r?\n", re.S)
_HEADING = re.compile(rb"^# .*$", re.M)


@dataclass
class Piece:
    """One MkDocs run: the docs files it owns, and the stubs that stand for files of other pieces."""

    key: str
    owned: list[str] = field(default_factory=list)
    stubs: dict[str, bytes] = field(default_factory=dict)
    #: Stub pages outside the navigation (a year page's links to its units): excluded from the MkDocs
    #: run (`exclude_docs`), so that MkDocs rewrites the links to them without rendering them.
    hidden: list[str] = field(default_factory=list)

    def size(self) -> int:
        return len(self.owned)


def piece_key(rel: str, buckets: dict[str, int]) -> str:
    """Return the key of the piece that owns the docs file `rel`."""
    parts = rel.split("/")
    if len(parts) == 1 or not _YEAR.match(parts[0]):
        return SITE_PIECE
    if len(parts) == 2 or parts[1] in ("data",):
        return parts[0]
    count = buckets.get(parts[0], 1)
    bucket = zlib.crc32(parts[1].encode("utf-8")) % count
    return f"{parts[0]}-{bucket:03d}"


def bucket_counts(rels, target: int | None = None) -> dict[str, int]:  # noqa: ANN001 - paths
    """Return year -> number of unit buckets: the smallest power of two with about `target` files each."""
    target = target or PIECE_FILES
    per_year: dict[str, int] = {}
    for rel in rels:
        parts = rel.split("/")
        if len(parts) > 2 and _YEAR.match(parts[0]) and parts[1] != "data":
            per_year[parts[0]] = per_year.get(parts[0], 0) + 1
    counts = {}
    for year, files in per_year.items():
        count = 1
        while files > count * target:
            count *= 2
        counts[year] = count
    return counts


def nav_pages(nav: list) -> list[str]:
    """Return every docs path the navigation names."""
    found: list[str] = []

    def walk(item) -> None:  # noqa: ANN001 - nav items are str, dict or list
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(nav)
    return found


def link_targets(rel: str, data: bytes) -> set[str]:
    """Return the docs paths a generated Markdown page links to (relative links, fragments dropped)."""
    base = posixpath.dirname(rel)
    found = set()
    for target in _LINK.findall(data.decode("utf-8", "replace")):
        target = target.split("#", 1)[0].split("?", 1)[0]
        if not target or ":" in target or target.startswith("/"):
            continue
        found.add(posixpath.normpath(posixpath.join(base, target)))
    return found


def stub(rel: str, data: bytes) -> bytes:
    """Return what stands for a file of another piece: a page's front matter and first heading, else nothing."""
    if not rel.endswith(".md"):
        return b""
    front = _FRONT_MATTER.match(data)
    head = front.group(0) if front else b""
    heading = _HEADING.search(data, len(head))
    return head + (b"\n" + heading.group(0) + b"\n" if heading else b"")


def plan_pieces(docs, nav: list, target: int | None = None) -> list[Piece]:  # noqa: ANN001 - rendercache.Docs
    """Cut the generated docs into pieces (sorted by key), each with the stubs it needs.

    `docs` maps paths to bytes; its `links` (page -> linked paths), when it has them, spare reading pages.
    """
    known = getattr(docs, "links", {})
    buckets = bucket_counts(docs, target)
    pieces: dict[str, Piece] = {}
    for rel in sorted(docs):
        key = piece_key(rel, buckets)
        pieces.setdefault(key, Piece(key)).owned.append(rel)
    pieces.setdefault(SITE_PIECE, Piece(SITE_PIECE))
    in_nav = {rel for rel in nav_pages(nav) if rel in docs}
    stubs: dict[str, bytes] = {}
    for piece in pieces.values():
        owned = set(piece.owned)
        needed = set(in_nav)
        for rel in piece.owned:
            if rel.endswith(".md"):
                needed.update(known[rel] if rel in known else link_targets(rel, docs[rel]))
        for rel in sorted(needed - owned):
            if rel not in docs:
                continue
            if rel.endswith(".md") and rel not in in_nav:
                piece.stubs[rel] = b""
                piece.hidden.append(rel)
                continue
            if rel not in stubs:
                stubs[rel] = stub(rel, docs[rel])
            piece.stubs[rel] = stubs[rel]
    return [pieces[key] for key in sorted(pieces)]


def fingerprint(files: dict[str, bytes], context: bytes) -> str:
    """Return a digest of a piece's docs files and of everything else its build depends on (`context`)."""
    digest = hashlib.sha256(context)
    for rel in sorted(files):
        data = files[rel]
        digest.update(f"{len(rel)}:{rel}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def build_context(config_file: Path, nav_overrides: dict, extra_files: list[Path]) -> bytes:
    """Return the bytes every piece's output depends on besides its docs: config, navigation, theme, versions."""
    from importlib.metadata import version

    parts = [config_file.read_bytes(), json.dumps(nav_overrides, ensure_ascii=False, sort_keys=True).encode()]
    for name in ("mkdocs", "mkdocs-material", "jieba", "markdown", "pymdown-extensions", "jinja2"):
        try:
            parts.append(f"{name}={version(name)}".encode())
        except Exception:  # noqa: BLE001 - a package that is not installed is part of the context too
            parts.append(f"{name}=none".encode())
    root = config_file.parent
    for path in extra_files:
        if path.is_file():
            parts.append(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
        elif path.is_dir():
            for sub in sorted(p for p in path.rglob("*") if p.is_file()):
                parts.append(sub.relative_to(root).as_posix().encode() + b"\0" + sub.read_bytes())
    return hashlib.sha256(b"\0\0".join(parts)).digest()


def select_shard(pieces: list[Piece], shard: str) -> list[Piece]:
    """Return the pieces of one shard: `N/M` (balanced by size; the site piece is in shard 1) or a year.

    A year shard also builds the small site piece, so that each year can be built on its own; merging
    takes it once.
    """
    if "/" in shard:
        number, _, total = shard.partition("/")
        index, count = int(number), int(total)
        if not (count >= 1 and 1 <= index <= count):
            raise ValueError(f"shard {shard}: expected N/M with 1 <= N <= M")
        loads = [0] * count
        chosen: dict[int, list[Piece]] = {i: [] for i in range(count)}
        site = [p for p in pieces if p.key == SITE_PIECE]
        chosen[0].extend(site)
        loads[0] += sum(p.size() for p in site)
        for piece in sorted((p for p in pieces if p.key != SITE_PIECE), key=lambda p: (-p.size(), p.key)):
            lightest = min(range(count), key=lambda i: (loads[i], i))
            chosen[lightest].append(piece)
            loads[lightest] += piece.size()
        return sorted(chosen[index - 1], key=lambda p: p.key)
    if not _YEAR.match(shard):
        raise ValueError(f"shard {shard}: expected N/M or a year")
    return [p for p in pieces if p.key == SITE_PIECE or p.key == shard or p.key.startswith(shard + "-")]
