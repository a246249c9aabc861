"""Two snapshots of a site's content compared: which forms were added, removed, renamed or changed.

Only the units (year/unit folders) in which some file differs are parsed and compared, so a pull request
that touches one unit costs the same in a content library of any size. Every file is parsed with the same
strict loader and its layout's model, as `check` does, each side against that side's own layouts and
settings; a file that does not load is reported as such (never a traceback).
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from pydantic import ValidationError

from generator.editing.changes import Broken, Diff, FormChange, FormRef, SiteChange, UnitEffect
from generator.editing.compare import compare_forms, text_change, total_label, unit_cells
from generator.editing.gitfiles import (
    WORKTREE,
    GitError,
    UsageError,
    default_base,
    git,
    read_revision,
    read_site_revision,
    read_site_worktree,
    read_worktree,
    resolve_revision,
)
from generator.forms.discover import UNIT_FILE
from generator.forms.form import Form
from generator.forms.document import dotted
from generator.forms.load import load_bytes
from generator.forms.registry import Registry, load_registry
from generator.problems import relpath


@dataclass
class Loaded:
    """One file of one side, parsed on demand."""

    rel: str
    shown: str
    kind: str
    year: str
    unit: str
    stem: str
    raw: bytes
    form: Optional[Form] = None
    data: Any = None
    error: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        if self.kind == "unit":
            return (self.year, self.unit, "")
        return (self.year, self.unit, self.form.id if self.form is not None else self.stem)

    @property
    def title(self) -> str:
        return self.form.name if self.form is not None else ""

    def ref(self) -> FormRef:
        form = self.form
        ident = self.unit if self.kind == "unit" else (form.id if form is not None else self.stem)
        if form is None:
            return FormRef(self.shown, self.kind, self.year, self.unit, ident)
        return FormRef(
            self.shown,
            self.kind,
            self.year,
            self.unit,
            ident,
            form.name,
            form.category or "",
            form.total,
            form.money_unit,
            form.layout.name,
        )


def classify(rel: str) -> Optional[tuple[str, str, str, str]]:
    """Return (kind, year, unit, stem) for a form file at content/<year>/<unit>/<name>.yml, else None."""
    parts = rel.split("/")
    if len(parts) != 3 or not parts[2].endswith(".yml"):
        return None  # misplaced: `check` reports it; it is not a form
    year, unit, name = parts
    return ("unit" if name == UNIT_FILE else "project", year, unit, name[: -len(".yml")])


def parse(item: Loaded, registry: Registry) -> None:
    """Load one file with its layout's model; on failure set `item.error` (one line, Chinese)."""
    doc = load_bytes(item.raw, item.shown)
    if doc.problems or doc.data is None:
        first = doc.problems[0] if doc.problems else None
        more = f"（共 {len(doc.problems)} 处问题）" if len(doc.problems) > 1 else ""
        item.error = f"第 {first.line} 行：{first.message} ({first.code}){more}" if first else "无法读取"
        return
    named = doc.data.get("layout")
    layout, message = registry.resolve(item.year, named if isinstance(named, str) else None)
    if layout is not None and layout.form(item.kind) is None:
        message = f"表样“{layout.name}”没有{'整体表' if item.kind == 'unit' else '项目表'}"
        layout = None
    if layout is None:
        item.error = f"{message} (unknown-layout)"
        return
    try:
        data = layout.models[item.kind].model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        loc = dotted(tuple(errors[0]["loc"])) if errors else ""
        msg = errors[0]["msg"] if errors else ""
        item.error = f"不符合表样“{layout.name}”：{loc}：{msg}（共 {len(errors)} 处；运行 disclosure check 查看）"
        return
    item.form = Form(layout, item.kind, data)
    item.data = doc.data


def _side(files: dict[str, bytes], content: str, units: set[tuple[str, str]], registry: Registry) -> dict[str, Loaded]:
    out: dict[str, Loaded] = {}
    for rel, raw in files.items():
        where = classify(rel)
        if where is None or (where[1], where[2]) not in units:
            continue
        kind, year, unit, stem = where
        item = Loaded(rel, relpath(os.path.join(content, *rel.split("/"))), kind, year, unit, stem, raw)
        parse(item, registry)
        out[rel] = item
    return out


