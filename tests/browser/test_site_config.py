"""mkdocs.yml and overrides/ without a browser: what --strict catches, what is
in the nav, and that the copied/vendored theme files are what we say they are.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import material
import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.structure.nav import get_navigation
from mkdocs.utils.yaml import get_yaml_loader

from .sample_site import PAGES, UNIT, USER_DICT

ROOT = Path(__file__).resolve().parents[2]
MATERIAL_TEMPLATES = Path(material.__file__).parent / "templates"


def _config() -> dict:
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        return yaml.load(f, Loader=get_yaml_loader())


def test_only_safe_markdown_extensions():
    names = [next(iter(e)) if isinstance(e, dict) else e for e in _config()["markdown_extensions"]]
    assert set(names) <= {"tables", "toc"}, names


def test_search_plugin_options():
    plugins = _config()["plugins"]
    search = next(p["search"] for p in plugins if isinstance(p, dict) and "search" in p)
    # Off on the public site (Pagefind, generator/site/searchindex.py); the archive turns it on with
    # these options (generator/archive/offline.py).
    assert search == {"enabled": False, "lang": "zh", "jieba_dict_user": "build/jieba_user_dict.txt"}
    assert "separator" not in search


def test_nav_item_override_is_material_plus_one_change():
    """overrides/partials/nav-item.html is a copy of Material's; apart from
    the marked render_title change it must equal the installed version, so a
    Material upgrade that changes the partial fails here instead of silently
    running an outdated copy."""
    ours = (ROOT / "overrides" / "partials" / "nav-item.html").read_text(encoding="utf-8")
    theirs = (MATERIAL_TEMPLATES / "partials" / "nav-item.html").read_text(encoding="utf-8")
    header = re.compile(r"\A\{#-.*?-#\}\n", re.S)
    ours, theirs = header.sub("", ours), header.sub("", theirs)
    change = re.compile(
        r"  \{#- disclosure:.*?\{% if _title\.index %\}\n    \{\{ _title\.index\.title \}\}\n  \{% elif ",
        re.S,
    )
    assert change.search(ours), "the marked change is missing"
    assert change.sub("  {% if ", ours) == theirs


def test_vendored_iframe_worker_is_unmodified():
    vendor = ROOT / "overrides" / "assets" / "javascripts" / "vendor" / "iframe-worker"
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((vendor / "shim.js").read_bytes()).hexdigest()
    assert f"sha256 of `shim.js` itself:\n`{digest}`" in readme
    assert "iframe-worker 1.0.4" in readme
    assert "Permission is hereby granted" in (vendor / "LICENSE").read_text(encoding="utf-8")


def test_not_in_nav_keeps_project_pages_out_of_the_auto_nav(tmp_path):
    """MkDocs 1.6 builds the implicit nav only from files whose inclusion
    is_in_nav(); not_in_nav marks the project pages NOT_IN_NAV."""
    for rel, text in PAGES.items():
        target = tmp_path / "build" / "docs" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "overrides").symlink_to(ROOT / "overrides")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    nav = get_navigation(get_files(config), config)
    assert [page.file.src_uri for page in nav.pages] == [
        "index.md",
        "2025/index.md",
        f"2025/{UNIT}/index.md",
    ]


@pytest.mark.slow
def test_strict_build_fails_on_a_broken_link(tmp_path, build_site):
    pages = dict(PAGES)
    pages["2025/index.md"] += "\n- [不存在](no-such-unit/index.md)\n"
    result = build_site(tmp_path, pages, USER_DICT, check=False)
    assert result.returncode != 0
    assert "no-such-unit/index.md" in result.stderr + result.stdout


@pytest.mark.slow
def test_strict_build_fails_on_an_absolute_link(tmp_path, build_site):
    pages = dict(PAGES)
    pages["2025/index.md"] += f"\n- [绝对路径](/2025/{UNIT}/)\n"
    result = build_site(tmp_path, pages, USER_DICT, check=False)
    assert result.returncode != 0
    assert "absolute" in (result.stderr + result.stdout).lower()


@pytest.mark.slow
def test_strict_build_fails_without_the_jieba_user_dict(tmp_path, build_site):
    """Material only logs a warning for a missing jieba_dict_user (resolved
    against the working directory); --strict turns it into a failure. (With
    Material's search on, as the archive has it: mkdocs.yml has it off.)"""
    from .test_search_fix import MATERIAL_SEARCH_CONFIG

    result = build_site(
        tmp_path,
        PAGES,
        None,
        check=False,
        config_file="mkdocs.material.yml",
        extra_files={"mkdocs.material.yml": MATERIAL_SEARCH_CONFIG},
    )
    assert result.returncode != 0
    assert "jieba_dict_user" in result.stderr + result.stdout
