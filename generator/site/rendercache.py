"""Rendering unit folders once: a unit whose forms did not change keeps the pages already in build/docs/.

A unit's pages (its page, its project pages, their YAML and JSON copies) depend only on the unit's own
forms, their last-changed dates, the site settings and the generator's code, layouts and templates.
The cache (`build/render-cache.json`) maps a digest of all of that to the digests of the files it gave;
a unit whose digest is found, and whose files are still in the docs folder as written, is not rendered
again. Year and home pages sum every unit and are always rendered (they are a handful), from the forms'
summaries where a unit is not rendered again: `forms_to_keep` tells the check which forms a build will
render, so that only those come back whole from its worker processes (site/formfacts.py).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from types import SimpleNamespace

#: The cache file inside build/ (a folder git must not track: `workdirs.tracked_outputs`).
CACHE_FILE = "render-cache.json"
_VERSION = 2


def cache_file(docs: Path) -> Path:
    """Return the render cache file of the generated docs folder `docs` (`build/docs-render-cache.json`)."""
    return docs.parent / f"{docs.name}-{CACHE_FILE}"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Docs(MutableMapping):
    """The generated docs files (path -> bytes): those rendered now in memory, cached ones read from `folder`.

    Every file has a digest, and every page the relative links it makes (what `pieces` needs to plan
    the MkDocs runs) without reading any cached file.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.fresh: dict[str, bytes] = {}
        self.digests: dict[str, str] = {}
        self.links: dict[str, list[str]] = {}
        self.words: Counter = Counter()

    def __setitem__(self, rel: str, data: bytes) -> None:
        from generator.site.pieces import link_targets

        self.fresh[rel] = data
        self.digests[rel] = digest(data)
        if rel.endswith(".md"):
            self.links[rel] = sorted(link_targets(rel, data))

    def __getitem__(self, rel: str) -> bytes:
        if rel in self.fresh:
            return self.fresh[rel]
        if rel not in self.digests:
            raise KeyError(rel)
        return (self.folder / rel).read_bytes()

    def __delitem__(self, rel: str) -> None:
        self.fresh.pop(rel, None)
        self.links.pop(rel, None)
        del self.digests[rel]

    def __contains__(self, rel: object) -> bool:
        return rel in self.digests

    def __iter__(self) -> Iterator[str]:
        return iter(self.digests)

    def __len__(self) -> int:
        return len(self.digests)


def code_context(settings, extra: tuple[Path, ...] = ()) -> str:  # noqa: ANN001 - render.Settings
    """Return a digest of what every unit page depends on besides its forms: code, templates, layouts, settings."""
    parts = hashlib.sha256(code_digest(extra).encode())
    fixed = [str(settings.root), settings.site_name, settings.repository, settings.branch, settings.content_prefix]
    parts.update(json.dumps([fixed, settings.downloads], ensure_ascii=False).encode())
    return parts.hexdigest()


def code_digest(extra: tuple[Path, ...] = ()) -> str:
    """Return a digest of the generator's code and templates and of the `extra` files and folders (the layouts)."""
    import generator

    parts = hashlib.sha256()
    package = Path(generator.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".j2", ".yml", ".yaml", ".json") and path.is_file() and "__pycache__" not in path.parts:
            parts.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for folder in extra:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder] if folder.is_file() else []:
            if path.is_file():
                parts.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return parts.hexdigest()


def unit_key(context: str, year: int, unit, settings, dates: dict | None = None) -> str:  # noqa: ANN001
    """Return the digest of everything one unit folder's pages are made of.

    `dates` (from `dates_by_folder`) spares scanning every file's date for each unit.
    """
    parts = hashlib.sha256(f"{_VERSION}\0{context}\0{year}\0{unit.id}\0{sources_key(unit)}\0".encode())
    if dates is None:
        dates = dates_by_folder(settings.dates)
    parts.update(json.dumps(sorted(dates.get(f"{year}/{unit.id}", []))).encode())
    return parts.hexdigest()


def sources_key(unit) -> str:  # noqa: ANN001 - render.UnitPage
    """Return the digest of a unit's form files: their paths and the digests of the bytes `check` validated."""
    files = ([unit.ff] if unit.ff is not None else []) + [project.ff for project in unit.projects]
    return folder_key([(ff.path, ff.digest or "") for ff in files])


