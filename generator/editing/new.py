"""`disclosure new unit|project`: write a new form of a layout with every part, ready to be filled in.

The form is built from the layout: every field, every table with its rows and columns, one example
indicator row per 一级指标 of the taxonomy, each under a Chinese comment with its printed label (and the
layout's help text). Required values get the values given (flags, or answers to prompts when standard
input is a terminal); text only the original form can supply is written as 待填, which `check` reports as a
placeholder warning at its line until the editor replaces it; optional fields are written as comments.
Without a terminal, every missing or bad argument is reported at once.

The file is validated with the same loader, model and rules as `check` before it is written; it is
written atomically and an existing file is never replaced. For a project, the unit cells that must grow
by its amounts (the layout's `cross_form` rules and the unit table's own sums) are printed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Optional, TextIO

from pydantic import ValidationError

from generator.editing.additions import unit_note
from generator.errors import UsageError
from generator.editing.prompts import Ask, NewError, check_id, check_money, check_name, check_project_id, check_year
from generator.editing.scaffold import PLACEHOLDER, Scaffold
from generator.forms.discover import UNIT_FILE, FormFile
from generator.forms.form import Form
from generator.forms.layout import FormSpec, cell_title, find_part, money_cell
from generator.forms.load import load_file, load_text
from generator.forms.registry import Registry, load_registry
from generator.forms.rules import form_problems
from generator.problems import ERROR, relpath

if TYPE_CHECKING:
    from generator.forms.registry import Layout

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
Cell = tuple[str, ...]


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
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)  # atomic, and fails if the name exists
        except FileExistsError as exc:
            raise NewError(f"{relpath(path)} 已存在，不会覆盖") from exc
        except OSError:  # no hard links here (some network or FAT file systems)
            if path.exists():
                raise NewError(f"{relpath(path)} 已存在，不会覆盖") from None
            os.replace(tmp, path)
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def validate_text(text: str, layout: "Layout", kind: str, path: Path, year: str, unit: str) -> Form:
    """Read the new text back as `check` would (loader, model, the form's rules); refuse it on any error."""
    shown = relpath(path)
    doc = load_text(text, shown)
    if doc.problems or doc.data is None:
        raise NewError(f"生成的表单无法读取（{doc.problems[0].format() if doc.problems else '空'}）；请检查输入的名称")
    model = layout.models[kind]
    try:
        form = Form(layout, kind, model.model_validate(doc.data))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise NewError(f"生成的表单不符合表样“{layout.name}”：{'.'.join(map(str, error['loc']))}：{error['msg']}") from exc
    ff = FormFile(shown, kind, year, unit, path.stem)
    errors = [p for p in form_problems(form, doc, ff) if p.level == ERROR]
    if errors:
        raise NewError("生成的表单有错误：" + "；".join(p.format() for p in errors))
    return form


def read_form(path: Path, registry: Registry, kind: str, year: str) -> Optional[Form]:
    """Return the checked form in `path` (its own layout), or None when it does not load or match."""
    doc = load_file(path)
    if doc.data is None:
        return None
    named = doc.data.get("layout")
    layout, _ = registry.resolve(year, named if isinstance(named, str) else None)
    if layout is None or layout.form(kind) is None:
        return None
    try:
        return Form(layout, kind, layout.models[kind].model_validate(doc.data))
    except ValidationError:
        return None


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


# --------------------------------------------------------------------------- the commands


def _layout(registry: Registry, ask: Ask, name: Optional[str], year: Optional[str], kind: str) -> Optional["Layout"]:
    # Without a year the site's default layout still says what else is asked (categories, amounts).
    chosen = name or (registry.default_for(year) if year else registry.default)
    if chosen is None and year is None:
        return None
    if chosen is None:
        ask.problems.append(f"缺少 --layout（本站 disclosure.yml 没有 {year} 年度的默认表样；可用：{registry.names()}）")
        return None
    layout = registry.layouts.get(chosen)
    if layout is None:
        ask.problems.append(f"--layout {chosen!r}：没有这个表样（可用：{registry.names()}）")
        return None
    if layout.form(kind) is None:
        raise NewError(f"表样“{layout.name}”没有{'整体表' if kind == 'unit' else '项目表'}（{layout.spec.title}）")
    return layout


def _cell_label(spec: FormSpec, cell: Cell) -> str:
    full = cell_title(spec, cell) or ".".join(cell)
    part = find_part(spec, cell[0])
    table = part.table if part is not None else None
    head = (table.short or table.title) + " " if table is not None else ""
    return full[len(head) :] if head and full.startswith(head) else full


def _amounts(ask: Ask, spec: FormSpec, money_unit: str, given: dict[str, Optional[str]]) -> dict[Cell, str]:
    """The project's amounts for the layout's totals cells (年度资金总额, 财政资金 = 总额 - 其他资金, 其他资金)."""
    cells: dict[str, Cell | None] = {role: money_cell(spec, where) for role, where in spec.totals.items()}
    for role, flag in (("total", "--total"), ("fiscal", "--fiscal"), ("other", "--other")):
        if given.get(role) is not None and cells.get(role) is None:
            ask.problems.append(f"{flag}：表样没有这一栏")
    if cells.get("total") is None:
        return {}
    label = {role: _cell_label(spec, cell) for role, cell in cells.items() if cell is not None}
    total = ask.value(given.get("total"), "--total", f"{label['total']}（{money_unit}）", check_money)
    other = (
        ask.value(given["other"], "--other", label.get("other", "其他资金"), check_money)
        if given.get("other") is not None
        else None
    )
    fiscal = (
        ask.value(given["fiscal"], "--fiscal", label.get("fiscal", "财政资金"), check_money)
        if given.get("fiscal") is not None
        else None
    )
    if (
        total is None
        or (given.get("other") is not None and other is None)
        or (given.get("fiscal") is not None and fiscal is None)
    ):
        return {}
    t = Decimal(total)
    if fiscal is None and cells.get("fiscal") is not None:
        amount = t - Decimal(other or 0)
        if amount < 0:
            ask.problems.append(f"{label.get('other', '其他资金')} {other} 大于{label['total']} {total}")
            return {}
        fiscal = format(amount, "f")
    if "fiscal" in label and "other" in label and Decimal(fiscal or 0) + Decimal(other or 0) != t:
        ask.problems.append(f"{label['total']} {total} ≠ {label['fiscal']} {fiscal} + {label['other']} {other or 0}")
        return {}
    out: dict[Cell, str] = {cells["total"]: total}  # type: ignore[dict-item]
    for role, value in (("fiscal", fiscal), ("other", other)):
        if value is not None and cells.get(role) is not None:
            out[cells[role]] = value  # type: ignore[index]
    return out


def new_project(
    content: Path,
    ask: Ask,
    registry: Registry,
    *,
    layout=None,
    year=None,
    unit=None,
    id=None,
    name=None,
    unit_name=None,
    category=None,
    total=None,
    fiscal=None,
    other=None,
    out: TextIO = sys.stdout,
) -> int:
    year = ask.value(year, "--year", "预算年度", check_year)
    chosen = _layout(registry, ask, layout, year, "project")
    year_dir = content / (year or "")
    units = (
        sorted(p.name for p in year_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        if year and year_dir.is_dir()
        else []
    )
    with_unit_form = [u for u in units if (year_dir / u / UNIT_FILE).is_file()]
    unit_required = chosen is not None and chosen.form("unit") is not None and chosen.form("unit").required  # type: ignore[union-attr]

    def check_unit(text: str) -> str:
        check_id(text)
        # Where the layout requires a unit form the unit must have one; otherwise a new folder is fine.
        if unit_required and year and text not in with_unit_form:
            known = with_unit_form
            raise NewError(
                f"{year} 年度没有单位“{text}”"
                + (f"（已有：{'、'.join(known)}）" if known else "")
                + "；新单位请先运行 disclosure new unit"
            )
        return text

    unit = ask.value(
        unit,
        "--unit",
        "单位编号",
        check_unit,
        default=with_unit_form[0] if len(with_unit_form) == 1 and ask.interactive else None,
        hint=f"{year} 年度的单位：{'、'.join(units)}" if units and ask.interactive else "",
    )
    taken = {p.stem: p for p in year_dir.glob("*/*.yml") if p.name != UNIT_FILE} if year else {}

    def check_new_id(text: str) -> str:
        check_project_id(text)
        if text in taken:
            raise NewError(
                f"{relpath(taken[text])} 已存在，不会覆盖"
                if unit and taken[text].parent == year_dir / unit
                else f"项目编号“{text}”在 {year} 年度已被 {relpath(taken[text])} 使用"
            )
        return text

    id = ask.value(id, "--id", "项目编号（小写英文、数字、连字符，决定网址）", check_new_id)
    name = ask.value(name, "--name", "项目名称", check_name)
    spec = chosen.form("project") if chosen is not None else None
    names = [c.name for c in spec.categories] if spec is not None else []

    def check_category(text: str) -> str:
        if text not in names:
            raise ValueError(f"项目类别应为：{'、'.join(names)}")
        return text

    if spec is not None and not names and category is not None:
        ask.problems.append(f"--category：表样“{chosen.name}”没有项目类别")  # type: ignore[union-attr]
    elif names:
        category = ask.value(
            category, "--category", "项目类别", check_category, hint=f"类别：{'、'.join(names)}" if ask.interactive else ""
        )
    unit_form = (
        read_form(year_dir / unit / UNIT_FILE, registry, "unit", year)
        if unit and year and (year_dir / unit / UNIT_FILE).is_file()
        else None
    )
    if unit and year and (year_dir / unit / UNIT_FILE).is_file() and unit_form is None:
        raise NewError(f"单位表 {relpath(year_dir / unit / UNIT_FILE)} 无法读取或有错误；请先运行 disclosure check 修正")
    money_unit = unit_form.money_unit if unit_form is not None else (chosen.spec.money_unit if chosen is not None else "万元")
    amounts = _amounts(ask, spec, money_unit, {"total": total, "fiscal": fiscal, "other": other}) if spec is not None else {}
    own_unit_name = (
        unit_form.unit_name
        if unit_form is not None
        else _sibling_unit_name(year_dir / unit, registry, year)
        if unit and year
        else None
    )
    if own_unit_name is None and unit:
        own_unit_name = ask.value(unit_name, "--unit-name", "预算单位（该目录没有单位表）", check_name)
    elif unit_name is not None:
        ask.problems.append(f"--unit-name：目录中已有表单，预算单位照它们写（{own_unit_name}）")
    ask.done()
    assert chosen is not None and spec is not None and year and unit and id and name and own_unit_name
    path = year_dir / unit / f"{id}.yml"
    values = {"id": id, "fiscal_year": year, "name": name, "unit_name": own_unit_name, "money_unit": money_unit}
    if category:
        values["category"] = category
    order = _next_order(year_dir / unit)
    if order:
        values["order"] = str(order)
    if chosen.name != registry.default_for(year):
        values["layout"] = chosen.name
    text = Scaffold(chosen, "project", values, amounts).text()
    form = validate_text(text, chosen, "project", path, year, unit)
    assert form.name == name
    write_new(path, text)
    shown_total = f"，{form.total} {money_unit}" if form.total is not None else ""
    print(f"已创建 {relpath(path)}（{category + '项目' if category else '项目'}“{name}”{shown_total}）", file=out)
    print(f"下一步：对照原表填写所有“{PLACEHOLDER}”处，然后运行 disclosure check。", file=out)
    if unit_form is not None:
        note = unit_note(unit_form, relpath(year_dir / unit / UNIT_FILE), form)
        if note:
            print("\n".join(note), file=out)
    return EXIT_OK


def _sibling_unit_name(folder: Path, registry: Registry, year: str) -> Optional[str]:
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        form = read_form(path, registry, "project", year)
        if form is not None:
            return form.unit_name
    return None


def new_unit(
    content: Path, ask: Ask, registry: Registry, *, layout=None, year=None, id=None, name=None, out: TextIO = sys.stdout
) -> int:
    year = ask.value(year, "--year", "预算年度", check_year)
    chosen = _layout(registry, ask, layout, year, "unit")
    existing = {p.parent.name: p for p in (content / year).glob(f"*/{UNIT_FILE}")} if year else {}

    def check_new_id(text: str) -> str:
        check_id(text)
        if text in existing:
            raise NewError(f"{relpath(existing[text])} 已存在，不会覆盖")
        return text

    id = ask.value(id, "--id", "单位编号（小写英文、数字、连字符，决定网址，如 renhe-shehui-gongzuobu）", check_new_id)
    name = ask.value(name, "--name", "预算单位名称", check_name)
    ask.done()
    assert chosen is not None and year and id and name
    path = content / year / id / UNIT_FILE
    values = {"id": id, "fiscal_year": year, "unit_name": name, "money_unit": chosen.spec.money_unit}
    if chosen.name != registry.default_for(year):
        values["layout"] = chosen.name
    text = Scaffold(chosen, "unit", values).text()
    form = validate_text(text, chosen, "unit", path, year, id)
    assert form.unit_name == name
    write_new(path, text)
    print(f"已创建 {relpath(path)}（{name}，{year} 年度，表样“{chosen.name}”）", file=out)
    print(
        f"下一步：对照原表填写金额（现为 0）和所有“{PLACEHOLDER}”处，然后用 disclosure new project 逐个添加项目表，"
        "最后运行 disclosure check。",
        file=out,
    )
    return EXIT_OK


def run(
    kind: str, content: str = "content", interactive: Optional[bool] = None, out: TextIO | None = None, **values: Optional[str]
) -> int:
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
        registry = load_registry(root.resolve().parent)
        if kind == "unit":
            unused = [
                f"--{k.replace('_', '-')}"
                for k in ("unit", "unit_name", "category", "total", "fiscal", "other")
                if values.get(k) is not None
            ]
            if unused:
                raise UsageError(f"new unit 不使用 {' '.join(unused)}")
            return new_unit(root, ask, registry, out=out, **{k: values.get(k) for k in ("layout", "year", "id", "name")})
        keys = ("layout", "year", "unit", "id", "name", "unit_name", "category", "total", "fiscal", "other")
        return new_project(root, ask, registry, out=out, **{k: values.get(k) for k in keys})
    except UsageError as exc:
        for message in exc.messages:
            print(f"disclosure new: 错误：{message}", file=sys.stderr)
        return EXIT_USAGE
    except NewError as exc:
        for message in str(exc).split("\n"):
            print(f"disclosure new: {message}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("\n已取消，没有写入任何文件", file=sys.stderr)
        return 130
