"""Shared fixtures: paths and a temporary copy of the shipped content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED_UNIT = CONTENT / "2025" / "renhe-shehui-gongzuobu"
#: The real disclosure the seed content was transcribed from (text extraction of the published PDF).
REFERENCE = ROOT / "tests" / "fixtures" / "2025-renhe-shehui-gongzuobu.txt"


def reference_cells() -> list[tuple[str, str]]:
    """Return the reference's non-empty table cells as (text with inner line breaks, text without them).

    In this text extraction every cell starts with a TAB; a non-empty line without one continues the cell.
    """
    cells: list[list[str]] = []
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("\t"):
            cells.append([line[1:]])
        elif line.strip() and cells:
            cells[-1].append(line)
    out = []
    for parts in cells:
        parts = [p.strip() for p in parts]
        raw = "\n".join(parts).strip()
        if raw:
            out.append((raw, "".join(parts)))
    return out


#: The seed's project ids in the order the reference prints them (their `order` field).
SEED_PROJECTS = [
    "cun-shequ-ganbu-jixiao",
    "zonghe-fuwu-zhongxin-shegong",
    "chengxiang-jiceng-zhili",
    "liangxin-gongwei-dangjian",
    "shequ-gongzuozhe-xinchou",
    "cun-ganbu-huachengbao",
    "zhiyuan-fuwu-shegong-duiwu",
    "cun-shequ-huanjie",
]


def site_settings(root: Path) -> None:
    """Write the project's disclosure.yml (the site's default layout) into a temporary site root."""
    shutil.copy(ROOT / "disclosure.yml", root / "disclosure.yml")


@pytest.fixture
def content_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a writable copy of content/ inside a temporary working directory."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    shutil.copy(ROOT / "disclosure.yml", tmp_path / "disclosure.yml")
    monkeypatch.chdir(tmp_path)
    return target


#: What a site build needs besides content/: copied into a temporary project by `built_project`.
PROJECT_FILES = ("mkdocs.yml", "disclosure.yml", "overrides", "schema", "content")


def make_project(target: Path) -> Path:
    """Copy the project files a build needs into `target` and return it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        else:
            shutil.copy2(src, target / name)
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
