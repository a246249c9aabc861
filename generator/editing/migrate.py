"""`disclosure migrate`: upgrade content files written for the earlier fixed model to a layout.

Before layouts, every form followed one fixed model (`schema/unit.schema.json`, `schema/project.schema.json`).
Most of its fields have the same names in the layouts, so most files only need their `$schema` modeline
pointed at the layout's schema. Where the old model had its own shapes they are converted to the layout's:
`period: {start, end}` becomes the text of the layout's `period` field ("2023年—2025年"), `contact: {name,
phone}` goes to the layout's contact fields, the `funding_sources` list goes to the layout's table of that
name, old indicator keys (`measure_unit`, `medium_term_value` …) go to the layout's column with the same
meaning, and old money tables go to the cells the layout names as the form's totals. A field the layout has
no place for is refused, with its line, and nothing is written.

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

from pydantic import ValidationError

from generator.editing.yamlout import form_yaml, key_yaml, modeline
from generator.fileio import write_text_atomic
from generator.forms.discover import discover
from generator.forms.layout import FormSpec, field_spec, find_part
from generator.forms.load import Document, load_file, load_text
from generator.forms.registry import SETTINGS_FILE, SITE_LAYOUTS, Registry, load_registry
from generator.problems import ERROR, Problem, relpath, summary

if TYPE_CHECKING:
    from generator.forms.registry import Layout

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
Path_ = tuple[Any, ...]

_MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=\S*\s*$")

#: What the fixed model's keys were called on the printed forms (for messages about fields with no place).
OLD_LABELS = {
    "department": "主管部门", "implementing_unit": "实施单位", "attribute": "项目属性", "period": "项目期",
    "period_funding": "实施期资金总额", "contact": "项目负责人及电话", "funding_sources": "资金来源明细",
    "medium_term_goal": "中期目标", "medium_term_tasks": "中期目标", "medium_term_value": "中期指标值",
    "nature": "指标性质", "measure_unit": "度量单位", "weight": "权重", "direction": "指标方向",
    "explanation": "指标解释", "note": "备注", "name": "三级指标", "budget": "预算资金", "funding": "项目资金",
}  # fmt: skip
#: The fixed model's indicator keys and their meaning: a layout column with that role takes them
#: (`value` the first target column, `medium_term_value` the second).
OLD_INDICATOR_ROLES: dict[str, tuple[tuple[str, int], ...]] = {
    "level1": (("level1", 0),), "level2": (("level2", 0),), "name": (("level3", 0),), "value": (("target", 0),),
    "medium_term_value": (("target", 1),), "nature": (("operator", 0), ("nature", 0)), "measure_unit": (("unit", 0),),
    "weight": (("weight", 0),), "direction": (("direction", 0),),
}  # fmt: skip
#: The fixed model's money rows: columns total/fiscal/other/carryover, the layout's `totals` roles.
OLD_MONEY_COLUMNS = ("total", "fiscal", "other", "carryover")
#: The fixed unit budget's category rows (the layout's cross_form rules say where each goes).
OLD_BUDGET_ROWS = {"personnel": "人员类", "public_funds": "公用经费", "other_operating": "其他运转类", "specific": "特定目标类"}


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


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return all(_blank(v) for v in (value.values() if isinstance(value, dict) else value))
    return False


# --------------------------------------------------------------------------- converting the data


class _Converter:
    """Old plain data -> the layout's plain data, with notes and refusals (path in the old data, message)."""

    def __init__(self, layout: "Layout", kind: str) -> None:
        spec = layout.form(kind)
        assert spec is not None
        self.layout = layout
        self.kind = kind
        self.spec: FormSpec = spec
        self.fields = layout.models[kind].model_fields
        self.notes: list[str] = []
        self.refused: list[tuple[Path_, str]] = []
        #: New top-level key -> the old key it came from (where it is written in the file).
        self.origin: dict[str, str] = {}

    def refuse(self, path: Path_, what: Optional[str] = None) -> None:
        key = str(path[-1])
        label = what or OLD_LABELS.get(key, key)
        self.refused.append((path, f"表样“{self.layout.name}”没有“{label}”（{key}）这一栏，无法迁移：请用有这一栏的表样（--layout），"
                                   "或在本站表样中增加这一栏"))

    def put(self, out: dict[str, Any], key: str, value: Any, old_key: str) -> None:
        out[key] = value
        self.origin.setdefault(key, old_key)

    def convert(self, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key == "period" and isinstance(value, dict):
                self.period(out, value)
            elif key == "contact" and isinstance(value, dict):
                self.contact(out, value)
            elif key == "funding_sources" and isinstance(value, list):
                self.funding_sources(out, value)
            elif key in self.fields:
                part = find_part(self.spec, key)
                if part is not None and part.indicators is not None and isinstance(value, list):
                    self.put(out, key, self.indicators(part.indicators, value, key), key)
                else:
                    self.put(out, key, value, key)
            elif key in ("funding", "budget") and isinstance(value, dict):
                self.money_table(out, key, value)
            elif key == "indicators" and isinstance(value, list) and self.indicator_part() is not None:
                part = self.indicator_part()
                assert part is not None
                self.put(out, part.name, self.indicators(part, value, key), key)
                self.notes.append(f"indicators → {part.name}")
            elif _blank(value):
                self.notes.append(f"删除空白的 {key}")
            else:
                self.refuse((key,))
        return out

    # ---------------------------------------------------------------- the old model's own shapes

    def period(self, out: dict[str, Any], value: dict[str, Any]) -> None:
        target = field_spec(self.spec, "period")
        if target is None:
            target = next((f for p in self.spec.parts for f in p.fields or () if f.type == "period"), None)
        if target is None:
            if _blank(value):
                self.notes.append("删除空白的 period")
            else:
                self.refuse(("period",))
            return
        start, end = (str(value.get(k) or "").strip() for k in ("start", "end"))
        text = f"{start}年—{end}年" if start and end else f"{start or end}年" if start or end else ""
        self.put(out, target.name, text, "period")
        self.notes.append(f"period {{start, end}} → {target.name}: {text}")

    def contact(self, out: dict[str, Any], value: dict[str, Any]) -> None:
        """Old {name, phone} -> fields named contact_name / contact_phone, or printed as 负责人 / 电话, or one field."""
        fields = [f for p in self.spec.parts for f in p.fields or () if f.type == "text"]
        by_name = {f.name: f for f in fields}

        def printed(*words: str) -> Any:
            return next((f for f in fields if any(w in f.title for w in words)), None)

        person = by_name.get("contact_name") or printed("负责人", "联系人")
        phone = by_name.get("contact_phone") or printed("电话")
        if person is None and phone is None and "contact" in by_name:
            person = phone = by_name["contact"]
        name_text, phone_text = (str(value.get(k) or "").strip() for k in ("name", "phone"))
        wanted = [(person, name_text, "name"), (phone, phone_text, "phone")]
        if person is not None and person is phone:
            text = " ".join(t for t in (name_text, phone_text) if t)
            self.put(out, person.name, text, "contact")
            self.notes.append(f"contact {{name, phone}} → {person.name}")
            return
        for target, text, key in wanted:
            if target is not None:
                self.put(out, target.name, text, "contact")
                self.notes.append(f"contact.{key} → {target.name}")
            elif text:
                self.refuse(("contact", key), f"{'项目负责人' if key == 'name' else '联系电话'}")
        extra = [k for k in value if k not in ("name", "phone") and not _blank(value[k])]
        for key in extra:
            self.refuse(("contact", key))

    def funding_sources(self, out: dict[str, Any], items: list[Any]) -> None:
        part = find_part(self.spec, "funding_sources")
        table = part.table if part is not None else None
        if table is None or not table.items:
            if _blank(items):
                self.notes.append("删除空白的 funding_sources")
            else:
                self.refuse(("funding_sources",))
            return
        text_col = next((c.name for c in table.columns if c.name == "name"), None) or next(
            (c.name for c in table.columns if c.type == "text"), None)
        money_col = next((c.name for c in table.columns if c.name == "amount"), None) or next(
            (c.name for c in table.columns if c.type == "money"), None)
        rows = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                rows.append(item)
                continue
            row: dict[str, Any] = {}
            for key, cell in item.items():
                target = {"name": text_col, "amount": money_col}.get(key, key)
                if target is None:
                    self.refuse(("funding_sources", index, key))
                else:
                    row[target] = cell
            rows.append(row)
        self.put(out, "funding_sources", {"items": rows} if table.rows else rows, "funding_sources")
        if table.rows:
            self.notes.append("funding_sources → funding_sources.items")

    def indicator_part(self) -> Any:
        return next((p.indicators for p in self.spec.parts if p.indicators is not None), None)

    def indicators(self, part: Any, rows: list[Any], key: str) -> list[Any]:
        names = {c.name for c in part.columns}
        out = []
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                out.append(row)
                continue
            new: dict[str, Any] = {}
            for name, cell in row.items():
                if name in names or name in ("merge", "acknowledge"):
                    new[name] = cell
                    continue
                target = self.indicator_column(part, name, row)
                if target is not None:
                    new[target] = cell
                    note = f"指标 {name} → {target}"
                    if note not in self.notes:
                        self.notes.append(note)
                elif not _blank(cell):
                    self.refuse((key, index, name))
            out.append(new)
        return out

    def indicator_column(self, part: Any, old: str, row: dict[str, Any]) -> Optional[str]:
        for role, position in OLD_INDICATOR_ROLES.get(old, ()):
            columns = [c.name for c in part.columns if c.role == role]
            if len(columns) > position and columns[position] not in row:
                return columns[position]  # type: ignore[no-any-return]
        return None

    def money_table(self, out: dict[str, Any], key: str, value: dict[str, Any]) -> None:
        """An old money table the layout names differently: its amounts go to the layout's totals (and cross_form cells)."""
        rows = {"total": value} if key == "funding" else dict(value)
        for row_name, row in rows.items():
            if not isinstance(row, dict):
                if not _blank(row):
                    self.refuse((key, row_name))
                continue
            for column, amount in row.items():
                here = (key, column) if key == "funding" else (key, row_name, column)
                cell = self.money_target(row_name, column)
                if cell is None:
                    if not _blank(amount):
                        self.refuse(here, f"{OLD_LABELS[key]} {row_name}.{column}" if key == "budget" else None)
                    continue
                node = out
                for step in cell[:-1]:
                    node = node.setdefault(step, {})
                node[cell[-1]] = amount
                self.origin.setdefault(cell[0], key)
        self.notes.append(f"{key} → {'、'.join(sorted({c for c, k in self.origin.items() if k == key}))}")

    def money_target(self, row: str, column: str) -> Optional[tuple[str, ...]]:
        if column not in OLD_MONEY_COLUMNS:
            return None
        if row == "total":
            cell = self.spec.totals.get(column)  # type: ignore[call-overload]
            return tuple(cell.split(".")) if cell else None
        category = OLD_BUDGET_ROWS.get(row)
        project = self.layout.form("project")
        if category is None or project is None or self.kind != "unit":
            return None
        wanted = project.totals.get(column)  # type: ignore[call-overload]
        for rule in self.layout.spec.cross_form:
            if rule.category == category:
                for unit_cell, project_cell in rule.sums.items():
                    if project_cell == wanted:
                        return tuple(unit_cell.split("."))
        return None


@dataclass
class Conversion:
    """The data of one file in the layout's shapes, and how it got there."""

    data: dict[str, Any]
    notes: list[str]
    #: (path in the old data, message) for every field the layout has no place for.
    refused: list[tuple[Path_, str]]
    #: New top-level key -> the old key it came from (where the file writes it).
    origin: dict[str, str]


def convert_data(layout: "Layout", kind: str, data: dict[str, Any]) -> Conversion:
    """Convert old plain data to `layout`'s shapes; fields it has no place for are refused, not dropped."""
    converter = _Converter(layout, kind)
    out = converter.convert(data)
    refused = list(converter.refused)
    try:
        layout.models[kind].model_validate(out)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["type"] == "extra_forbidden":
                loc = tuple(error["loc"])
                label = OLD_LABELS.get(str(loc[-1]), loc[-1])
                refused.append((loc, f"表样“{layout.name}”没有“{label}”（{loc[-1]}）这一栏，无法迁移"))
    return Conversion(out, converter.notes, refused, converter.origin)


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
            problems.append(doc.problem(("layout",), "unknown-layout", message if layout is None else f"表样“{layout.name}”没有{what}"))
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
                    path = shown + path[len(prefix):]
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
            out.writelines(difflib.unified_diff(item.old.splitlines(keepends=True), item.new.splitlines(keepends=True),
                                                f"a/{item.shown}", f"b/{item.shown}"))
        else:
            write_text_atomic(item.path, item.new)
        print(f"{'将迁移' if dry_run else '已迁移'} {item.shown}：{'；'.join(item.notes) or '格式'}", file=out)
    unchanged = len(plans) - len(changed)
    verb = "将迁移" if dry_run else "已迁移"
    print(f"{verb} {len(changed)} 个文件，{unchanged} 个无需改动" + ("（--dry-run：没有写入任何文件）" if dry_run else ""), file=out)
    return EXIT_OK


