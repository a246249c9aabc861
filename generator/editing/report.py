"""A `Diff` as plain text for a terminal or as Markdown for a pull-request comment.

Content is untrusted (it comes from pull requests): the Markdown renderer passes every string that comes
from a file, a file name or the command line through `generator.site.escape.escape_text` (plus defusing of
autolinks), so nothing in a form can add a link, an image or HTML to a pull-request comment.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable, Iterable, Optional

from generator.editing.changes import CellEffect, Diff, FieldChange, FormChange, FormRef, IndicatorChange, TextChange
from generator.site.escape import escape_text

#: GitHub refuses comments over 65,536 characters; the Markdown is cut (at a line) below that.
MARKDOWN_LIMIT = 60_000

_INVISIBLE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\ufff9-\ufffb]"
)
_AUTOLINK = re.compile(r"www\.", re.IGNORECASE)
_SITE = {"added": "新增", "removed": "删除", "changed": "修改"}


def oneline(text: Any) -> str:
    """Content on one line, with invisible characters shown as escapes (they cannot reorder the output)."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\n", "⏎")
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def md(value: Any) -> str:
    """Escape untrusted text for a GitHub comment: no Markdown, HTML, links or autolinks survive."""
    text = escape_text(oneline(value))
    # escape_text keeps ":", "@" and "." readable; GitHub would still autolink URLs, e-mail addresses
    # and www. names in them. As references they show the same characters but start no autolink; an
    # e-mail address is matched in the decoded text, so an (invisible) empty comment splits it instead.
    text = text.replace(":", "&#58;").replace("@", "&#64;<!-- -->")
    return _AUTOLINK.sub(lambda m: m.group()[:3] + "&#46;", text)


def _money(amount: Optional[Decimal]) -> str:
    return "空" if amount is None else str(amount)


def _signed(amount: Decimal) -> str:
    return f"{amount:+}" if amount else "±0"


def check_text(cell: CellEffect, unit: str) -> str:
    """Return 一致 / 不一致 (with the cell to update) for a unit cell against its project forms."""
    if not cell.complete_new:
        return "无法核对（有项目表无法读取）"
    diff = cell.difference_new
    if diff is None:
        return "无法核对（单位表无法读取）"
    if diff == 0:
        return "一致"
    return f"不一致：单位表比项目表之和{'多' if diff > 0 else '少'} {abs(diff)} {unit}，请更新 {cell.unit_cell}"


def _describe(ref: FormRef) -> str:
    bits = [ref.kind_label]
    if ref.title:
        bits.append(f"“{ref.title}”")
    if ref.category:
        bits.append(ref.category)
    if ref.total is not None:
        bits.append(f"{ref.total} {ref.money_unit}")
    return " ".join(bits)


def _counts(diff: Diff) -> str:
    return (
        f"新增 {len(diff.added)} 张、删除 {len(diff.removed)} 张、改名 {len(diff.renamed)} 张、修改 {len(diff.modified)} 张表单"
    )


def _where(ind: IndicatorChange, esc: Callable[[Any], str]) -> str:
    where = f"{esc(ind.level1)} / {esc(ind.level2)}" + (f" / {esc(ind.name)}" if ind.name else "")
    return f"{esc(ind.table)}：{where}" if ind.table else where


def _excerpt_lines(text: TextChange, esc: Callable[[Any], str]) -> list[str]:
    out = []
    for op, number, line in text.excerpt:
        if op == "…":
            out.append(f"……（共 {number} 行改动，完整内容见文件差异）")
        else:
            out.append(f"{'原' if op == '-' else '新'}第 {number} 行：{esc(line)}")
    return out


# --------------------------------------------------------------------------- text


def _pieces_text(pieces: Iterable[tuple[str, str]]) -> str:
    out = []
    for op, text in pieces:
        text = oneline(text)
        out.append({"=": text, "-": f"[-{text}-]", "+": f"{{+{text}+}}", "…": "…"}[op])
    return "".join(out)


def _value_text(change: FieldChange) -> str:
    if change.pieces:
        return _pieces_text(change.pieces)
    old = oneline(change.old) if change.old is not None else "（无）"
    new = oneline(change.new) if change.new is not None else "（无）"
    return f"{old} → {new}"


def _indicator_text(ind: IndicatorChange) -> str:
    where = _where(ind, oneline)
    if ind.change == "added":
        return f"+ 新增指标 {where}：{oneline(ind.new_value)}"
    if ind.change == "removed":
        return f"- 删除指标 {where}：{oneline(ind.old_value)}"
    line = f"~ {where}："
    line += f"{oneline(ind.old_value)} → {oneline(ind.new_value)}" if ind.old_value != ind.new_value else "指标值未变"
    for extra in ind.fields:
        line += f"；{oneline(extra.label)}：{_value_text(extra)}"
    return line


