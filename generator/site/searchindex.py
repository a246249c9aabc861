"""What the public site's Pagefind index reads of each built page (searchbundles.py runs Pagefind).

What is indexed is the page's <article> (`data-pagefind-body`, set in overrides/main.html) minus the
breadcrumb, charts and download links, with the printed form tables replaced by one line per table row
("指标名称 → 指标值"), so that a hit shows the row it is in, and a block of number variants (≥90% is
also indexed as "90 %", 500人次 as "500 人次"), so that a query for a number or number+unit finds values
written with an operator. The page files on disk are not changed.

Indexing these copies with Pagefind, as one bundle or several: generator/site/searchbundles.py.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

#: The bundle folder inside the site (overrides/assets/javascripts/search.js loads it from there).
BUNDLE = "pagefind"
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


#: Where `searchbundles.index_search` keeps the augmented copies between builds (below the project's build/ folder),
#: with the digest of the page each was made from: a rebuild redoes only the pages that changed.
SOURCES_DIR = "build/pagefind-pages"
MANIFEST = "digests.json"


#: What forked `write_sources` workers inherit: (site, target, digests recorded for the copies).
_SOURCES: tuple[Any, ...] = ()


def code_digest() -> str:
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
    code = code_digest()
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
