"""Which cells of a unit's form grow when a project form is added: the layout's cross_form cells and the sums over them."""

from __future__ import annotations

from decimal import Decimal

from generator.forms.form import Form
from generator.forms.layout import cell_title, find_part, money_cell

Cell = tuple[str, ...]


def unit_additions(unit: Form, project: Form) -> dict[Cell, Decimal]:
    """Return unit cell -> amount the new project adds to it: its cross_form cells, then the unit's own sums."""
    spec = unit.spec
    delta: dict[Cell, Decimal] = {}
    for cross in unit.layout.spec.cross_form:
        if cross.category is not None and cross.category != project.category:
            continue
        for unit_cell, project_cell in cross.sums.items():
            amount = project.cell(project_cell)
            path = money_cell(spec, unit_cell)
            if amount and path is not None:
                delta[path] = delta.get(path, Decimal(0)) + amount
    equations: list[tuple[Cell, list[Cell]]] = []
    for table, _data in unit.tables():
        for rule in table.sums:
            if not table.columns:
                equations.append(((table.name, rule.total), [(table.name, p) for p in rule.parts if p != "items"]))
            elif rule.each == "column":
                for column in table.columns:
                    equations.append(
                        (
                            (table.name, rule.total, column.name),
                            [(table.name, p, column.name) for p in rule.parts if p != "items"],
                        )
                    )
            elif rule.each == "row":
                for row in table.rows:
                    equations.append(((table.name, row.name, rule.total), [(table.name, row.name, p) for p in rule.parts]))
    for form_sum in spec.sums:
        total = money_cell(spec, form_sum.total)
        parts = [p for p in (money_cell(spec, c) for c in form_sum.parts) if p is not None]
        if total is not None:
            equations.append((total, parts))

    def present(cell: Cell) -> bool:  # an optional row the unit form does not have is not raised
        return len(cell) != 3 or unit.get(cell[:2]) is not None

    changed = True
    while changed:  # a total grows with its parts (运转类小计, 年度资金总额), unless the rules already set it
        changed = False
        for total, parts in equations:
            moved = [delta[p] for p in parts if p in delta]
            if total not in delta and moved and present(total):
                delta[total] = sum(moved, Decimal(0))
                changed = True
    return {cell: amount for cell, amount in delta.items() if present(cell)}


def unit_note(unit: Form, unit_path: str, project: Form) -> list[str]:
    """Lines telling the editor which unit cells to raise so that the layout's sums still hold."""
    additions = unit_additions(unit, project)
    if not additions:
        return []
    rows: dict[Cell, list[str]] = {}
    for cell, amount in additions.items():
        old = unit.get(cell)
        new = (old or Decimal(0)) + amount
        part = find_part(unit.spec, cell[0])
        table = part.table if part is not None else None
        if table is not None and table.columns and len(cell) == 3:
            column = next(c for c in table.columns if c.name == cell[2])
            rows.setdefault(cell[:2], []).append(f"{column.short or column.title} {old if old is not None else '空'} → {new}")
        else:
            rows.setdefault(cell, []).append(f"{old if old is not None else '空'} → {new}")
    lines = [
        f"注意：单位表 {unit_path} 的金额须与项目表之和一致（表样“{unit.layout.name}”的合计关系）。原表已含本项目时，请按原表核对；否则请更新："
    ]
    for where, changes in rows.items():
        label = cell_title(unit.spec, where) or ".".join(where)
        lines.append(f"  {'.'.join(where)}（{label}）：" + "，".join(changes))
    lines.append("否则 disclosure check 会报告 project-sum-mismatch（单位表金额 ≠ 项目表之和）。")
    return lines
