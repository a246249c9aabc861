"""Problems found in content: one named code each, reported as `file:line:col: level: message (code)`."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any, Iterable, TextIO

from generator.characters import escaped

ERROR = "error"
WARNING = "warning"

#: Every problem code, its level and a one-line Chinese summary (documented in README.md).
CODES: dict[str, tuple[str, str]] = {
    # Reading the file
    "file-too-large": (ERROR, "文件超过大小上限"),
    "invalid-encoding": (ERROR, "文件不是有效的 UTF-8 文本"),
    "forbidden-character": (ERROR, "含控制字符或不可见字符（零宽、双向控制、格式、私用区、未分配等 Unicode 类别）"),
    "yaml-syntax": (ERROR, "YAML 语法错误"),
    "empty-file": (ERROR, "文件为空"),
    "multiple-documents": (ERROR, "一个文件只能有一个 YAML 文档"),
    "not-a-mapping": (ERROR, "顶层必须是“键: 值”映射"),
    "duplicate-key": (ERROR, "同一映射中键重复"),
    "yaml-anchor": (ERROR, "不允许使用锚点或别名（& / *）"),
    "yaml-tag": (ERROR, "不允许使用标签（! / !!）"),
    "yaml-merge-key": (ERROR, "不允许使用合并键 <<"),
    "invalid-key": (ERROR, "键必须是简单文本"),
    "too-deep": (ERROR, "嵌套层级过深"),
    "invalid-layout": (ERROR, "表样（layout）文件有误"),
    "unknown-layout": (ERROR, "表单所用的表样不存在，或表样没有这种表"),
    "invalid-workbook": (ERROR, "Excel 工作簿无法读取或结构不符（损坏、含 XML 实体、缺少 _data 工作表、合并了数据单元格）"),
    "workbook-conflict": (ERROR, "导入的工作簿中，同一个值在可见表和隐藏的 _data 工作表中都改了且不一致"),
    "workbook-unmapped": (ERROR, "导入的工作簿中有不对应任何字段的文字（新增的行、改动的标签、新加的工作表），导入会丢失它"),
    # Fields
    "unknown-field": (ERROR, "未知字段（可能拼写错误）"),
    "missing-field": (ERROR, "缺少必填字段"),
    "wrong-type": (ERROR, "字段类型错误（如应为文本却写成列表）"),
    "invalid-choice": (ERROR, "取值不在允许范围内"),
    "invalid-value": (ERROR, "取值无效"),
    "invalid-id": (ERROR, "编号（id）必须是小写字母、数字和连字符"),
    "invalid-year": (ERROR, "年度必须是四位数字年份"),
    "money-format": (ERROR, "金额格式错误（只允许半角数字，如 682.42）"),
    "money-precision": (ERROR, "金额小数位超过允许位数"),
    # Files and identity
    "misplaced-file": (ERROR, "文件不在 content/<年度>/<单位编号>/ 目录结构中"),
    "forbidden-file": (ERROR, "content/ 中只能有目录和 .yml 表单文件（不能有符号链接、隐藏文件、特殊文件或其他文件）"),
    "empty-year": (ERROR, "年度目录中没有任何表单（无法发布这个年度）"),
    "id-mismatch": (ERROR, "文件名与 id 不一致"),
    "year-mismatch": (ERROR, "fiscal_year 与所在年度目录不一致"),
    "duplicate-id": (ERROR, "同一年度中编号重复"),
    "missing-unit": (ERROR, "表样要求整体表，但项目所在目录没有单位整体表 unit.yml"),
    "unit-mismatch": (ERROR, "项目的预算单位与单位整体表不一致"),
    # Arithmetic
    "total-mismatch": (ERROR, "合计 ≠ 财政资金 + 其他资金"),
    "sum-mismatch": (ERROR, "总额 ≠ 各分项之和"),
    "project-sum-mismatch": (ERROR, "单位表中的项目金额 ≠ 对应项目表金额之和（按表样的 cross_form 规则）"),
    # Warnings: publishable, but an editor should look
    "indicator-taxonomy": (WARNING, "指标不在标准指标体系内"),
    "value-unparsed": (WARNING, "指标值含比较符号但无法解析"),
    "placeholder-text": (WARNING, "疑似占位文字（XX、××、某某、**）"),
    "percent-over-100": (WARNING, "百分比超过 100%"),
    "percent-mismatch": (WARNING, "占比与金额算出的比例不符"),
    "value-unit-only": (WARNING, "指标值只有单位，没有数值或描述"),
    "value-unit-conflict": (WARNING, "指标值的单位与计量单位栏不一致"),
    "date-serial": (WARNING, "疑似 Excel 日期序号（如 44561），应写成日期"),
    "empty-value": (WARNING, "应填写的内容为空"),
    "missing-project-forms": (WARNING, "单位表列有该类项目金额，但没有对应的项目表"),
    "stale-acknowledgement": (WARNING, "确认（acknowledge）的警告并不存在"),
    # Site settings (mkdocs.yml), for a deploy build only
    "site-info-unset": (
        WARNING,
        "发布网站时 mkdocs.yml 的 extra.site（发布单位、联系方式、报告错误途径、数据许可、关于本站）未填写或仍是占位文字",
    ),
}


class Coded:
    """A problem with a documented code; its level (error or warning) comes from CODES."""

    code: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"undocumented problem code: {self.code}")

    @property
    def level(self) -> str:
        return CODES[self.code][0]


@dataclass(frozen=True, order=True)
class Problem(Coded):
    """One problem at a place in a file."""

    path: str
    line: int
    col: int
    code: str
    message: str = _field(compare=False)
    #: Dotted field path inside the file ("budget.total.fiscal"), for messages and acknowledgements.
    field: str = _field(default="", compare=False)
    #: The same path as a tuple, used to match acknowledgements.
    at: tuple = _field(default=(), compare=False, repr=False)

    def format(self) -> str:
        """Return the `file:line:col: level: message (code)` line (every field escaped: always one line)."""
        return text_line(f"{self.path}:{self.line}:{self.col}", self.level, self.field, self.message, self.code)

    def format_github(self) -> str:
        """Return a GitHub Actions workflow command annotating the line."""
        return workflow_command(self.level, self.path, self.field, self.message, self.code, line=self.line, col=self.col)


# --------------------------------------------------------------------------- the one reporter

TEXT, GITHUB = "text", "github"
#: `--format` choices of every command that reports problems; "auto" is GitHub's when GITHUB_ACTIONS=true.
FORMATS = ("auto", TEXT, GITHUB)
_chosen = {"format": "auto"}


def set_format(name: str | None) -> None:
    """Choose how problems are printed for the rest of the process (`--format`)."""
    _chosen["format"] = name if name in FORMATS else "auto"


def current_format() -> str:
    """Return "text" or "github": the chosen format, else GitHub's when running in GitHub Actions."""
    chosen = _chosen["format"]
    if chosen != "auto":
        return chosen
    return GITHUB if os.environ.get("GITHUB_ACTIONS") == "true" else TEXT