def _same_data(a: Loaded, b: Loaded) -> bool:
    if a.data is None or b.data is None:
        return False
    strip = lambda d: {k: v for k, v in d.items() if k != "id"}  # noqa: E731
    return strip(a.data) == strip(b.data)


def _match_renames(removed: list[Loaded], added: list[Loaded]) -> list[tuple[Loaded, Loaded, str]]:
    """Pair removed and added forms of the same kind and year that are the same form under a new path or id."""
    tests = (
        ("内容相同", lambda a, b: a.raw == b.raw),
        ("内容相同，仅编号不同", _same_data),
        ("名称相同", lambda a, b: bool(a.title) and a.title == b.title),
    )
    pairs: list[tuple[Loaded, Loaded, str]] = []
    left, right = list(removed), list(added)
    for reason, same in tests:
        for old in list(left):
            for new in right:
                if old.kind == new.kind and old.year == new.year and same(old, new):
                    pairs.append((old, new, reason))
                    left.remove(old)
                    right.remove(new)
                    break
    return pairs


def _index(items: Iterable[Loaded]) -> dict[tuple[str, str, str], Loaded]:
    out: dict[tuple[str, str, str], Loaded] = {}
    for item in sorted(items, key=lambda i: i.rel):
        key = item.key
        if key in out:  # two files claim the same id (check reports it): keep them apart by file name
            key = (item.year, item.unit, "@" + item.stem)
        out[key] = item
    return out


def _effects(old: dict[str, Loaded], new: dict[str, Loaded], units: set[tuple[str, str]]) -> list[UnitEffect]:
    by_unit: dict[tuple[str, str], dict[str, list[Loaded]]] = defaultdict(lambda: {"old": [], "new": []})
    for side, items in (("old", old), ("new", new)):
        for item in items.values():
            by_unit[(item.year, item.unit)][side].append(item)
    effects: list[UnitEffect] = []
    for where in sorted(units):
        sides = by_unit.get(where)
        if sides is None:
            continue
        unit_old = next((i for i in sides["old"] if i.kind == "unit"), None)
        unit_new = next((i for i in sides["new"] if i.kind == "unit"), None)
        if unit_old is None or unit_new is None or (unit_old.form is None and unit_new.form is None):
            continue  # a unit added, removed or moved (listed as such), or one that loads on neither side
        projects = {s: [i for i in sides[s] if i.kind == "project"] for s in ("old", "new")}
        loaded = {s: [i.form for i in projects[s] if i.form is not None] for s in ("old", "new")}
        complete = {s: all(i.form is not None for i in projects[s]) for s in ("old", "new")}
        cells = unit_cells(unit_old.form, unit_new.form, loaded["old"], loaded["new"], complete["old"], complete["new"])
        total_old = unit_old.form.total if unit_old.form is not None else None
        total_new = unit_new.form.total if unit_new.form is not None else None
        if not cells and total_old == total_new:
            continue
        shown = unit_new if unit_new.form is not None else unit_old
        assert shown.form is not None
        effects.append(
            UnitEffect(
                where[0],
                where[1],
                shown.form.unit_name,
                shown.shown,
                shown.form.money_unit,
                total_old,
                total_new,
                total_label(shown.form),
                cells,
            )
        )
    return effects


