"""The text of a new form, built from its layout: every part, the values given or placeholders, comments.

Each field, table row and column and indicator column is written under a Chinese comment with its printed
label (and the layout's help text). Required values are the values given or a placeholder (待填, which
`check` reports until it is replaced; an example value where the type needs one); optional parts are
written as comments; an indicator table gets one example row per 一级指标 of its taxonomy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from generator.editing.yamllayout import modeline, paragraph, printed_title, table_comment, value_kind
from generator.editing.yamlscalars import display_width, scalar, yaml_key
from generator.forms.layout import (
    FieldSpec,
    FormSpec,
    IndicatorColumn,
    IndicatorsPart,
    TablePart,
    field_spec,
    find_part,
    item_column,
    money_cell,
)

if TYPE_CHECKING:
    from generator.forms.registry import Layout

PLACEHOLDER = "待填"
#: Column at which the trailing comments start (by display width).
COMMENT_COLUMN = 34
Cell = tuple[str, ...]


def _comment_after(line: str, comment: str) -> str:
    if not comment:
        return line
    pad = max(COMMENT_COLUMN - display_width(line), 2)
    return f"{line}{' ' * pad}# {comment}"


def _help(title: str, help: Optional[str]) -> str:
    return f"{title}：{help}" if help else title


class Scaffold:
    """The text of a new form of a layout: every part, values given or placeholders, optional parts commented."""

    def __init__(self, layout: "Layout", kind: str, values: dict[str, str], amounts: Optional[dict[Cell, str]] = None) -> None:
        spec = layout.form(kind)
        assert spec is not None
        self.layout = layout
        self.kind = kind
        self.spec: FormSpec = spec
        self.model = layout.models[kind]
        self.values = values
        self.amounts = amounts or {}
        self.lines: list[str] = []

    def emit(self, line: str, comment: str = "") -> None:
        self.lines.append(_comment_after(line, comment))

    def scalar(self, text: str, path: tuple[Any, ...], flow: bool = False) -> str:
        return scalar(text, value_kind(self.spec, path), flow)

    def text(self) -> str:
        year = self.values.get("fiscal_year", "")
        self.emit(modeline(self.layout.name, self.kind))
        self.emit(f"# {printed_title(self.spec, self.values)}")
        self.emit(
            f"# 由 disclosure new {self.kind} 按表样“{self.layout.name}”生成：对照原表把所有“{PLACEHOLDER}”换成原表内容"
            "（disclosure check 会逐行提示），"
        )
        self.emit("# 原表有的可选栏目去掉行首的 # 后填写，用不到的注释行可以删除。")
        previous: Any = "start"
        for key, info in self.model.model_fields.items():
            group = paragraph(self.spec, key)
            if group != previous and previous != "start":
                self.lines.append("")
            previous = group
            part = find_part(self.spec, key)
            if part is not None and part.table is not None:
                self.table(part.table)
            elif part is not None and part.indicators is not None:
                self.indicators(part.indicators)
            elif part is not None and key != "category":
                spec = field_spec(self.spec, key)
                assert spec is not None
                self.field(spec)
            else:
                self.system(key, info.title or key, info.description or "", year)
        self.lines.append("")
        return "\n".join(self.lines)

    # ---------------------------------------------------------------- fields

    def system(self, key: str, title: str, description: str, year: str) -> None:
        given = self.values.get(key)
        if key == "category":
            names = [c.name for c in self.spec.categories]
            self.emit(f"category: {scalar(given or names[0])}", f"项目类别：{' / '.join(names)}")
        elif key in ("source", "acknowledge"):
            self.commented_system(key, year)
        elif given is not None:
            self.emit(f"{key}: {self.scalar(given, (key,))}", "" if key in ("id", "fiscal_year", "layout") else title)
        elif key == "layout":
            self.emit(f"# layout: {self.layout.name}", f"{title}：{description}")
        elif key == "order":
            self.emit("# order: 1", "在单位项目列表中的序号（可选）")
        elif key == "money_decimals":
            self.emit("# money_decimals: 2", "金额最多小数位数（原表金额有更多小数位时填写）")
        elif key == "title":
            self.emit("# title: 原表标题", description)

    def commented_system(self, key: str, year: str) -> None:
        if key == "source":
            self.emit("# source:", "原始公开文件")
            self.emit("#   title: 原始公开文件标题")
            self.emit("#   url: https://")
            self.emit(f"#   published: {year}-02-10")
        else:
            self.emit("# acknowledge:", "确认原表本身的问题（警告代码: 理由），见 CONTRIBUTING.md")
            self.emit("#   indicator-taxonomy: 原表如此，照录")

    def field_value(self, spec: FieldSpec) -> Optional[str]:
        """Return the value written for a field, or None when it is written as a comment."""
        given = self.values.get(spec.name)
        if given is not None:
            return given
        if spec.optional:
            return None
        text_like = spec.type in ("text", "longtext", "period")
        if spec.required:
            examples = {
                "money": "0",
                "number": "0",
                "year": self.values.get("fiscal_year", "2025"),
                "code": "XX",
                "date": f"{self.values.get('fiscal_year', '2025')}-01-01",
                "choice": (spec.choices or [""])[0],
            }
            return examples.get(spec.type, PLACEHOLDER)
        if text_like:
            return PLACEHOLDER
        return "" if spec.type in ("money", "number", "code", "date") else None

    def field(self, spec: FieldSpec) -> None:
        note = _help(spec.title, spec.help)
        if spec.type == "choice":
            note += f"（{' / '.join(spec.choices or [])}）"
        if spec.optional:
            note += "（原表有此栏时填写）"
        value = self.field_value(spec)
        example = value if value is not None else (spec.choices or [PLACEHOLDER])[0] if spec.type == "choice" else PLACEHOLDER
        if spec.type == "longtext":
            self.emit(f"# {note}")
            text = value if value is not None else example
            if text == PLACEHOLDER:
                text = f"{PLACEHOLDER}：{spec.title}，照录原表。"
            prefix = "" if value is not None else "# "
            self.emit(f"{prefix}{spec.name}: >-")
            self.emit(f"{prefix}  {text}")
            return
        if value is None:
            self.emit(f"# {spec.name}: {example}", note)
        else:
            self.emit(f"{spec.name}: {self.scalar(value, (spec.name,))}".rstrip(), note)

    # ---------------------------------------------------------------- tables

    def cell_value(self, table: TablePart, path: Cell, required: bool, kind: str = "money") -> str:
        if path in self.amounts:
            return self.amounts[path]
        if kind == "text":
            return PLACEHOLDER if required else ""
        return "0" if required else ""

    def table(self, table: TablePart) -> None:
        money_unit = self.values.get("money_unit", self.layout.spec.money_unit)
        sample = {
            r.name: {c.name: "" for c in table.columns if not c.optional} if table.columns else ""
            for r in table.rows
            if not r.optional
        }
        self.emit(table_comment(self.spec, table, sample, money_unit))
        prefix = "# " if table.optional else ""
        if table.optional:
            self.emit(f"# {table.name}:", "（原表有此表时填写）")
        else:
            self.emit(f"{table.name}:")
        if not table.columns:
            for row in table.rows:
                line = f"  {row.name}:"
                if row.optional:
                    self.emit(f"{prefix}  # {row.name}:", f"{row.title}（原表有此项时填写）")
                    continue
                value = self.cell_value(table, (table.name, row.name), row.required)
                self.emit(f"{prefix}{line} {self.scalar(value, (table.name, row.name))}".rstrip(), row.title)
            return
        if table.rows and table.items and table.items_first:
            self.items(table, prefix, "  items:", "    ")
        if table.rows:
            self.fixed_rows(table, prefix)
        if table.items:
            if table.rows and not table.items_first:
                self.items(table, prefix, "  items:", "    ")
            elif not table.rows:
                self.items(table, prefix, "", "  ")

    def fixed_rows(self, table: TablePart, prefix: str) -> None:
        columns = [c for c in table.columns if not c.optional]
        width = max(len(yaml_key(r.name)) for r in table.rows) + 2
        for row in table.rows:
            cells = []
            for column in columns:
                value = self.cell_value(table, (table.name, row.name, column.name), column.required, column.type)
                cells.append(f"{column.name}: {self.scalar(value, (table.name, row.name, column.name), flow=True)}")
            line = f"  {(row.name + ':').ljust(width)}{{{', '.join(cells)}}}"
            if row.optional:
                self.emit(f"{prefix}  # {line.strip()}", f"{row.title}（原表有此行时填写）")
            else:
                self.emit(prefix + line, row.title)
        optional = [c for c in table.columns if c.optional]
        if optional:
            shown = "、".join(f"“{c.title}”" for c in optional)
            names = ", ".join(f"{c.name}: 金额" if c.type == "money" else f"{c.name}: {PLACEHOLDER}" for c in optional)
            self.emit(f"{prefix}  # 原表有{shown}栏时，在各行加上 {names}")

    def items(self, table: TablePart, prefix: str, head: str, pad: str) -> None:
        if head:
            self.emit(prefix + head)
        for index, column in enumerate(table.columns):
            dash = "- " if index == 0 else "  "
            if column.optional:
                self.emit(f"{prefix}{pad}  # {column.name}:", column.title)
                continue
            value = self.item_value(table, column.name, column.required, column.type)
            self.emit(
                f"{prefix}{pad}{dash}{column.name}: {self.scalar(value, (table.name, 0, column.name))}".rstrip(), column.title
            )

    def item_value(self, table: TablePart, column: str, required: bool, kind: str) -> str:
        """An example item: text placeholders; money that keeps the layout's form sums (资金来源之和 = 年度资金总额)."""
        if kind in ("money", "number"):
            for rule in self.spec.sums:
                if f"{table.name}.{column}" in rule.parts and item_column(self.spec, f"{table.name}.{column}") is not None:
                    total = money_cell(self.spec, rule.total)
                    if total is not None and total in self.amounts:
                        return self.amounts[total]
            return "0" if required else ""
        return PLACEHOLDER if required or kind == "text" else ""

    # ---------------------------------------------------------------- indicators

    def indicators(self, part: IndicatorsPart) -> None:
        self.emit(f"# {part.title}：{' / '.join(c.title for c in part.columns)}（原样照录，如 ≥90%、536人、2025年底前）")
        prefix = "" if part.required else "# "
        self.emit(f"{prefix}{part.name}:")
        levels = [(l1, (l2s or [PLACEHOLDER])[0]) for l1, l2s in (part.taxonomy or {}).items()] or [(PLACEHOLDER, PLACEHOLDER)]
        for index, (level1, level2) in enumerate(levels):
            first = True
            for column in part.columns:
                value = self.indicator_value(column, level1, level2)
                note = _help(column.title, None) if index == 0 else ""
                if column.choices and index == 0:
                    note += f"（{' / '.join(column.choices)}）"
                if value is None:
                    if index == 0:
                        example = (column.choices or [PLACEHOLDER])[0]
                        self.emit(f"{prefix}    # {column.name}: {scalar(example)}", note + "（可选）")
                    continue
                dash = "  - " if first else "    "
                first = False
                self.emit(f"{prefix}{dash}{column.name}: {self.scalar(value, (part.name, index, column.name))}".rstrip(), note)

    def indicator_value(self, column: IndicatorColumn, level1: str, level2: str) -> Optional[str]:
        if column.role == "level1":
            return level1
        if column.role == "level2":
            return level2
        if column.optional:
            return None
        if column.choices:
            return column.choices[0] if column.required else None
        if column.role == "weight":
            return "" if not column.required else "0"
        return PLACEHOLDER
