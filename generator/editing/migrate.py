"""`disclosure migrate`: upgrade content files written for the earlier fixed model to a layout.

Before layouts, every form followed one fixed model (`schema/unit.schema.json`, `schema/project.schema.json`).
Most of its fields have the same names in the layouts, so most files only need their `$schema` modeline
pointed at the layout's schema. Where the old model had its own shapes they are converted to the layout's:
`period: {start, end}` becomes the text of the layout's `period` field ("2023年—2025年"), `contact: {name,
phone}` goes to the layout's contact fields, the `funding_sources` list goes to the layout's table of that
name, old indicator keys (`measure_unit`, `medium_term_value` …) go to the layout's column with the same
meaning, and old money tables go to the cells the layout names as the form's totals. A field the layout has
no place for is refused, with its line, and nothing is written (the conversion itself is `oldmodel`).

Only the parts of a file that change are rewritten (in the shipped files' style, see `yamlout`); comments
and the rest of the text stay as they are. Every migrated file is checked, together with the rest of the
content, before anything is written; files are written atomically; running it again changes nothing.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TextIO

from generator.editing.oldmodel import convert_data
from generator.editing.yamllayout import modeline
from generator.editing.yamlout import form_yaml, key_yaml
from generator.fileio import write_text_atomic
from generator.forms.discover import discover
from generator.forms.document import Document
from generator.forms.load import load_file, load_text
from generator.forms.registry import SETTINGS_FILE, SITE_LAYOUTS, Registry, load_registry
from generator.problems import ERROR, Problem, relpath, summary

if TYPE_CHECKING:
    from generator.forms.registry import Layout

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
Path_ = tuple[Any, ...]

_MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=\S*\s*$")


@dataclass
class Planned:
    """One content file: its text now, the text it gets, and why."""

    path: Path
    shown: str
    kind: str
    year: str
    old: str
    new: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.new != self.old


# --------------------------------------------------------------------------- rewriting the text


def _key_ranges(doc: Document, lines: list[str]) -> dict[str, tuple[int, int]]:
    """Return top-level key -> (first, last) 0-based line of its entry (comments and blank lines after it excluded)."""
    starts = sorted((doc.mark((key,), prefer_key=True).line - 1, key) for key in doc.data)
    ranges: dict[str, tuple[int, int]] = {}
    for index, (start, key) in enumerate(starts):
        end = starts[index + 1][0] - 1 if index + 1 < len(starts) else len(lines) - 1
        while end > start and (not lines[end].strip() or lines[end].startswith("#")):
            end -= 1
        ranges[key] = (start, end)
    return ranges


def rewrite(text: str, doc: Document, layout: "Layout", kind: str, new: dict[str, Any], origin: dict[str, str]) -> str:
    """Return `text` with its modeline pointed at the layout's schema and only the changed top-level keys rewritten."""
    old = doc.data
    lines = text.split("\n")
    ranges = _key_ranges(doc, lines)
    replaced: dict[str, list[str]] = {}
    for key in old:
        made = [k for k, o in origin.items() if o == key]
        if made == [key] and new.get(key) == old[key]:
            continue
        replaced[key] = [line for k in made for line in key_yaml(layout, kind, k, new[k])]
    loose = [k for k in new if k not in origin]  # added keys (layout): after the header comments
    out: list[str] = []
    index = 0
    while index < len(lines):
        key = next((k for k, (start, _) in ranges.items() if start == index and k in replaced), None)
        if key is not None:
            out.extend(replaced[key])
            index = ranges[key][1] + 1
            continue
        out.append(lines[index])
        index += 1
    head = 1 if out and _MODELINE.match(out[0]) else 0
    if head:
        out[0] = modeline(layout.name, kind)
    else:
        out.insert(0, modeline(layout.name, kind))
    first_key = next((i for i, line in enumerate(out) if i > 0 and line and not line.startswith("#")), len(out))
    for key in reversed(loose):
        out[first_key:first_key] = key_yaml(layout, kind, key, new[key])
    result = "\n".join(out)
    back = load_text(result)
    if back.problems or back.data != new:
        return form_yaml(layout, kind, new)[0]  # the splice did not read back the same: write the whole file
    return result


# --------------------------------------------------------------------------- the command


def _target(registry: Registry, year: str, named: Any, override: Optional[str]) -> tuple[Optional["Layout"], str]:
    if override:
        return registry.layouts.get(override), override
    layout, message = registry.resolve(year, named if isinstance(named, str) else None)
    return layout, message