def report(problems: Iterable[Any], out: TextIO | None = None, fmt: str | None = None) -> None:
    """Print each problem as one escaped line; in GitHub format also as an annotation (workflow command).

    The one place check, build, archive, export and import print problems: nothing from content (paths,
    sheet names, fields, messages) reaches the log unescaped, so no line can start a workflow command.
    """
    out = out or sys.stdout
    github = (fmt or current_format()) == GITHUB
    for problem in problems:
        print(problem.format(), file=out)
        if github:
            print(problem.format_github(), file=out)


def visible(text: str) -> str:
    """Return text as one safe line: line breaks, controls and invisible characters written as escapes."""
    return escaped(text)


def safe_start(text: str) -> str:
    """Return `visible(text)` that cannot open a line as a workflow command (`::`, legacy `##[`), even trimmed."""
    text = visible(text)
    if text[:1].isspace() or text.startswith((":", "##[")):
        text = f"\\u{ord(text[0]):04x}" + text[1:]
    return text


def text_line(where: str, level: str, field: str, message: str, code: str) -> str:
    """Return `where: level: field: message (code)`, with `where` (a path first) and the rest escaped."""
    label = f"{field}: " if field else ""
    return f"{safe_start(where)}: {level}: {visible(label + message)} ({code})"


def workflow_command(level: str, path: str, field: str, message: str, title: str, line: int = 0, col: int = 0) -> str:
    """Return `::error file=…,line=…,col=…,title=…::message` with properties and data escaped for GitHub."""
    kind = "error" if level == ERROR else "warning"
    props = [("file", path)] + ([("line", str(line)), ("col", str(col))] if line else []) + [("title", title)]
    data = (f"{field}: " if field else "") + message
    return f"::{kind} " + ",".join(f"{key}={command_property(value)}" for key, value in props) + f"::{command_data(data)}"


def command_data(text: str) -> str:
    """Escape a workflow command's message: without it a newline in content starts a second command."""
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """Escape a workflow command's property value (`:` and `,` end it)."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def relpath(path: str | os.PathLike[str]) -> str:
    """Return `path` relative to the working directory when it lies below it."""
    path = os.fspath(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def summary(problems: list[Problem], acknowledged: int = 0, forms: int | None = None) -> str:
    """Return the closing line: counts of errors and warnings."""
    errors = sum(1 for p in problems if p.level == ERROR)
    warnings = len(problems) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}", f"{warnings} warning{'s' if warnings != 1 else ''}"]
    if acknowledged:
        parts.append(f"{acknowledged} acknowledged")
    head = f"{forms} form{'s' if forms != 1 else ''} checked: " if forms is not None else ""
    return head + ", ".join(parts)
