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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.fileio import read_regular_file, write_bytes_atomic, write_text_atomic
from generator.problems import report as report_problems
from generator.problems import summary
from generator.forms.validate import CheckResult, check_content
from generator.site.nav import nav_overrides, site_nav

SCHEMA_DIR = "schema"
#: Where `disclosure archive` writes disclosure-<year>.zip; a full build publishes them next to the year pages.
ARCHIVE_DIR = "dist"


@dataclass
class GenerateReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def select_years(result: CheckResult, read, only: str | None = None):
    """Return the years -> units -> projects to publish, optionally only one year or one unit."""
    from generator.site import render

    years = render.collect(result, read)
    if only:
        year_part, _, unit_part = only.strip("/").partition("/")
        years = [y for y in years if str(y.year) == year_part]
        for year in years:
            if unit_part:
                year.units = [u for u in year.units if u.id == unit_part]
    return years


def download_files(result: CheckResult, settings, only: str | None = None, jobs: int | None = None) -> dict[str, bytes]:
    """Return the Excel workbooks and per-year data files, built in a process pool and cached by content.

    They are the costly part of a cold build (openpyxl writes ~50 workbooks/s per core); the cache in the
    user's cache folder (`workdirs.excel_cache_dir`, outside the repository) keeps every file by a hash of
    its inputs, so a rebuild redoes only what changed.
    """
    from types import SimpleNamespace

    from generator.excel import workbook as excel

    from generator.site.workdirs import excel_cache_dir

    cache = excel_cache_dir(settings.root)  # never inside the work tree: a commit cannot fill it
    files = [f for f in result.files if f.form is not None]
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(files) < 200:
        return excel.site_files(result, cache_dir=cache, only=only)
    chunks = [files[i :: jobs * 4] for i in range(jobs * 4)]
    tasks = [(SimpleNamespace(files=[]), False, True)]  # the year data files: one job, started first
    tasks[0][0].files = files
    tasks += [(SimpleNamespace(files=chunk), True, False) for chunk in chunks if chunk]
    out: dict[str, bytes] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(excel.site_files, r, forms=f, data=d, cache_dir=cache, only=only) for r, f, d in tasks]
        for future in futures:
            out.update(future.result())
    return out


def render_outputs(result: CheckResult, settings, only: str | None = None, years=None) -> dict[str, bytes]:
    """Return every generated docs file (path relative to docs_dir -> bytes)."""
    from generator.site import render

    from generator.progress import track

    if years is None:
        years = select_years(result, validated_source(result), only)
    out: dict[str, bytes] = {"index.md": render.render_home(years, settings).encode()}
    units = [(year, unit) for year in years for unit in year.units]
    for year in years:
        out[f"{year.year}/index.md"] = render.render_year(year, settings).encode()
        if year.year in settings.archives:
            name = f"disclosure-{year.year}.zip"
            out[f"{year.year}/{name}"] = archive_bytes(settings.root / ARCHIVE_DIR / name, settings.archives[year.year])
            out[f"{year.year}/{name}.sha256"] = f"{settings.archives[year.year]}  {name}\n".encode()
    for year, unit in track(units, len(units), "生成页面（单位）"):
        base = f"{year.year}/{unit.id}"
        out[f"{base}/index.md"] = render.render_unit(unit, settings).encode()
        if unit.form is not None:
            out[f"{base}/unit.yml"] = unit.source
            out[f"{base}/unit.json"] = render.form_json(unit.form).encode()
        for project in unit.projects:
            out[f"{base}/{project.id}.md"] = render.render_project(unit, project, settings).encode()
            out[f"{base}/{project.id}.yml"] = project.source
            out[f"{base}/{project.id}.json"] = render.form_json(project.form).encode()
    if settings.downloads:
        out.update(download_files(result, settings, only))
    out.update(schema_files(result))
    return out


def schema_files(result: CheckResult) -> dict[str, bytes]:
    """Return the JSON Schemas of the layouts the published forms use (`schema/<layout>/<kind>.schema.json`)."""
    from generator.forms.schemas import schema_documents

    used = {(ff.form.layout.name, ff.form.kind) for ff in result.files if ff.form is not None}
    registry = result.registry
    if registry is None:
        return {}
    return {rel: data for rel, data in schema_documents(registry, used).items()}


