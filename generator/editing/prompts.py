"""The values `disclosure new` asks for: their checks, and asking for them on a terminal or not at all.

On a terminal a bad answer is explained and asked again; without one, every missing or bad value is
collected and reported at once (`UsageError`, exit status 2) naming the flag that supplies it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Callable, Optional, TextIO

from generator.errors import Refusal, UsageError
from generator.forms.rules import RESERVED_IDS
from generator.forms.scalars import ID_PATTERN, MONEY_PATTERN, YEAR_PATTERN


class NewError(Refusal):
    """A refusal (exit status 1): the file exists, the unit is missing, ..."""


def check_year(text: str) -> str:
    if not re.fullmatch(YEAR_PATTERN, text):
        raise ValueError("年度应为四位数字年份，如 2025")
    return text


def check_id(text: str) -> str:
    if not re.fullmatch(ID_PATTERN, text) or len(text) > 80:
        raise ValueError("编号只能由小写英文字母、数字和连字符组成（如 xin-xiangmu），最长 80 个字符")
    return text


def check_project_id(text: str) -> str:
    check_id(text)
    if text in RESERVED_IDS:
        raise ValueError(f"“{text}”是保留名称，请换一个项目编号")
    return text


def check_name(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValueError("名称不能为空")
    if re.search(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]", text):
        raise ValueError("名称中不能有换行、控制字符或零宽字符")
    if len(text) > 200:
        raise ValueError("名称过长（最多 200 字）")
    return text


def check_money(text: str) -> str:
    if not re.fullmatch(MONEY_PATTERN, text):
        raise ValueError("金额只能写半角数字和小数点，如 10 或 682.42")
    return text


@dataclass
class Ask:
    """How to get a value: from a prompt on a terminal, else it is collected as a usage error naming the flag."""

    interactive: bool
    ask: Optional[Callable[[str], str]] = None  # default: input(), looked up when asking
    out: Optional[TextIO] = None  # default: standard error
    #: Every missing or bad value so far (reported together by `done`).
    problems: list[str] = field(default_factory=list)
    #: Refusals so far (the unit does not exist, the file exists …), reported with the problems.
    refusals: list[str] = field(default_factory=list)

    def value(
        self,
        given: Optional[str],
        flag: str,
        label: str,
        check: Callable[[str], str],
        default: Optional[str] = None,
        hint: str = "",
    ) -> Optional[str]:
        """Return the checked value, or None (the problem is kept) when there is no terminal to ask on."""
        ask = self.ask or input
        err = self.out or sys.stderr
        if given is not None:
            try:
                return check(given)
            except NewError as exc:
                if not self.interactive:
                    self.refusals.append(str(exc))
                    return None
                print(f"{label}：{exc}", file=err)
            except ValueError as exc:
                if not self.interactive:
                    self.problems.append(f"{flag} {given!r}：{exc}")
                    return None
                print(f"{label}：{exc}", file=err)
        if not self.interactive:
            if default is not None:
                return check(default)
            self.problems.append(f"缺少 {flag}（{label}）")
            return None
        while True:
            if hint:
                print(hint, file=err)
            prompt = f"{label}" + (f" [{default}]" if default else "") + "："
            try:
                answer = ask(prompt).strip()
            except EOFError as exc:
                raise UsageError(f"缺少 {flag}（{label}）") from exc
            if not answer and default is not None:
                answer = default
            try:
                return check(answer)
            except (ValueError, NewError) as exc:
                print(f"  {exc}", file=err)

    def done(self) -> None:
        """Raise one UsageError with every problem collected (exit 2), else one NewError with the refusals (exit 1)."""
        if self.problems:
            raise UsageError(*self.problems, *self.refusals)
        if self.refusals:
            raise NewError("\n".join(self.refusals))
