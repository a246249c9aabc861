"""The public site's Pagefind index: one bundle, or, for a large site, several merged in the browser.

MkDocs builds the pages; then `index_search` indexes the built HTML, as searchindex.py prepares it
(row lines, number variants; copies kept in build/pagefind-pages/), with Pagefind's extended binary
(Chinese segmentation) into `<site>/pagefind/`. mkdocs.yml has Material's search plugin switched off
(jieba segmentation was ~40 % of MkDocs' time and its single index grew with the site); the offline
archive keeps it (Pagefind cannot fetch from file://): see generator/archive/offline.py.

A large site's index is several Pagefind bundles (`plan_bundles`): Pagefind's work for one query grows
with the number of pages holding a query word times the number of such word entries in the bundle, i.e.
with the square of the bundle's size for a word most pages hold. The first bundle, `pagefind/`, holds
the pages outside the unit folders (year pages, about) and Pagefind's program; the unit pages are spread
over `pagefind/parts/<key>/` by a hash of the unit, so a unit added or removed moves no other page, and
search.js merges them (`pagefind.mergeIndex`, listed in `pagefind/bundles.json`). A bundle whose pages
did not change is not indexed again: it is kept, with its fingerprint, in `build/pagefind-bundles/`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.fileio import link_or_copy
from generator.site.searchindex import BUNDLE, EXCLUDE_SELECTORS, SOURCES_DIR, code_digest, source_digests

#: Inside BUNDLE: the bundles merged into the first one, and the list of them that search.js reads.
PARTS = "parts"
BUNDLES_LIST = "bundles.json"
#: A site with more result pages than this is indexed as several bundles of at most about this many pages
#: (measured at 10,000 pages, 4x throttled: one bundle 1.3 s to the first results, four 0.9 s; each bundle
#: adds about 20 KiB to a query's download, so smaller ones cost more bytes than they save time).
BUNDLE_PAGES = 2500
#: The first bundle's key (pages outside the unit folders, and Pagefind's program files).
FIRST_BUNDLE = "site"
#: What a merged bundle keeps of Pagefind's output (the program files come from the first bundle).
_BUNDLE_DATA = ("pagefind-entry.json", "index", "fragment", "filter")


@dataclass
class IndexReport:
    pages: int
    files: int
    bytes: int
    seconds: float
    bundles: int = 1
    kept: int = 0  # bundles whose pages had not changed: not indexed again

    def __str__(self) -> str:
        size = f"{self.pages} pages, {self.files} files, {self.bytes // 1024} KiB in {self.seconds:.1f}s"
        if self.bundles == 1:
            return size
        return f"{size}; {self.bundles} bundles, {self.bundles - self.kept} indexed, {self.kept} unchanged"


def unit_of(rel: str) -> str | None:
    """The unit folder ("2025/some-unit") a built page is in, or None (home, year page, about, data)."""
    parts = rel.split("/")
    if len(parts) < 3 or not (len(parts[0]) == 4 and parts[0].isdigit()) or parts[1] == "data":
        return None
    return f"{parts[0]}/{parts[1]}"


def plan_bundles(pages: Iterable[str], limit: int | None = None) -> dict[str, list[str]]:
    """Cut the result pages into Pagefind bundles: key -> pages, the first bundle (FIRST_BUNDLE) first.

    Up to `limit` pages (BUNDLE_PAGES) are one bundle. A larger site's unit pages go in the smallest
    power-of-two number of bundles holding at most `limit` pages each, by a hash of the unit folder (a
    unit's pages stay together, and a unit added or removed moves no other unit); the other pages stay
    in the first bundle, which is small, and is the one indexed again after any edit (year pages sum
    every unit).
    """
    import zlib

    pages = sorted(pages)
    limit = limit or BUNDLE_PAGES
    if len(pages) <= limit:
        return {FIRST_BUNDLE: pages}
    units = [rel for rel in pages if unit_of(rel)]
    count = 1
    while len(units) > count * limit:
        count *= 2
    bundles: dict[str, list[str]] = {FIRST_BUNDLE: [rel for rel in pages if not unit_of(rel)]}
    for n in range(count):
        bundles[f"u{n:03d}"] = []
    for rel in units:
        bundles[f"u{zlib.crc32(str(unit_of(rel)).encode('utf-8')) % count:03d}"].append(rel)
    return {key: found for key, found in bundles.items() if found or key == FIRST_BUNDLE}


def _pagefind_command(folder: Path, output: Path) -> list[str]:
    import sys

    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path", str(output), "--silent"]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    return command


def bundle_fingerprint(pages: list[str], digests: dict[str, str]) -> str:
    """What a bundle's index depends on: its pages (paths and digests), this module and Pagefind's version."""
    import hashlib
    from importlib.metadata import version

    try:
        pagefind = version("pagefind")
    except Exception:  # noqa: BLE001 - not installed: indexing fails later, with its own message
        pagefind = "none"
    own = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]  # this module: the Pagefind command
    digest = hashlib.sha256(f"{code_digest()}:{own}:{pagefind}:{json.dumps(list(EXCLUDE_SELECTORS))}".encode())
    for rel in pages:
        digest.update(f"{rel}\0{digests[rel]}\n".encode())
    return digest.hexdigest()


def _index_bundle(sources: Path, pages: list[str], work: Path, fingerprint: str) -> Path:
    """Index one bundle's pages (hard links to their copies in `sources`) into `work/out`; return that folder.

    The finished output is moved in place with its fingerprint file last: an interrupted run leaves no
    bundle that looks complete.
    """
    import shutil
    import subprocess

    shutil.rmtree(work, ignore_errors=True)
    folder, out = work / "pages", work / "out.new"
    folder.mkdir(parents=True)
    for rel in pages:
        link_or_copy(sources / rel, folder / rel)
    try:
        done = subprocess.run(_pagefind_command(folder, out), capture_output=True, text=True, timeout=3600)
    except subprocess.TimeoutExpired as exc:
        raise OSError("Pagefind did not finish indexing the site within an hour") from exc
    if done.returncode != 0 or not (out / "pagefind-entry.json").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise OSError(f"Pagefind could not index the site: {detail[0]}")
    shutil.rmtree(folder)
    out.rename(work / "out")
    (work / "fingerprint").write_text(fingerprint, encoding="ascii")
    return work / "out"


def _place(out: Path, target: Path, first: bool) -> None:
    """Put a bundle's output into the site: all of it for the first bundle, its data only for the others."""
    import shutil

    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(out.iterdir()):
        if first or path.name in _BUNDLE_DATA or path.name.endswith(".pf_meta"):
            if path.is_dir():
                shutil.copytree(path, target / path.name, copy_function=link_or_copy)
            else:
                link_or_copy(path, target / path.name)


def index_site(site: Path, sources: Path | None = None, jobs: int | None = None, limit: int | None = None) -> IndexReport:
    """Write the Pagefind bundles into `site/pagefind/` (replacing old ones); return what they hold.

    Pagefind's command-line indexer (its extended binary, from the `pagefind[extended]` package) reads
    the augmented copies from `sources` (kept for the next build, with the bundles, in its sibling
    `pagefind-bundles/`) or from a temporary folder beside the site; the page files of the site are not
    changed. Bundles (of at most about `limit` pages, `plan_bundles`) are indexed `jobs` at a time.
    (Pagefind's Python service API took 120 ms a page here: 40 times slower.)
    """
    import json
    import os
    import shutil
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    shutil.rmtree(site / BUNDLE, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f".{site.name}.pagefind-", dir=site.parent) as tmp:
        folder = sources or Path(tmp) / "pages"
        cache = folder.parent / "pagefind-bundles" if sources else Path(tmp) / "bundles"
        digests = source_digests(site, folder)
        bundles = plan_bundles(digests, limit)
        prints = {key: bundle_fingerprint(pages, digests) for key, pages in bundles.items()}

        def current(key: str) -> bool:
            try:
                return (cache / key / "fingerprint").read_text(encoding="ascii") == prints[key]
            except OSError:
                return False

        stale = [key for key in bundles if not current(key)]
        workers = max(1, min(len(stale), jobs or os.cpu_count() or 1))
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda key: _index_bundle(folder, bundles[key], cache / key, prints[key]), stale))
        for gone in sorted(p for p in cache.iterdir() if p.is_dir() and p.name not in bundles):  # after a merge of bundles
            shutil.rmtree(gone)
        parts = [key for key in bundles if key != FIRST_BUNDLE]
        _place(cache / FIRST_BUNDLE / "out", site / BUNDLE, first=True)
        for key in parts:
            _place(cache / key / "out", site / BUNDLE / PARTS / key, first=False)
        (site / BUNDLE / BUNDLES_LIST).write_text(json.dumps([f"{PARTS}/{key}/" for key in parts]), encoding="utf-8")
    if not (site / BUNDLE / "pagefind.js").is_file():
        raise OSError("Pagefind could not index the site: its program files are missing from the first bundle")
    files = [p for p in (site / BUNDLE).rglob("*") if p.is_file()]
    report = IndexReport(len(digests), len(files), sum(p.stat().st_size for p in files), time.perf_counter() - started)
    report.bundles, report.kept = len(bundles), len(bundles) - len(stale)
    return report


def index_search(cfg: Any, site: Path) -> IndexReport | None:  # cfg: a loaded MkDocs config
    """Index the built `site` with Pagefind, unless the config keeps Material's search on (then the
    site has Material's index already, as the offline archive does)."""
    import sys

    plugin = cfg["plugins"].get("material/search")
    if plugin is not None and plugin.config.enabled:
        return None
    report = index_site(site, Path(cfg.config_file_path).resolve().parent / SOURCES_DIR)
    print(f"search index (Pagefind): {report}", file=sys.stderr, flush=True)
    return report