def write_outputs(outputs: dict[str, bytes], docs_dir: Path) -> GenerateReport:
    """Write changed files only and delete files no longer generated; untouched files keep their mtime."""
    from generator.site.workdirs import remove_foreign

    report = GenerateReport()
    report.removed += remove_foreign(docs_dir)  # links or FIFOs placed there: MkDocs would follow them
    for rel, data in outputs.items():
        if write_bytes_atomic(docs_dir / rel, data):
            report.written += 1
        else:
            report.unchanged += 1
    if docs_dir.is_dir():
        for path in sorted(docs_dir.rglob("*"), reverse=True):
            rel = path.relative_to(docs_dir).as_posix()
            if path.is_file() and rel not in outputs:
                path.unlink()
                report.removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return report


def load_mkdocs_config(config_file: str, **overrides):
    """Load mkdocs.yml with MkDocs' own loader (it has tags such as !!python/name).

    MkDocs refuses a docs_dir that does not exist yet, and the generator is what creates it.
    """
    from mkdocs.config import load_config
    from mkdocs.utils.yaml import yaml_load

    docs_dir = overrides.get("docs_dir")
    if not docs_dir:
        with open(config_file, encoding="utf-8") as fh:
            docs_dir = (yaml_load(fh) or {}).get("docs_dir", "docs")
    (Path(config_file).resolve().parent / docs_dir).mkdir(parents=True, exist_ok=True)
    return load_config(config_file=config_file, **overrides)


def jieba_dict_path(cfg) -> str | None:
    """Return the search plugin's `jieba_dict_user` option, if any."""
    for plugin in cfg["plugins"].values():
        path = getattr(getattr(plugin, "config", None), "get", lambda _k: None)("jieba_dict_user")
        if path:
            return path
    return None


def settings_from(cfg, content: str, only: str | None = None, downloads: bool = True):
    from generator.site.provenance import last_changed, repository_url
    from generator.site.render import Settings

    extra = cfg.get("extra") or {}
    repo = extra.get("repository") or {}
    root = Path(cfg.config_file_path).resolve().parent
    content_path = Path(content).resolve()
    try:
        prefix = content_path.relative_to(root).as_posix()
    except ValueError:
        prefix = "content"
    return Settings(
        root=root,
        site_name=cfg["site_name"],
        repository=repo.get("url") or repository_url(root),
        branch=repo.get("branch") or "main",
        dates=last_changed(content, only),
        content_prefix=prefix,
        archives=published_archives(root, only),
        downloads=downloads,
    )


def published_archives(root: Path, only: str | None) -> dict[int, str]:
    """Year -> SHA-256 of dist/disclosure-<year>.zip (made by `disclosure archive`); none in partial builds."""
    import hashlib

    from generator.fileio import NotRegularFile

    if only:
        return {}
    found = {}
    for path in sorted((root / ARCHIVE_DIR).glob("disclosure-[0-9][0-9][0-9][0-9].zip")):
        try:
            found[int(path.name[11:15])] = hashlib.sha256(read_regular_file(path, MAX_ARCHIVE_BYTES)).hexdigest()
        except NotRegularFile:
            continue  # a link or FIFO named like an archive is not one
    return found


#: An archive larger than this is not one `disclosure archive` wrote for a site.
MAX_ARCHIVE_BYTES = 2 * 1024**3


def archive_bytes(path: Path, digest: str) -> bytes:
    """Return the archive's bytes, refusing them if they are not the ones whose digest the year page shows."""
    import hashlib

    data = read_regular_file(path, MAX_ARCHIVE_BYTES)
    if hashlib.sha256(data).hexdigest() != digest:
        raise OSError(f"{path} changed while the site was being built")
    return data


def validated_source(result: CheckResult):
    """Return a reader of the bytes `check` validated, by file path: the YAML download is never read twice."""
    sources = {ff.path: ff.source for ff in result.files if ff.source is not None}

    def read(path: str) -> bytes:
        return sources[path]

    return read


