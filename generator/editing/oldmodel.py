"""The earlier fixed model's data -> a layout's data (for `disclosure migrate`).

Before layouts, every form followed one fixed model. Most of its fields have the same names in the layouts;
where the old model had its own shapes they are converted to the layout's: `period: {start, end}` becomes
the text of the layout's `period` field ("2023年—2025年"), `contact: {name, phone}` goes to the layout's
contact fields, the `funding_sources` list goes to the layout's table of that name, old indicator keys
(`measure_unit`, `medium_term_value` …) go to the layout's column with the same meaning, and old money
tables go to the cells the layout names as the form's totals. A field the layout has no place for is
refused (with its path), never dropped. The names below are the old model's, kept only to read old files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from pydantic import ValidationError

from generator.forms.layout import FormSpec, field_spec, find_part

if TYPE_CHECKING:
    from generator.forms.registry import Layout

Path_ = tuple[Any, ...]

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


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return all(_blank(v) for v in (value.values() if isinstance(value, dict) else value))
    return False


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
        self.refused.append(
            (
                path,
                f"表样“{self.layout.name}”没有“{label}”（{key}）这一栏，无法迁移：请用有这一栏的表样（--layout），"
                "或在本站表样中增加这一栏",
            )
        )

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
            (c.name for c in table.columns if c.type == "text"), None
        )
        money_col = next((c.name for c in table.columns if c.name == "amount"), None) or next(
            (c.name for c in table.columns if c.type == "money"), None
        )
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
                return columns[position]
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
