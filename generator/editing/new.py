"""`disclosure new unit|project`: write a new form with every field, ready to be filled in.

Required fields get the values given (flags, or answers to prompts when standard input is a terminal);
text that only the original form can supply is written as 待填, which `check` reports as a placeholder
warning at its line until the editor replaces it. Optional fields are present as comments. The file is
validated with the same loader and model as `check` before it is written; it is written atomically and an
existing file is never replaced.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Optional, TextIO

from pydantic import ValidationError

from generator.forms.load import load_file, load_text
from generator.forms.model import CATEGORIES, CATEGORY_FIELDS, ID_PATTERN, MONEY_PATTERN, YEAR_PATTERN, ProjectForm, UnitForm
from generator.problems import relpath
from generator.forms.validate import RESERVED_IDS

UNIT_FILE = "unit.yml"
PLACEHOLDER = "待填"
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class NewError(Exception):
    """A refusal (exit status 1): the file exists, the unit is missing, ..."""


class UsageError(Exception):
    """A bad or missing value without a terminal to ask on (exit status 2)."""


# --------------------------------------------------------------------------- values


def _check_year(text: str) -> str:
    if not re.fullmatch(YEAR_PATTERN, text):
        raise ValueError("年度应为四位数字年份，如 2025")
    return text


def _check_id(text: str) -> str:
    if not re.fullmatch(ID_PATTERN, text) or len(text) > 80:
        raise ValueError("编号只能由小写英文字母、数字和连字符组成（如 xin-xiangmu），最长 80 个字符")
    return text


def _check_project_id(text: str) -> str:
    _check_id(text)
    if text in RESERVED_IDS:
        raise ValueError(f"“{text}”是保留名称，请换一个项目编号")
    return text


def _check_name(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValueError("名称不能为空")
    if re.search(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]", text):
        raise ValueError("名称中不能有换行、控制字符或零宽字符")
    if len(text) > 200:
        raise ValueError("名称过长（最多 200 字）")
    return text


def _check_category(text: str) -> str:
    if text not in CATEGORIES:
        raise ValueError(f"项目类别应为：{'、'.join(CATEGORIES)}")
    return text


def _check_money(text: str) -> str:
    if not re.fullmatch(MONEY_PATTERN, text):
        raise ValueError("金额只能写半角数字和小数点，如 10 或 682.42")
    return text


@dataclass
class Ask:
    """How to get a missing value: from a prompt on a terminal, else a usage error naming the flag."""

    interactive: bool
    ask: Optional[Callable[[str], str]] = None  # default: input(), looked up when asking
    out: Optional[TextIO] = None  # default: standard error

    def value(self, given: Optional[str], flag: str, label: str, check: Callable[[str], str],
              default: Optional[str] = None, hint: str = "") -> str:
        ask = self.ask or input
        err = self.out or sys.stderr
        if given is not None:
            try:
                return check(given)
            except ValueError as exc:
                if not self.interactive:
                    raise UsageError(f"{flag} {given!r}：{exc}") from exc
                print(f"{label}：{exc}", file=err)
        if not self.interactive:
            if default is not None:
                return check(default)
            raise UsageError(f"缺少 {flag}（{label}）")
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
            except ValueError as exc:
                print(f"  {exc}", file=err)


# --------------------------------------------------------------------------- YAML text


_PLAIN = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff（）《》〈〉【】“”‘’、，。；·—…（）\u00b7 ._/+-]+")


def scalar(text: str) -> str:
    """Return `text` as a YAML scalar that reads back exactly (plain when safe, else single-quoted)."""
    if _PLAIN.fullmatch(text) and not text[0] in " -.+" and not text.endswith(" ") and "  " not in text:
        return text
    return "'" + text.replace("'", "''") + "'"


def project_text(*, year: str, id: str, name: str, unit_name: str, category: str, total: str,
                 fiscal: Optional[str], other: Optional[str], money_unit: str = "万元", order: Optional[int] = None) -> str:
    """Return a project form with every field, optional ones commented out."""
    order_line = f"order: {order}                    # 在单位项目列表中的序号（可选）" if order else "# order: 1                   # 在单位项目列表中的序号（可选）"
    return f"""# yaml-language-server: $schema=../../../schema/project.schema.json
