"""Cells of one printed form -> the layout's fields, found by their printed labels.

The layout is walked in printed order. A field's label is looked for from where the previous part ended
(labels may repeat: `其他资金` twice in a two-period form), and its value is the cell to the right of the
label, else the cell below it (`中期目标 | 年度目标` over their texts), else the text after the label in the
same cell (`年初预算资金:183.58`). Labels that share a cell (`填表人: 宋云花 联系电话:…`) are split at the
next label. A money table's values follow its row labels (or sit in the next row, under the column titles);
the indicator table is read by `indicators.read_indicators`. Every cell used is marked; `leftovers` lists
the cells no field took, which the importer reports (nothing is dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from generator.forms.layout import FieldSpec, FormSpec, Part, RowSpec, TablePart, fill, item_base
from generator.importing.grid import Cell, Row, norm
from generator.importing.labels import MONEY_UNITS, find_inside, form_labels, split_label

Path = tuple[Any, ...]


@dataclass
class Note:
    """Something the mapper wants said about a cell: a problem code, a message, the field path."""

    code: str
    cell: Optional[Cell]
    message: str
    path: Path = ()


@dataclass
class Mapped:
    """A form's data as read from its cells, where each value came from, and what was not used."""

    data: dict[str, Any] = field(default_factory=dict)
    origin: dict[Path, Cell] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    leftovers: list[Cell] = field(default_factory=list)
    money_unit: Optional[str] = None


