"""Merging built pieces (generator/site/pieces.py) into one site, as one MkDocs run would have written it.

Each piece contributes the pages and files it owns; the site piece also gives what the theme writes
once (assets, 404.html). The files MkDocs writes from every page, `sitemap.xml` (and `.gz`) and the
theme search's `search/search_index.json`, are put together from the pieces' own, in MkDocs' page
order (the order it walks the docs folder). Files are hard-linked where the file system allows.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

from generator.fileio import link_or_copy
from generator.site.piecebuild import PIECE_FILE
from generator.site.pieces import SITE_PIECE

SITEMAP = "sitemap.xml"
SEARCH_INDEX = "search/search_index.json"
_URL_BLOCK = re.compile(r"\s*<url>.*?</url>", re.S)
_LASTMOD = re.compile(r"<lastmod>[^<]*</lastmod>")


class MergeError(Exception):
    """The pieces do not make one site (a piece missing, two different builds of one piece)."""


def mkdocs_order(paths) -> list[str]:  # noqa: ANN001 - docs paths
    """Sort docs paths as MkDocs walks the docs folder: a folder's files (index first), then its subfolders."""

    def key(rel: str) -> tuple:
        *folders, name = rel.split("/")
        stem = name.rsplit(".", 1)[0]
        return (*((1, f) for f in folders), (0, stem not in ("index", "README"), name))

    return sorted(paths, key=key)


def _dest(rel: str, use_directory_urls: bool) -> tuple[str, str]:
    """Return (output path, page URL) of a docs file, as MkDocs names them."""
    from mkdocs.structure.files import File

    file = File(rel, "/docs", "/site", use_directory_urls)
    return file.dest_uri, "" if file.url == "./" else file.url  # the search index calls the home page ""


def dest_path(rel: str, use_directory_urls: bool = True) -> str:
    """Return the output path MkDocs writes for the docs file `rel`."""
    return _dest(rel, use_directory_urls)[0]


def read_pieces(folders: list[Path]) -> dict[str, tuple[Path, dict]]:
    """Return key -> (piece folder, record); the same piece from two folders must be the same build."""
    found: dict[str, tuple[Path, dict]] = {}
    for folder in folders:
        try:
            record = json.loads((folder / PIECE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MergeError(f"{folder}: not a built piece ({exc})") from exc
        key = record["key"]
        if key in found and found[key][1]["fingerprint"] != record["fingerprint"]:
            raise MergeError(f"piece {key} was built twice from different inputs ({found[key][0]}, {folder})")
        found.setdefault(key, (folder, record))
    if SITE_PIECE not in found:
        raise MergeError(f"the {SITE_PIECE} piece (home page, theme files) is missing")
    return found


def merge_pieces(folders: list[Path], target: Path, use_directory_urls: bool = True) -> int:
    """Write the merged site into the new folder `target`; return the number of files."""
    from mkdocs.utils import get_build_date, get_build_timestamp

    pieces = read_pieces(folders)
    target.mkdir(parents=True)
    count = 0
    pages: dict[str, str] = {}  # owned page -> its piece key
    for key, (folder, record) in sorted(pieces.items()):
        for rel in record["owned"]:
            dest, _ = _dest(rel, use_directory_urls)
            source = folder / "site" / dest
            if not source.is_file():
                raise MergeError(f"piece {key}: {dest} was not built")
            link_or_copy(source, target / dest)
            count += 1
            if rel.endswith(".md"):
                pages[rel] = key
    site_folder, site_record = pieces[SITE_PIECE]
    taken = {_dest(rel, use_directory_urls)[0] for rel in site_record["owned"] + site_record["stubs"]}
    taken |= {SITEMAP, SITEMAP + ".gz", SEARCH_INDEX}
    built = site_folder / "site"
    for dirpath, _dirs, filenames in os.walk(built):
        for name in filenames:
            rel = (Path(dirpath) / name).relative_to(built).as_posix()
            if rel not in taken:
                link_or_copy(built / rel, target / rel)
                count += 1
    order = mkdocs_order(pages)
    sitemap = _merge_sitemap(pieces, pages, order, use_directory_urls, get_build_date())
    if sitemap is not None:
        (target / SITEMAP).write_text(sitemap, encoding="utf-8")
        with open(target / (SITEMAP + ".gz"), "wb") as fh:
            stamp = get_build_timestamp(pages=[type("P", (), {"update_date": get_build_date()})()])
            with gzip.GzipFile(fileobj=fh, filename=str(target / (SITEMAP + ".gz")), mode="wb", mtime=stamp) as gz:
                gz.write(sitemap.encode("utf-8"))
        count += 2
    index = _merge_search(pieces, pages, order, use_directory_urls)
    if index is not None:
        (target / SEARCH_INDEX).parent.mkdir(parents=True, exist_ok=True)
        (target / SEARCH_INDEX).write_text(index, encoding="utf-8")
        count += 1
    return count


def _merge_sitemap(pieces, pages, order, use_directory_urls, date) -> str | None:  # noqa: ANN001
    """Return the sitemap of all pages, or None when the theme wrote none."""
    blocks: dict[str, str] = {}
    head = tail = None
    for key, (folder, record) in pieces.items():
        path = folder / "site" / SITEMAP
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        found = list(_URL_BLOCK.finditer(text))
        hidden = set(record.get("hidden", []))
        listed = mkdocs_order(r for r in record["owned"] + record["stubs"] if r.endswith(".md") and r not in hidden)
        if found and len(found) != len(listed):  # none at all: no site_url, MkDocs lists no page
            raise MergeError(f"piece {key}: {SITEMAP} lists {len(found)} pages, the piece has {len(listed)}")
        for rel, match in zip(listed, found):
            if pages.get(rel) == key:
                blocks[rel] = _LASTMOD.sub(f"<lastmod>{date}</lastmod>", match.group(0))
        if key == SITE_PIECE:
            start = found[0].start() if found else text.rindex("</urlset>")
            end = found[-1].end() if found else start
            head, tail = text[:start], text[end:]
    if head is None:
        return None
    return head + "".join(blocks[rel] for rel in order if rel in blocks) + tail


def _merge_search(pieces, pages, order, use_directory_urls) -> str | None:  # noqa: ANN001
    """Return the theme search's index of all pages, or None when the pieces have none."""
    site_folder, _ = pieces[SITE_PIECE]
    if not (site_folder / "site" / SEARCH_INDEX).is_file():
        return None
    by_url: dict[str, list] = {}
    config = None
    for key, (folder, _record) in pieces.items():
        data = json.loads((folder / "site" / SEARCH_INDEX).read_text(encoding="utf-8"))
        if key == SITE_PIECE:
            config = data["config"]
        for entry in data["docs"]:
            by_url.setdefault(f"{key}\0{entry['location'].split('#', 1)[0]}", []).append(entry)
    docs = []
    for rel in order:
        docs += by_url.get(f"{pages[rel]}\0{_dest(rel, use_directory_urls)[1]}", [])
    # The way Material's search plugin writes it (material/plugins/search/plugin.py).
    return json.dumps({"config": config, "docs": docs}, separators=(",", ":"), default=str)
