"""The public site's search: a Pagefind index written into the built site, after MkDocs.

MkDocs builds the pages (mkdocs.yml has Material's search plugin switched off: jieba segmentation was
~40 % of MkDocs' time and its single index grew with the site); then this step indexes the built HTML
with Pagefind's extended binary (Chinese segmentation) into `<site>/pagefind/`, a chunked index the
browser fetches a few small pieces of per query. The offline archive keeps Material's search (Pagefind
cannot fetch from file://): see generator/archive/offline.py.

What is indexed is the page's <article> (`data-pagefind-body`, set in overrides/main.html) minus the
breadcrumb, charts and download links, with the printed form tables replaced by one line per table row
("指标名称 → 指标值"), so that a hit shows the row it is in, and a block of number variants (≥90% is
also indexed as "90 %", 500人次 as "500 人次"), so that a query for a number or number+unit finds values
written with an operator. The page files on disk are not changed.

A large site's index is several Pagefind bundles (`plan_bundles`): Pagefind's work for one query grows
with the number of pages holding a query word times the number of such word entries in the bundle, i.e.
with the square of the bundle's size for a word most pages hold. The first bundle, `pagefind/`, holds
the pages outside the unit folders (year pages, about) and Pagefind's program; the unit pages are spread
over `pagefind/parts/<key>/` by a hash of the unit, so a unit added or removed moves no other page, and
search.js merges them (`pagefind.mergeIndex`, listed in `pagefind/bundles.json`). A bundle whose pages
did not change is not indexed again: it is kept, with its fingerprint, in `build/pagefind-bundles/`.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Iterable

#: The bundle folder inside the site (overrides/assets/javascripts/search.js loads it from there).
BUNDLE = "pagefind"
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
#: Starts each table-row line in the indexed text, and the variants block after the last row; the
#: browser side (search.js) splits the fetched text on them to show the matching row only.
ROW_MARK = "▸"
VARIANTS_MARK = "⁂"
#: Not indexed: navigation and download links, the chart drawings (their numbers are in the tables),
#: and the printed tables themselves (indexed as row lines instead, see `row_lines`).
EXCLUDE_SELECTORS = (
    ".breadcrumb",
    "figure.chart svg",
    "table.form-table",
    'a[href$=".xlsx"]',
    'a[href$=".yml"]',
    'a[href$=".json"]',
    'a[href$=".csv"]',
    'a[href$=".zip"]',
    'a[href$=".sha256"]',
)
#: Pages that are not search results: the home page is a hub (its help text quotes example values such
#: as "≥90%", which would outrank the forms that hold them) and 404 is no content.
SKIPPED = {"index.html", "404.html"}

_TABLE = re.compile(r"<table\b[^>]*\bclass=\"[^\"]*\bform-table\b[^\"]*\"[^>]*>(.*?)</table>", re.S | re.I)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<(t[hd])\b([^>]*)>(.*?)</t[hd]>", re.S | re.I)
_ROW_SCOPE = re.compile(r"""\bscope=["']?row\b""", re.I)
_TAG = re.compile(r"<[^>]+>")
_BREADCRUMB = re.compile(r"<span class=\"breadcrumb\"[^>]*>(.*?)</span>", re.S | re.I)
_ARTICLE = re.compile(r"<article\b[^>]*>(.*)</article>", re.S | re.I)
_SVG = re.compile(r"<svg\b.*?</svg>", re.S | re.I)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: A number and the unit written right after it (%, or one or two Han characters: 人次, 万元, 年度, 个).
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(%|％|[\u4e00-\u9fff]{1,2})?")


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


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    if "<" in fragment:
        fragment = _TAG.sub(" ", fragment)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return " ".join(fragment.split())