def folder_key(files: list[tuple[str, str]]) -> str:
    """Return the digest of (path, SHA-256 of its bytes) pairs, in any order."""
    return digest(json.dumps(sorted(files), ensure_ascii=False).encode())


def dates_by_folder(dates: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Group content-relative paths' dates by their unit folder ("2025/unit")."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for path, date in dates.items():
        parts = path.split("/")
        if len(parts) >= 3:
            grouped.setdefault("/".join(parts[:2]), []).append((path, date))
    return grouped


def unit_files(year: int, unit, settings) -> dict[str, bytes]:  # noqa: ANN001 - render.UnitPage, render.Settings
    """Render one unit folder: its page, and the page, YAML and JSON of the unit form and each project."""
    from generator.site import render

    base = f"{year}/{unit.id}"
    out = {f"{base}/index.md": render.render_unit(unit, settings).encode()}
    if unit.form is not None:
        out[f"{base}/unit.yml"] = unit.source
        out[f"{base}/unit.json"] = render.form_json(unit.form).encode()
    for project in unit.projects:
        out[f"{base}/{project.id}.md"] = render.render_project(unit, project, settings).encode()
        out[f"{base}/{project.id}.yml"] = project.source
        out[f"{base}/{project.id}.json"] = render.form_json(project.form).encode()
    return out


def unit_words(year: int, unit) -> Counter:  # noqa: ANN001 - render.UnitPage
    """Return the search dictionary words one unit contributes (without the fixed domain words)."""
    from generator.site.searchdict import DOMAIN_WORDS, jieba_words

    counts: Counter = Counter()
    for line in jieba_words([SimpleNamespace(year=year, units=[unit])]).splitlines():
        word, _, freq = line.rpartition(" ")
        counts[word] = int(freq) - 100000 - (1 if word in DOMAIN_WORDS else 0)
    return +counts


def words_text(counts: Counter) -> str:
    """Return the jieba user dictionary for the summed counts (the same text as `searchdict.jieba_words`)."""
    from generator.site.searchdict import DOMAIN_WORDS

    total = Counter(counts)
    for word in DOMAIN_WORDS:
        total[word] += 1
    return "".join(f"{word} {100000 + count}\n" for word, count in sorted(total.items()))


class RenderCache:
    """unit digest -> {rel: [file digest, size, mtime_ns, inode, links]} and the unit's search words."""

    def __init__(self, path: Path | None):
        self.path = path
        self.units: dict[str, dict] = {}
        self.used: dict[str, dict] = {}
        #: The `code_digest` the cached units were rendered with (the build sets the current one).
        self.code = ""
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == _VERSION:
                    self.units = data.get("units", {})
                    self.code = str(data.get("code", ""))
            except (OSError, ValueError, AttributeError):
                self.units = {}

    def valid(self, key: str, folder: Path) -> bool:
        """Return whether the unit `key` is cached and all its files are in the docs `folder` as written."""
        entry = self.units.get(key)
        if entry is None:
            return False
        for rel, (_, size, mtime, inode, _links) in entry["files"].items():
            try:
                st = os.stat(folder / rel, follow_symlinks=False)
            except OSError:
                return False
            if (st.st_size, st.st_mtime_ns, st.st_ino) != (size, mtime, inode):
                return False
        return True

    def forms_to_keep(self, code: str):  # noqa: ANN201 - a `validate.KeepForms` function
        """Return the check's `keep_forms`: the paths of the files of units this cache cannot give as they are.

        A unit is given by the cache when the digest of its files' bytes (read here, before the check)
        is one it rendered, with the same code and layouts (`code`, a `code_digest`). A unit whose pages
        turn out to be stale after all (changed settings or dates) has its forms checked again in full
        (`formfacts.complete_forms`).
        """
        from generator.fileio import read_regular_file
        from generator.forms.load import MAX_BYTES

        known = {entry.get("sources") for entry in self.units.values()} if code == self.code else set()

        def keep(files) -> set[str]:  # noqa: ANN001 - a list of FormFile
            by_unit: dict[tuple[str, str], list] = {}
            for ff in files:
                by_unit.setdefault((ff.year, ff.unit_id), []).append(ff)
            wanted: set[str] = set()
            for group in by_unit.values():
                try:
                    key = folder_key([(ff.path, digest(read_regular_file(ff.path, MAX_BYTES))) for ff in group]) if known else ""
                except OSError:  # unreadable, a link, too large: the check reports it
                    key = ""
                if key not in known:
                    wanted.update(ff.path for ff in group)
            return wanted

        return keep

    def take(self, key: str, docs: Docs) -> Counter | None:
        """Add a cached unit's files to `docs` if they are all in the folder as written; return its words."""
        if not self.valid(key, docs.folder):
            return None
        entry = self.units[key]
        for rel, (file_digest, _size, _mtime, _inode, links) in entry["files"].items():
            docs.digests[rel] = file_digest
            if rel.endswith(".md"):
                docs.links[rel] = links
        self.used[key] = entry
        return Counter(entry["words"])

    def remember(self, key: str, files: dict[str, bytes], docs: Docs, words: Counter, sources: str = "") -> None:
        """Record a unit rendered now (`sources`: its `sources_key`); `seal` fills in where its files were written."""
        self.used[key] = {
            "files": {rel: [docs.digests[rel], 0, 0, 0, docs.links.get(rel, [])] for rel in files},
            "words": dict(words),
            "sources": sources,
        }

    def seal(self, docs: Docs) -> None:
        """Record the files as they are now in the docs folder and write the cache (units not seen are dropped)."""
        if self.path is None:
            return
        for entry in self.used.values():
            for rel, row in entry["files"].items():
                st = os.stat(docs.folder / rel, follow_symlinks=False)
                row[1], row[2], row[3] = st.st_size, st.st_mtime_ns, st.st_ino
        from generator.fileio import write_text_atomic

        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path, json.dumps({"version": _VERSION, "code": self.code, "units": self.used}, ensure_ascii=False))


