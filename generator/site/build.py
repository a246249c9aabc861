"""Load all, validate all, abort on errors; then render and write the pages; then MkDocs; then swap site/.

The generator is a separate step before MkDocs (no hooks, no plugins), so the same mkdocs.yml builds
with MkDocs or ProperDocs once `build/docs/` exists.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from generator.fileio import write_bytes_atomic, write_text_atomic
from generator.problems import report as report_problems
from generator.problems import summary
from generator.forms.validate import CheckResult, check_content
from generator.site.nav import nav_overrides, site_nav
from generator.site.outputs import (  # noqa: F401 - the names other modules and tests use from here
    ARCHIVE_DIR,
    MAX_ARCHIVE_BYTES,
    SCHEMA_DIR,
    archive_bytes,
    download_files,
    jieba_dict_path,
    load_mkdocs_config,
    published_archives,
    render_outputs,
    schema_files,
    select_years,
    settings_from,
    validated_source,
)


@dataclass
class GenerateReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed"


def write_outputs(outputs, docs_dir: Path) -> GenerateReport:  # noqa: ANN001 - a mapping or `rendercache.Docs`
    """Write changed files only and delete files no longer generated; untouched files keep their mtime.

    Files a `rendercache.Docs` took from the cache are already in the folder as written: they count as unchanged.
    """
    from generator.site.workdirs import remove_foreign

    report = GenerateReport()
    report.removed += remove_foreign(docs_dir)  # links or FIFOs placed there: MkDocs would follow them
    fresh = getattr(outputs, "fresh", None)
    items = fresh.items() if fresh is not None else outputs.items()
    for rel, data in items:
        if write_bytes_atomic(docs_dir / rel, data):
            report.written += 1
        else:
            report.unchanged += 1
    if fresh is not None:
        report.unchanged += len(outputs) - len(fresh)
    if docs_dir.is_dir():
        for dirpath, dirnames, filenames in os.walk(docs_dir, topdown=False):
            for name in filenames:
                path = Path(dirpath) / name
                if path.relative_to(docs_dir).as_posix() not in outputs:
                    path.unlink()
                    report.removed += 1
            for name in dirnames:
                sub = Path(dirpath) / name
                if not any(sub.iterdir()):
                    sub.rmdir()
    return report


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Generated:
    """What `generate_site` did: the exit status, the navigation, and the check result it published."""

    status: int
    nav: list | None = None
    result: CheckResult | None = None
    #: The generated docs files (a `rendercache.Docs`), None when nothing was generated.
    docs: object = None


#: What a failed generation leaves untouched, as the message says it (serve and archive say their own).
SITE_KEPT = "site/ was not changed"
PREVIEW_KEPT = "the preview keeps showing the previous pages"


def generate(
    content: str,
    config: str,
    jobs: int | None = None,
    strict: bool = False,
    only: str | None = None,
    docs_dir: str | None = None,
    downloads: bool = True,
    kept: str = SITE_KEPT,
) -> tuple[int, list | None]:
    """Check the content and write the Markdown; return (exit status, the site navigation)."""
    done = generate_site(content, config, jobs=jobs, strict=strict, only=only, docs_dir=docs_dir, downloads=downloads, kept=kept)
    return done.status, done.nav


def generate_site(
    content: str,
    config: str,
    jobs: int | None = None,
    strict: bool = False,
    only: str | None = None,
    docs_dir: str | None = None,
    downloads: bool = True,
    checked: CheckResult | None = None,
    kept: str = SITE_KEPT,
) -> Generated:
    """Check the content (unless `checked` is given) and write the Markdown from the bytes that were checked.

    Errors write nothing; the message says what was left as it was (`kept`: site/, or the preview's pages).
    """
    started = time.perf_counter()
    # Without downloads (whose data files read every form) only the forms of units rendered again come back
    # whole from the check's workers; the year and home pages read the others' summaries (site/formfacts.py).
    from generator.site.outputs import layout_files, pages_context
    from generator.site.rendercache import RenderCache, cache_file, code_digest, stale_units, words_text

    code = code_digest(layout_files(Path(config).resolve().parent))
    early = _render_cache(config, docs_dir) if checked is None and not only and not downloads else None
    keep = early.forms_to_keep(code) if early is not None else True
    # A partial preview checks only the forms it shows: a preview of one unit stays fast in a big tree.
    result = checked if checked is not None else check_content(content, jobs=jobs, only=only, keep_forms=keep)
    from generator.site.siteinfo import site_info_problems

    result.problems += site_info_problems(config)  # a deploy build names unset site settings (extra.site)
    report_problems(result.problems)
    print(summary(result.problems, result.acknowledged, result.forms_checked))
    if result.errors or (strict and result.warnings):
        _say(f"build aborted: fix the errors above; {kept}")
        return Generated(1)
    overrides = {"docs_dir": docs_dir} if docs_dir else {}
    cfg = load_mkdocs_config(config, **overrides)
    settings = settings_from(cfg, content, only, downloads)
    from generator.site.formfacts import ContentChanged, complete_forms

    folder = Path(cfg["docs_dir"])
    # Unit folders whose forms did not change keep their pages (a partial preview renders what it shows).
    path = None if only else cache_file(folder)
    cache = early if early is not None and early.path == path else RenderCache(path)
    cache.code = code
    context = pages_context(settings)
    try:
        years = select_years(result, validated_source(result), only)
        if complete_forms(result, stale_units(years, settings, cache, context, folder), jobs):
            years = select_years(result, validated_source(result), only)
        outputs = render_outputs(result, settings, years=years, cache=cache, folder=folder, jobs=jobs, context=context)
        report = write_outputs(outputs, folder)
        cache.seal(outputs)
        dict_path = jieba_dict_path(cfg)
        if dict_path:
            write_text_atomic(Path(config).resolve().parent / dict_path, words_text(outputs.words))
    except ContentChanged as exc:
        _say(f"build aborted: {exc.path} changed while the build read it; run the build again; {kept}")
        return Generated(1)
    except OSError as exc:  # a full disk, a read-only folder: the pages are incomplete, the site is not touched
        _say(f"build aborted: could not write the generated pages ({exc.strerror or exc}); {kept}")
        return Generated(1)
    _say(f"generated {len(outputs)} files in {cfg['docs_dir']} ({report}) in {time.perf_counter() - started:.1f}s")
    return Generated(0, site_nav(years), result, outputs)


def _render_cache(config: str, docs_dir: str | None):  # noqa: ANN202 - a RenderCache or None
    """Return the render cache of the docs folder the config names (read before MkDocs checks the config), or None.

    It only spares the check sending back forms it will not need: a config that cannot be read here is
    reported by MkDocs after the check, as in any build.
    """
    from generator.site.outputs import configured_docs_dir
    from generator.site.rendercache import RenderCache, cache_file

    try:
        named = configured_docs_dir(config, docs_dir)
    except Exception:  # noqa: BLE001 - any unreadable config: MkDocs says what is wrong with it later
        return None
    if not isinstance(named, str):
        return None
    return RenderCache(cache_file(Path(config).resolve().parent / named))


def refuse_tracked_outputs(root: Path, command: str, *extra: Path) -> bool:
    """Say so and return True when git tracks symbolic links, or files below build/, dist/ or site/.

    Generated folders and caches must come from the generator only, and a committed link would make the
    build copy whatever it points at; both are refused before anything is read.
    """
    from generator.problems import visible
    from generator.site.workdirs import tracked_links, tracked_outputs

    for found, what in (
        (
            tracked_outputs(root, extra),
            "generated file(s) below build/, dist/ or site/ are committed to the "
            "repository; these folders must come from the generator only: remove them with `git rm -r --cached`",
        ),
        (
            tracked_links(root),
            "symbolic link(s) are committed to the repository; a build would publish "
            "what they point at: replace each by the file itself",
        ),
    ):
        if found:
            shown = ", ".join(visible(name) for name in found[:5]) + (" …" if len(found) > 5 else "")
            _say(f"disclosure {command}: error: {len(found)} {what} ({shown})")
            return True
    return False


def build_site(
    content: str = "content",
    site_dir: str = "site",
    strict: bool = False,
    config: str = "mkdocs.yml",
    jobs: int | None = None,
    downloads: bool = True,
    shard: str | None = None,
) -> int:
    """Check, generate, build the changed pieces with MkDocs, merge them into a temporary folder, swap it in.

    With `shard` (`N/M` or a year) only that shard's pieces are built, into `site_dir` as a partial
    output that `disclosure merge` puts together with the other shards (generator/site/shards.py).
    """
    from mkdocs.exceptions import MkDocsException

    from generator.site.merge import MergeError, merge_pieces
    from generator.site.piecebuild import build_pieces, fingerprints
    from generator.site.pieces import plan_pieces, select_shard
    from generator.site.searchbundles import index_search
    from generator.site.shards import write_shard
    from generator.site.swap import recover, swap_in

    if not Path(config).is_file():
        _say(f"disclosure build: error: MkDocs config not found: {config}")
        return 2
    if not Path(content).is_dir():
        _say(f"disclosure build: error: content folder not found: {content}")
        return 2
    target = Path(site_dir).resolve()
    # A build killed while swapping (SIGKILL cannot be cleaned up after) is repaired before anything else,
    # so "site/ was not changed" stays true; its temporary folders are never served and are removed.
    note = recover(target)
    if note:
        _say(note)
    if refuse_tracked_outputs(Path(config).resolve().parent, "build", target):
        return 1
    done = generate_site(content, config, jobs=jobs, strict=strict, downloads=downloads)
    if done.status:
        return done.status
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    started = time.perf_counter()
    previous = _terminate_as_exit()
    built = False
    try:
        cfg = load_mkdocs_config(config)
        assert done.nav is not None  # a successful generation always has its navigation
        nav = nav_overrides(done.nav)
        pieces = planned = plan_pieces(done.docs, done.nav)
        inputs = mkdocs_inputs(cfg, config)
        if shard:
            pieces = select_shard(pieces, shard)
        work = Path(cfg["docs_dir"]).parent / "pieces"
        rebuilt = build_pieces(pieces, done.docs, config, nav, work, inputs, jobs, prune=not shard)
        built = True
        if shard:
            write_shard(tmp, fingerprints(planned, done.docs, config, nav, inputs), pieces, work)
        else:
            merge_pieces([work / p.key for p in pieces], tmp, cfg["use_directory_urls"])
            index_search(cfg, tmp)  # Pagefind, on the whole merged site (generator/site/searchindex.py)
        swap_in(tmp, target)
    except (MkDocsException, MergeError, OSError, ValueError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        what = "could not replace the site" if built else "MkDocs failed"
        _say(f"build aborted: {what} ({getattr(exc, 'strerror', None) or exc}); {site_dir}/ was not changed")
        return 1
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    what = f"shard {shard} ({len(pieces)} of {len(planned)} pieces)" if shard else f"{site_dir}/"
    _say(
        f"built {what} with MkDocs in {time.perf_counter() - started:.1f}s "
        f"({len(rebuilt)} of {len(pieces)} pieces rebuilt, the others unchanged)"
    )
    return 0


def mkdocs_inputs(cfg, config: str) -> list[Path]:  # noqa: ANN001 - a loaded MkDocs config
    """Return the files and folders MkDocs reads besides the docs: the theme overrides, the search dictionary."""
    root = Path(config).resolve().parent
    found = []
    custom = cfg["theme"].custom_dir
    if custom:
        found.append(Path(custom))
    search = cfg["plugins"].get("material/search")
    dict_path = jieba_dict_path(cfg)
    if dict_path and search is not None and search.config.enabled:
        found.append(root / dict_path)
    return found


def _terminate_as_exit():
    """Turn SIGTERM into SystemExit while building, so the temporary folder is removed on the way out."""

    def handler(signum, frame):  # noqa: ANN001 - signal handler signature
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, handler)
