"""The real site without a browser: ProperDocs builds the generated docs; the theme files that
test_site.py relies on are what we say they are."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import material
import pytest

ROOT = Path(__file__).resolve().parents[2]
MATERIAL_TEMPLATES = Path(material.__file__).parent / "templates"
PROPERDOCS_PIP = "pip install 'properdocs>=1.6,<1.7'"


def _files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_properdocs_builds_the_generated_docs(built_project, tmp_path):
    """`properdocs build --strict -f mkdocs.yml`, run from the project folder after the generator
    wrote build/docs (and build/jieba_user_dict.txt), builds the same pages as `disclosure build`
    does with MkDocs (which then adds the Pagefind bundle).

    Only the file lists and one page's text are compared: `disclosure build` passes its own nav (units titled
    by name) to MkDocs, whereas a plain `mkdocs build` or `properdocs build` of mkdocs.yml uses the
    auto-generated nav, so the sidebar markup differs between the two.
    """
    # find_spec, not import: only properdocs' __main__ redirects `mkdocs.*` imports, but nothing of
    # it belongs in this (MkDocs) test process.
    if importlib.util.find_spec("properdocs") is None:
        reason = f"ProperDocs is not installed ({PROPERDOCS_PIP})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"cannot run under CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    site = tmp_path / "site"  # never the session's built_project/site: the browser tests serve it
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml", "--site-dir", str(site)],
        cwd=built_project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"},
    )
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"properdocs build --strict failed:\n{output}"
    assert not re.search(r"^(WARNING|ERROR)\b", output, re.M), output

    reference = built_project / "site"
    # The Pagefind bundle is written by `disclosure build` after MkDocs (generator/site/searchindex.py);
    # Material's search is off in mkdocs.yml, so neither build has its index.
    bundle = {f for f in _files(reference) if f.startswith("pagefind/")}
    assert "pagefind/pagefind.js" in bundle
    assert _files(site) == _files(reference) - bundle
    assert not (site / "search").exists() and not (reference / "search").exists()
    page = "2025/renhe-shehui-gongzuobu/cun-ganbu-huachengbao/index.html"
    assert (site / page).read_bytes().count(b"data-pagefind-body") == 1
    assert re.sub(r'<nav class="md-nav.*?</nav>', "", (site / page).read_text(encoding="utf-8"), flags=re.S).count(
        "花城保"
    ) == re.sub(r'<nav class="md-nav.*?</nav>', "", (reference / page).read_text(encoding="utf-8"), flags=re.S).count("花城保")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<meta name="generator" content="[^"]*ProperDocs 1\.6\.', home), "not built by ProperDocs 1.6"


def test_search_override_is_material_plus_two_changes():
    """overrides/partials/search.html is Material's partial with two one-line changes (dialog
    name for screen readers, no javascript: URL); anything else must equal the installed version,
    so a Material upgrade that changes the partial fails here instead of running an outdated copy."""
    ours = (ROOT / "overrides" / "partials" / "search.html").read_text(encoding="utf-8")
    theirs = (MATERIAL_TEMPLATES / "partials" / "search.html").read_text(encoding="utf-8")
    header = re.compile(r"\A\{#-.*?-#\}\n", re.S)
    ours, theirs = header.sub("", ours), header.sub("", theirs)
    changes = [
        ('role="dialog">', """role="dialog" aria-label="{{ lang.t('search') }}">"""),
        ('<a href="javascript:void(0)" class="md-search__icon', '<a href="#" class="md-search__icon'),
    ]
    expected = theirs
    for old, new in changes:
        assert theirs.count(old) == 1, f"Material's search.html changed: {old!r}; re-copy the partial"
        expected = expected.replace(old, new)
    assert ours == expected
    assert "javascript:" not in ours


def test_vendored_axe_core_is_unmodified():
    vendor = Path(__file__).resolve().parent / "vendor" / "axe-core"
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((vendor / "axe.min.js").read_bytes()).hexdigest()
    assert f"sha256 of `axe.min.js` itself:\n`{digest}`" in readme
    version = re.search(r"\*\*axe-core (\d+\.\d+\.\d+)\*\*", readme).group(1)
    assert (vendor / "axe.min.js").read_text(encoding="utf-8").startswith(f"/*! axe v{version}\n")
    assert "Mozilla Public License" in (vendor / "LICENSE").read_text(encoding="utf-8")


def test_header_override_is_material_plus_the_pagefind_box():
    """overrides/partials/header.html is Material's partial plus two `else` lines that include the
    Pagefind search box where Material's search plugin is off; nothing else differs."""
    ours = (ROOT / "overrides" / "partials" / "header.html").read_text(encoding="utf-8")
    theirs = (MATERIAL_TEMPLATES / "partials" / "header.html").read_text(encoding="utf-8")
    header = re.compile(r"\A\{#-.*?-#\}\n", re.S)
    ours, theirs = header.sub("", ours), header.sub("", theirs)
    added = [line for line in ours.splitlines() if line not in theirs.splitlines()]
    assert added == [
        '      {% else %}{% include "partials/pagefind.html" %}',
        '    {% else %}{% include "partials/pagefind.html" %}',
    ]
    assert [line for line in ours.splitlines() if line not in added] == theirs.splitlines()