def row_lines(page: str) -> list[str]:
    """One line per row of the page's printed form tables: its label, then its value cells.

    The label is the row's own header cell (scope="row": a field, an amount's line) or, for a row
    with one value under group headers only, the innermost group; an indicator row (三级指标, 指标值)
    is its data cells, "名称 → 值". Rows without a value (headers only) are left out.
    """
    lines = []
    for table in _TABLE.finditer(page):
        for row in _ROW.finditer(table.group(1)):
            cells = [(tag.lower(), attrs, text_of(body)) for tag, attrs, body in _CELL.findall(row.group(1))]
            data = [text for tag, _, text in cells if tag == "td" and text]
            if not data:
                continue
            labels = [text for tag, attrs, text in cells if tag == "th" and text and _ROW_SCOPE.search(attrs)]
            groups = [text for tag, _, text in cells if tag == "th" and text]
            label = labels[-1] if labels else (groups[-1] if groups and len(data) == 1 else "")
            values = " / ".join(data) if label else " → ".join(data)
            lines.append(f"{label.rstrip('：:')} → {values}" if label else values)
    return lines


def number_variants(text: str) -> list[str]:
    """The numbers of `text`, each spaced from its unit, without the comparison written before it.

    "≥90%" → "90 %", "培训500人次" → "500 人次", "2025年1月" → "2025 年", "1 月": Pagefind then holds
    the number as a word of its own, which is what search.js sends for a number or number+unit query.
    """
    return [f"{number} {unit or ''}".strip() for number, unit in _NUMBER.findall(text)]


def characters(page: str) -> list[str]:
    """Every Han character of the article, once each, in order of first use.

    Pagefind segments Chinese into words when indexing and the browser segments the query on its own;
    the two do not always agree ("万元" is one word in one page and two in another). search.js also
    sends the query as single characters, which these always match; the exact phrase is then checked
    on the fetched text of the best candidates.
    """
    article = _ARTICLE.search(page)
    if article is None:
        return []
    body = article.group(1)
    if "breadcrumb" in body:
        body = _BREADCRUMB.sub(" ", body)
    if "<svg" in body:
        body = _SVG.sub(" ", body)
    # Han characters are never written as entities by MkDocs: no unescaping needed.
    return list(dict.fromkeys(_HAN.findall(_TAG.sub(" ", body))))


#: A year page ("2025/index.html"): a hub listing every unit and project of the year by name.
_YEAR_PAGE = re.compile(r"^[0-9]{4}/index\.html$")
_ANY_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)


def is_listing(rel: str) -> bool:
    """Whether a built page is a year page, indexed without its tables (`augmented`)."""
    return bool(_YEAR_PAGE.match(rel))


def augmented(page: str, listing: bool = False) -> str:
    """The page as Pagefind should read it: row lines, number variants and the trail meta appended.

    A `listing` (a year page) is indexed without its tables: they are the names of the year's units
    and projects, whose own pages are the results for those names (with 10,000 forms the listing's
    text alone is 175 KiB, fetched by any query whose word it holds).
    """
    if listing:
        page = _ANY_TABLE.sub(" ", page)
    end = page.rfind("</article>")
    if end < 0:
        return page
    lines = row_lines(page)
    variants = list(dict.fromkeys(v for line in lines for v in number_variants(line)))
    variants += characters(page)
    parts = ['<div class="pagefind-extra">']
    parts += [f"<p>{ROW_MARK} {html.escape(line)}</p>" for line in lines]
    if variants:
        parts.append(f"<p>{VARIANTS_MARK} {html.escape(' '.join(variants))}</p>")
    crumb = _BREADCRUMB.search(page)
    if crumb:
        steps = [s.strip() for s in text_of(crumb.group(1)).split("›")]
        trail = " › ".join(s for s in steps[1:-1] if s)
        if trail:
            parts.append(f'<span data-pagefind-ignore data-pagefind-meta="trail">{html.escape(trail)}</span>')
    parts.append("</div>")
    return page[:end] + "\n".join(parts) + page[end:]


def page_url(rel: str) -> str:
    """The site-root URL of a built page ("2025/x/index.html" → "/2025/x/")."""
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


#: Where `index_search` keeps the augmented copies between builds (below the project's build/ folder),
#: with the digest of the page each was made from: a rebuild redoes only the pages that changed.
SOURCES_DIR = "build/pagefind-pages"
MANIFEST = "digests.json"


#: What forked `write_sources` workers inherit: (site, target, digests recorded for the copies).
_SOURCES: tuple[Any, ...] = ()


