"""`disclosure serve` of the whole site: pieces built when first asked for, a one-form edit rebuilt alone.

The preview keeps its own folders below build/serve/ (docs, pieces, the served site). At start it checks
the content and writes the Markdown (unit folders from the render cache when unchanged), then serves at
once: a request builds the piece it falls in (generator/site/pieces.py, smaller pieces than a build's)
before it is answered, and a background thread builds the others. A saved form inside one unit folder
is checked with its folder only, the other checked forms are kept; only the pieces whose fingerprint
changed are rebuilt, and the browser reloads. Search (Pagefind) is not part of the preview.

Checking and writing a big content takes a while (half a minute at 10,000 forms), so the server starts
at once and does that in the background; a unit page asked for meanwhile is built on its own first
(`quick`: its folder checked and rendered alone, as `serve --only` does) and replaced by the whole
site's page, with the browser reloaded, when the site is ready.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

from generator.forms.validate import CheckResult, check_content
from generator.site.piecebuild import build_pieces, fingerprints
from generator.site.pieces import SITE_PIECE, bucket_counts, piece_key, plan_pieces

#: About this many files per piece in a preview: a piece rebuilds in a second or two.
SERVE_PIECE_FILES = 240


def splice(old: CheckResult, new: CheckResult, folder: str) -> CheckResult:
    """Return `old` with the files and problems of the unit `folder` ("2025/unit") replaced by `new`'s."""
    year, _, unit = folder.partition("/")

    def inside(path: str) -> bool:
        parts = Path(path).parts
        return len(parts) >= 3 and parts[-3:-1] == (year, unit)

    files = [f for f in old.files if not (f.year == year and f.unit_id == unit)] + new.files
    problems = [p for p in old.problems if not inside(p.path)] + [p for p in new.problems if inside(p.path)]
    return CheckResult(files=files, problems=sorted(problems), acknowledged=old.acknowledged, registry=new.registry)


def unit_folder(paths: set[str], content: Path) -> str | None:
    """Return "YEAR/UNIT" when every changed path is a form file inside that one unit folder."""
    folders = set()
    for path in paths:
        try:
            parts = Path(path).resolve().relative_to(content.resolve()).parts
        except ValueError:
            return None
        if len(parts) != 3:
            return None
        folders.add("/".join(parts[:2]))
    return folders.pop() if len(folders) == 1 else None