class Mapper:
    """Reads one form's rows against one form of a layout."""

    def __init__(self, rows: list[Row], spec: FormSpec, full_rows: bool) -> None:
        self.rows = rows
        self.spec = spec
        self.full_rows = full_rows
        self.used: set[int] = set()
        self.place: dict[int, tuple[int, int]] = {}
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                self.place[id(cell)] = (r, c)
        self.label_keys = {label.key for label in form_labels(spec)}
        self.cursor = (0, 0)
        self.out = Mapped()
        self.carry: dict[str, tuple[Cell, str]] = {}

    # ---------------------------------------------------------------- cells

    def use(self, *cells: Optional[Cell]) -> None:
        for cell in cells:
            if cell is not None:
                self.used.add(id(cell))
                self.cursor = max(self.cursor, self.place.get(id(cell), (0, 0)))

    def is_label(self, cell: Cell) -> bool:
        if cell.key in self.label_keys:
            return True
        key = cell.key
        return any(key[:i] in self.label_keys for i, ch in enumerate(key) if ch == ":")

    def cells_from(self, start: tuple[int, int]) -> list[Cell]:
        """Unused, non-empty cells from `start` on, then the ones before it (labels are mostly in order)."""
        after: list[Cell] = []
        before: list[Cell] = []
        for r, row in enumerate(self.rows):
            for c, cell in enumerate(row):
                if id(cell) in self.used or cell.empty:
                    continue
                (after if (r, c) >= start else before).append(cell)
        return after + before

    def find(self, label: str, start: Optional[tuple[int, int]] = None) -> Optional[tuple[Cell, Optional[str]]]:
        """Return (cell, text after the label or None when the cell is the label alone)."""
        for cell in self.cells_from(start or self.cursor):
            found = split_label(cell.text, label)
            if found is None:
                continue
            rest, colon = found
            if not rest.strip():
                return cell, None
            if colon:
                return cell, rest.strip()
        return None

    def right_of(self, cell: Cell) -> Optional[Cell]:
        r, c = self.place[id(cell)]
        row = self.rows[r]
        if c + 1 < len(row):
            nxt = row[c + 1]
            if id(nxt) not in self.used and not self.is_label(nxt):
                return nxt
        return None

    def below(self, cell: Cell) -> Optional[Cell]:
        r, c = self.place[id(cell)]
        if r + 1 >= len(self.rows):
            return None
        row = self.rows[r + 1]
        if self.full_rows:
            candidates = [x for x in row if x.col == cell.col]
        else:  # pasted text: cells merged down may be missing on the left of the row below
            at = c - max(0, len(self.rows[r]) - len(row))
            candidates = [row[at]] if 0 <= at < len(row) else []
        if not candidates and len([x for x in row if not x.empty]) == 1:
            candidates = [x for x in row if not x.empty]
        for nxt in candidates:
            if id(nxt) not in self.used and not self.is_label(nxt) and not nxt.merged:
                return nxt
        return None

    def value_of(self, cell: Cell, rest: Optional[str], allow_below: bool = True) -> tuple[str, Optional[Cell]]:
        """Return the value text of a label and the cell holding it (None when it is in the label's cell)."""
        if rest is not None:
            return rest, None
        nxt = self.right_of(cell)
        if nxt is None and allow_below:
            nxt = self.below(cell)
        if nxt is None:
            return "", None
        return nxt.text, nxt

    # ---------------------------------------------------------------- the parts

    def group(self, label: str) -> None:
        found = self.find(label)
        if found is not None and found[1] is None:
            self.use(found[0])

    def fields(self, part: Part) -> None:
        assert part.fields is not None
        specs = part.fields
        groups_done: set[str] = set()
        for index, spec in enumerate(specs):
            if spec.group and spec.group not in groups_done:
                groups_done.add(spec.group)
                self.group(spec.group)
            if spec.bare:
                continue  # lines above the title are read by the importer (they come before the title row)
            if spec.name in self.carry:
                cell, text = self.carry.pop(spec.name)
                value_cell = None
            else:
                found = self.find(spec.title)
                if found is None:
                    if not spec.optional and part.outside is None:
                        self.out.notes.append(Note("missing-label", None, f"没有找到标签“{spec.title}”，该项留空", (spec.name,)))
                    continue
                cell, rest = found
                text, value_cell = self.value_of(cell, rest, allow_below=spec.type == "longtext" or spec.group is not None)
                if value_cell is None and rest is None and spec.type == "longtext":
                    text, value_cell = self.value_of(cell, None, allow_below=True)
            text = self.split_shared(specs, index, text, cell, part.outside is not None)
            self.use(cell, value_cell)
            self.out.data[spec.name] = text
            self.out.origin[(spec.name,)] = value_cell or cell

    def split_shared(self, specs: list[FieldSpec], index: int, text: str, cell: Cell, line: bool) -> str:
        """Cut `text` at the label of the next field printed in the same cell, row or line; carry the rest to it."""
        for nxt in specs[index + 1 :]:
            if nxt.same_cell is None and not nxt.same_row and not line:
                break
            span = find_inside(text, nxt.title)
            if span is None:
                continue
            head, tail = text[: span[0]], text[span[1] :]
            if nxt.same_cell is not None:
                head = head.rstrip().removesuffix(nxt.same_cell.strip())
            self.carry[nxt.name] = (cell, tail.strip())
            return head.strip()
        return text

    def table(self, part: Part) -> None:
        table = part.table
        assert table is not None
        title = self.find_title(table)
        if title is not None:
            self.use(title)
        if table.corner:
            self.group(table.corner)
        if table.items and table.columns:
            self.items_table(table)
            return
        if not table.columns:
            self.single_column(table)
        else:
            self.with_columns(table)

    def find_title(self, table: TablePart) -> Optional[Cell]:
        for unit in MONEY_UNITS:
            found = self.find(fill(table.title, money_unit=unit))
            if found is not None and found[1] is None:
                if "{money_unit}" in table.title:
                    self.out.money_unit = unit
                return found[0]
        return None

    def find_row(self, table: TablePart, row: RowSpec) -> Optional[tuple[Cell, Optional[str]]]:
        """Find a table row's printed title (within its group); note a missing row unless it is optional."""
        if row.group:
            self.group(row.group)
        found = self.find(row.title)
        if found is None and not row.optional:
            self.out.notes.append(Note("missing-label", None, f"没有找到行“{row.title}”，该行留空", (table.name, row.name)))
        return found

    def single_column(self, table: TablePart) -> None:
        values: dict[str, str] = {}
        for row in table.rows:
            found = self.find_row(table, row)
            if found is None:
                continue
            cell, rest = found
            text, value_cell = self.value_of(cell, rest, allow_below=False)
            self.use(cell, value_cell)
            values[row.name] = text
            self.out.origin[(table.name, row.name)] = value_cell or cell
        self.out.data[table.name] = values

    def with_columns(self, table: TablePart) -> None:
        columns: list[tuple[tuple[int, int], str]] = []
        for column in table.columns:
            if column.group:
                self.group(column.group)
            found = self.find(column.title)
            if found is not None and found[1] is None:
                self.use(found[0])
                columns.append((self.place[id(found[0])], column.name))
        names = [name for _, name in sorted(columns)]
        values: dict[str, dict[str, str]] = {}
        for row in table.rows:
            found = self.find_row(table, row)
            if found is None:
                continue
            cell, _ = found
            self.use(cell)
            cells = self.row_values(cell)
            if len(cells) < len(names):
                cells = [Cell("")] * (len(names) - len(cells)) + cells
            taken = cells[len(cells) - len(names) :] if names else []
            self.use(*taken)
            values[row.name] = {name: c.text for name, c in zip(names, taken)}
            for name, c in zip(names, taken):
                self.out.origin[(table.name, row.name, name)] = c if c.text or c.row else cell
        self.out.data[table.name] = values

    def items_table(self, table: TablePart) -> None:
        """A table of item rows under its column titles (and fixed rows such as 金额合计 after them)."""
        heads: list[tuple[tuple[int, int], str]] = []
        for column in table.columns:
            found = self.find(column.title)
            if found is not None and found[1] is None:
                self.use(found[0])
                heads.append((self.place[id(found[0])], column.name))
        if not heads:
            self.out.notes.append(Note("missing-label", None, f"没有找到明细表“{table.title}”的列标题", (table.name,)))
            return
        names = [name for _, name in sorted(heads)]
        fixed = {norm(r.title) for r in table.rows}
        items: list[dict[str, str]] = []
        for r in range(max(p[0] for p, _ in heads) + 1, len(self.rows)):
            row = [c for c in self.rows[r] if id(c) not in self.used]
            first = next((c for c in row if not c.empty), None)
            if first is None:
                continue
            if self.is_label(first) or first.key in fixed or all(c.table == 0 for c in row):
                break
            cells = row[len(row) - len(names) :] if len(row) >= len(names) else [Cell("")] * (len(names) - len(row)) + row
            self.use(*(c for c in row[: len(row) - len(cells)] if c.empty), *cells)
            base = item_base(table)
            for name, cell in zip(names, cells):
                if cell.text:
                    self.out.origin[base + (len(items), name)] = cell
            items.append({name: c.text for name, c in zip(names, cells)})
        values: dict[str, Any] = {}
        for row_spec in table.rows:
            found = self.find(row_spec.title)
            if found is None:
                continue
            self.use(found[0])
            cells = self.row_values(found[0])[-len(names) :]
            self.use(*cells)
            values[row_spec.name] = {name: c.text for name, c in zip(names, cells)}
        self.out.data[table.name] = {item_base(table)[-1]: items, **values} if table.rows else items

    def row_values(self, label: Cell) -> list[Cell]:
        """The value cells of a row label: after it in its row, else the next row that holds no label."""
        r, c = self.place[id(label)]
        after = [x for x in self.rows[r][c + 1 :] if id(x) not in self.used and not self.is_label(x)]
        if after:
            return after
        for nxt in self.rows[r + 1 : r + 3]:
            if any(self.is_label(x) for x in nxt if not x.empty):
                return []
            if any(not x.empty for x in nxt):
                return [x for x in nxt if id(x) not in self.used]
        return []

    def finish(self) -> Mapped:
        self.out.leftovers = [cell for row in self.rows for cell in row if not cell.empty and id(cell) not in self.used]
        return self.out
