"""The offline build: the site config turned into Material's offline setup, built, then checked for remote loads.

Material's `offline` plugin (`use_directory_urls: false`, search index inlined as a script), the vendored
iframe-worker shim instead of unpkg, no site_url. jieba's tokenizer is process-global: it is reset before
each build so that words loaded by an earlier build in the same process cannot change the index.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from generator.archive.reproducible import ArchiveError

#: The vendored iframe-worker shim (overrides/, copied into the site with the theme assets). Its path
#: contains "iframe-worker", so the offline plugin does not add https://unpkg.com/iframe-worker/shim.
SHIM = "assets/javascripts/vendor/iframe-worker/shim.js"
#: Elements that make the browser load something: an absolute (http:, https:, //) address in them means
#: the archive would make a request when opened. (Plain <a href> links to the web are fine: not loaded.)
REMOTE_SRC = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed|object)\b[^>]*\b(?:src|data)\s*=\s*["']?(?:https?:)?//""", re.I
)
LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
REMOTE_HREF = re.compile(r"""\bhref\s*=\s*["']?(?:https?:)?//""", re.I)
#: <link rel> values that make the browser fetch the target.
LOADING_RELS = re.compile(
    r"""\brel\s*=\s*["']?[^"'>]*\b(?:stylesheet|preload|modulepreload|prefetch|preconnect|dns-prefetch|icon|manifest)\b""", re.I
)


def raw_config(config: Path) -> dict:
    """mkdocs.yml as plain data (MkDocs' own YAML loader: !!python/name tags, INHERIT)."""
    from mkdocs.utils.yaml import yaml_load

    with open(config, encoding="utf-8") as fh:
        return yaml_load(fh) or {}


def plugin_entries(raw: dict) -> list[tuple[str, dict]]:
    """The `plugins` of a raw config as (name, options) pairs (list or mapping form; default: search)."""
    plugins = raw.get("plugins")
    if plugins is None:
        plugins = ["search"]
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    entries: list[tuple[str, dict]] = []
    for entry in plugins:
        if isinstance(entry, str):
            entries.append((entry, {}))
        else:
            ((name, options),) = entry.items()
            entries.append((name, copy.deepcopy(options or {})))
    return entries


def search_option(raw: dict, key: str):
    for name, options in plugin_entries(raw):
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
    for name, options in plugin_entries(raw):
        names.add(name)
        if name in {"search", "material/search"}:
            # The public site switches Material's search off (it uses Pagefind, which cannot load from
            # file://): the archive always has it.
            options.pop("enabled", None)
        if name in {"search", "material/search"} and jieba_dict is not None and options.get("jieba_dict_user"):
            options["jieba_dict_user"] = str(jieba_dict)
        rebuilt.append({name: options} if options else name)
    if not names & {"offline", "material/offline"}:
        rebuilt.append("offline")
    extra = copy.deepcopy(raw.get("extra") or {})
    polyfills = [p for p in extra.get("polyfills") or [] if "iframe-worker" not in str(p)]
    extra["polyfills"] = [*polyfills, SHIM]
    return {"plugins": rebuilt, "extra": extra, "use_directory_urls": False}


def fresh_jieba() -> None:
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


def mkdocs_build(config: Path, overrides: dict) -> None:
    from mkdocs.commands.build import build

    from generator.site.build import load_mkdocs_config
    from generator.site.mkdocsrun import quiet_mkdocs, working_directory

    cfg = load_mkdocs_config(str(config), **overrides)
    # load_config ignores None overrides: unset site_url afterwards (no canonical links, empty sitemap).
    cfg["site_url"] = None
    quiet_mkdocs()
    fresh_jieba()
    with working_directory(config.resolve().parent):
        build(cfg)
    plain_search_index(Path(cfg["site_dir"]))


def plain_search_index(site: Path) -> None:
    """Rewrite Material's search index with Chinese as UTF-8 instead of \\uXXXX escapes (half the size).

    Material writes it with json.dumps' default ensure_ascii; the offline plugin copies it into
    search_index.js as `var __index = <json>`. Both files get the same data, re-serialised the same way.
    """
    import json

    folder = site / "search"
    source = folder / "search_index.json"
    if not source.is_file():
        return
    data = json.dumps(json.loads(source.read_text(encoding="utf-8")), separators=(",", ":"), ensure_ascii=False)
    source.write_text(data, encoding="utf-8")
    script = folder / "search_index.js"
    if script.is_file():
        script.write_text(f"var __index = {data}", encoding="utf-8")


def check_offline(site: Path) -> None:
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