#: Below this many units to render, the pages are rendered in this process (a pool costs more).
PARALLEL_UNITS = 64
#: What forked render workers inherit: the units to render and the settings (set just before forking).
_TODO: list = []


def _render_one(index: int) -> tuple[dict[str, bytes], Counter]:
    year, unit, settings = _TODO[index]
    return unit_files(year, unit, settings), unit_words(year, unit)


def _rendered(todo: list, jobs: int):  # noqa: ANN202 - an iterator of (files, words), in the order of `todo`
    """Render the unit folders of `todo`, in forked worker processes when there are many (same order, same bytes).

    The workers are forked: they inherit the checked forms instead of receiving them, and send back
    only the rendered files.
    """
    global _TODO
    if jobs <= 1 or len(todo) < PARALLEL_UNITS:
        for year, unit, settings in todo:
            yield unit_files(year, unit, settings), unit_words(year, unit)
        return
    from generator.forking import fork_pool

    _TODO = todo
    try:
        with fork_pool(jobs) as pool:
            yield from pool.imap(_render_one, range(len(todo)), chunksize=8)
    finally:
        _TODO = []


def stale_units(years, settings, cache: RenderCache, context: str, folder: Path) -> list:  # noqa: ANN001
    """Return the units (`render.UnitPage`) whose pages `render_units` will render: not in the cache as they are."""
    grouped = dates_by_folder(settings.dates)
    return [
        unit
        for year in years
        for unit in year.units
        if not cache.valid(unit_key(context, year.year, unit, settings, grouped), folder)
    ]


def render_units(years, settings, docs: Docs, cache: RenderCache, context: str, jobs: int | None = None) -> Counter:  # noqa: ANN001
    """Add every unit folder's files to `docs`, rendering only units not in the cache; return the search words.

    Units to render are rendered by `jobs` processes (all cores by default) when there are many.
    """
    from generator.progress import track

    words: Counter = Counter()
    grouped = dates_by_folder(settings.dates)
    units = [(year, unit) for year in years for unit in year.units]
    todo: list = []
    keys: dict[int, tuple[str, str]] = {}
    for year, unit in units:
        key = unit_key(context, year.year, unit, settings, grouped)
        found = cache.take(key, docs)
        if found is None:
            keys[len(todo)] = (key, sources_key(unit))
            todo.append((year.year, unit, settings))
        else:
            words.update(found)
    done = _rendered(todo, jobs or os.cpu_count() or 1)
    for index, (files, found) in enumerate(track(done, len(todo), "生成页面（单位）")):
        for rel, data in files.items():
            docs[rel] = data
        cache.remember(keys[index][0], files, docs, found, keys[index][1])
        words.update(found)
    return words