@dataclass
class Generated:
    """What `generate_site` did: the exit status, the navigation, and the check result it published."""

    status: int
    nav: list | None = None
    result: CheckResult | None = None


def generate(
    content: str,
    config: str,
    jobs: int | None = None,
    strict: bool = False,
    only: str | None = None,
    docs_dir: str | None = None,
    downloads: bool = True,
) -> tuple[int, list | None]:
    """Check the content and write the Markdown; return (exit status, the site navigation)."""
    done = generate_site(content, config, jobs=jobs, strict=strict, only=only, docs_dir=docs_dir, downloads=downloads)
    return done.status, done.nav


def generate_site(
    content: str,
    config: str,
    jobs: int | None = None,
    strict: bool = False,
    only: str | None = None,
    docs_dir: str | None = None,
    downloads: bool = True,
) -> Generated:
    """Check the content and write the Markdown from the bytes that were checked; errors write nothing."""
    started = time.perf_counter()
    # A partial preview checks only the forms it shows: a preview of one unit stays fast in a big tree.
    result = check_content(content, jobs=jobs, only=only)
    from generator.site.siteinfo import site_info_problems

    result.problems += site_info_problems(config)  # a deploy build names unset site settings (extra.site)
    report_problems(result.problems)
    print(summary(result.problems, result.acknowledged, result.forms_checked))
    if result.errors or (strict and result.warnings):
        _say("build aborted: fix the errors above; site/ was not changed")
        return Generated(1)
    overrides = {"docs_dir": docs_dir} if docs_dir else {}
    cfg = load_mkdocs_config(config, **overrides)
    settings = settings_from(cfg, content, only, downloads)
    from generator.site.searchdict import jieba_words

    try:
        years = select_years(result, validated_source(result), only)
        outputs = render_outputs(result, settings, years=years)
        report = write_outputs(outputs, Path(cfg["docs_dir"]))
        dict_path = jieba_dict_path(cfg)
        if dict_path:
            write_text_atomic(Path(config).resolve().parent / dict_path, jieba_words(years))
    except OSError as exc:  # a full disk, a read-only folder: the pages are incomplete, the site is not touched
        _say(f"build aborted: could not write the generated pages ({exc.strerror or exc}); site/ was not changed")
        return Generated(1)
    _say(f"generated {len(outputs)} files in {cfg['docs_dir']} ({report}) in {time.perf_counter() - started:.1f}s")
    return Generated(0, site_nav(years), result)


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
) -> int:
    """Check, generate, build with MkDocs into a temporary folder, then swap it in as `site_dir`."""
    from mkdocs.exceptions import MkDocsException

    from generator.site.mkdocsrun import quiet_mkdocs, working_directory
    from generator.site.searchindex import index_search
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
    status, nav = generate(content, config, jobs=jobs, strict=strict, downloads=downloads)
    if status:
        return status
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    started = time.perf_counter()
    previous = _terminate_as_exit()
    built = False
    try:
        cfg = load_mkdocs_config(config, site_dir=str(tmp), strict=True, **nav_overrides(nav))
        from mkdocs.commands.build import build as mkdocs_build

        quiet_mkdocs()
        with working_directory(Path(config).resolve().parent):
            mkdocs_build(cfg)
        index_search(cfg, tmp)  # Pagefind, on the built site (generator/site/searchindex.py)
        built = True
        swap_in(tmp, target)
    except (MkDocsException, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        what = "could not replace the site" if built else "MkDocs failed"
        _say(f"build aborted: {what} ({getattr(exc, 'strerror', None) or exc}); {site_dir}/ was not changed")
        return 1
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    _say(f"built {site_dir}/ with MkDocs in {time.perf_counter() - started:.1f}s")
    return 0


def _terminate_as_exit():
    """Turn SIGTERM into SystemExit while building, so the temporary folder is removed on the way out."""

    def handler(signum, frame):  # noqa: ANN001 - signal handler signature
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, handler)