# {category}项目支出绩效目标申报表（{year}年度）
# 由 disclosure new project 生成：对照原表把所有“{PLACEHOLDER}”换成原表内容（disclosure check 会逐行提示），
# 原表有的可选栏目去掉行首的 # 后填写，用不到的注释行可以删除。
id: {id}
fiscal_year: {year}
{order_line}
name: {scalar(name)}
unit_name: {scalar(unit_name)}
category: {category}
money_unit: {money_unit}
# money_decimals: 2            # 金额最多小数位数（原表金额有更多小数位时填写）
# department: 主管部门
# implementing_unit: 实施单位
# attribute: 新增              # 项目属性：新增 / 延续
# period: {{start: {year}, end: {int(year) + 2}}}   # 项目期（实施周期），多年项目填写
# period_funding: 30           # 实施期资金总额（多年项目）
# contact: {{name: 项目负责人, phone: 联系电话}}

# 项目资金（{money_unit}）：年度资金总额 = 财政拨款 + 其他资金；原表空白的栏留空
funding:
  total: {total}
  fiscal:{' ' + fiscal if fiscal else ''}
  other:{' ' + other if other else ''}
  # carryover:                 # 上年结转（原表有此栏时填写）

# funding_sources:             # 资金来源明细（可选），合计须等于年度资金总额
#   - name: 一般公共预算
#     amount: {total}

goal: >-
  {PLACEHOLDER}：总体目标（年度目标），照录原表。
# medium_term_goal: >-         # 中期目标（实施期目标），原表有此栏时填写
#   中期目标

# 绩效指标：一级指标 / 二级指标 / 三级指标 / 指标值（原样照录，如 ≥90%、536人、2025年底前）
indicators:
  - level1: 产出指标
    level2: 数量指标
    name: {PLACEHOLDER}
    value: {PLACEHOLDER}
    # medium_term_value: 中期指标值
    # nature: ≥                # 指标性质：≥ ≤ = > < 定量 定性
    # measure_unit: 人         # 度量单位
    # weight: 10               # 权重（分值）
    # direction: 正向          # 指标方向：正向 / 反向
    # explanation: 指标解释
    # note: 备注
  - level1: 产出指标
    level2: 质量指标
    name: {PLACEHOLDER}
    value: {PLACEHOLDER}
  - level1: 产出指标
    level2: 时效指标
    name: {PLACEHOLDER}
    value: {PLACEHOLDER}
  - level1: 产出指标
    level2: 成本指标
    name: {PLACEHOLDER}
    value: {PLACEHOLDER}
  - level1: 效益指标
    level2: 社会效益指标
    name: {PLACEHOLDER}
    value: {PLACEHOLDER}
  - level1: 满意度指标
    level2: 服务对象满意度指标
    name: {PLACEHOLDER}
    value: {PLACEHOLDER}

# source:                      # 原始公开文件
#   title: 原始公开文件标题
#   url: https://
#   published: {year}-02-10
# acknowledge:                 # 确认原表本身的问题（警告代码: 理由），见 CONTRIBUTING.md
#   indicator-taxonomy: 原表如此，照录
"""


def unit_text(*, year: str, id: str, name: str, money_unit: str = "万元") -> str:
    """Return a whole-unit form with every field, optional ones commented out."""
    rows = "\n".join(
        f"  {key + ':':<16} {{total: 0, fiscal: 0, other: }}" for key in ("total", "personnel", "public_funds", "other_operating", "specific")
    )
    return f"""# yaml-language-server: $schema=../../../schema/unit.schema.json
