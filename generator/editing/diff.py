"""`disclosure diff`: what a change does to the published forms, in Chinese, for editors and reviewers.

Both sides are read as bytes: a git revision through `git ls-tree` + `git cat-file --batch` (one process
each, whatever the number of files), the working tree from disk. Only the units (year/unit folders) in which
some file differs are parsed and compared, so a pull request that touches one unit costs the same in a
content library of any size. Every file is parsed with the same strict loader and models as `check`; a side
that does not load is reported as such (never a traceback).

`compute_diff` returns a `Diff` data structure; `render_text` and `render_markdown` format it. Content is
untrusted (it comes from pull requests): the Markdown renderer passes every string that comes from a file,
a file name or the command line through `generator.site.escape.escape_text` (plus defusing of autolinks), so
nothing in a form can add a link, an image or HTML to a pull-request comment.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

from pydantic import BaseModel, ValidationError

from generator.site.escape import escape_text
from generator.forms.load import dotted, load_bytes
from generator.forms.model import CATEGORIES, CATEGORY_FIELDS, ProjectForm, UnitForm
from generator.problems import relpath

Form = Union[UnitForm, ProjectForm]
UNIT_FILE = "unit.yml"
#: git's empty tree: the base of a repository's first commit.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
WORKTREE = None  # the `head` value that means "the files on disk"
#: Characters of unchanged text shown on each side of a change (about 60 in all).
CONTEXT = 30
#: Longer deleted or inserted runs are cut (the full text is in the file's own diff).
MAX_PIECE = 160
#: Values at most this long are shown whole (old → new) instead of as a word diff.
SHORT = 40
#: GitHub refuses comments over 65,536 characters; the Markdown is cut (at a line) below that.
MARKDOWN_LIMIT = 60_000
GIT_TIMEOUT = 300


class GitError(Exception):
    """A git command failed: reported with a clear message and exit status 1."""


class UsageError(Exception):
    """Bad arguments: exit status 2."""


# --------------------------------------------------------------------------- the data structure


@dataclass(frozen=True)
class FormRef:
    """One form on one side: where it is and what it is."""

    path: str
    kind: str  # "unit" | "project"
    year: str
    unit: str  # the unit folder
    id: str
    title: str = ""  # project name / unit name ("" when the file did not load)
    category: str = ""
    total: Optional[Decimal] = None
    money_unit: str = "万元"

    @property
    def kind_label(self) -> str:
        return "单位整体表" if self.kind == "unit" else "项目表"


@dataclass(frozen=True)
class AmountChange:
    """An amount that differs: `old → new` and the difference with its sign."""

    field: str  # dotted path, e.g. budget.specific.total
    label: str  # 预算资金 · 特定目标类项目经费 · 合计
    old: Optional[Decimal]
    new: Optional[Decimal]
    money_unit: str = "万元"

    @property
    def delta(self) -> Decimal:
        return (self.new or Decimal(0)) - (self.old or Decimal(0))


@dataclass(frozen=True)
class FieldChange:
    """Any other value that differs; long texts carry a word-level diff in `pieces`."""

    field: str
    label: str
    old: Optional[str]
    new: Optional[str]
    #: (op, text): "=" unchanged context, "-" deleted, "+" inserted, "…" elided. Empty for short values.
    pieces: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IndicatorChange:
    """An indicator row added, removed or changed, matched by (一级, 二级, 三级)."""

    change: str  # "added" | "removed" | "changed"
    level1: str
    level2: str
    name: str  # 三级指标 ("" on unit forms without one)
    old_value: Optional[str] = None
    new_value: Optional[str] = None
    #: Other columns of the row that changed (指标性质, 权重, 备注 …).
    fields: tuple[FieldChange, ...] = ()

    @property
    def label(self) -> str:
        return self.name or self.level2


@dataclass
class FormChange:
    """A form present on both sides (maybe renamed) whose content differs."""

    old: FormRef
    new: FormRef
    rename_reason: str = ""  # why a removed and an added file were taken for the same form
    amounts: list[AmountChange] = field(default_factory=list)
    indicators: list[IndicatorChange] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def renamed(self) -> bool:
        return bool(self.rename_reason)

    @property
    def empty(self) -> bool:
        return not (self.amounts or self.indicators or self.fields)


@dataclass(frozen=True)
class Broken:
    """A file that did not load on one side: its changes cannot be shown."""

    side: str  # "old" | "new"
    path: str
    message: str


@dataclass(frozen=True)
class CategoryEffect:
    """One category of a unit: what the unit form declares and what its project forms add up to."""

    category: str
    budget_field: str  # personnel, public_funds, other_operating, specific
    declared_old: Optional[Decimal]
    declared_new: Optional[Decimal]
    sum_old: Decimal
    sum_new: Decimal
    count_old: int
    count_new: int
    #: False when a project form of the unit did not load on that side (the sum is then incomplete).
    complete_old: bool = True
    complete_new: bool = True

    @property
    def difference_new(self) -> Optional[Decimal]:
        """Declared minus the sum of the project forms, on the new side (0 = they agree)."""
        if self.declared_new is None:
            return None
        return self.declared_new - self.sum_new


@dataclass
class UnitEffect:
    """What the change does to one unit's budget: its total and each affected category."""

    year: str
    unit: str
    unit_name: str
    path: str  # the unit form's path (new side, else old)
    money_unit: str
    total_old: Optional[Decimal]
    total_new: Optional[Decimal]
    categories: list[CategoryEffect] = field(default_factory=list)


