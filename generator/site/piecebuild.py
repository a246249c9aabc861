"""Building the site's pieces with MkDocs: each in its own folder below build/pieces/, only when it changed.

A piece folder holds `docs/` (the piece's files, hard links to the generated docs folder's files, and
its stubs), `site/` (what MkDocs built from them) and `piece.json` (its key, fingerprint and files).
A piece is built into a new folder that then replaces `site/`, so a merged site that links to the old
files never sees them change. Pieces are built in parallel worker processes.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.fileio import write_bytes_atomic, write_text_atomic
from generator.forking import die_with_parent
from generator.site.pieces import Piece, build_context, fingerprint

#: The record of a built piece, next to its docs/ and site/ folders.
PIECE_FILE = "piece.json"


@dataclass
class PieceRun:
    """What building one piece needs, as plain data (it crosses to a worker process)."""

    key: str
    config: str
    docs: str
    site: str
    nav: dict
    hidden: list[str]


def piece_fingerprint(piece: Piece, docs, context: bytes) -> str:  # noqa: ANN001 - rendercache.Docs
    files = {rel: docs.digests[rel].encode() for rel in piece.owned}
    files.update({f"stub:{rel}": data for rel, data in piece.stubs.items()})
    files.update({f"hidden:{rel}": b"" for rel in piece.hidden})
    return fingerprint(files, context)


def fingerprints(pieces: list[Piece], docs, config: str, nav: dict, inputs: list[Path]) -> dict[str, str]:  # noqa: ANN001
    """Return piece key -> fingerprint of what its MkDocs output is made of."""
    context = build_context(Path(config).resolve(), nav, inputs)
    return {piece.key: piece_fingerprint(piece, docs, context) for piece in pieces}


def stage_docs(piece: Piece, docs, folder: Path, cancel=None) -> None:  # noqa: ANN001 - rendercache.Docs, Event
    """Make `folder` hold exactly the piece's files (hard links to the generated files) and its stubs.

    A year page's piece has a stub for every page of the year (10,000 files): with `cancel` (a
    threading.Event), BuildCancelled is raised soon after it is set.
    """

    def check(count: int) -> None:
        if cancel is not None and count % 256 == 0 and cancel.is_set():
            raise BuildCancelled(piece.key)

    wanted = set(piece.owned) | set(piece.stubs)
    for count, rel in enumerate(piece.owned):
        check(count)
        source, target = docs.folder / rel, folder / rel
        try:
            same = os.stat(source).st_ino == os.stat(target, follow_symlinks=False).st_ino
        except OSError:
            same = False
        if not same:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.link")
            try:
                os.link(source, tmp)
            except OSError:  # another file system, or no hard links: a copy
                shutil.copyfile(source, tmp)
            os.replace(tmp, target)
    for count, (rel, data) in enumerate(piece.stubs.items()):
        check(count)
        write_bytes_atomic(folder / rel, data)
    for dirpath, dirnames, filenames in os.walk(folder, topdown=False):
        for name in filenames:
            path = Path(dirpath) / name
            if path.relative_to(folder).as_posix() not in wanted:
                path.unlink()
        for name in dirnames:
            sub = Path(dirpath) / name
            if not any(sub.iterdir()):
                sub.rmdir()


def _glob_escape(text: str) -> str:
    import re

    return re.sub(r"([\\*?\[\]])", r"\\\1", text)


def hidden_patterns(hidden: list[str], pages: list[str]) -> list[str]:
    """Return `exclude_docs` patterns that match exactly the `hidden` pages among `pages` (every .md of the piece).

    A folder whose pages are all hidden gets one pattern (`/2025/unit/*.md`), and a folder whose every
    subfolder with pages is such a folder one for all (`/2025/*/*.md`), instead of one pattern per page:
    MkDocs matches every file against every pattern, and a year page's piece hides its ten thousand
    unit and project pages (one pattern each made that piece's build quadratic: 61 of its 77 s).
    """
    import posixpath

    hidden_set = set(hidden)
    by_dir: dict[str, list[str]] = {}
    for rel in pages:
        by_dir.setdefault(posixpath.dirname(rel), []).append(rel)
    full = {d for d, rels in by_dir.items() if d and all(r in hidden_set for r in rels)}
    by_parent: dict[str, list[str]] = {}
    for d in by_dir:
        if d:
            by_parent.setdefault(posixpath.dirname(d), []).append(d)
    patterns, covered = [], set()
    for parent, dirs in sorted(by_parent.items()):
        mine = [d for d in dirs if d in full]
        if not mine:
            continue
        if len(mine) == len(dirs):
            patterns.append(f"/{_glob_escape(parent)}/*/*.md" if parent else "/*/*.md")
        else:
            patterns += [f"/{_glob_escape(d)}/*.md" for d in sorted(mine)]
        covered.update(mine)
    patterns += [f"/{_glob_escape(rel)}" for rel in sorted(hidden_set) if posixpath.dirname(rel) not in covered]
    return patterns


def exclude_docs(config: str, hidden: list[str], pages: list[str] | None = None) -> str:
    """Return the config's own `exclude_docs` patterns followed by patterns for the hidden stubs.

    `pages` (every .md file of the piece's docs) lets whole folders be excluded by one pattern
    (`hidden_patterns`); without it each hidden stub gets an exact pattern.
    """
    from mkdocs.utils.yaml import yaml_load

    with open(config, encoding="utf-8") as fh:
        own = (yaml_load(fh) or {}).get("exclude_docs") or ""
    extra = hidden_patterns(hidden, pages) if pages is not None else ["/" + _glob_escape(rel) for rel in hidden]
    return "\n".join([own.rstrip("\n"), *extra]).lstrip("\n") + "\n"


def docs_pages(docs: str) -> list[str]:
    """Return every Markdown file below the docs folder `docs`, as docs-relative POSIX paths."""
    root = Path(docs)
    found = []
    for dirpath, _dirnames, filenames in os.walk(root):
        base = Path(dirpath).relative_to(root).as_posix()
        found += [name if base == "." else f"{base}/{name}" for name in filenames if name.endswith(".md")]
    return found


def run_mkdocs(run: PieceRun) -> str | None:
    """Build one piece with MkDocs (strict); return None, or the error MkDocs reported."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    from generator.site.mkdocsrun import quiet_mkdocs, working_directory
    from generator.site.outputs import load_mkdocs_config

    quiet_mkdocs()
    try:
        with working_directory(Path(run.config).resolve().parent):
            extra = {"exclude_docs": exclude_docs(run.config, run.hidden, docs_pages(run.docs))} if run.hidden else {}
            cfg = load_mkdocs_config(run.config, docs_dir=run.docs, site_dir=run.site, strict=True, **run.nav, **extra)
            mkdocs_build(cfg)
    except (MkDocsException, OSError) as exc:
        return f"{run.key}: {getattr(exc, 'strerror', None) or exc}"
    return None


def theme_search(config: str) -> bool:
    """Return whether the config builds Material's own search index (the offline archive does)."""
    from generator.site.outputs import load_mkdocs_config

    plugin = load_mkdocs_config(config)["plugins"].get("material/search")
    return plugin is not None and bool(plugin.config.enabled)


def _child(run: PieceRun, conn) -> None:  # noqa: ANN001 - a multiprocessing connection
    die_with_parent()
    conn.send(run_mkdocs(run))
    conn.close()


class BuildCancelled(Exception):
    """The `cancel` event of `run_forked` was set: the builds under way were stopped, none was kept."""


def run_forked(runs: list[PieceRun], jobs: int, search: bool = False, cancel=None) -> dict[str, str | None]:  # noqa: ANN001
    """Run each piece's MkDocs build in a process of its own, `jobs` at a time; return key -> error or None.

    One process per build, forked from this one (MkDocs and the theme already imported): a build
    leaves state behind in the process (Material's search loads its jieba dictionary into jieba's
    global tokenizer each time, changing its word statistics), so no piece sees another's.
    When `cancel` (a threading.Event) is set, the processes are stopped and BuildCancelled is raised
    within a twentieth of a second (`serve` stops a background build when an edit comes).
    """
    import multiprocessing
    from multiprocessing.connection import wait

    import mkdocs.commands.build  # noqa: F401 - imported once here, inherited by every fork

    if search:  # jieba's main dictionary, loaded once here (about a second), before any user dictionary
        import jieba

        from generator.site.mkdocsrun import quiet_mkdocs

        quiet_mkdocs()
        jieba.initialize()
    context = multiprocessing.get_context("fork")
    pending, results = list(runs), {}
    active: list[Any] = []
    while pending or active:
        if cancel is not None and cancel.is_set():
            for _, process, reader in active:
                process.terminate()
                process.join()
                reader.close()
            raise BuildCancelled(", ".join(run.key for run, _, _ in active) or "nothing started")
        while pending and len(active) < max(jobs, 1):
            run = pending.pop(0)
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(run, writer), daemon=True)
            process.start()
            writer.close()
            active.append((run, process, reader))
        wait([reader for _, _, reader in active], timeout=0.05 if cancel is not None else None)
        for item in list(active):
            run, process, reader = item
            if not reader.poll():
                continue
            try:
                results[run.key] = reader.recv()
            except EOFError:
                results[run.key] = f"{run.key}: the MkDocs process ended without a result"
            process.join()
            active.remove(item)
    return results


def build_pieces(
    pieces: list[Piece],
    docs,  # noqa: ANN001 - rendercache.Docs
    config: str,
    nav: dict,
    work: Path,
    inputs: list[Path],
    jobs: int | None = None,
    prune: bool = True,
    cancel=None,  # noqa: ANN001 - a threading.Event or None
) -> list[str]:
    """Build every piece whose fingerprint changed into `work/<key>/`; return the keys built.

    `nav` holds the MkDocs config overrides of the navigation; `inputs` are the files and folders
    besides the docs that MkDocs reads (theme overrides, the search dictionary). With `prune`, the
    folders of pieces not in `pieces` are removed (a whole site's plan). Raises OSError when
    MkDocs failed for a piece (its previous output is kept, and the site is not merged), and
    BuildCancelled when `cancel` is set during the builds (every piece keeps its previous output).
    """
    config_path = Path(config).resolve()
    prints = fingerprints(pieces, docs, config, nav, inputs)
    runs: list[tuple[PieceRun, Path, str]] = []
    for piece in pieces:
        folder = work / piece.key
        print_key = prints[piece.key]
        record = folder / PIECE_FILE
        try:
            done = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            done = {}
        if done.get("fingerprint") == print_key and (folder / "site").is_dir():
            continue
        stage_docs(piece, docs, folder / "docs", cancel)
        fresh = folder / "site.new"
        shutil.rmtree(fresh, ignore_errors=True)
        runs.append(
            (PieceRun(piece.key, str(config_path), str(folder / "docs"), str(fresh), nav, piece.hidden), folder, print_key)
        )
    owned = {piece.key: piece for piece in pieces}
    errors = []
    jobs = jobs or os.cpu_count() or 1
    ordered = sorted(runs, key=lambda r: -len(owned[r[0].key].owned))
    done = run_forked([r[0] for r in ordered], jobs, search=theme_search(config), cancel=cancel)
    results = [done[r[0].key] for r in ordered]
    for (run, folder, print_key), error in zip(ordered, results):
        if error:
            errors.append(error)
            shutil.rmtree(run.site, ignore_errors=True)
            continue
        old = folder / "site.old"
        shutil.rmtree(old, ignore_errors=True)
        if (folder / "site").exists():
            os.replace(folder / "site", old)
        os.replace(run.site, folder / "site")
        shutil.rmtree(old, ignore_errors=True)
        piece = owned[run.key]
        write_text_atomic(
            folder / PIECE_FILE,
            json.dumps(
                {
                    "key": piece.key,
                    "fingerprint": print_key,
                    "owned": piece.owned,
                    "stubs": sorted(piece.stubs),
                    "hidden": piece.hidden,
                },
                ensure_ascii=False,
            ),
        )
    if errors:
        raise OSError("MkDocs failed: " + "; ".join(errors))
    for stale in work.iterdir() if prune and work.is_dir() else []:
        if stale.is_dir() and stale.name not in owned:
            shutil.rmtree(stale, ignore_errors=True)
    return [run.key for run, _, _ in ordered]
