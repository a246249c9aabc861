"""Shards: `disclosure build --shard N/M` (or `--shard YEAR`) and `disclosure merge`.

A shard is a set of the site's pieces (generator/site/pieces.py) built by one process, one CI job or
one machine. Its output folder holds `shard.json` (every piece of the whole site with its fingerprint,
and those this shard built) and `pieces/<key>/` (each built piece's record and MkDocs output). Merging
checks that the shards were planned from the same inputs and that together they hold every piece, then
writes the site exactly as the unsharded build writes it (both merge the same pieces).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from generator.fileio import link_or_copy
from generator.site.merge import MergeError, merge_pieces
from generator.site.piecebuild import PIECE_FILE
from generator.site.pieces import Piece

SHARD_FILE = "shard.json"


def write_shard(target: Path, plan: dict[str, str], pieces: list[Piece], work: Path) -> None:
    """Write a shard's output into the new folder `target`: its pieces (hard links) and `shard.json`.

    `plan` is every piece of the whole site with its fingerprint: shards cut from different inputs
    (another commit, another configuration) are refused when merging.
    """
    target.mkdir(parents=True)  # a shard may hold no piece (more shards than pieces): it says so
    built = []
    for piece in pieces:
        source, dest = work / piece.key, target / "pieces" / piece.key
        for dirpath, _dirs, filenames in os.walk(source / "site"):
            for name in filenames:
                path = Path(dirpath) / name
                link_or_copy(path, dest / path.relative_to(source))
        shutil.copyfile(source / PIECE_FILE, dest / PIECE_FILE)
        built.append(piece.key)
    (target / SHARD_FILE).write_text(
        json.dumps({"plan": plan, "built": built}, ensure_ascii=False, sort_keys=True), encoding="utf-8"
    )


def shard_pieces(folders: list[Path]) -> list[Path]:
    """Return the piece folders of the given shard outputs, checking that they make the whole site."""
    plan: dict[str, str] | None = None
    found: dict[str, Path] = {}
    for folder in folders:
        try:
            data = json.loads((folder / SHARD_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MergeError(f"{folder}: not the output of `disclosure build --shard` ({exc})") from exc
        if plan is None:
            plan = data["plan"]
        elif data["plan"] != plan:
            raise MergeError(f"{folder}: this shard was built from other content or settings than {folders[0]}")
        for key in data["built"]:
            found.setdefault(key, folder / "pieces" / key)
    missing = [key for key in sorted(plan or {}) if key not in found]
    if missing:
        raise MergeError(f"no shard holds the piece(s) {', '.join(missing)}: build every shard before merging")
    return [found[key] for key in sorted(plan or {})]


def merge_site(folders: list[str], site_dir: str = "site", config: str = "mkdocs.yml") -> int:
    """`disclosure merge`: put shard outputs together into `site_dir` (swapped in whole, like a build)."""
    import sys

    from generator.site.outputs import load_mkdocs_config
    from generator.site.searchbundles import index_search
    from generator.site.swap import recover, swap_in

    target = Path(site_dir).resolve()
    recover(target)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        cfg = load_mkdocs_config(config)
        count = merge_pieces(shard_pieces([Path(f) for f in folders]), tmp, cfg["use_directory_urls"])
        index_search(cfg, tmp)  # Pagefind, on the whole merged site: one search index for all shards
        swap_in(tmp, target)
    except (MergeError, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"disclosure merge: error: {getattr(exc, 'strerror', None) or exc}; {site_dir}/ was not changed", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"merged {len(folders)} shard(s) into {site_dir}/ ({count} files)", file=sys.stderr)
    return 0
