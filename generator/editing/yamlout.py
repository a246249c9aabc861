"""Form data (nested dicts, lists and text) -> a YAML file laid out like the hand-written content files.

Used by `import-xlsx`. The output has the schema modeline, the title comment, the files' key order, flow
maps for the unit budget rows (aligned as in the shipped files), `>-` for the long texts (`goal`, `tasks`),
`|-` for multi-line text, and quotes wherever a plain scalar would be read differently (by our loader or
by other YAML tools: `'2025'` in a text field, `'-'`, `'on'`). Amounts are written exactly as given.

Every document is parsed back with the project's own loader before it is returned; if anything came back
different, the whole document is written again with every scalar double-quoted (always exact).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from generator.forms.load import _FORBIDDEN, load_text
from generator.forms.model import FORM_TITLES, MONEY_PATTERN, UNIT_FORM_TITLE, YEAR_PATTERN

Path = tuple[Any, ...]

UNIT_ORDER = (
    "id", "fiscal_year", "unit_name", "department", "money_unit", "money_decimals",
    "budget", "funding_sources", "tasks", "medium_term_tasks", "indicators", "source", "acknowledge",
)  # fmt: skip
PROJECT_ORDER = (
    "id", "fiscal_year", "order", "name", "unit_name", "department", "implementing_unit", "category",
    "attribute", "period", "contact", "money_unit", "money_decimals",
    "funding", "period_funding", "funding_sources", "goal", "medium_term_goal", "indicators", "source", "acknowledge",
)  # fmt: skip
BUDGET_ORDER = ("total", "personnel", "operating", "public_funds", "other_operating", "specific")
ROW_ORDER = ("total", "fiscal", "other", "carryover")
INDICATOR_ORDER = (
    "level1", "level2", "name", "value", "medium_term_value", "nature", "measure_unit", "weight",
    "direction", "explanation", "note", "acknowledge",
)  # fmt: skip
NESTED_ORDER = {
    "source": ("title", "url", "published"),
    "contact": ("name", "phone"),
    "period": ("start", "end"),
    "funding_sources": ("name", "amount", "acknowledge"),
    "indicators": INDICATOR_ORDER,
    "funding": ROW_ORDER,
    "budget": BUDGET_ORDER,
}

#: Top-level keys that start a new paragraph (blank line before), with the comment printed above them.
_SECTIONS = {
    "budget": "# 预算资金（{unit}）：每行 合计 = 财政资金 + 其他资金；空白单元格留空。",
    "funding": "# 项目资金（{unit}）：年度资金总额 = 财政拨款 + 其他资金",
    "tasks": None,
    "goal": None,
    "indicators": "# 绩效指标：{levels} / 指标值（包含数字及文字描述）",
    "source": None,
    "acknowledge": None,
}
#: Long texts written as folded blocks (`>-`), like the shipped files.
_FOLDED = {"tasks", "goal", "medium_term_goal", "medium_term_tasks"}
#: Which text is an amount, a year or a count (written plain when it has the model's exact form).
_MONEY_RE = re.compile(MONEY_PATTERN)
_YEAR_RE = re.compile(YEAR_PATTERN)
_COUNT_RE = re.compile(r"^[1-9][0-9]{0,5}$|^[0-6]$")
_MONEY_KEYS = {"total", "fiscal", "other", "carryover", "amount", "weight", "period_funding"}
_NUMBER_KEYS = {"fiscal_year", "start", "end", "order", "money_decimals"}

# Characters PyYAML cannot read unescaped (its reader's NON_PRINTABLE set) plus the ones our loader forbids.
_NON_PRINTABLE = re.compile("[^\x09\x0a\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PLAIN_FIRST_BAD = set("-?:,[]{}#&*!|>'\"%@` \t")
_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _ordered_keys(data: dict[str, Any], order: tuple[str, ...]) -> list[str]:
    known = [k for k in order if k in data]
    return known + [k for k in data if k not in order]


def _needs_double(text: str) -> bool:
    return bool(_NON_PRINTABLE.search(text) or _FORBIDDEN.search(text) or "\n" in text or "\\" in text)


def _double(text: str) -> str:
    """Double-quoted: exact for any text (JSON escapes are YAML escapes); invisible characters escaped."""
    out = json.dumps(text, ensure_ascii=False)
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", _FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", out))


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text[0] in _PLAIN_FIRST_BAD or _needs_double(text):
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return False
    if flow and any(c in text for c in ",[]{}"):
        return False
    if not text.isascii():
        return True  # YAML's implicit types (bool, null, numbers, dates) are all ASCII
    try:  # other YAML tools (the editor's schema check) must read it as text too
        loaded = yaml.load(f"k: {text}", Loader=_SafeLoader)
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == text


def scalar(text: str, key: Any = None, flow: bool = False) -> str:
    """Return `text` as a one-line YAML scalar (plain where that reads back the same)."""
    if text == "":
        return ""
    if key in _MONEY_KEYS and _MONEY_RE.match(text):
        return text
    if key in _NUMBER_KEYS and (_YEAR_RE.match(text) or _COUNT_RE.match(text)):
        return text
    if _plain_ok(text, flow):
        return text
    if _needs_double(text):
        return _double(text)
    return _single(text)


def _key(key: Any) -> str:
    key = str(key)
    return key if _KEY_RE.match(key) and _plain_ok(key, False) else _double(key)


class _Writer:
    def __init__(self, quote_all: bool = False) -> None:
        self.lines: list[str] = []
        self.paths: dict[Path, int] = {}
        self.quote_all = quote_all

    def scalar(self, text: str, key: Any, flow: bool = False) -> str:
        if self.quote_all:
            return _double(text) if text != "" else ""
        return scalar(text, key, flow)

    def emit(self, line: str, path: Path | None = None) -> None:
        self.lines.append(line)
        if path is not None:
            self.paths.setdefault(path, len(self.lines))

    def block_text(self, indent: int, head: str, text: str, key: Any, path: Path) -> None:
        """`key: value` with a block scalar when the text is long or has several lines."""
        pad = " " * (indent + 2)
        if not self.quote_all and text and _FORBIDDEN.search(text) is None and not _NON_PRINTABLE.search(text):
            if "\n" not in text and key in _FOLDED and text == text.strip() and "\\" not in text:
                self.emit(f"{head} >-", path)
                self.emit(pad + text)
                return
            if "\n" in text:
                body = text[:-1] if text.endswith("\n") else text
                chomp = "+" if text.endswith("\n") else "-"
                lines = body.split("\n")
                first = next((ln for ln in lines if ln.strip()), "")
                indicator = "2" if first[:1] in (" ", "\t") or any(ln[:1] == " " for ln in lines) else ""
                if not any(ln != ln.rstrip() and not ln.strip() for ln in lines):
                    self.emit(f"{head} |{indicator}{chomp}", path)
                    for ln in lines:
                        self.emit(pad + ln if ln else "")
                    return
        value = self.scalar(text, key)
        self.emit(f"{head} {value}" if value else head, path)

    def value(self, indent: int, head: str, value: Any, key: Any, path: Path) -> None:
        """Write `head` (`key:` or `- key:`) and its value."""
        if isinstance(value, str):
            self.block_text(indent, head, value, key, path)
        elif isinstance(value, dict):
            if not value:
                self.emit(f"{head} {{}}", path)
                return
            self.emit(head, path)
            self.mapping(indent + 2, value, path, NESTED_ORDER.get(key, ()))
        elif isinstance(value, list):
            if not value:
                self.emit(f"{head} []", path)
                return
            self.emit(head, path)
            self.sequence(indent + 2, value, path, key)
        elif value is None:
            self.emit(head, path)
        else:  # pragma: no cover - callers pass text only
            raise TypeError(f"unexpected {type(value).__name__} at {path}")

    def mapping(self, indent: int, data: dict[str, Any], path: Path, order: tuple[str, ...], first_prefix: str = "") -> None:
        pad = " " * indent
        for index, key in enumerate(_ordered_keys(data, order)):
            prefix = first_prefix if index == 0 and first_prefix else pad
            self.value(indent, f"{prefix}{_key(key)}:", data[key], key, path + (key,))

    def sequence(self, indent: int, items: list[Any], path: Path, key: Any) -> None:
        pad = " " * indent
        for index, item in enumerate(items):
            here = path + (index,)
            if isinstance(item, dict) and item:
                self.paths.setdefault(here, len(self.lines) + 1)
                self.mapping(indent + 2, item, here, NESTED_ORDER.get(key, ()), first_prefix=f"{pad}- ")
            else:
                self.value(indent, f"{pad}-", item, None, here)

    def budget(self, data: dict[str, Any], path: Path) -> None:
        """The unit budget as aligned flow maps, one row per line, as in the shipped files."""
        names = _ordered_keys(data, BUDGET_ORDER)
        rows = {n: data[n] for n in names}
        flowable = all(
            isinstance(r, dict) and all(isinstance(v, str) and "\n" not in v for v in r.values()) for r in rows.values()
        )
        if not flowable or self.quote_all:
            self.mapping(2, data, path, BUDGET_ORDER)
            return
        width = max(len(_key(n)) for n in names) + 2
        cells = {n: [(c, self.scalar(rows[n][c], c, flow=True)) for c in _ordered_keys(rows[n], ROW_ORDER)] for n in names}
        column_width: dict[int, int] = {}
        for items in cells.values():
            for i, (c, v) in enumerate(items):
                column_width[i] = max(column_width.get(i, 0), len(f"{_key(c)}: {v},"))
        for n in names:
            items = cells[n]
            parts = []
            for i, (c, v) in enumerate(items):
                text = f"{_key(c)}: {v}"
                parts.append(text if i == len(items) - 1 else (text + ",").ljust(column_width[i]))
            key_text = f"{_key(n)}:".ljust(width)
            self.emit(f"  {key_text}{{{' '.join(parts)}}}", path + (n,))


def _title(kind: str, data: dict[str, Any]) -> str:
    year = data.get("fiscal_year")
    year_text = f"（{year}年度）" if isinstance(year, str) and _YEAR_RE.match(year) else ""
    if kind == "unit":
        return UNIT_FORM_TITLE + year_text
    category = data.get("category")
    title = FORM_TITLES.get(category, "项目支出绩效目标申报表") if isinstance(category, str) else "项目支出绩效目标申报表"
    return title + year_text


def _render(kind: str, data: dict[str, Any], quote_all: bool) -> _Writer:
    w = _Writer(quote_all)
    w.emit(f"# yaml-language-server: $schema=../../../schema/{kind}.schema.json")
    w.emit(f"# {_title(kind, data)}".replace("\n", " "))
    order = UNIT_ORDER if kind == "unit" else PROJECT_ORDER
    money_unit = data.get("money_unit") if isinstance(data.get("money_unit"), str) else "万元"
    if money_unit not in ("万元", "元"):
        money_unit = "万元"
    indicators = data.get("indicators")
    has_name = kind == "project" or (
        isinstance(indicators, list) and any(isinstance(i, dict) and i.get("name") for i in indicators)
    )
    levels = "一级指标 / 二级指标" + (" / 三级指标" if has_name else "")
    for key in _ordered_keys(data, order):
        if key in _SECTIONS and w.lines[-1] != "":
            w.emit("")
            comment = _SECTIONS[key]
            if comment:
                w.emit(comment.format(unit=money_unit, levels=levels))
        if key == "budget" and isinstance(data[key], dict) and data[key]:
            w.emit("budget:", ("budget",))
            w.budget(data[key], ("budget",))
        else:
            w.value(0, f"{_key(key)}:", data[key], key, (key,))
    w.emit("")
    return w


def form_yaml(kind: str, data: dict[str, Any]) -> tuple[str, dict[Path, int]]:
    """Return the YAML text of a form and the line of every written path (for locating problems)."""
    writer = _render(kind, data, quote_all=False)
    text = "\n".join(writer.lines)
    if load_text(text).data != data:
        writer = _render(kind, data, quote_all=True)
        text = "\n".join(writer.lines)
    return text, writer.paths