# 部门（单位）整体支出绩效目标申报表（{year}年度）
# 由 disclosure new unit 生成：对照原表填写预算资金各行，把所有“{PLACEHOLDER}”换成原表内容（disclosure check
# 会逐行提示）；原表有的可选栏目去掉行首的 # 后填写。
id: {id}
fiscal_year: {year}
unit_name: {scalar(name)}
money_unit: {money_unit}
# money_decimals: 2            # 金额最多小数位数
# department: 主管部门

# 预算资金（{money_unit}）：每行 合计 = 财政资金 + 其他资金；空白单元格留空。
# 年度资金总额 = 人员类 + 公用经费 + 其他运转类 + 特定目标类；各类金额须等于该类项目表之和。
budget:
{rows}
  # operating:       {{total: 0, fiscal: 0, other: }}   # 运转类项目支出小计（原表有此行时填写）
  # 某栏有上年结转时加 carryover，如 {{total: 10, fiscal: 8, other: , carryover: 2}}

# funding_sources:             # 资金来源明细（可选），合计须等于年度资金总额
#   - name: 一般公共预算
#     amount: 0

tasks: >-
  {PLACEHOLDER}：年度主要任务及拟达到的目标，照录原表。
# medium_term_tasks: >-        # 中期目标（原表有此栏时填写）
#   中期目标

# 绩效指标：一级指标 / 二级指标 / 指标值（包含数字及文字描述）
indicators:
  - level1: 基本经费
    level2: 数量指标
    value: {PLACEHOLDER}
    # name: 三级指标           # 原表有三级指标时填写
    # nature: ≥                # 指标性质：≥ ≤ = > < 定量 定性
    # note: 备注
  - level1: 项目经费
    level2: 数量指标
    value: {PLACEHOLDER}
  - level1: 效益指标
    level2: 社会效益指标
    value: {PLACEHOLDER}
  - level1: 满意度指标
    level2: 满意度指标
    value: {PLACEHOLDER}

