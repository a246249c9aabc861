"""What `disclosure import` reports: problems at a place in the published document, and decisions left to the editor.

A problem is printed as `file:p1/t2/r12/c3: level: message (code)` (text files: `file:L49`), escaped like
every other problem line. Codes that `check` also reports (`sum-mismatch`, `money-format` …) keep their
meaning; the codes below are the importer's own (documented in README's 问题代码 section). Every error
stops the import before anything is written; a `decision` is an error that the editor settles with a flag
(`--layout`, `--year`, `--unit-id`, `--id`, `--category`) or by fixing the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.problems import CODES, ERROR, WARNING, text_line, workflow_command

#: The importer's own codes: level, whether the editor must decide, and a one-line Chinese summary.
IMPORT_CODES: dict[str, tuple[str, bool, str]] = {
    "invalid-document": (ERROR, False, "文件无法读取（损坏、格式不支持、含 DTD 或实体、加密）"),
    "document-too-large": (ERROR, False, "文件超过导入上限（大小、页数、单元格数、解压后大小、处理时间）"),
    "needs-conversion": (ERROR, False, "需要先转换格式（.doc 在没有 LibreOffice 时）"),
    "no-form-found": (ERROR, False, "文件中没有找到绩效目标申报表"),
    "unknown-form": (ERROR, False, "表的标签与任何表样都不相符"),
    "ambiguous-layout": (ERROR, True, "几个表样同样相符，需要用 --layout 选择"),
    "unmapped-cell": (ERROR, True, "有单元格或标签没有对应到表样的任何字段（没有丢弃，需要处理）"),
    "missing-label": (WARNING, False, "表样中的标签在原表中没有找到（该项留空）"),
    "year-from-text": (WARNING, False, "原表没有年度行，年度取自标题或表头文字中的“××××年”"),
    "choose-category": (ERROR, True, "无法从标题确定项目类别，需要用 --category 选择"),
    "choose-year": (ERROR, True, "原表中没有年度，需要用 --year 指定"),
    "choose-id": (ERROR, True, "无法生成编号，或编号与已有的另一张表单重复，需要用 --unit-id / --id 指定"),
    "source-total-mismatch": (ERROR, True, "原表的合计与分项之和不符（照录原表；需要与单位核实后修改）"),
}


def level_of(code: str) -> str:
    if code in IMPORT_CODES:
        return IMPORT_CODES[code][0]
    return CODES[code][0]


def is_decision(code: str) -> bool:
    return code in IMPORT_CODES and IMPORT_CODES[code][1]


@dataclass(frozen=True, order=True)
class ImportProblem:
    """A problem at a place in a published document (`where` is `p1/t2/r12/c3`, `L49`, or blank for the file)."""

    path: str
    form: int
    where: str
    code: str
    message: str = field(compare=False)
    field: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.code not in IMPORT_CODES and self.code not in CODES:
            raise ValueError(f"undocumented problem code: {self.code}")

    @property
    def level(self) -> str:
        return level_of(self.code)

    @property
    def decision(self) -> bool:
        return is_decision(self.code)

    def format(self) -> str:
        where = f"{self.path}:{self.where}" if self.where else self.path
        return text_line(where, self.level, self.field, self.message, self.code)

    def format_github(self) -> str:
        return workflow_command(self.level, self.path, self.field, self.message, f"{self.code} {self.where}".strip())


class Refused(Exception):
    """A document that is not read at all (too large, malformed, hostile)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
