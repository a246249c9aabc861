"""Reading workbook cells as the text a content file would hold, and the problems reading reports.

`cell_text` is the one rule for every cell import reads: a formula needs its cached value, numbers become
exact decimals and are refused (not rounded) beyond the allowed places, dates become ISO dates, booleans
and error values are refused, text is taken exactly. A `SheetProblem` points at a cell:
`file.xlsx:Sheet!C7: level: message (code)`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from generator.excel.cells import ooxml_unescape
from generator.errors import Refusal
from generator.problems import Coded, text_line, workflow_command

COORD_RE = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


@dataclass(frozen=True, order=True)
class SheetProblem(Coded):
    """A problem at a cell of a workbook: `file.xlsx:Sheet!C7: level: message (code)`."""

    path: str
    sheet: str
    row: int
    col: int
    code: str
    message: str = field(compare=False)
    field: str = field(default="", compare=False)

    @property
    def where(self) -> str:
        if not self.sheet:
            return ""
        from openpyxl.utils import get_column_letter

        return f"{self.sheet}!{get_column_letter(self.col)}{self.row}"

    def format(self) -> str:
        """Return `file.xlsx:Sheet!C7: level: field: message (code)`, every part escaped (sheet names too)."""
        return text_line(
            f"{self.path}:{self.where}" if self.sheet else self.path, self.level, self.field, self.message, self.code
        )

    def format_github(self) -> str:
        """Return the GitHub annotation of the workbook file (the cell is in the title)."""
        return workflow_command(self.level, self.path, "", self.message, f"{self.code} {self.where}".strip())


def coord(ref: str) -> tuple[int, int]:
    from openpyxl.utils import column_index_from_string

    match = COORD_RE.match(ref)
    if not match:
        return 1, 1
    return int(match.group(2)), column_index_from_string(match.group(1))


class Refused(Refusal):
    """The workbook cannot be read; carries the problem."""

    def __init__(self, problem: SheetProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


# --------------------------------------------------------------------------- cells


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    total = int(value.total_seconds())  # timedelta ([h]:mm:ss)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def cell_text(fcell: Any, vcell: Any, want: str, decimals: int = 2) -> tuple[str | None, tuple[str, str] | None]:
    """Read one cell as the text the YAML file would hold: (text, None) or (None, (code, message)).

    `want` is "text", "money" or "number". Rules: a formula needs its cached value (never taken as 0);
    numbers become `Decimal(repr(float))` and are refused, not rounded, beyond `decimals` places; numbers
    stored as text go through the same strict pattern as YAML (in the model); dates become ISO dates;
    booleans and error values are refused; text is taken exactly (Excel's `_xHHHH_` escapes undone).
    """
    value = vcell.value if vcell is not None else None
    if fcell is not None and fcell.data_type == "f":
        formula = fcell.value if isinstance(fcell.value, str) else getattr(fcell.value, "text", "") or "（数组公式）"
        if value is None:
            return None, (
                "invalid-value",
                f"单元格是公式 {formula}，但文件中没有保存计算结果（不会当作 0）；请在 Excel 中打开、重新计算并保存，或直接填写数值",
            )
    if value is None:
        return "", None
    if isinstance(value, bool):
        return None, (
            "wrong-type",
            f"单元格是逻辑值 {'TRUE' if value else 'FALSE'}；这里应填写{'金额' if want == 'money' else '文本'}",
        )
    if getattr(vcell, "data_type", None) == "e":
        return None, ("invalid-value", f"单元格是错误值 {value}")
    if isinstance(value, (datetime, date, time, timedelta)):
        if want != "text":
            return None, (
                "money-format" if want == "money" else "invalid-value",
                f"单元格是日期或时间 {_iso(value)}；这里应填写{'金额' if want == 'money' else '整数'}",
            )
        return _iso(value), None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, ("money-format" if want == "money" else "invalid-value", f"单元格的数值无效（{value}）")
        if isinstance(value, int) or value.is_integer():
            return str(int(value)), None
        exact = Decimal(repr(value))
        if want == "money":
            places = -int(exact.as_tuple().exponent)
            if places > decimals:
                return None, (
                    "money-precision",
                    f"单元格中的数值 {value!r} 有 {places} 位小数，超过允许的 {decimals} 位：不会四舍五入（可能是 0.1+0.2 之类的浮点误差），请核对后重新填写",
                )
        return format(exact, "f"), None
    if isinstance(value, str):
        return ooxml_unescape(value), None
    return None, ("wrong-type", f"不支持的单元格内容（{type(value).__name__}）")