def _change_text(change: FormChange) -> list[str]:
    lines = [f"修改 {oneline(change.new.path)}  {oneline(_describe(change.new))}"]
    for a in change.amounts:
        lines.append(f"  金额 {oneline(a.label)}：{_money(a.old)} → {_money(a.new)}（{_signed(a.delta)}）{a.money_unit}")
    for ind in change.indicators:
        lines.append(f"  指标 {_indicator_text(ind)}")
    for f in change.fields:
        lines.append(f"  {oneline(f.label)}：{_value_text(f)}")
    if change.text is not None:
        lines.append(f"  {'；'.join(change.text.messages)}：")
        lines += [f"    {line}" for line in _excerpt_lines(change.text, oneline)]
    return lines


def render_text(diff: Diff) -> str:
    """Plain text for a terminal: [-删除-]{+新增+} markers, one line per change."""
    lines = [f"表单变化：{oneline(diff.base)} → {oneline(diff.head)}"]
    if diff.empty:
        lines.append("没有表单变化。")
        return "\n".join(lines) + "\n"
    lines.append(_counts(diff))
    if diff.site:
        lines += ["", "表样或站点设置的改动（使用它们的表单印出的内容可能随之改变）："]
        lines += [f"  {_SITE[s.change]} {oneline(s.path)}" for s in diff.site]
    if diff.broken:
        lines += ["", "无法读取的文件（其变化无法显示，运行 disclosure check 查看）："]
        for item in diff.broken:
            lines.append(f"  ! {'新版本' if item.side == 'new' else '原版本'} {oneline(item.path)}：{oneline(item.message)}")
    if diff.added:
        lines += ["", "新增表单："]
        lines += [f"  + {oneline(r.path)}  {oneline(_describe(r))}" for r in diff.added]
    if diff.removed:
        lines += ["", "删除表单："]
        lines += [f"  - {oneline(r.path)}  {oneline(_describe(r))}" for r in diff.removed]
    if diff.renamed:
        lines += ["", "改名或移动："]
        for c in diff.renamed:
            ids = f"（编号 {oneline(c.old.id)} → {oneline(c.new.id)}）" if c.old.id != c.new.id else ""
            lines.append(f"  {oneline(c.old.path)} → {oneline(c.new.path)}{ids}，依据：{c.rename_reason}")
    for change in diff.modified:
        lines += [""] + _change_text(change)
    if diff.effects:
        lines += ["", "对单位预算的影响（单位表金额 与 对应项目表之和）："]
        for e in diff.effects:
            lines.append(f"  {e.year} {oneline(e.unit_name)}（{oneline(e.path)}）")
            if e.total_old != e.total_new:
                delta = Decimal((e.total_new or 0) - (e.total_old or 0))
                lines.append(
                    f"    {oneline(e.total_label)}：{_money(e.total_old)} → {_money(e.total_new)}（{_signed(delta)}）{e.money_unit}"
                )
            for cell in e.cells:
                lines.append(
                    f"    {oneline(cell.label)}（{oneline(cell.projects)}）：单位表 {_money(cell.declared_old)} → {_money(cell.declared_new)}；"
                    f"项目表之和 {cell.sum_old}（{cell.count_old} 张）→ {cell.sum_new}（{cell.count_new} 张）{e.money_unit}；"
                    f"{check_text(cell, e.money_unit)}"
                )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Markdown


def _md_pieces(pieces: Iterable[tuple[str, str]]) -> str:
    out: list[str] = []
    for op, text in pieces:
        if op == "…":
            out.append("…")
            continue
        if op == "=":
            out.append(md(text))
            continue
        core = text.strip()
        if not core:
            out.append(md(text) if op == "+" else "")
            continue
        # Spaces around the markers: CommonMark only sees ~~ and ** next to CJK punctuation as
        # delimiters when they touch whitespace.
        marked = f"~~{md(core)}~~ " if op == "-" else f"**{md(core)}** "
        out.append(marked if out and out[-1].endswith(" ") else " " + marked)
    return "".join(out).strip()


def _md_value(change: FieldChange) -> str:
    if change.pieces:
        return _md_pieces(change.pieces)
    old = md(change.old) if change.old is not None else "（无）"
    new = md(change.new) if change.new is not None else "（无）"
    return f"{old} → {new}"


