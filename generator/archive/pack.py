"""`disclosure archive`: one fiscal year as a standalone, reproducible offline zip.

For each year:

1. `generate_site(only=<year>)` checks that year's forms (errors abort; an existing zip is left as it was)
   and renders its pages into a private work folder under build/archive/ (never site/ or build/docs/);
2. an "about this archive" page is added and linked from the home page and the nav (`texts`);
3. MkDocs builds it offline (`offline`), `strict=True`, and no page may load anything from the network;
4. the site, the year's YAML sources as `check` read and validated them (data/content/<year>/...: never a
   second read of the file, never anything `check` did not validate), the JSON Schemas the generator
   writes for every layout (data/schema/), README.txt and MANIFEST.sha256 are packed into
   `disclosure-<year>.zip` with fixed timestamps, modes and order (`reproducible`), then renamed into
   place; `disclosure-<year>.zip.sha256` is written next to it.

Reproducibility: every timestamp comes from SOURCE_DATE_EPOCH, else the last commit, else 1980-01-01
(`provenance`); the MkDocs output is byte-identical between builds except the sitemap files (lastmod =
today and the gzip header's mtime), which are left out (without a site_url they list nothing anyway), as
is 404.html (only a web server shows it, and its asset links are absolute).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from generator.archive.offline import check_offline, mkdocs_build, offline_overrides, raw_config, search_option
from generator.archive.provenance import provenance
from generator.archive.reproducible import MANIFEST, ZIP_EPOCH, ArchiveError, manifest, write_atomic, zip_bytes
from generator.archive.texts import ABOUT_PAGE, ABOUT_TITLE, README, about_markdown, home_note, readme_text
from generator.fileio import write_bytes_atomic, write_text_atomic

__all__ = ["ZIP_EPOCH", "archive", "build_archive", "content_years", "manifest", "offline_overrides", "zip_bytes"]

#: MkDocs output left out of the archive: the sitemap carries the build date (lastmod, gzip mtime) and,
#: without a site_url, no usable addresses; 404.html is only ever served by a web server and, built
#: without a site_url, links its assets from "/" (broken under file://).
DROPPED = frozenset({"sitemap.xml", "sitemap.xml.gz", "404.html"})
YEAR_DIR = re.compile(r"^[0-9]{4}$")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def site_files(site: Path) -> dict[str, bytes]:
    """Return the built site's files (MkDocs wrote them into our own work folder), minus the dropped ones."""
    files = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and not path.is_symlink() and rel not in DROPPED:
            files[rel] = path.read_bytes()
    return files


def data_files(result, year: str) -> dict[str, bytes]:
    """Return data/content/<year>/… (the bytes `check` validated) and data/schema/… (written by the generator)."""
    from generator.forms.schemas import schema_documents

    files = {}
    for ff in sorted(result.files, key=lambda f: (f.unit_id, f.stem)):
        if ff.year == year and ff.source is not None:
            files[f"data/content/{year}/{ff.unit_id}/{ff.stem}.yml"] = ff.source
    if result.registry is not None:
        for rel, blob in schema_documents(result.registry).items():
            files[f"data/schema/{rel}"] = blob
    return files


