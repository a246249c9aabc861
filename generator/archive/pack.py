"""`disclosure archive`: one fiscal year as a standalone, reproducible offline zip.

For each year:

1. `generate(only=<year>)` checks that year's forms (errors abort; an existing zip is left as it was) and
   renders its pages into a private work folder under build/archive/ (never site/ or build/docs/);
2. an "about this archive" page is added and linked from the home page and the nav;
3. MkDocs builds it with Material's `offline` plugin (`use_directory_urls: false`, search index inlined as a
   script, the vendored iframe-worker shim instead of unpkg, no site_url), `strict=True`;
4. the site, the year's YAML sources (data/content/<year>/...), the JSON Schemas (data/schema/), README.txt
   and MANIFEST.sha256 are packed into `disclosure-<year>.zip` with fixed timestamps, modes and order, then
   renamed into place; `disclosure-<year>.zip.sha256` is written next to it.

Reproducibility: every timestamp comes from SOURCE_DATE_EPOCH, else the last commit, else 1980-01-01; the
MkDocs output is byte-identical between builds except the sitemap files (lastmod = today and the gzip
header's mtime), which are left out (without a site_url they list nothing anyway), as is 404.html (only a
web server shows it, and its asset links are absolute). jieba's tokenizer is process-global: it is reset
before each build so that words loaded by an earlier build in the same process cannot change the index.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from generator.fileio import write_bytes_atomic, write_text_atomic

#: The vendored iframe-worker shim (overrides/, copied into the site with the theme assets). Its path
#: contains "iframe-worker", so the offline plugin does not add https://unpkg.com/iframe-worker/shim.
SHIM = "assets/javascripts/vendor/iframe-worker/shim.js"
ABOUT_PAGE = "about-archive.md"
ABOUT_TITLE = "关于本归档"
MANIFEST = "MANIFEST.sha256"
README = "README.txt"
#: MkDocs output left out of the archive: the sitemap carries the build date (lastmod, gzip mtime) and,
#: without a site_url, no usable addresses; 404.html is only ever served by a web server and, built
#: without a site_url, links its assets from "/" (broken under file://).
DROPPED = frozenset({"sitemap.xml", "sitemap.xml.gz", "404.html"})
#: 1980-01-01T00:00:00Z, the earliest time a zip entry can hold.
ZIP_EPOCH = 315532800
COMPRESSLEVEL = 9
FILE_MODE = 0o100644
DIR_MODE = 0o040755
BEIJING = dt.timezone(dt.timedelta(hours=8))
YEAR_DIR = re.compile(r"^[0-9]{4}$")
#: Elements that make the browser load something: an absolute (http:, https:, //) address in them means
#: the archive would make a request when opened. (Plain <a href> links to the web are fine: not loaded.)
REMOTE_SRC = re.compile(r"""<(?:script|img|iframe|source|video|audio|embed|object)\b[^>]*\b(?:src|data)\s*=\s*["']?(?:https?:)?//""", re.I)
LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
REMOTE_HREF = re.compile(r"""\bhref\s*=\s*["']?(?:https?:)?//""", re.I)
#: <link rel> values that make the browser fetch the target.
LOADING_RELS = re.compile(r"""\brel\s*=\s*["']?[^"'>]*\b(?:stylesheet|preload|modulepreload|prefetch|preconnect|dns-prefetch|icon|manifest)\b""", re.I)