@dataclass
class Diff:
    """Everything `disclosure diff` reports; the renderers only format it."""

    base: str  # label of the old side
    head: str  # label of the new side
    added: list[FormRef] = field(default_factory=list)
    removed: list[FormRef] = field(default_factory=list)
    changed: list[FormChange] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    effects: list[UnitEffect] = field(default_factory=list)

    @property
    def renamed(self) -> list[FormChange]:
        return [c for c in self.changed if c.renamed]

    @property
    def modified(self) -> list[FormChange]:
        return [c for c in self.changed if not c.empty]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.broken)

    def amount_changes(self) -> list[tuple[FormChange, AmountChange]]:
        return [(c, a) for c in self.changed for a in c.amounts]


# --------------------------------------------------------------------------- reading the two sides


def _git(args: list[str], cwd: str | os.PathLike[str], stdin: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError as exc:
        raise GitError("找不到 git 命令：请先安装 git") from exc
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git {args[0]} 运行失败：{exc}") from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} 失败：{detail[-1] if detail else f'退出码 {proc.returncode}'}")
    return proc.stdout


def _resolve(rev: str, cwd: str | os.PathLike[str]) -> Optional[str]:
    """Return the commit id of `rev`, or None when it does not name a commit."""
    try:
        out = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd)
    except GitError:
        return None
    return out.decode().strip() or None


def resolve_revision(rev: str, cwd: str | os.PathLike[str]) -> str:
    if not rev or rev.startswith("-"):
        raise UsageError(f"无效的版本“{rev}”")
    sha = _resolve(rev, cwd)
    if sha is None:
        raise GitError(f"找不到版本“{rev}”（git 中没有这个分支、标签或提交；在 CI 中请用 fetch-depth: 0 检出完整历史）")
    return sha


def default_base(cwd: str | os.PathLike[str], head: str = "HEAD") -> tuple[str, str]:
    """Return (commit or tree id, label): the merge base of `head` with main, else origin/main, else its first parent."""
    if _resolve(head, cwd) is None:
        raise GitError(f"找不到版本“{head}”（仓库中还没有提交？）")
    for branch in ("main", "origin/main"):
        if _resolve(branch, cwd) is None:
            continue
        try:
            sha = _git(["merge-base", head, branch], cwd).decode().strip()
        except GitError:
            continue  # unrelated histories: try the next candidate
        if sha:
            return sha, f"{branch} 与 {head} 的分叉点 {sha[:7]}"
    parent = _resolve(f"{head}^1", cwd)
    if parent is not None:
        return parent, f"{head}^1 {parent[:7]}"
    return EMPTY_TREE, "空（没有上一个提交）"