def build_archive(year: str, output: Path, content: Path, config: Path, jobs: int | None = None) -> int:
    """Build `output` (a zip) for `year`; return an exit status (an existing `output` changes only on 0)."""
    from mkdocs.exceptions import MkDocsException

    import generator
    from generator.site.build import generate_site, refuse_tracked_outputs

    root = config.resolve().parent
    if refuse_tracked_outputs(root, "archive", output.parent):
        return 1
    raw = raw_config(config)
    work_parent = root / "build" / "archive"
    work_parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{year}-", dir=work_parent))
    docs, site, user_dict = work / "docs", work / "site", work / "jieba_user_dict.txt"
    try:
        # generate() also writes the search dictionary where the site config says (build/…): keep the
        # site's copy as it was, and give the archive its own.
        dict_option = search_option(raw, "jieba_dict_user")
        main_dict = root / dict_option if dict_option else None
        saved = main_dict.read_bytes() if main_dict and main_dict.is_file() else None
        try:
            generated = generate_site(
                str(content), str(config), jobs=jobs, only=year, docs_dir=str(docs), kept="no archive was written"
            )
            if main_dict and main_dict.is_file():
                shutil.copyfile(main_dict, user_dict)
        finally:
            if main_dict is not None:
                if saved is not None:
                    write_bytes_atomic(main_dict, saved)
                elif main_dict.is_file():
                    main_dict.unlink()
        if generated.status or generated.result is None:
            _say(f"archive aborted: {output} was not changed")
            return 1
        if not (docs / year / "index.md").is_file():
            _say(f"disclosure archive: error: no forms published for {year}")
            return 1

        inputs = [content, config, root / "schema", root / "overrides", Path(generator.__file__).resolve().parent]
        prov = provenance(root, inputs)
        index = docs / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + home_note(year), encoding="utf-8")
        write_text_atomic(docs / ABOUT_PAGE, about_markdown(year, prov, output.name))
        nav = [*(generated.nav or []), {ABOUT_TITLE: ABOUT_PAGE}]

        overrides = offline_overrides(raw, user_dict if user_dict.is_file() else None)
        try:
            mkdocs_build(config, {**overrides, "docs_dir": str(docs), "site_dir": str(site), "strict": True, "nav": nav})
        except (MkDocsException, OSError) as exc:
            _say(f"archive aborted: MkDocs failed ({exc}); {output} was not changed")
            return 1
        check_offline(site)

        files = site_files(site)
        data = data_files(generated.result, year)
        files[README] = readme_text(year, prov, output.name).encode("utf-8")
        clash = sorted(set(files) & set(data))
        if clash:
            raise ArchiveError(f"site files clash with the source data: {', '.join(clash)}")
        files.update(data)
        files[MANIFEST] = manifest(files)
        blob = zip_bytes(files, prov.timestamp)
        digest = hashlib.sha256(blob).hexdigest()
        write_atomic(output, blob)
        write_atomic(output.with_name(output.name + ".sha256"), f"{digest}  {output.name}\n".encode())
        _say(f"wrote {output} ({len(files)} files, {len(blob) // 1024} KiB, sha256 {digest}, revision {prov.revision})")
        return 0
    except ArchiveError as exc:
        _say(f"archive aborted: {exc}; {output} was not changed")
        return 1
    except OSError as exc:  # a full disk while writing the work folder or the zip
        _say(f"archive aborted: could not write ({exc.strerror or exc}); {output} was not changed")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
        try:
            work_parent.rmdir()
        except OSError:
            pass


# --------------------------------------------------------------------------------------------------------
# Command


def content_years(content: Path) -> list[str]:
    return sorted(p.name for p in content.iterdir() if p.is_dir() and YEAR_DIR.match(p.name))


def archive(
    year: str | None,
    all_years: bool,
    output: str | None,
    content: str = "content",
    config: str = "mkdocs.yml",
    jobs: int | None = None,
) -> int:
    """`disclosure archive YEAR [-o FILE]` / `disclosure archive --all [-o DIR]`."""

    def usage(message: str) -> int:
        _say(f"disclosure archive: error: {message}")
        return 2

    config_path, content_path = Path(config), Path(content)
    if not config_path.is_file():
        return usage(f"MkDocs config not found: {config}")
    if not content_path.is_dir():
        return usage(f"content folder not found: {content}")
    if all_years == (year is not None):
        return usage("give either a year or --all")
    if all_years:
        years = content_years(content_path)
        if not years:
            return usage(f"no year folders (e.g. 2025/) in {content}")
        folder = Path(output or "dist")
        targets = [(y, folder / f"disclosure-{y}.zip") for y in years]
    else:
        if year is None or not YEAR_DIR.match(year):
            return usage(f"not a four-digit year: {year}")
        if not (content_path / year).is_dir():
            return usage(f"no such year in {content}: {year}")
        target = Path(output) if output else Path("dist") / f"disclosure-{year}.zip"
        if output and (target.is_dir() or output.endswith(("/", os.sep))):
            target = target / f"disclosure-{year}.zip"
        targets = [(year, target)]
    failed = []
    for each, target in targets:
        if build_archive(each, target.resolve(), content_path.resolve(), config_path.resolve(), jobs=jobs):
            failed.append(each)
    if failed and len(targets) > 1:
        _say(f"disclosure archive: failed for {', '.join(failed)}; the other years were written")
    return 1 if failed else 0
