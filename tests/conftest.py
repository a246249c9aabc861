"""Shared fixtures: a temporary copy of the shipped content, the shipped content built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support import CONTENT, HYPOTHESIS_PROFILE, ROOT, THOROUGH, make_project

# Property tests: a quick default profile for local runs, a thorough one for CI (HYPOTHESIS_PROFILE=ci in .ci/run).
# Tests that set max_examples scale it with tests.support.examples().
settings.register_profile("default", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.load_profile(HYPOTHESIS_PROFILE)

QUICK_SKIP = pytest.mark.skip(
    reason="quick profile: builds whole sites with MkDocs, drives Chromium or LibreOffice; "
    "run every test with HYPOTHESIS_PROFILE=ci pytest (CI does)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The quick default profile leaves out the slow tests, with a visible reason; the ci profile runs them all."""
    if THOROUGH or config.getoption("markexpr"):  # an explicit -m chooses for itself
        return
    for item in items:
        if item.get_closest_marker("slow") or item.get_closest_marker("browser"):
            item.add_marker(QUICK_SKIP)


@pytest.fixture
def content_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a writable copy of content/ inside a temporary working directory."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    shutil.copy(ROOT / "disclosure.yml", tmp_path / "disclosure.yml")
    monkeypatch.chdir(tmp_path)
    return target


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the shipped content once per test session; return the project folder (site/ inside)."""
    from generator.site.build import build_site

    project = make_project(tmp_path_factory.mktemp("project"))
    status = build_site(
        content=str(project / "content"),
        site_dir=str(project / "site"),
        config=str(project / "mkdocs.yml"),
    )
    assert status == 0, "building the shipped content failed"
    return project