def site_registry(files: dict[str, bytes]) -> Registry:
    """Return the registry of a site whose settings and own layouts are `files` ({"layouts/x.yml": bytes, …})."""
    with tempfile.TemporaryDirectory(prefix="disclosure-diff-") as tmp:
        for rel, data in files.items():
            path = Path(tmp, *rel.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        registry = load_registry(tmp)
    for layout in registry.layouts.values():
        if not layout.builtin:
            layout.path = Path(layout.path).name
    return registry


def _site_changes(old: dict[str, bytes], new: dict[str, bytes]) -> list[SiteChange]:
    out = []
    for rel in sorted(set(old) | set(new)):
        if rel not in old:
            out.append(SiteChange("added", rel))
        elif rel not in new:
            out.append(SiteChange("removed", rel))
        elif old[rel] != new[rel]:
            out.append(SiteChange("changed", rel))
    return out


def diff_files(
    old_files: dict[str, bytes],
    new_files: dict[str, bytes],
    content: str,
    base: str,
    head: str,
    old_site: Optional[dict[str, bytes]] = None,
    new_site: Optional[dict[str, bytes]] = None,
) -> Diff:
    """Compare two snapshots of content/ ({path relative to content/: bytes}) and of the site's layouts and settings."""
    new_site = read_site_worktree(content) if new_site is None else new_site
    old_site = new_site if old_site is None else old_site
    new_registry = site_registry(new_site)
    old_registry = new_registry if old_site == new_site else site_registry(old_site)
    units: set[tuple[str, str]] = set()
    for rel in set(old_files) | set(new_files):
        if old_files.get(rel) != new_files.get(rel):
            where = classify(rel)
            if where is not None:
                units.add((where[1], where[2]))
    old = _side(old_files, content, units, old_registry)
    new = _side(new_files, content, units, new_registry)
    result = Diff(base, head, site=_site_changes(old_site, new_site))
    for side, items in (("old", old), ("new", new)):
        for item in sorted(items.values(), key=lambda i: i.rel):
            if item.error and old_files.get(item.rel) != new_files.get(item.rel):
                result.broken.append(Broken(side, item.shown, item.error))
    a, b = _index(old.values()), _index(new.values())
    pairs = [(a[k], b[k], "") for k in a if k in b]
    removed = [a[k] for k in a if k not in b]
    added = [b[k] for k in b if k not in a]
    renames = _match_renames(removed, added)
    gone = {id(o) for o, _, _ in renames} | {id(n) for _, n, _ in renames}
    for old_item, new_item, reason in pairs + renames:
        if not reason and old_item.rel != new_item.rel:
            reason = "编号相同"  # the same id in another file
        if not reason and old_item.raw == new_item.raw:
            continue
        change = FormChange(old_item.ref(), new_item.ref(), reason)
        if old_item.form is not None and new_item.form is not None:
            change.amounts, change.fields, change.indicators = compare_forms(old_item.form, new_item.form)
            content_changed = not change.empty
            if change.renamed:  # the new id is shown with the rename
                change.fields = [f for f in change.fields if f.field != "id"]
            change.text = text_change(old_item.raw, new_item.raw, content_changed, old_item.data, new_item.data)
        if change.renamed or not change.empty or change.text is not None or (old_item.form is None) != (new_item.form is None):
            result.changed.append(change)
    result.removed = [i.ref() for i in removed if id(i) not in gone]
    result.added = [i.ref() for i in added if id(i) not in gone]
    result.changed.sort(key=lambda c: c.new.path)
    result.effects = _effects(old, new, units)
    return result


def compute_diff(content: str = "content", base: str | None = None, head: str | None = WORKTREE) -> Diff:
    """Compare `base` (default: the merge base with main) with `head` (default: the working tree)."""
    root = Path(content)
    if not root.is_dir():
        raise UsageError(f"找不到内容目录：{content}")
    try:
        git(["rev-parse", "--show-toplevel"], root)
    except GitError as exc:
        raise GitError(f"内容目录 {content} 不在 git 仓库中（{exc}）") from exc
    head_sha = resolve_revision(head, root) if head is not None else ""
    if base is None:
        base_sha, base_label = default_base(root, head or "HEAD")
    else:
        base_sha = resolve_revision(base, root)
        base_label = f"{base} {base_sha[:7]}"
    old_files = read_revision(root, base_sha)
    if head is None:
        new_files, head_label = read_worktree(root), "工作区（含未提交的修改）"
        new_site = read_site_worktree(root)
    else:
        new_files, head_label = read_revision(root, head_sha), f"{head} {head_sha[:7]}"
        new_site = read_site_revision(root, head_sha) or read_site_worktree(root)
    old_site = read_site_revision(root, base_sha)
    return diff_files(old_files, new_files, str(content), base_label, head_label, old_site, new_site)