def _code_digest() -> str:
    """A digest of this module: the copies and bundles it made are redone when its code changes."""
    import hashlib

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _source_copy(rel: str) -> tuple[str, str]:
    """Bring one augmented copy up to date (see `write_sources`); return (rel, digest of the page)."""
    import hashlib

    site, target, known = _SOURCES
    data = (site / rel).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    out = target / rel
    if known.get(rel) != digest or not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(augmented(data.decode("utf-8"), listing=is_listing(rel)), encoding="utf-8")
    return rel, digest


def source_digests(site: Path, target: Path, jobs: int | None = None) -> dict[str, str]:
    """Bring `target` to the site's result pages, `augmented`, at the same paths; return rel -> page digest.

    A copy whose page has the digest recorded in `target`'s manifest (made by the same code) is kept as
    it is; copies of pages that are gone are removed. The copies are a function of the page bytes only,
    so a kept copy equals a fresh one and the index equals a cold build's. Many pages are done by
    `jobs` forked processes.
    """
    import json
    import os

    global _SOURCES
    manifest = target / MANIFEST
    code = _code_digest()
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        known = recorded.get("pages", {}) if recorded.get("code") == code else {}
    except (OSError, ValueError, AttributeError):
        known = {}
    pages = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel not in SKIPPED and not rel.startswith(BUNDLE + "/"):
            pages.append(rel)
    jobs = jobs or os.cpu_count() or 1
    _SOURCES = (site, target, known)
    try:
        if jobs > 1 and len(pages) >= 500:
            from generator.forking import fork_pool

            with fork_pool(jobs) as pool:
                digests = dict(pool.imap(_source_copy, pages, chunksize=64))
        else:
            digests = dict(_source_copy(rel) for rel in pages)
    finally:
        _SOURCES = ()
    for path in sorted(target.rglob("*.html")):
        if path.relative_to(target).as_posix() not in digests:
            path.unlink()
    target.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({"code": code, "pages": digests}, indent=0, sort_keys=True), encoding="utf-8")
    return digests


def write_sources(site: Path, target: Path, jobs: int | None = None) -> int:
    """`source_digests`, returning the number of copies."""
    return len(source_digests(site, target, jobs))


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
    digest = hashlib.sha256(f"{_code_digest()}:{pagefind}:{json_list(EXCLUDE_SELECTORS)}".encode())
    for rel in pages:
        digest.update(f"{rel}\0{digests[rel]}\n".encode())
    return digest.hexdigest()


def json_list(items: Iterable[str]) -> str:
    import json

    return json.dumps(list(items), ensure_ascii=False)


def _index_bundle(sources: Path, pages: list[str], work: Path, fingerprint: str) -> Path:
    """Index one bundle's pages (hard links to their copies in `sources`) into `work/out`; return that folder.

    The finished output is moved in place with its fingerprint file last: an interrupted run leaves no
    bundle that looks complete.
    """
    import os
    import shutil
    import subprocess

    shutil.rmtree(work, ignore_errors=True)
    folder, out = work / "pages", work / "out.new"
    folder.mkdir(parents=True)
    for rel in pages:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(sources / rel, target)
        except OSError:
            shutil.copyfile(sources / rel, target)
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
    import os
    import shutil

    def link(src: str, dst: str) -> None:  # the site is replaced as a whole, never written in place
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(out.iterdir()):
        if first or path.name in _BUNDLE_DATA or path.name.endswith(".pf_meta"):
            if path.is_dir():
                shutil.copytree(path, target / path.name, copy_function=link)
            else:
                link(str(path), str(target / path.name))


def index_site(site: Path, sources: Path | None = None, jobs: int | None = None, limit: int | None = None) -> IndexReport:
    """Write the Pagefind bundles into `site/pagefind/` (replacing old ones); return what they hold.

    Pagefind's command-line indexer (its extended binary, from the `pagefind[extended]` package) reads
    the augmented copies from `sources` (kept for the next build, with the bundles, in its sibling
    `pagefind-bundles/`) or from a temporary folder beside the site; the page files of the site are not
    changed. Bundles (of at most about `limit` pages, `plan_bundles`) are indexed `jobs` at a time. (Pagefind's Python service API took 120 ms a page
    here: 40 times slower.)
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
