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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.fileio import write_bytes_atomic, write_text_atomic
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


def piece_fingerprint(piece: Piece, docs, context: bytes) -> str:  # noqa: ANN001 - rendercache.Docs
    files = {rel: docs.digests[rel].encode() for rel in piece.owned}
    files.update({f"stub:{rel}": data for rel, data in piece.stubs.items()})
    return fingerprint(files, context)


def fingerprints(pieces: list[Piece], docs, config: str, nav: dict, inputs: list[Path]) -> dict[str, str]:  # noqa: ANN001
    """Return piece key -> fingerprint of what its MkDocs output is made of."""
    context = build_context(Path(config).resolve(), nav, inputs)
    return {piece.key: piece_fingerprint(piece, docs, context) for piece in pieces}


def stage_docs(piece: Piece, docs, folder: Path) -> None:  # noqa: ANN001 - rendercache.Docs
    """Make `folder` hold exactly the piece's files (hard links to the generated files) and its stubs."""
    wanted = set(piece.owned) | set(piece.stubs)
    for rel in piece.owned:
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
    for rel, data in piece.stubs.items():
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


def run_mkdocs(run: PieceRun) -> str | None:
    """Build one piece with MkDocs (strict); return None, or the error MkDocs reported."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    from generator.site.mkdocsrun import quiet_mkdocs, working_directory
    from generator.site.outputs import load_mkdocs_config

    quiet_mkdocs()
    try:
        with working_directory(Path(run.config).resolve().parent):
            cfg = load_mkdocs_config(run.config, docs_dir=run.docs, site_dir=run.site, strict=True, **run.nav)
            mkdocs_build(cfg)
    except (MkDocsException, OSError) as exc:
        return f"{run.key}: {getattr(exc, 'strerror', None) or exc}"
    return None


def build_pieces(
    pieces: list[Piece],
    docs,  # noqa: ANN001 - rendercache.Docs
    config: str,
    nav: dict,
    work: Path,
    inputs: list[Path],
    jobs: int | None = None,
) -> list[str]:
    """Build every piece whose fingerprint changed into `work/<key>/`; return the keys built.

    `nav` holds the MkDocs config overrides of the navigation; `inputs` are the files and folders
    besides the docs that MkDocs reads (theme overrides, the search dictionary). Raises OSError when
    MkDocs failed for a piece (its previous output is kept, and the site is not merged).
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
        stage_docs(piece, docs, folder / "docs")
        fresh = folder / "site.new"
        shutil.rmtree(fresh, ignore_errors=True)
        runs.append((PieceRun(piece.key, str(config_path), str(folder / "docs"), str(fresh), nav), folder, print_key))
    owned = {piece.key: piece for piece in pieces}
    errors = []
    jobs = jobs or os.cpu_count() or 1
    ordered = sorted(runs, key=lambda r: -len(owned[r[0].key].owned))
    if jobs > 1 and len(ordered) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(ordered))) as pool:
            results = list(pool.map(run_mkdocs, [r[0] for r in ordered]))
    else:
        results = [run_mkdocs(r[0]) for r in ordered]
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
                {"key": piece.key, "fingerprint": print_key, "owned": piece.owned, "stubs": sorted(piece.stubs)},
                ensure_ascii=False,
            ),
        )
    if errors:
        raise OSError("MkDocs failed: " + "; ".join(errors))
    for stale in work.iterdir() if work.is_dir() else []:
        if stale.is_dir() and stale.name not in owned:
            shutil.rmtree(stale, ignore_errors=True)
    return [run.key for run, _, _ in ordered]
