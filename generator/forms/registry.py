"""Which layouts exist and which one a content file follows.

Layouts come from two places: the ones shipped with the tool (`generator/forms/layouts/*.yml`) and the
site's own (`layouts/*.yml` next to `content/`). The site's settings file `disclosure.yml` (also next to
`content/`) names the default layout, for the whole site and per fiscal year; a content file may name
another with `layout:`. Layout files are checked like content files: every problem with its line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.forms.layout import LAYOUT_NAME_PATTERN, FormSpec, LayoutFile
from generator.forms.layoutcheck import check_layout
from generator.forms.load import load_file
from generator.forms.modelerrors import schema_problems
from generator.problems import Problem, relpath

BUILTIN_DIR = Path(__file__).resolve().parent / "layouts"
SITE_LAYOUTS = "layouts"
SETTINGS_FILE = "disclosure.yml"


class Settings(BaseModel):
    """disclosure.yml: the site's default layouts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layout: Optional[str] = Field(None, pattern=LAYOUT_NAME_PATTERN, title="默认表样", description="本站表单默认使用的表样名称")
    years: dict[str, str] = Field(default_factory=dict, title="各年度的默认表样", description="年度 → 表样名称，优先于 layout")


@dataclass
class Layout:
    """A checked layout file."""

    name: str
    path: str
    spec: LayoutFile
    builtin: bool

    @cached_property
    def digest(self) -> str:
        """Return a short digest of the layout's content (names the model classes built from it)."""
        import hashlib

        return hashlib.sha256(self.spec.model_dump_json().encode()).hexdigest()[:8]

    def form(self, kind: str) -> FormSpec | None:
        """Return the unit or project form of this layout, if it has one."""
        return self.spec.unit if kind == "unit" else self.spec.project

    @cached_property
    def models(self) -> dict[str, type[BaseModel]]:
        """Return the form models derived from this layout, per kind."""
        from generator.forms.model import form_model

        return {kind: form_model(self, kind) for kind in ("unit", "project") if self.form(kind) is not None}

    def __getstate__(self) -> dict[str, Any]:
        # Worker processes rebuild the models (pydantic model classes made at run time do not pickle).
        state = dict(self.__dict__)
        state.pop("models", None)
        return state


@dataclass
class Registry:
    """Every layout a site can use, its default layouts, and what was wrong with them."""

    root: str
    layouts: dict[str, Layout] = field(default_factory=dict)
    default: str | None = None
    years: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Where the defaults are set (for messages).
    settings_path: str | None = None

    def default_for(self, year: str) -> str | None:
        """Return the layout a file of `year` follows when it names none."""
        return self.years.get(year, self.default)

    def resolve(self, year: str, named: str | None) -> tuple[Layout | None, str]:
        """Return (layout, problem message) for a file of `year` that names `named` (or nothing)."""
        name = named or self.default_for(year)
        if name is None:
            return (
                None,
                f"没有指定表样：请在文件中写 layout: <表样名称>，或在 {SETTINGS_FILE} 中设置默认表样（可用：{self.names()}）",
            )
        layout = self.layouts.get(name)
        if layout is None:
            return None, f"没有名为“{name}”的表样（可用：{self.names()}）"
        return layout, ""

    def names(self) -> str:
        return "、".join(sorted(self.layouts)) or "无"


def _layout_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.suffix == ".yml" and not p.name.startswith(".") and p.is_file() and not p.is_symlink()
    )


def load_layout(path: Path, builtin: bool) -> tuple[Layout | None, list[Problem]]:
    """Load and check one layout file; return it (None when it has errors) and its problems."""
    doc = load_file(path)
    problems = list(doc.problems)
    if doc.data is None:
        return None, problems
    try:
        spec = LayoutFile.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems + list(schema_problems(exc, doc, LayoutFile))
    for where, message in check_layout(spec):
        problems.append(doc.problem(where, "invalid-layout", message))
    name = path.stem
    if not re.match(LAYOUT_NAME_PATTERN, name):
        problems.append(Problem(doc.path, 1, 1, "invalid-layout", f"表样文件名“{path.name}”只能由小写英文字母、数字和连字符组成"))
    if problems:
        return None, problems
    return Layout(name, doc.path, spec, builtin), problems


def load_registry(root: str | os.PathLike[str]) -> Registry:
    """Load the shipped layouts, the site's own layouts and the site's default layouts under `root`."""
    root_path = Path(root)
    registry = Registry(str(root_path))
    for folder, builtin in ((BUILTIN_DIR, True), (root_path / SITE_LAYOUTS, False)):
        for path in _layout_files(folder):
            layout, problems = load_layout(path, builtin)
            registry.problems.extend(problems)
            if layout is None:
                continue
            if layout.name in registry.layouts:
                registry.problems.append(
                    Problem(
                        layout.path,
                        1,
                        1,
                        "invalid-layout",
                        f"表样“{layout.name}”与内置表样同名；请换一个文件名（可复制内置表样后修改）",
                    )
                )
                continue
            registry.layouts[layout.name] = layout
    settings = root_path / SETTINGS_FILE
    if settings.is_file() and not settings.is_symlink():
        registry.settings_path = relpath(settings)
        _load_settings(registry, settings)
    return registry


def _load_settings(registry: Registry, path: Path) -> None:
    doc = load_file(path)
    registry.problems.extend(doc.problems)
    if doc.data is None:
        return
    try:
        settings = Settings.model_validate(doc.data)
    except ValidationError as exc:
        registry.problems.extend(schema_problems(exc, doc, Settings))
        return
    registry.default = settings.layout
    registry.years = dict(settings.years)
    wanted = [(("layout",), settings.layout)] + [(("years", year), name) for year, name in settings.years.items()]
    for where, name in wanted:
        if name is not None and name not in registry.layouts:
            registry.problems.append(doc.problem(where, "unknown-layout", f"没有名为“{name}”的表样（可用：{registry.names()}）"))


_CACHE: dict[str, Registry] = {}


def registry_for(content: str | os.PathLike[str]) -> Registry:
    """Return the registry of the site whose content folder is `content` (loaded once per process)."""
    root = str(Path(content).resolve().parent)
    if root not in _CACHE:
        _CACHE[root] = load_registry(root)
    return _CACHE[root]


def forget() -> None:
    """Drop cached registries (after layout files changed, e.g. in `serve`)."""
    _CACHE.clear()