# source:                      # 原始公开文件
#   title: 原始公开文件标题
#   url: https://
#   published: {year}-02-10
# acknowledge:                 # 确认原表本身的问题（警告代码: 理由），见 CONTRIBUTING.md
#   indicator-taxonomy: 原表如此，照录
"""


# --------------------------------------------------------------------------- writing


def write_new(path: Path, text: str) -> None:
    """Write `text` to `path` atomically; refuse (NewError) when the file exists, even if it appears meanwhile."""
    if path.exists():
        raise NewError(f"{relpath(path)} 已存在，不会覆盖")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        try:
            os.link(tmp, path)  # atomic, and fails if the name exists
        except FileExistsError as exc:
            raise NewError(f"{relpath(path)} 已存在，不会覆盖") from exc
        except OSError:  # no hard links here (some network or FAT file systems)
            if path.exists():
                raise NewError(f"{relpath(path)} 已存在，不会覆盖")
            os.replace(tmp, path)
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _validate(text: str, model: type, shown: str) -> object:
    doc = load_text(text, shown)
    if doc.problems or doc.data is None:
        raise NewError(f"生成的表单无法读取（{doc.problems[0].format() if doc.problems else '空'}）；请检查输入的名称")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise NewError(f"生成的表单不符合格式：{exc.errors(include_url=False)[0]['msg']}") from exc


def _unit_form(path: Path) -> Optional[UnitForm]:
    doc = load_file(path)
    if doc.data is None:
        return None
    try:
        return UnitForm.model_validate(doc.data)
    except ValidationError:
        return None


def _units(content: Path, year: str) -> list[str]:
    folder = content / year
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / UNIT_FILE).is_file())


def _next_order(unit_dir: Path) -> Optional[int]:
    orders = []
    for path in unit_dir.glob("*.yml"):
        if path.name == UNIT_FILE:
            continue
        doc = load_file(path)
        value = doc.data.get("order") if isinstance(doc.data, dict) else None
        if isinstance(value, str) and value.isdigit():
            orders.append(int(value))
    return max(orders) + 1 if orders else None


def _add(a: Optional[Decimal], b: Optional[Decimal]) -> Optional[Decimal]:
    if b is None or b == 0:
        return a
    return (a or Decimal(0)) + b


def unit_note(unit: UnitForm, unit_path: str, category: str, total: Decimal, fiscal: Optional[Decimal],
              other: Optional[Decimal]) -> list[str]:
    """Lines telling the editor which unit budget lines to raise so the category sum still matches."""
    budget = unit.budget
    field = CATEGORY_FIELDS[category]
    rows = [(field, getattr(budget, field), f"{category}项目")]
    if budget.operating is not None and category in ("公用经费", "其他运转类"):
        rows.append(("operating", budget.operating, "运转类项目支出（小计）"))
    rows.append(("total", budget.total, "年度资金总额"))
    lines = [f"注意：单位表 {unit_path} 的预算资金须与项目表之和一致。原表已含本项目时，请按原表核对；否则请更新："]
    for name, row, label in rows:
        parts = []
        for column, column_label, amount in (("total", "合计", total), ("fiscal", "财政资金", fiscal), ("other", "其他资金", other)):
            old = getattr(row, column)
            new = _add(old, amount)
            if new != old:
                parts.append(f"{column_label} {old if old is not None else '空'} → {new}")
        if parts:
            lines.append(f"  budget.{name}（{label}）：" + "，".join(parts))
    if len(lines) == 1:
        return []
    lines.append("否则 disclosure check 会报告 project-sum-mismatch（单位表金额 ≠ 项目表之和）。")
    return lines


def new_project(content: Path, ask: Ask, *, year=None, unit=None, id=None, name=None, category=None, total=None,
                fiscal=None, other=None, out: TextIO = sys.stdout) -> int:
    year = ask.value(year, "--year", "预算年度", _check_year)
    units = _units(content, year)

    def check_unit(text: str) -> str:
        _check_id(text)
        if text not in units:
            raise ValueError(
                f"{year} 年度没有单位“{text}”" + (f"（已有：{'、'.join(units)}）" if units else "")
                + "；新单位请先运行 disclosure new unit"
            )
        return text

    if unit is None and not ask.interactive:
        raise UsageError("缺少 --unit（单位编号，即 content/<年度>/ 下的目录名）")
    if unit is not None and not ask.interactive:
        try:
            check_unit(unit)
        except ValueError as exc:
            raise NewError(str(exc)) from exc
    unit = ask.value(unit, "--unit", "单位编号", check_unit, default=units[0] if len(units) == 1 else None,
                     hint=f"{year} 年度的单位：{'、'.join(units)}" if units else "")
    unit_dir = content / year / unit
    unit_path = unit_dir / UNIT_FILE
    form = _unit_form(unit_path)
    if form is None:
        raise NewError(f"单位表 {relpath(unit_path)} 无法读取或有错误；请先运行 disclosure check 修正")

    taken = {p.stem: p for p in (content / year).glob("*/*.yml") if p.name != UNIT_FILE}

    def check_new_id(text: str) -> str:
        _check_project_id(text)
        if text in taken:
            raise ValueError(f"项目编号“{text}”在 {year} 年度已被 {relpath(taken[text])} 使用")
        return text

    if id is not None and not ask.interactive and id in taken:
        raise NewError(f"{relpath(taken[id])} 已存在，不会覆盖" if taken[id].parent == unit_dir
                       else f"项目编号“{id}”在 {year} 年度已被 {relpath(taken[id])} 使用")
    id = ask.value(id, "--id", "项目编号（小写英文、数字、连字符，决定网址）", check_new_id)
    name = ask.value(name, "--name", "项目名称", _check_name)
    category = ask.value(category, "--category", "项目类别", _check_category, hint=f"类别：{'、'.join(CATEGORIES)}")
    total = ask.value(total, "--total", f"年度资金总额（{form.money_unit}）", _check_money)
    if fiscal is not None:
        fiscal = ask.value(fiscal, "--fiscal", "财政拨款", _check_money)
    if other is not None:
        other = ask.value(other, "--other", "其他资金", _check_money)
    t = Decimal(total)
    if fiscal is None:
        f_amount = t - Decimal(other or 0)
        if f_amount < 0:
            raise UsageError(f"其他资金 {other} 大于年度资金总额 {total}")
        fiscal = format(f_amount, "f")
    if Decimal(fiscal) + Decimal(other or 0) != t:
        raise UsageError(f"年度资金总额 {total} ≠ 财政拨款 {fiscal} + 其他资金 {other or 0}")

    path = unit_dir / f"{id}.yml"
    text = project_text(year=year, id=id, name=name, unit_name=form.unit_name, category=category, total=total,
                        fiscal=fiscal, other=other, money_unit=form.money_unit, order=_next_order(unit_dir))
    made = _validate(text, ProjectForm, relpath(path))
    assert made.name == name and made.funding.total == t  # the text reads back as given
    write_new(path, text)
    print(f"已创建 {relpath(path)}（{category}项目“{name}”，{total} {form.money_unit}）", file=out)
    print("下一步：对照原表填写所有“待填”处，然后运行 disclosure check。", file=out)
    note = unit_note(form, relpath(unit_path), category, t, Decimal(fiscal) if fiscal else None,
                     Decimal(other) if other else None)
    if note:
        print("\n".join(note), file=out)
    return EXIT_OK


def new_unit(content: Path, ask: Ask, *, year=None, id=None, name=None, out: TextIO = sys.stdout) -> int:
    year = ask.value(year, "--year", "预算年度", _check_year)
    existing = {p.parent.name: p for p in (content / year).glob(f"*/{UNIT_FILE}")}
    if id is not None and not ask.interactive and id in existing:
        raise NewError(f"{relpath(existing[id])} 已存在，不会覆盖")

    def check_new_id(text: str) -> str:
        _check_id(text)
        if text in existing:
            raise ValueError(f"{relpath(existing[text])} 已存在")
        return text

    id = ask.value(id, "--id", "单位编号（小写英文、数字、连字符，决定网址，如 renhe-shehui-gongzuobu）", check_new_id)
    name = ask.value(name, "--name", "预算单位名称", _check_name)
    path = content / year / id / UNIT_FILE
    text = unit_text(year=year, id=id, name=name)
    made = _validate(text, UnitForm, relpath(path))
    assert made.unit_name == name
    write_new(path, text)
    print(f"已创建 {relpath(path)}（{name}，{year} 年度）", file=out)
    print("下一步：对照原表填写预算资金各行（现为 0）和所有“待填”处，然后用 disclosure new project 逐个添加项目表，"
          "最后运行 disclosure check。", file=out)
    return EXIT_OK


def run(kind: str, content: str = "content", interactive: Optional[bool] = None, out: TextIO | None = None,
        **values: Optional[str]) -> int:
    """The `disclosure new` command: 0 written, 1 refused (exists, missing unit), 2 bad or missing values."""
    out = out or sys.stdout
    if interactive is None:
        try:
            interactive = sys.stdin is not None and sys.stdin.isatty()
        except (AttributeError, OSError, ValueError):
            interactive = False
    root = Path(content)
    ask = Ask(interactive)
    try:
        if not root.is_dir():
            raise UsageError(f"找不到内容目录：{content}")
        if kind == "unit":
            unused = [f"--{k}" for k in ("unit", "category", "total", "fiscal", "other") if values.get(k) is not None]
            if unused:
                raise UsageError(f"new unit 不使用 {' '.join(unused)}")
            return new_unit(root, ask, year=values.get("year"), id=values.get("id"), name=values.get("name"), out=out)
        return new_project(root, ask, out=out, **{k: values.get(k) for k in
                                                  ("year", "unit", "id", "name", "category", "total", "fiscal", "other")})
    except UsageError as exc:
        print(f"disclosure new: 错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except NewError as exc:
        print(f"disclosure new: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("\n已取消，没有写入任何文件", file=sys.stderr)
        return 130