def read_revision(content: str | os.PathLike[str], rev: str) -> dict[str, bytes]:
    """Return {path relative to content/ (posix): bytes} of every .yml/.yaml file at `rev`."""
    listing = _git(["ls-tree", "-r", "-z", rev, "--", "."], content)
    entries: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        parts = meta.split()
        if len(parts) != 3 or parts[1] != b"blob":
            continue
        path = name.decode("utf-8", "surrogateescape")
        if path.endswith((".yml", ".yaml")):
            entries.append((path, parts[2].decode()))
    if not entries:
        return {}
    out = _git(["cat-file", "--batch"], content, stdin="".join(f"{sha}\n" for _, sha in entries).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for path, sha in entries:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3:
            raise GitError(f"git cat-file 输出无法识别：{out[pos:end][:80]!r}")
        size = int(header[2])
        files[path] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return files


def read_worktree(content: str | os.PathLike[str]) -> dict[str, bytes]:
    """Return {path relative to content/ (posix): bytes} of every .yml/.yaml file on disk (hidden ones skipped)."""
    root = Path(content)
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith((".yml", ".yaml")):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            try:
                files[rel] = path.read_bytes()
            except OSError:
                files[rel] = b""  # reported as a file that did not load (empty-file)
    return files


@dataclass
class _Loaded:
    """One file of one side, parsed on demand."""

    rel: str
    shown: str
    kind: str
    year: str
    unit: str
    stem: str
    raw: bytes
    form: Optional[Form] = None
    data: Any = None
    error: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        if self.kind == "unit":
            return (self.year, self.unit, "")
        return (self.year, self.unit, self.form.id if self.form is not None else self.stem)

    def ref(self) -> FormRef:
        form = self.form
        ident = self.unit if self.kind == "unit" else (form.id if form is not None else self.stem)
        if form is None:
            return FormRef(self.shown, self.kind, self.year, self.unit, ident)
        if isinstance(form, UnitForm):
            return FormRef(self.shown, "unit", self.year, self.unit, ident, form.unit_name, "",
                           form.budget.total.total, form.money_unit)
        return FormRef(self.shown, "project", self.year, self.unit, ident, form.name, form.category,
                       form.funding.total, form.money_unit)


def _classify(rel: str) -> Optional[tuple[str, str, str, str]]:
    """(kind, year, unit, stem) for a form file at content/<year>/<unit>/<name>.yml, else None."""
    parts = rel.split("/")
    if len(parts) != 3 or not parts[2].endswith(".yml"):
        return None  # misplaced: `check` reports it; it is not a form
    year, unit, name = parts
    return ("unit" if name == UNIT_FILE else "project", year, unit, name[: -len(".yml")])


def _parse(item: _Loaded) -> None:
    doc = load_bytes(item.raw, item.shown)
    if doc.problems or doc.data is None:
        first = doc.problems[0] if doc.problems else None
        more = f"（共 {len(doc.problems)} 处问题）" if len(doc.problems) > 1 else ""
        item.error = f"第 {first.line} 行：{first.message} ({first.code}){more}" if first else "无法读取"
        return
    model = UnitForm if item.kind == "unit" else ProjectForm
    try:
        item.form = model.model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        loc = dotted(tuple(errors[0]["loc"])) if errors else ""
        msg = errors[0]["msg"] if errors else ""
        item.error = f"不符合表单格式：{loc}：{msg}（共 {len(errors)} 处；运行 disclosure check 查看）"
        return
    except (ValueError, TypeError) as exc:  # pragma: no cover - the models raise ValidationError
        item.error = f"不符合表单格式：{exc}"
        return
    item.data = doc.data


def _side(files: dict[str, bytes], content: str, units: set[tuple[str, str]]) -> dict[str, _Loaded]:
    """Wrap and parse the files of the given units."""
    out: dict[str, _Loaded] = {}
    for rel, raw in files.items():
        where = _classify(rel)
        if where is None:
            continue
        kind, year, unit, stem = where
        if (year, unit) not in units:
            continue
        item = _Loaded(rel, relpath(os.path.join(content, *rel.split("/"))), kind, year, unit, stem, raw)
        _parse(item)
        out[rel] = item
    return out


# --------------------------------------------------------------------------- comparing


_ROW_LABELS = {
    "total": "年度资金总额",
    "personnel": "人员类项目支出",
    "operating": "运转类项目支出（小计）",
    "public_funds": "公用经费项目支出",
    "other_operating": "其他运转类项目支出",
    "specific": "特定目标类项目经费",
}
_COLUMN_LABELS = {"total": "合计", "fiscal": "财政资金", "other": "其他资金", "carryover": "上年结转"}
_TOP_LABELS = {"budget": "预算资金", "funding": "项目资金", "funding_sources": "资金来源", "acknowledge": "确认的警告"}


def _short(description: str) -> str:
    return re.split(r"[（：，(]", description, maxsplit=1)[0].strip() or description


def _model_label(model: type[BaseModel], name: str) -> str:
    info = model.model_fields.get(name)
    return _short(info.description) if info is not None and info.description else name


def label_for(path: tuple[Any, ...], model: type[BaseModel]) -> str:
    """Chinese label of a field path: 预算资金 · 特定目标类项目经费 · 合计."""
    if not path:
        return ""
    head = path[0]
    if head == "budget" and len(path) >= 2:
        out = [_TOP_LABELS["budget"], _ROW_LABELS.get(path[1], str(path[1]))]
        if len(path) >= 3:
            out.append(_COLUMN_LABELS.get(path[2], str(path[2])))
        return " · ".join(out)
    if head == "funding":
        return " · ".join([_TOP_LABELS["funding"]] + [_COLUMN_LABELS.get(p, str(p)) for p in path[1:]])
    if head == "funding_sources":
        name = f"“{path[1]}”" if len(path) > 1 else ""
        tail = ["确认的警告", str(path[3])] if len(path) > 3 and path[2] == "acknowledge" else []
        return " · ".join([f"资金来源{name}"] + tail)
    if head == "acknowledge":
        return " · ".join([_TOP_LABELS["acknowledge"]] + [str(p) for p in path[1:]])
    label = _model_label(model, head) if isinstance(head, str) else str(head)
    sub = model.model_fields.get(head) if isinstance(head, str) else None
    if len(path) > 1 and sub is not None:
        inner = _inner_model(sub.annotation)
        if inner is not None:
            return label + " · " + " · ".join(_model_label(inner, p) if isinstance(p, str) else str(p) for p in path[1:])
    return label + ("" if len(path) == 1 else " · " + " · ".join(str(p) for p in path[1:]))


def _inner_model(annotation: Any) -> Optional[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _leaves(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _leaves(getattr(value, name), path + (name,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))
    elif value is not None:
        yield path, value


def _form_leaves(form: Form) -> dict[tuple[Any, ...], Any]:
    """Every value of a form except the indicators, funding sources keyed by name (not position)."""
    out: dict[tuple[Any, ...], Any] = {}
    for name in type(form).model_fields:
        if name in ("indicators", "funding_sources"):
            continue
        out.update(_leaves(getattr(form, name), (name,)))
    seen: Counter[str] = Counter()
    for source in form.funding_sources:
        key = source.name if not seen[source.name] else f"{source.name}（{seen[source.name] + 1}）"
        seen[source.name] += 1
        out[("funding_sources", key, "amount")] = source.amount
        for code, reason in source.acknowledge.items():
            out[("funding_sources", key, "acknowledge", code)] = reason
    return out


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _field_change(path: tuple[Any, ...], label: str, old: Any, new: Any) -> FieldChange:
    old_s, new_s = _text(old), _text(new)
    pieces: tuple[tuple[str, str], ...] = ()
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > SHORT:
        pieces = tuple(word_diff(old, new))
    return FieldChange(dotted(path), label, old_s, new_s, pieces)


def compare_forms(old: Form, new: Form) -> tuple[list[AmountChange], list[FieldChange], list[IndicatorChange]]:
    """Return the amount, field and indicator changes between two versions of a form."""
    model = type(new)
    a, b = _form_leaves(old), _form_leaves(new)
    amounts: list[AmountChange] = []
    fields: list[FieldChange] = []
    for path in _ordered(a, b):
        before, after = a.get(path), b.get(path)
        if before == after and type(before) is type(after):
            continue
        label = label_for(path, model)
        if isinstance(before, Decimal) or isinstance(after, Decimal):
            if before == after:
                continue  # 8 and 8.00 are the same amount
            amounts.append(AmountChange(dotted(path), label, before, after, new.money_unit))
        else:
            fields.append(_field_change(path, label, before, after))
    return amounts, fields, compare_indicators(old, new)


def _ordered(a: dict, b: dict) -> list:
    seen = dict.fromkeys(a)
    seen.update(dict.fromkeys(b))
    return list(seen)


_INDICATOR_SKIP = ("level1", "level2", "name", "value")


def _indicator_rows(form: Form) -> dict[tuple[str, str, str, int], Any]:
    rows: dict[tuple[str, str, str, int], Any] = {}
    seen: Counter[tuple[str, str, str]] = Counter()
    for ind in form.indicators:
        base = (ind.level1.strip(), ind.level2.strip(), (ind.name or "").strip())
        rows[base + (seen[base],)] = ind
        seen[base] += 1
    return rows


def compare_indicators(old: Form, new: Form) -> list[IndicatorChange]:
    """Match indicator rows by (一级, 二级, 三级) (and occurrence) and report what differs."""
    model = type(new.indicators[0]) if new.indicators else (type(old.indicators[0]) if old.indicators else None)
    a, b = _indicator_rows(old), _indicator_rows(new)
    out: list[IndicatorChange] = []
    for key in _ordered(a, b):
        l1, l2, name, _n = key
        before, after = a.get(key), b.get(key)
        if before is None:
            out.append(IndicatorChange("added", l1, l2, name, None, after.value))
            continue
        if after is None:
            out.append(IndicatorChange("removed", l1, l2, name, before.value, None))
            continue
        la = {p: v for p, v in _leaves(before, ()) if p[0] not in _INDICATOR_SKIP}
        lb = {p: v for p, v in _leaves(after, ()) if p[0] not in _INDICATOR_SKIP}
        extra = []
        for path in _ordered(la, lb):
            x, y = la.get(path), lb.get(path)
            if x == y:
                continue
            label = label_for(path, model) if model is not None else dotted(path)
            extra.append(_field_change(path, label, x, y))
        if before.value != after.value or extra:
            out.append(IndicatorChange("changed", l1, l2, name, before.value, after.value, tuple(extra)))
    return out


def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    global _TOKENIZER
    if _TOKENIZER is None:
        # A private tokenizer: the search index build changes the global one's dictionary.
        _TOKENIZER = jieba.Tokenizer()
    return _TOKENIZER


_TOKENIZER = None


def tokens(text: str) -> list[str]:
    """Split text into words (jieba for Chinese; runs of ASCII letters and digits stay whole)."""
    if not text:
        return []
    return _tokenizer().lcut(text)


def word_diff(old: str, new: str, context: int = CONTEXT, max_piece: int = MAX_PIECE) -> list[tuple[str, str]]:
    """Return a word-level diff as (op, text) pieces, unchanged runs cut to `context` characters each side."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    raw: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            raw.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(("+", "".join(b[j1:j2])))
    if all(op == "=" for op, _ in raw):
        return []
    out: list[tuple[str, str]] = []
    last = len(raw) - 1
    for index, (op, text) in enumerate(raw):
        if op != "=":
            if len(text) > max_piece:
                text = f"{text[:max_piece]}…（共 {len(text)} 字）"
            out.append((op, text))
        elif index == 0:
            if len(text) > context:
                out += [("…", ""), ("=", text[-context:])]
            else:
                out.append(("=", text))
        elif index == last:
            if len(text) > context:
                out += [("=", text[:context]), ("…", "")]
            else:
                out.append(("=", text))
        elif len(text) > 2 * context:
            out += [("=", text[:context]), ("…", ""), ("=", text[-context:])]
        else:
            out.append(("=", text))
    return out


def _same_data(a: _Loaded, b: _Loaded) -> bool:
    if a.data is None or b.data is None:
        return False
    strip = lambda d: {k: v for k, v in d.items() if k != "id"}  # noqa: E731
    return strip(a.data) == strip(b.data)


def _title(item: _Loaded) -> str:
    if item.form is None:
        return ""
    return item.form.unit_name if isinstance(item.form, UnitForm) else item.form.name


def _match_renames(removed: list[_Loaded], added: list[_Loaded]) -> list[tuple[_Loaded, _Loaded, str]]:
    """Pair removed and added forms of the same kind and year that are the same form under a new path or id."""
    tests = (
        ("内容相同", lambda a, b: a.raw == b.raw),
        ("内容相同，仅编号不同", _same_data),
        ("名称相同", lambda a, b: bool(_title(a)) and _title(a) == _title(b)),
    )
    pairs: list[tuple[_Loaded, _Loaded, str]] = []
    left, right = list(removed), list(added)
    for reason, same in tests:
        for old in list(left):
            for new in right:
                if old.kind == new.kind and old.year == new.year and same(old, new):
                    pairs.append((old, new, reason))
                    left.remove(old)
                    right.remove(new)
                    break
    return pairs


def _index(items: Iterable[_Loaded]) -> dict[tuple[str, str, str], _Loaded]:
    out: dict[tuple[str, str, str], _Loaded] = {}
    for item in sorted(items, key=lambda i: i.rel):
        key = item.key
        if key in out:  # two files claim the same id (check reports it): keep them apart by file name
            key = (item.year, item.unit, "@" + item.stem)
        out[key] = item
    return out


def _effects(old: dict[str, _Loaded], new: dict[str, _Loaded], units: set[tuple[str, str]]) -> list[UnitEffect]:
    by_unit: dict[tuple[str, str], dict[str, list[_Loaded]]] = defaultdict(lambda: {"old": [], "new": []})
    for side, items in (("old", old), ("new", new)):
        for item in items.values():
            by_unit[(item.year, item.unit)][side].append(item)
    effects: list[UnitEffect] = []
    for where in sorted(units):
        sides = by_unit.get(where)
        if sides is None:
            continue
        unit_old = next((i for i in sides["old"] if i.kind == "unit"), None)
        unit_new = next((i for i in sides["new"] if i.kind == "unit"), None)
        if unit_old is None or unit_new is None:
            continue  # a unit added, removed or moved: its forms are listed as such, there is nothing to compare
        form_old, form_new = unit_old.form, unit_new.form
        if form_old is None and form_new is None:
            continue
        rows = []
        for category in CATEGORIES:
            budget_field = CATEGORY_FIELDS[category]
            values = {}
            for side, form in (("old", form_old), ("new", form_new)):
                projects = [i for i in sides[side] if i.kind == "project"]
                chosen = [i.form for i in projects if i.form is not None and i.form.category == category]
                values[side] = (
                    getattr(form.budget, budget_field).total if form is not None else None,
                    sum((p.funding.total for p in chosen), Decimal(0)),
                    len(chosen),
                    all(i.form is not None for i in projects),
                )
            if values["old"] == values["new"]:
                continue
            (d_old, s_old, c_old, ok_old), (d_new, s_new, c_new, ok_new) = values["old"], values["new"]
            rows.append(CategoryEffect(category, budget_field, d_old, d_new, s_old, s_new, c_old, c_new, ok_old, ok_new))
        total_old = form_old.budget.total.total if form_old is not None else None
        total_new = form_new.budget.total.total if form_new is not None else None
        if not rows and total_old == total_new:
            continue
        shown = unit_new if form_new is not None else unit_old
        effects.append(
            UnitEffect(where[0], where[1], shown.form.unit_name, shown.shown, shown.form.money_unit, total_old, total_new, rows)
        )
    return effects


def diff_files(old_files: dict[str, bytes], new_files: dict[str, bytes], content: str, base: str, head: str) -> Diff:
    """Compare two snapshots of content/ ({path relative to content/: bytes})."""
    units: set[tuple[str, str]] = set()
    for rel in set(old_files) | set(new_files):
        if old_files.get(rel) != new_files.get(rel):
            where = _classify(rel)
            if where is not None:
                units.add((where[1], where[2]))
    old = _side(old_files, content, units)
    new = _side(new_files, content, units)
    result = Diff(base, head)
    for side, items in (("old", old), ("new", new)):
        for item in sorted(items.values(), key=lambda i: i.rel):
            if item.error and old_files.get(item.rel) != new_files.get(item.rel):
                result.broken.append(Broken(side, item.shown, item.error))
    a, b = _index(old.values()), _index(new.values())
    pairs = [(a[k], b[k], "") for k in a if k in b]
    removed = [a[k] for k in a if k not in b]
    added = [b[k] for k in b if k not in a]
    renames = _match_renames(removed, added)
    gone = {id(o) for o, _, _ in renames} | {id(n) for _, n, _ in renames}
    for old_item, new_item, reason in pairs + renames:
        if not reason and old_item.rel != new_item.rel:
            reason = "编号相同"  # the same id in another file
        if not reason and old_item.raw == new_item.raw:
            continue
        change = FormChange(old_item.ref(), new_item.ref(), reason)
        if old_item.form is not None and new_item.form is not None:
            change.amounts, change.fields, change.indicators = compare_forms(old_item.form, new_item.form)
            if change.renamed:  # the new id is shown with the rename
                change.fields = [f for f in change.fields if f.field != "id"]
        if change.renamed or not change.empty or (old_item.form is None) != (new_item.form is None):
            result.changed.append(change)
    result.removed = [i.ref() for i in removed if id(i) not in gone]
    result.added = [i.ref() for i in added if id(i) not in gone]
    result.changed.sort(key=lambda c: c.new.path)
    result.effects = _effects(old, new, units)
    return result


def compute_diff(content: str = "content", base: str | None = None, head: str | None = WORKTREE) -> Diff:
    """Compare `base` (default: the merge base with main) with `head` (default: the working tree)."""
    root = Path(content)
    if not root.is_dir():
        raise UsageError(f"找不到内容目录：{content}")
    try:
        _git(["rev-parse", "--show-toplevel"], root)
    except GitError as exc:
        raise GitError(f"内容目录 {content} 不在 git 仓库中（{exc}）") from exc
    if head is not None:
        head_sha = resolve_revision(head, root)
        head_label = f"{head} {head_sha[:7]}"
    if base is None:
        base_sha, base_label = default_base(root, head or "HEAD")
    else:
        base_sha = resolve_revision(base, root)
        base_label = f"{base} {base_sha[:7]}"
    old_files = read_revision(root, base_sha)
    if head is None:
        new_files, head_label = read_worktree(root), "工作区（含未提交的修改）"
    else:
        new_files = read_revision(root, head_sha)
    return diff_files(old_files, new_files, str(content), base_label, head_label)


# --------------------------------------------------------------------------- rendering


_INVISIBLE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\ufff9-\ufffb]"
)


def _oneline(text: Any) -> str:
    """Content on one line, with invisible characters shown as escapes (they cannot reorder the output)."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\n", "⏎")
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _money(amount: Optional[Decimal]) -> str:
    return "空" if amount is None else str(amount)


def _signed(amount: Decimal) -> str:
    return f"{amount:+}" if amount else "±0"


def _check_text(effect: CategoryEffect, unit: str) -> str:
    if not effect.complete_new:
        return "无法核对（有项目表无法读取）"
    diff = effect.difference_new
    if diff is None:
        return "无法核对（单位表无法读取）"
    if diff == 0:
        return "一致"
    return f"不一致：单位表比项目表之和{'多' if diff > 0 else '少'} {abs(diff)} {unit}，请更新 budget.{effect.budget_field}"


def _describe(ref: FormRef) -> str:
    bits = [ref.kind_label]
    if ref.title:
        bits.append(f"“{ref.title}”")
    if ref.category:
        bits.append(ref.category)
    if ref.total is not None:
        bits.append(f"{ref.total} {ref.money_unit}")
    return " ".join(bits)


def _pieces_text(pieces: Iterable[tuple[str, str]]) -> str:
    out = []
    for op, text in pieces:
        text = _oneline(text)
        out.append({"=": text, "-": f"[-{text}-]", "+": f"{{+{text}+}}", "…": "…"}[op])
    return "".join(out)


def _value_text(change: FieldChange) -> str:
    if change.pieces:
        return _pieces_text(change.pieces)
    return f"{_oneline(change.old) if change.old is not None else '（无）'} → {_oneline(change.new) if change.new is not None else '（无）'}"


def _indicator_text(ind: IndicatorChange) -> str:
    where = f"{_oneline(ind.level1)} / {_oneline(ind.level2)}" + (f" / {_oneline(ind.name)}" if ind.name else "")
    if ind.change == "added":
        return f"+ 新增指标 {where}：{_oneline(ind.new_value)}"
    if ind.change == "removed":
        return f"- 删除指标 {where}：{_oneline(ind.old_value)}"
    line = f"~ {where}："
    if ind.old_value != ind.new_value:
        line += f"{_oneline(ind.old_value)} → {_oneline(ind.new_value)}"
    else:
        line += "指标值未变"
    for extra in ind.fields:
        line += f"；{_oneline(extra.label)}：{_value_text(extra)}"
    return line


def _counts(diff: Diff) -> str:
    return (f"新增 {len(diff.added)} 张、删除 {len(diff.removed)} 张、改名 {len(diff.renamed)} 张、"
            f"修改内容 {len(diff.modified)} 张表单")


def render_text(diff: Diff) -> str:
    """Plain text for a terminal: [-删除-]{+新增+} markers, one line per change."""
    lines = [f"表单变化：{_oneline(diff.base)} → {_oneline(diff.head)}"]
    if diff.empty:
        lines.append("没有表单变化。")
        return "\n".join(lines) + "\n"
    lines.append(_counts(diff))
    if diff.broken:
        lines += ["", "无法读取的文件（其变化无法显示，运行 disclosure check 查看）："]
        for item in diff.broken:
            lines.append(f"  ! {'新版本' if item.side == 'new' else '原版本'} {_oneline(item.path)}：{_oneline(item.message)}")
    if diff.added:
        lines += ["", "新增表单："]
        lines += [f"  + {_oneline(r.path)}  {_oneline(_describe(r))}" for r in diff.added]
    if diff.removed:
        lines += ["", "删除表单："]
        lines += [f"  - {_oneline(r.path)}  {_oneline(_describe(r))}" for r in diff.removed]
    if diff.renamed:
        lines += ["", "改名或移动："]
        for c in diff.renamed:
            ids = f"（编号 {_oneline(c.old.id)} → {_oneline(c.new.id)}）" if c.old.id != c.new.id else ""
            lines.append(f"  {_oneline(c.old.path)} → {_oneline(c.new.path)}{ids}，依据：{c.rename_reason}")
    for change in diff.modified:
        lines += ["", f"修改 {_oneline(change.new.path)}  {_oneline(_describe(change.new))}"]
        for a in change.amounts:
            lines.append(f"  金额 {_oneline(a.label)}：{_money(a.old)} → {_money(a.new)}（{_signed(a.delta)}）{a.money_unit}")
        for ind in change.indicators:
            lines.append(f"  指标 {_indicator_text(ind)}")
        for f in change.fields:
            lines.append(f"  {_oneline(f.label)}：{_value_text(f)}")
    if diff.effects:
        lines += ["", "对单位预算的影响（单位表金额 与 该类项目表之和）："]
        for e in diff.effects:
            lines.append(f"  {e.year} {_oneline(e.unit_name)}（{_oneline(e.path)}）")
            if e.total_old != e.total_new:
                delta = (e.total_new or 0) - (e.total_old or 0)
                lines.append(f"    年度资金总额：{_money(e.total_old)} → {_money(e.total_new)}（{_signed(Decimal(delta))}）{e.money_unit}")
            for c in e.categories:
                lines.append(
                    f"    {c.category}：单位表 {_money(c.declared_old)} → {_money(c.declared_new)}；"
                    f"项目表之和 {c.sum_old}（{c.count_old} 张）→ {c.sum_new}（{c.count_new} 张）{e.money_unit}；"
                    f"{_check_text(c, e.money_unit)}"
                )
    return "\n".join(lines) + "\n"


_AUTOLINK = re.compile(r"www\.", re.IGNORECASE)


def md(value: Any) -> str:
    """Escape untrusted text for a GitHub comment: no Markdown, HTML, links or autolinks survive."""
    text = escape_text(_oneline(value))
    # escape_text keeps ":", "@" and "." readable; GitHub would still autolink URLs, e-mail addresses
    # and www. names in them. As references they show the same characters but start no autolink; an
    # e-mail address is matched in the decoded text, so an (invisible) empty comment splits it instead.
    text = text.replace(":", "&#58;").replace("@", "&#64;<!-- -->")
    return _AUTOLINK.sub(lambda m: m.group()[:3] + "&#46;", text)


def _md_pieces(pieces: Iterable[tuple[str, str]]) -> str:
    out = []
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


def _md_cell_amount(amount: Optional[Decimal]) -> str:
    return _money(amount)


def render_markdown(diff: Diff, limit: int = MARKDOWN_LIMIT) -> str:
    """Markdown for a pull-request comment and the job summary: tables of amounts, lists of the rest."""
    out = [f"## 表单变化：{md(diff.base)} → {md(diff.head)}", ""]
    if diff.empty:
        out.append("没有表单变化。")
        return "\n".join(out) + "\n"
    out += [_counts(diff) + "。", ""]
    if diff.broken:
        out += ["### ⚠️ 无法读取的文件", "", "这些文件的变化无法显示；运行 `disclosure check` 或查看检查注释。", ""]
        out += [f"- {'新版本' if b.side == 'new' else '原版本'} {md(b.path)}：{md(b.message)}" for b in diff.broken]
        out.append("")
    if diff.added or diff.removed:
        out += ["### 新增和删除的表单", "", "| | 文件 | 表单 | 名称 | 类别 | 年度资金总额 |", "| --- | --- | --- | --- | --- | ---: |"]
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
            out.append(
                f"| {who} | {md(a.label)} | {_md_cell_amount(a.old)} | {_md_cell_amount(a.new)} | {_signed(a.delta)} {md(a.money_unit)} |"
            )
        out.append("")
    if diff.effects:
        out += [
            "### 对单位预算的影响",
            "",
            "单位表中每类项目的金额应等于该类项目表的年度资金总额之和。",
            "",
            "| 单位 | 栏目 | 单位表（原 → 新） | 项目表之和（原 → 新） | 核对 |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        for e in diff.effects:
            name = md(e.unit_name)
            if e.total_old != e.total_new:
                delta = Decimal((e.total_new or 0) - (e.total_old or 0))
                out.append(f"| {name} | 年度资金总额 | {_money(e.total_old)} → {_money(e.total_new)}（{_signed(delta)}） | | |")
            for c in e.categories:
                out.append(
                    f"| {name} | {c.category} | {_money(c.declared_old)} → {_money(c.declared_new)} | "
                    f"{c.sum_old}（{c.count_old} 张）→ {c.sum_new}（{c.count_new} 张） | {md(_check_text(c, e.money_unit))} |"
                )
        out.append("")
    details = [c for c in diff.modified if c.indicators or c.fields]
    if details:
        out += ["### 指标和文字修改", ""]
        for change in details:
            out += [f"#### {md(change.new.title or change.new.id)}（{md(change.new.path)}）", ""]
            for ind in change.indicators:
                where = md(ind.level1) + " / " + md(ind.level2) + (" / " + md(ind.name) if ind.name else "")
                if ind.change == "added":
                    out.append(f"- 新增指标 {where}：{md(ind.new_value)}")
                elif ind.change == "removed":
                    out.append(f"- 删除指标 {where}：{md(ind.old_value)}")
                else:
                    line = f"- 指标 {where}："
                    line += f"{md(ind.old_value)} → {md(ind.new_value)}" if ind.old_value != ind.new_value else "指标值未变"
                    for extra in ind.fields:
                        line += f"；{md(extra.label)}：{_md_value(extra)}"
                    out.append(line)
            for f in change.fields:
                out.append(f"- {md(f.label)}：{_md_value(f)}")
            out.append("")
    text = "\n".join(out).rstrip("\n") + "\n"
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit - 200)
        text = text[: cut + 1] + "\n……（内容过长，已截断；完整差异请在本地运行 `disclosure diff`）\n"
    return text


def run(base: str | None, head: str | None, content: str = "content", fmt: str = "text", out=None) -> int:
    """The `disclosure diff` command: print the report; 0 always, 1 on git failure, 2 on usage errors."""
    import sys

    out = out or sys.stdout
    try:
        diff = compute_diff(content, base, head)
    except UsageError as exc:
        print(f"disclosure diff: 错误：{exc}", file=sys.stderr)
        return 2
    except GitError as exc:
        print(f"disclosure diff: git 错误：{exc}", file=sys.stderr)
        return 1
    out.write(render_markdown(diff) if fmt == "markdown" else render_text(diff))
    return 0