class SitePreview:
    """The whole site, built piece by piece on demand into `build/serve/site`."""

    def __init__(self, content: str, config: str):
        from generator.site.outputs import load_mkdocs_config

        self.content, self.config = content, config
        base = Path(config).resolve().parent / "build" / "serve"
        self.docs, self.work, self.site = base / "docs", base / "pieces", base / "site"
        self.lock = threading.RLock()
        self.quiet = threading.Event()  # cleared while an edit is being rebuilt: background builds wait
        self.quiet.set()
        self.cancel = threading.Event()  # set when an edit comes: a background build under way stops
        self.result: CheckResult | None = None
        self.placed: dict[str, tuple[str, set[str]]] = {}  # key -> (fingerprint, files placed in site)
        self.quick_units: set[str] = set()  # units built on their own before the site was ready (`quick`)
        #: A check result whose year and home pages were left for the next save (`rebuild` with `interrupt` set).
        self.deferred: CheckResult | None = None
        cfg = load_mkdocs_config(config)
        self.use_directory_urls = cfg["use_directory_urls"]
        from generator.site.build import mkdocs_inputs

        self.inputs = mkdocs_inputs(cfg, config)

    def publish(self, result: CheckResult) -> bool:
        """Write the Markdown of a checked content and plan the pieces; False when the content has errors."""
        from generator.site.build import PREVIEW_KEPT, generate_site
        from generator.site.nav import nav_overrides

        kept = PREVIEW_KEPT if self.result is not None else "nothing is served"  # on start there is nothing yet
        done = generate_site(self.content, self.config, docs_dir=str(self.docs), downloads=False, checked=result, kept=kept)
        if done.status or done.nav is None:
            return False
        with self.lock:
            self.result, self.generated, self.nav = result, done, nav_overrides(done.nav)
            pieces = plan_pieces(done.docs, done.nav, target=SERVE_PIECE_FILES)
            self.pieces = {p.key: p for p in pieces}
            self.buckets = bucket_counts(done.docs, SERVE_PIECE_FILES)
            self.prints = fingerprints(pieces, done.docs, self.config, self.nav, self.inputs)
        return True

    def start(self, jobs: int | None = None) -> bool:
        return self.publish(check_content(self.content, jobs=jobs))

    def requick(self, folder: str) -> bool:
        """A form of `folder` ("2025/unit") was saved before the site was ready: build that unit alone again."""
        with self.lock:
            if folder not in self.quick_units or self.result is not None:
                return False
            self.quick_units.discard(folder)
            return self.quick(f"/{folder}/")

    def quick(self, url_path: str) -> bool:
        """Before the site is ready: build the unit folder `url_path` is in on its own, into the served site.

        Returns whether the page can be answered now (built now or before). Only the unit's own pages
        and the theme's files are placed: home and year pages wait for the whole site. The unit's pages
        are replaced by the whole site's when it is ready (their navigation then lists every year).
        """
        from generator.site.build import generate
        from generator.site.merge import SITEMAP
        from generator.site.nav import nav_overrides
        from generator.site.piecebuild import PieceRun, run_forked

        parts = [p for p in url_path.strip("/").split("/") if p]
        if len(parts) < 2 or not parts[0].isdigit() or parts[1] in ("index.html", "data"):
            return False
        unit = f"{parts[0]}/{parts[1]}"
        with self.lock:
            if self.result is not None:  # the site is ready: pages come from its pieces
                return False
            if unit in self.quick_units:
                return True
            if not (Path(self.content) / parts[0] / parts[1]).is_dir():
                return False
            base = self.work.parent / "quick" / unit.replace("/", "--")
            docs, built = base / "docs", base / "site"
            status, nav = generate(
                self.content,
                self.config,
                only=unit,
                docs_dir=str(docs),
                downloads=False,
                kept="the page waits for the whole site",
            )
            if status or nav is None:
                return False
            shutil.rmtree(built, ignore_errors=True)
            run = PieceRun(f"quick-{parts[1]}", str(Path(self.config).resolve()), str(docs), str(built), nav_overrides(nav), [])
            if run_forked([run], 1).get(run.key):
                return False
            own = f"{parts[0]}/{parts[1]}/"
            for dirpath, _dirs, names in os.walk(built):
                for name in names:
                    rel = (Path(dirpath) / name).relative_to(built).as_posix()
                    theme = not rel.endswith(".html") and "/" in rel and not rel.startswith(f"{parts[0]}/")
                    if not (rel.startswith(own) or theme or rel == "404.html") or rel in (SITEMAP, SITEMAP + ".gz"):
                        continue
                    target = self.site / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    tmp = target.with_name(f".{target.name}.new")
                    shutil.copyfile(Path(dirpath) / name, tmp)
                    os.replace(tmp, target)
            self.quick_units.add(unit)
            print(f"serve: {unit} shown on its own while the whole site is prepared", file=sys.stderr, flush=True)
            return True

    def key_for(self, url_path: str) -> str:
        parts = [p for p in url_path.strip("/").split("/") if p]
        if parts and parts[0] in {str(y) for y in self.buckets} | {k.split("-")[0] for k in self.pieces}:
            if len(parts) == 1 or parts[1] == "index.html":
                return parts[0]
            return piece_key(f"{parts[0]}/{parts[1]}/x", self.buckets)
        return SITE_PIECE

    def stale(self) -> list[str]:
        return [k for k in self.pieces if self.placed.get(k, ("",))[0] != self.prints[k]]

    def ensure(self, keys: list[str], cancel: threading.Event | None = None) -> None:
        """Build (in parallel) and place in the served site the given pieces that are not current.

        With `cancel`, the builds stop when it is set (piecebuild.BuildCancelled): nothing is placed.
        """
        with self.lock:
            wanted = [
                self.pieces[k]
                for k in dict.fromkeys(keys)  # once each: "/" asks for the site piece twice
                if k in self.pieces and self.placed.get(k, ("",))[0] != self.prints[k]
            ]
            if not wanted:
                return
            build_pieces(
                wanted, self.generated.docs, self.config, self.nav, self.work, self.inputs, jobs=None, prune=False, cancel=cancel
            )
            for piece in wanted:
                self.place(piece)

    def place(self, piece) -> None:  # noqa: ANN001 - pieces.Piece
        from generator.site.merge import SEARCH_INDEX, SITEMAP, dest_path

        built = self.work / piece.key / "site"
        files = {dest_path(rel, self.use_directory_urls) for rel in piece.owned}
        if piece.key == SITE_PIECE:  # the theme's files and 404.html come with the site piece
            others = {dest_path(rel, self.use_directory_urls) for rel in list(piece.stubs)}
            for dirpath, _dirs, names in os.walk(built):
                for name in names:
                    rel = (Path(dirpath) / name).relative_to(built).as_posix()
                    if rel not in others and rel not in (SITEMAP, SITEMAP + ".gz", SEARCH_INDEX):
                        files.add(rel)
        for rel in files:
            target = self.site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.new")
            shutil.copyfile(built / rel, tmp)
            os.replace(tmp, target)
        for rel in self.placed.get(piece.key, ("", set()))[1] - files:
            (self.site / rel).unlink(missing_ok=True)
        self.placed[piece.key] = (self.prints[piece.key], files)

    def show_unit(self, result: CheckResult, folder: str) -> bool:
        """Render the saved unit folder alone into the docs and rebuild its piece, before the rest of the site.

        Only when the unit's files are the same set as before (no project added or removed) and the
        check found no error: then the unit's page shows the edit in a second or two, and `rebuild`
        goes on with the year and home pages, which sum every unit. Returns whether the piece was rebuilt.
        """
        from generator.fileio import write_bytes_atomic
        from generator.site.outputs import load_mkdocs_config, select_years, settings_from, validated_source
        from generator.site.rendercache import unit_files

        if result.errors or self.result is None:
            return False
        years = select_years(result, validated_source(result), folder)
        units = [(year.year, unit) for year in years for unit in year.units]
        if len(units) != 1:
            return False
        cfg = load_mkdocs_config(self.config, docs_dir=str(self.docs))
        files = unit_files(*units[0], settings_from(cfg, self.content, folder, downloads=False))
        with self.lock:
            key = piece_key(f"{folder}/index.md", self.buckets)
            piece = self.pieces.get(key)
            docs: Any = self.generated.docs  # a rendercache.Docs
            mine = {rel for rel in docs if rel.startswith(folder + "/")}
            if piece is None or set(files) != mine:
                return False
            for rel, data in files.items():
                write_bytes_atomic(self.docs / rel, data)
                docs[rel] = data
            self.prints[key] = fingerprints([piece], docs, self.config, self.nav, self.inputs)[key]
            # A piece not placed yet is built now when its unit is on screen (shown on its own at start).
            placed = key in self.placed or folder in self.quick_units
        if placed:
            self.ensure([key])
        return placed

    def rebuild(self, paths: set[str], shown=None, interrupt: threading.Event | None = None) -> None:  # noqa: ANN001
        """After a save: check what changed (its unit folder only when that is all), rebuild what changed.

        A save inside one unit folder rebuilds that unit's piece first (`show_unit`) and calls `shown`
        (the server reloads the browsers), then the year and home pages and whatever else changed.
        `interrupt` is set while another save waits: then the year and home pages wait for it (its
        rebuild shows its unit first, then does them once for both saves), and their pieces' rebuild
        stops when a save comes during it (the next rebuild builds them, after its own unit).
        """
        from generator.site.piecebuild import BuildCancelled

        self.quiet.clear()  # the background builds wait: an edit is what the editor looks at
        self.cancel.set()  # and one under way stops at once (it is built again after the edit)
        try:
            folder = unit_folder(paths, Path(self.content))
            if folder and self.result is not None:
                base = self.deferred if self.deferred is not None else self.result
                result = splice(base, check_content(self.content, only=folder), folder)
                if self.show_unit(result, folder):
                    if shown is not None:
                        shown()
                    if interrupt is not None and interrupt.is_set():
                        self.deferred = result
                        return
            else:
                result = check_content(self.content)
            self.deferred = None
            if not self.publish(result):
                print("serve: the content has errors (above); the preview keeps the previous pages", file=sys.stderr, flush=True)
                return
            if interrupt is not None and interrupt.is_set():
                return  # another save came meanwhile: the pieces out of date are built by its rebuild
            with self.lock:
                placed = [k for k in self.stale() if k in self.placed]
            try:
                self.ensure(placed, cancel=interrupt)
            except BuildCancelled:
                return  # likewise, a save came while they were being built
        finally:
            self.cancel.clear()
            self.quiet.set()

    def background(self) -> None:
        """Build every piece not asked for yet, site and year pages first."""
        from generator.site.piecebuild import BuildCancelled

        order = sorted(self.pieces, key=lambda k: (k != SITE_PIECE, "-" in k, k))
        for key in order:
            while True:
                self.quiet.wait()
                try:
                    self.ensure([key], cancel=self.cancel)
                except BuildCancelled:
                    continue  # an edit came: it is built first, then this piece again
                except OSError as exc:
                    print(f"serve: piece {key} failed: {exc}", file=sys.stderr, flush=True)
                break