def _md_indicator(ind: IndicatorChange) -> str:
    where = _where(ind, md)
    if ind.change == "added":
        return f"- 新增指标 {where}：{md(ind.new_value)}"
    if ind.change == "removed":
        return f"- 删除指标 {where}：{md(ind.old_value)}"
    line = f"- 指标 {where}："
    line += f"{md(ind.old_value)} → {md(ind.new_value)}" if ind.old_value != ind.new_value else "指标值未变"
    for extra in ind.fields:
        line += f"；{md(extra.label)}：{_md_value(extra)}"
    return line


def render_markdown(diff: Diff, limit: int = MARKDOWN_LIMIT) -> str:
    """Markdown for a pull-request comment and the job summary: tables of amounts, lists of the rest."""
    out = [f"## 表单变化：{md(diff.base)} → {md(diff.head)}", ""]
    if diff.empty:
        out.append("没有表单变化。")
        return "\n".join(out) + "\n"
    out += [_counts(diff) + "。", ""]
    if diff.site:
        out += ["### ⚠️ 表样或站点设置的改动", "", "使用这些表样的表单印出的内容可能随之改变；这类改动须由维护者审查。", ""]
        out += [f"- {_SITE[s.change]} {md(s.path)}" for s in diff.site]
        out.append("")
    if diff.broken:
        out += ["### ⚠️ 无法读取的文件", "", "这些文件的变化无法显示；运行 `disclosure check` 或查看检查注释。", ""]
        out += [f"- {'新版本' if b.side == 'new' else '原版本'} {md(b.path)}：{md(b.message)}" for b in diff.broken]
        out.append("")
    if diff.added or diff.removed:
        out += [
            "### 新增和删除的表单",
            "",
            "| | 文件 | 表单 | 名称 | 类别 | 年度资金总额 |",
            "| --- | --- | --- | --- | --- | ---: |",
        ]
        for sign, refs in (("新增", diff.added), ("删除", diff.removed)):
            for r in refs:
                total = f"{r.total} {md(r.money_unit)}" if r.total is not None else ""
                out.append(f"| {sign} | {md(r.path)} | {r.kind_label} | {md(r.title)} | {md(r.category)} | {total} |")
        out.append("")
    if diff.renamed:
        out += ["### 改名或移动", ""]
        for c in diff.renamed:
            ids = f"（编号 {md(c.old.id)} → {md(c.new.id)}）" if c.old.id != c.new.id else ""
            out.append(f"- {md(c.old.path)} → {md(c.new.path)}{ids}，依据：{c.rename_reason}")
        out.append("")
    amounts = diff.amount_changes()
    if amounts:
        out += ["### 金额变化", "", "| 表单 | 栏目 | 原金额 | 新金额 | 增减 |", "| --- | --- | ---: | ---: | ---: |"]
        for change, a in amounts:
            who = md(change.new.title or change.new.path)
            out.append(f"| {who} | {md(a.label)} | {_money(a.old)} | {_money(a.new)} | {_signed(a.delta)} {md(a.money_unit)} |")
        out.append("")
    if diff.effects:
        out += [
            "### 对单位预算的影响",
            "",
            "单位表中的这些金额应等于对应项目表金额之和（按表样的合计关系）。",
            "",
            "| 单位 | 栏目 | 单位表（原 → 新） | 项目表之和（原 → 新） | 核对 |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        for e in diff.effects:
            name = md(e.unit_name)
            if e.total_old != e.total_new:
                delta = Decimal((e.total_new or 0) - (e.total_old or 0))
                out.append(
                    f"| {name} | {md(e.total_label)} | {_money(e.total_old)} → {_money(e.total_new)}（{_signed(delta)}） | | |"
                )
            for cell in e.cells:
                out.append(
                    f"| {name} | {md(cell.label)}（{md(cell.projects)}） | {_money(cell.declared_old)} → {_money(cell.declared_new)} | "
                    f"{cell.sum_old}（{cell.count_old} 张）→ {cell.sum_new}（{cell.count_new} 张） | {md(check_text(cell, e.money_unit))} |"
                )
        out.append("")
    details = [c for c in diff.modified if c.indicators or c.fields or c.text is not None]
    if details:
        out += ["### 指标、文字和文件修改", ""]
        for change in details:
            out += [f"#### {md(change.new.title or change.new.id)}（{md(change.new.path)}）", ""]
            out += [_md_indicator(ind) for ind in change.indicators]
            out += [f"- {md(f.label)}：{_md_value(f)}" for f in change.fields]
            if change.text is not None:
                out.append(f"- {'；'.join(change.text.messages)}：")
                out += [f"  - {line}" for line in _excerpt_lines(change.text, md)]
            out.append("")
    text = "\n".join(out).rstrip("\n") + "\n"
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit - 200)
        text = text[: cut + 1] + "\n……（内容过长，已截断；完整差异请在本地运行 `disclosure diff`）\n"
    return text