class ArchiveError(Exception):
    """The archive cannot be built (the message says why, in terms of the inputs)."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------------
# Provenance: revision and source date


@dataclass(frozen=True)
class Provenance:
    #: `git rev-parse HEAD`, plus "-dirty" when inputs have uncommitted changes; "unknown" outside git.
    revision: str
    #: Seconds since the epoch: SOURCE_DATE_EPOCH, else the last commit's time, else 1980-01-01.
    timestamp: int
    #: Where `timestamp` came from (for the README).
    origin: str

    @property
    def date_text(self) -> str:
        """The build date as the README states it, with where it comes from (never the packing time)."""
        when = dt.datetime.fromtimestamp(self.timestamp, BEIJING).strftime("%Y-%m-%d %H:%M:%S（北京时间）")
        if self.origin == "commit":
            return f"{when}，即源码最后一次提交的时间（不是打包时间）"
        if self.origin == "SOURCE_DATE_EPOCH":
            return f"{when}，取自环境变量 SOURCE_DATE_EPOCH（不是打包时间）"
        return "未知（不是在 git 仓库中构建的；压缩包内的文件时间统一为 1980-01-01）"

    @property
    def revision_text(self) -> str:
        if self.revision == "unknown":
            return "未知（不是在 git 仓库中构建的）"
        if self.revision.endswith("-dirty"):
            return f"{self.revision}（-dirty：构建时内容或生成器有未提交的修改）"
        return self.revision


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def provenance(root: Path, inputs: Iterable[Path]) -> Provenance:
    """Return the revision and the source date of the project at `root`.

    "-dirty" is appended when any of `inputs` (content, configuration, theme overrides, schema, the
    generator's own code) that lies inside the repository has staged, unstaged or untracked changes.
    """
    head = _git(root, "rev-parse", "HEAD")
    commit_time = _git(root, "log", "-1", "--format=%ct", "HEAD") if head else None
    revision = head or "unknown"
    if head:
        top = Path(_git(root, "rev-parse", "--show-toplevel") or root).resolve()
        specs = []
        for path in inputs:
            try:
                specs.append(Path(path).resolve().relative_to(top).as_posix() or ".")
            except ValueError:
                continue  # outside this repository (e.g. an installed generator): cannot tell
        if specs:
            status = _git(top, "status", "--porcelain", "--untracked-files=all", "--", *specs)
            if status is None or status:
                revision += "-dirty"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return Provenance(revision, max(int(epoch), ZIP_EPOCH), "SOURCE_DATE_EPOCH")
    if commit_time and commit_time.isdigit():
        return Provenance(revision, max(int(commit_time), ZIP_EPOCH), "commit")
    return Provenance(revision, ZIP_EPOCH, "default")


# --------------------------------------------------------------------------------------------------------
# Texts


def about_markdown(year: str, prov: Provenance, zip_name: str) -> str:
    """The archive's own page (Markdown, linked from the home page and the nav)."""
    return f"""---
title: {ABOUT_TITLE}
---

<span class="breadcrumb" data-search-exclude>[首页](index.md) › {ABOUT_TITLE}</span>

# {ABOUT_TITLE}

这是**{year} 年度**部门（单位）整体支出和项目支出绩效目标申报表的**离线归档**（`{zip_name}`）。
解压后双击 `index.html` 即可在浏览器中阅读和全文检索，无需联网，也不会访问任何网络地址。

| 项目 | 内容 |
| --- | --- |
| 预算年度 | {year} 年度 |
| 构建日期 | {prov.date_text} |
| 源码版本 | {prov.revision_text} |

## 归档内容

- 网页：本年度的单位页和项目页，可全文检索；每张表的页面上可下载该表的 YAML 和 JSON 数据。
- `data/content/{year}/`：本年度全部表单的 YAML 源文件，与发布时的源文件逐字节相同。
- `data/schema/`：表单格式（JSON Schema）。
- `README.txt`：本说明的纯文本版本。
- `MANIFEST.sha256`：除它自身以外每个文件的 SHA-256 校验值。

## 如何校验

在解压后的文件夹中运行：

    sha256sum -c MANIFEST.sha256

每一行都应显示“成功”（OK）。压缩包 `{zip_name}` 本身的 SHA-256 校验值发布在网站上
（`{zip_name}.sha256`），可用 `sha256sum -c {zip_name}.sha256` 核对下载的文件。
Windows 中可在 PowerShell 运行 `Get-FileHash -Algorithm SHA256 文件名`，与清单中的值逐一比对。
"""


def readme_text(year: str, prov: Provenance, zip_name: str) -> str:
    """README.txt at the zip root (plain text, CRLF-free UTF-8)."""
    return f"""{year} 年度绩效目标申报表离线归档
{"=" * 30}

这是 {year} 年度部门（单位）整体支出和项目支出绩效目标申报表的离线归档（{zip_name}）。
解压后双击 index.html 即可在浏览器中阅读和全文检索，无需联网，也不会访问任何网络地址。

预算年度：{year} 年度
构建日期：{prov.date_text}
源码版本：{prov.revision_text}

归档内容
--------
{_listing(year)}
如何校验
--------
在解压后的文件夹中运行：

    sha256sum -c MANIFEST.sha256

每一行都应显示“成功”（OK）。压缩包 {zip_name} 本身的 SHA-256 校验值发布在网站上
（{zip_name}.sha256），可用 sha256sum -c {zip_name}.sha256 核对下载的文件。
Windows 中可在 PowerShell 运行 Get-FileHash -Algorithm SHA256 文件名，与清单中的值逐一比对。
"""


def _listing(year: str) -> str:
    rows = [
        ("index.html", f"首页；“{ABOUT_TITLE}”页面与本文件内容相同"),
        (f"{year}/", "本年度的单位页和项目页，以及每张表的 YAML、JSON 数据"),
        (f"data/content/{year}/", "本年度全部表单的 YAML 源文件，与发布时的源文件逐字节相同"),
        ("data/schema/", "表单格式（JSON Schema）"),
        (MANIFEST, "除它自身以外每个文件的 SHA-256 校验值"),
    ]
    return "".join(f"{name.ljust(24)}{text}\n" for name, text in rows)


def home_note(year: str) -> str:
    """Appended to the archive's home page so the about page is one click away from index.html."""
    return f"""

## 离线归档

本网站是 {year} 年度的离线归档，说明、源码版本和校验方法见[{ABOUT_TITLE}]({ABOUT_PAGE})。
"""


# --------------------------------------------------------------------------------------------------------
# Reproducible zip


def manifest(files: dict[str, bytes]) -> bytes:
    """sha256sum-format lines for `files`, sorted by path."""
    lines = []
    for name in sorted(files):
        if "\n" in name or "\\" in name or "\r" in name:
            raise ArchiveError(f"file name not representable in {MANIFEST}: {name!r}")
        lines.append(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n")
    return "".join(lines).encode("utf-8")


def zip_bytes(files: dict[str, bytes], timestamp: int) -> bytes:
    """A zip of `files` (plus their folders) that depends only on names, contents and `timestamp`.

    Sorted entries, one fixed time (UTC, 2-second DOS resolution), modes 0644/0755, Unix as the creating
    system, DEFLATE at a fixed level, no extra fields, no comment.
    """
    date_time = dt.datetime.fromtimestamp(max(timestamp, ZIP_EPOCH), dt.timezone.utc).timetuple()[:6]
    names: set[str] = set()
    for name in files:
        parts = name.split("/")
        for depth in range(1, len(parts)):
            names.add("/".join(parts[:depth]) + "/")
        names.add(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(names):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (DIR_MODE << 16) | 0x10
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, b"")
            else:
                info.external_attr = FILE_MODE << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL)
    return buffer.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename (always rewrites)."""
    write_bytes_atomic(path, data, always=True, durable=True)


# --------------------------------------------------------------------------------------------------------
# The MkDocs part


def _raw_config(config: Path) -> dict:
    """mkdocs.yml as plain data (MkDocs' own YAML loader: !!python/name tags, INHERIT)."""
    from mkdocs.utils.yaml import yaml_load

    with open(config, encoding="utf-8") as fh:
        return yaml_load(fh) or {}


def _plugin_entries(raw: dict) -> list[tuple[str, dict]]:
    """The `plugins` of a raw config as (name, options) pairs (list or mapping form; default: search)."""
    plugins = raw.get("plugins")
    if plugins is None:
        plugins = ["search"]
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    entries = []
    for entry in plugins:
        if isinstance(entry, str):
            entries.append((entry, {}))
        else:
            ((name, options),) = entry.items()
            entries.append((name, copy.deepcopy(options or {})))
    return entries


def _search_option(raw: dict, key: str):
    for name, options in _plugin_entries(raw):
        if name in {"search", "material/search"}:
            return options.get(key)
    return None


def offline_overrides(raw: dict, jieba_dict: Path | None) -> dict:
    """load_config overrides that turn the site config into the offline archive config.

    `plugins` and `extra` replace the file's values wholesale, so both are rebuilt from it: the search
    plugin keeps its options (its user dictionary pointing at the archive's own copy), `offline` is added,
    and `extra.polyfills` gets the vendored shim instead of any other iframe-worker.
    """
    rebuilt: list = []
    names = set()
    for name, options in _plugin_entries(raw):
        names.add(name)
        if name in {"search", "material/search"} and jieba_dict is not None and options.get("jieba_dict_user"):
            options["jieba_dict_user"] = str(jieba_dict)
        rebuilt.append({name: options} if options else name)
    if not names & {"offline", "material/offline"}:
        rebuilt.append("offline")
    extra = copy.deepcopy(raw.get("extra") or {})
    polyfills = [p for p in extra.get("polyfills") or [] if "iframe-worker" not in str(p)]
    extra["polyfills"] = [*polyfills, SHIM]
    return {"plugins": rebuilt, "extra": extra, "use_directory_urls": False}


def _fresh_jieba() -> None:
    """Forget user words loaded by earlier builds in this process (the tokenizer is global), so a year's
    search index depends only on its own dictionary, whether it is built alone or after other sites."""
    try:
        import jieba
    except ImportError:
        return
    tokenizer = jieba.dt
    with tokenizer.lock:
        tokenizer.initialized = False
        tokenizer.FREQ = {}
        tokenizer.total = 0
        tokenizer.user_word_tag_tab.clear()


def _mkdocs_build(config: Path, overrides: dict) -> None:
    from mkdocs.commands.build import build as mkdocs_build

    from generator.site.build import _cwd, _quiet_mkdocs, load_mkdocs_config

    cfg = load_mkdocs_config(str(config), **overrides)
    # load_config ignores None overrides: unset site_url afterwards (no canonical links, empty sitemap).
    cfg["site_url"] = None
    _quiet_mkdocs()
    _fresh_jieba()
    with _cwd(config.resolve().parent):
        mkdocs_build(cfg)


def _check_offline(site: Path) -> None:
    """Fail if a page would load anything from the network, or the shim or the inlined index is missing."""
    if not (site / SHIM).is_file():
        raise ArchiveError(f"the vendored iframe-worker shim is missing from the theme: {SHIM}")
    if not (site / "search" / "search_index.js").is_file():
        raise ArchiveError("the offline plugin did not write search/search_index.js")
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        remote = [m.group(0) for m in REMOTE_SRC.finditer(text)]
        remote += [tag for tag in LINK_TAG.findall(text) if REMOTE_HREF.search(tag) and LOADING_RELS.search(tag)]
        if remote:
            raise ArchiveError(f"{page.relative_to(site).as_posix()} would load a remote resource: {remote[0]}")


# --------------------------------------------------------------------------------------------------------
# One year


def _site_files(site: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and rel not in DROPPED:
            files[rel] = path.read_bytes()
    return files


def _data_files(content: Path, year: str, schema: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted((content / year).rglob("*")):
        if path.is_file() and path.suffix in {".yml", ".yaml"}:
            files[f"data/content/{year}/{path.relative_to(content / year).as_posix()}"] = path.read_bytes()
    if schema.is_dir():
        for path in sorted(schema.rglob("*.json")):
            files[f"data/schema/{path.relative_to(schema).as_posix()}"] = path.read_bytes()
    return files


def build_archive(year: str, output: Path, content: Path, config: Path, jobs: int | None = None) -> int:
    """Build `output` (a zip) for `year`; return an exit status (an existing `output` changes only on 0)."""
    from mkdocs.exceptions import MkDocsException

    import generator
    from generator.site.build import generate

    root = config.resolve().parent
    raw = _raw_config(config)
    work_parent = root / "build" / "archive"
    work_parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{year}-", dir=work_parent))
    docs, site, user_dict = work / "docs", work / "site", work / "jieba_user_dict.txt"
    try:
        # generate() also writes the search dictionary where the site config says (build/…): keep the
        # site's copy as it was, and give the archive its own.
        dict_option = _search_option(raw, "jieba_dict_user")
        main_dict = root / dict_option if dict_option else None
        saved = main_dict.read_bytes() if main_dict and main_dict.is_file() else None
        try:
            status, nav = generate(str(content), str(config), jobs=jobs, only=year, docs_dir=str(docs))
            if main_dict and main_dict.is_file():
                shutil.copyfile(main_dict, user_dict)
        finally:
            if main_dict is not None:
                if saved is not None:
                    from generator.fileio import write_bytes_atomic

                    write_bytes_atomic(main_dict, saved)
                elif main_dict.is_file():
                    main_dict.unlink()
        if status:
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
        nav = [*nav, {ABOUT_TITLE: ABOUT_PAGE}]

        overrides = offline_overrides(raw, user_dict if user_dict.is_file() else None)
        try:
            _mkdocs_build(config, {**overrides, "docs_dir": str(docs), "site_dir": str(site), "strict": True, "nav": nav})
        except (MkDocsException, OSError) as exc:
            _say(f"archive aborted: MkDocs failed ({exc}); {output} was not changed")
            return 1
        _check_offline(site)

        files = _site_files(site)
        data = _data_files(content, year, root / "schema")
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


def archive(year: str | None, all_years: bool, output: str | None, content: str = "content",
            config: str = "mkdocs.yml", jobs: int | None = None) -> int:
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
        if not YEAR_DIR.match(year or ""):
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