def plan(content: Path, registry: Registry, override: Optional[str] = None) -> tuple[list[Planned], list[Problem]]:
    """Work out every file's new text; return the plans and the problems that forbid writing them."""
    files, problems = discover(content)
    plans: list[Planned] = []
    for ff in files:
        doc = load_file(ff.path)
        if doc.data is None:
            problems.extend(doc.problems)
            continue
        text = doc.text
        layout, message = _target(registry, ff.year, doc.data.get("layout"), override)
        if layout is None or layout.form(ff.kind) is None:
            what = "整体表" if ff.kind == "unit" else "项目表"
            problems.append(
                doc.problem(("layout",), "unknown-layout", message if layout is None else f"表样“{layout.name}”没有{what}")
            )
            continue
        item = Planned(Path(ff.path), ff.path, ff.kind, ff.year, text)
        done = convert_data(layout, ff.kind, doc.data)
        for where, msg in done.refused:
            problems.append(doc.problem(where, "unknown-field", msg, prefer_key=True))
        if done.refused:
            continue
        notes = list(done.notes)
        if layout.name != registry.default_for(ff.year) and done.data.get("layout") != layout.name:
            done.data = {"layout": layout.name, **{k: v for k, v in done.data.items() if k != "layout"}}
            notes.append(f"layout: {layout.name}")
        item.new = rewrite(text, doc, layout, ff.kind, done.data, done.origin)
        if text.split("\n", 1)[0] != modeline(layout.name, ff.kind):
            notes.insert(0, f"$schema → {modeline(layout.name, ff.kind).split('=', 1)[1]}")
        item.notes = notes
        plans.append(item)
    return plans, problems


def check_planned(content: Path, plans: list[Planned]) -> list[Problem]:
    """Check the whole content as it will be after migration (in a temporary copy); return its errors."""
    from generator.forms.registry import forget
    from generator.forms.validate import check_content

    with tempfile.TemporaryDirectory(prefix="disclosure-migrate-") as tmp:
        root = Path(tmp)
        shutil.copytree(content, root / "content", symlinks=True)
        site = content.resolve().parent
        if (site / SETTINGS_FILE).is_file():
            shutil.copy2(site / SETTINGS_FILE, root / SETTINGS_FILE)
        if (site / SITE_LAYOUTS).is_dir():
            shutil.copytree(site / SITE_LAYOUTS, root / SITE_LAYOUTS)
        for item in plans:
            rel = item.path.resolve().relative_to(content.resolve())
            (root / "content" / rel).write_text(item.new, encoding="utf-8")
        result = check_content(root / "content", jobs=1, keep_forms=False)
        forget()
        shown_content = relpath(content)
        errors = []
        for problem in result.errors:
            path = problem.path
            for prefix, shown in ((str(root / "content"), shown_content), (str(root), relpath(site))):
                if path.startswith(prefix):
                    path = shown + path[len(prefix) :]
                    break
            errors.append(dataclasses.replace(problem, path=path))
        return errors


def migrate(content: str = "content", layout: Optional[str] = None, dry_run: bool = False, out: Optional[TextIO] = None) -> int:
    """The `disclosure migrate` command: 0 done (or nothing to do), 1 refused, 2 usage errors."""
    out = out or sys.stdout
    root = Path(content)
    if not root.is_dir():
        print(f"disclosure migrate: 错误：找不到内容目录：{content}", file=sys.stderr)
        return EXIT_USAGE
    registry = load_registry(root.resolve().parent)
    if layout is not None and layout not in registry.layouts:
        print(f"disclosure migrate: 错误：没有名为“{layout}”的表样（可用：{registry.names()}）", file=sys.stderr)
        return EXIT_USAGE
    problems = [p for p in registry.problems if p.level == ERROR]
    plans, found = plan(root, registry, layout)
    problems += found
    changed = [p for p in plans if p.changed]
    if not problems and changed:
        problems += check_planned(root, plans)
    if problems:
        for problem in sorted(problems):
            print(problem.format(), file=out)
        print(summary(problems), file=out)
        print("disclosure migrate: 未迁移：请先修正以上问题（没有写入任何文件）", file=sys.stderr)
        return EXIT_PROBLEMS
    for item in changed:
        if dry_run:
            out.writelines(
                difflib.unified_diff(
                    item.old.splitlines(keepends=True), item.new.splitlines(keepends=True), f"a/{item.shown}", f"b/{item.shown}"
                )
            )
        else:
            write_text_atomic(item.path, item.new)
        print(f"{'将迁移' if dry_run else '已迁移'} {item.shown}：{'；'.join(item.notes) or '格式'}", file=out)
    unchanged = len(plans) - len(changed)
    verb = "将迁移" if dry_run else "已迁移"
    print(
        f"{verb} {len(changed)} 个文件，{unchanged} 个无需改动" + ("（--dry-run：没有写入任何文件）" if dry_run else ""), file=out
    )
    return EXIT_OK
