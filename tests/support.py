"""Helpers shared by the tests: paths of the shipped project, the reference text, temporary projects.

Import these from `tests.support`; tests/conftest.py holds only fixtures (importing a conftest module
loads it a second time under another name).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


#: Test profile: "default" (quick, local runs) or "ci" (thorough; .ci/run selects it, and CI=true implies it).
#: The quick profile runs fewer property examples and skips the tests marked `slow` or `browser`.
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "default")
THOROUGH = HYPOTHESIS_PROFILE == "ci"


def examples(thorough: int) -> int:
    """Return how many examples a property test runs: `thorough` in the ci profile, a tenth (at least 20) otherwise."""
    return thorough if HYPOTHESIS_PROFILE == "ci" else max(20, thorough // 10)
