"""What a build writes into the docs folder: the generated pages and files, and how they get there.

Pure rendering lives in `render`; this module picks the years to publish, collects the pages, the
downloads and the schemas, and writes only what changed (see `rendercache` for the unit cache).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from generator.fileio import read_regular_file
from generator.forms.validate import CheckResult

SCHEMA_DIR = "schema"
#: Where `disclosure archive` writes disclosure-<year>.zip; a full build publishes them next to the year pages.
ARCHIVE_DIR = "dist"


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


def render_outputs(
    result: CheckResult,
    settings,
    only: str | None = None,
    years=None,
    cache=None,
    folder=None,
    jobs=None,
    context=None,  # noqa: ANN001
):
    """Return every generated docs file (path relative to docs_dir -> bytes), as a `rendercache.Docs` mapping.

    With a `rendercache.RenderCache` and the docs `folder`, unit folders whose inputs did not change are
    not rendered: their files stay in the folder and the mapping reads them from there when asked.
    """
    from generator.site import render
    from generator.site.rendercache import Docs, RenderCache, render_units

    if years is None:
        years = select_years(result, validated_source(result), only)
    out = Docs(Path(folder) if folder is not None else Path("."))
    out["index.md"] = render.render_home(years, settings).encode()
    for year in years:
        out[f"{year.year}/index.md"] = render.render_year(year, settings).encode()
        if year.year in settings.archives:
            name = f"disclosure-{year.year}.zip"
            out[f"{year.year}/{name}"] = archive_bytes(settings.root / ARCHIVE_DIR / name, settings.archives[year.year])
            out[f"{year.year}/{name}.sha256"] = f"{settings.archives[year.year]}  {name}\n".encode()
    context = context or pages_context(settings)
    out.words = render_units(years, settings, out, cache if cache is not None else RenderCache(None), context, jobs=jobs)
    if settings.downloads:
        for rel, data in download_files(result, settings, only).items():
            out[rel] = data
    for rel, data in schema_files(result).items():
        out[rel] = data
    return out


def pages_context(settings) -> str:  # noqa: ANN001 - render.Settings
    """Return the `rendercache.code_context` of the unit pages: the generator's code, the site's layouts and settings."""
    from generator.site.rendercache import code_context

    return code_context(settings, layout_files(settings.root))


def layout_files(root: Path) -> tuple[Path, Path]:
    """Return the site's own layouts folder and settings file (what unit pages depend on besides the code)."""
    from generator.forms.registry import SITE_LAYOUTS

    return root / SITE_LAYOUTS, root / "disclosure.yml"


def schema_files(result: CheckResult) -> dict[str, bytes]:
    """Return the JSON Schemas of the layouts the published forms use (`schema/<layout>/<kind>.schema.json`)."""
    from generator.forms.schemas import schema_documents

    used = {(ff.summary.layout, ff.kind) for ff in result.files if ff.summary is not None}
    registry = result.registry
    if registry is None:
        return {}
    return {rel: data for rel, data in schema_documents(registry, used).items()}


def load_mkdocs_config(config_file: str, **overrides):
    """Load mkdocs.yml with MkDocs' own loader (it has tags such as !!python/name).

    MkDocs refuses a docs_dir that does not exist yet, and the generator is what creates it.
    """
    from mkdocs.config import load_config

    docs_dir = configured_docs_dir(config_file, overrides.get("docs_dir"))
    (Path(config_file).resolve().parent / docs_dir).mkdir(parents=True, exist_ok=True)
    return load_config(config_file=config_file, **overrides)


def configured_docs_dir(config_file: str, docs_dir: str | None = None) -> str:
    """Return `docs_dir` or the one mkdocs.yml names (relative to its folder), read without validating the config."""
    from mkdocs.utils.yaml import yaml_load

    if docs_dir:
        return docs_dir
    with open(config_file, encoding="utf-8") as fh:
        return (yaml_load(fh) or {}).get("docs_dir", "docs")


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
