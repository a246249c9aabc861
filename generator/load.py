"""YAML text -> plain data (dicts, lists, strings) plus the line and column of every key and value.

Scalars are never typed implicitly: `NO`, `on`, `1:20`, `012` and `2025-01-02` all stay text and the
model decides what they mean. Everything YAML can do beyond plain nested mappings, lists and text
(anchors, aliases, tags, merge keys, several documents) is refused with a problem, never an exception.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.problems import Problem, relpath

try:  # libyaml is several times faster; the pure-Python parser gives the same events.
    _Loader = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.BaseLoader

#: A form is a few kilobytes; anything this large is a mistake (or an attack on the parser).
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32

Path = tuple[Any, ...]

# C0/C1 controls except tab, LF, CR; zero-width characters; bidirectional controls; BOM inside text.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\ufff9-\ufffb]"
)


@dataclass
class Mark:
    """A 1-based line and column."""

    line: int
    col: int


@dataclass
class Document:
    """Parsed data with the position of every value and every mapping key, by path."""

    path: str
    data: Any = None
    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def mark(self, path: Path, prefer_key: bool = False) -> Mark:
        """Return the closest known position for `path`, walking up to its parents."""
        path = tuple(path)
        while True:
            if prefer_key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            if not path:
                return Mark(1, 1)
            path = path[:-1]

    def problem(self, path: Path, code: str, message: str, prefer_key: bool = False) -> Problem:
        """Return a problem located at `path` in this document."""
        mark = self.mark(path, prefer_key)
        return Problem(self.path, mark.line, mark.col, code, message, field=dotted(path), at=tuple(path))


def dotted(path: Path) -> str:
    """Return `("indicators", 3, "value")` as `indicators[3].value` (0-based like the data)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _mark(event: Any) -> Mark:
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1)


def load_file(path: str | os.PathLike[str]) -> Document:
    """Read and parse one YAML file; problems are collected in the document, never raised."""
    shown = relpath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            doc = Document(shown)
            doc.problems.append(
                Problem(shown, 1, 1, "file-too-large", f"文件大小 {size} 字节，超过上限 {MAX_BYTES} 字节")
            )
            return doc
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        doc = Document(shown)
        doc.problems.append(Problem(shown, 1, 1, "invalid-encoding", f"无法读取文件：{exc.strerror}"))
        return doc
    return load_bytes(raw, shown)


def load_bytes(raw: bytes, path: str = "<text>") -> Document:
    """Decode and parse YAML bytes."""
    doc = Document(path)
    if len(raw) > MAX_BYTES:
        doc.problems.append(Problem(path, 1, 1, "file-too-large", f"文件超过上限 {MAX_BYTES} 字节"))
        return doc
    if raw.startswith(b"\xef\xbb\xbf"):  # a BOM that Windows editors add: harmless, dropped
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        doc.problems.append(
            Problem(path, line, col, "invalid-encoding", f"第 {exc.start} 字节不是有效的 UTF-8 编码（请以 UTF-8 保存）")
        )
        return doc
    return load_text(text, path, doc)


def load_text(text: str, path: str = "<text>", doc: Document | None = None) -> Document:
    """Parse YAML text into a Document."""
    doc = doc or Document(path)
    text = text.replace("\r\n", "\n")
    bad = list(_FORBIDDEN.finditer(text))
    if bad:
        for match in bad[:20]:
            line = text.count("\n", 0, match.start()) + 1
            col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            doc.problems.append(
                Problem(path, line, col, "forbidden-character", f"不允许的字符 U+{ord(match.group()):04X}（控制、零宽或双向字符）")
            )
        return doc
    _Builder(doc).build(text)
    return doc


class _Builder:
    """Build plain data from the parser's event stream, recording marks and refusing YAML features."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def fail(self, mark: Mark, code: str, message: str) -> None:
        self.doc.problems.append(Problem(self.doc.path, mark.line, mark.col, code, message))

    def build(self, text: str) -> None:
        documents = 0
        root: Any = None
        # Stack entries: [container, path, pending_key, key_mark, seen_keys]
        stack: list[list[Any]] = []
        try:
            for event in yaml.parse(text, Loader=_Loader):
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents == 2:
                        self.fail(_mark(event), "multiple-documents", "文件中有多个 YAML 文档（---）；每个文件只写一张表")
                    continue
                if documents > 1 or isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
                    continue
                value, is_start = self._node(event)
                if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    stack.pop()
                    continue
                if not stack:
                    path: Path = ()
                else:
                    top = stack[-1]
                    container, parent_path = top[0], top[1]
                    if top[5]:  # inside something already refused: read past it
                        if is_start:
                            stack.append([value, None, _NO_KEY, None, {}, True])
                        continue
                    if isinstance(container, list):
                        path = parent_path + (len(container),)
                        container.append(value)
                        self.doc.values[path] = _mark(event)
                    elif top[2] is _NO_KEY:
                        self._take_key(top, event, value)
                        if is_start:  # a mapping or list used as a key: read past its contents
                            stack.append([value, None, _NO_KEY, None, {}, True])
                        continue
                    else:
                        key = top[2]
                        top[2] = _NO_KEY
                        if key is _SKIP:
                            if is_start:
                                stack.append([value, None, _NO_KEY, None, {}, True])
                            continue
                        path = parent_path + (key,)
                        container[key] = value
                        self.doc.values[path] = _mark(event)
                if len(stack) > MAX_DEPTH:
                    self.fail(_mark(event), "too-deep", f"嵌套超过 {MAX_DEPTH} 层")
                    raise _Stop
                if not stack and root is None:
                    root = value
                    self.doc.values[()] = _mark(event)
                if is_start:
                    stack.append([value, path, _NO_KEY, None, {}, False])
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            self.fail(Mark(line, col), "yaml-syntax", _yaml_message(exc))
            return
        except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare in libyaml
            self.fail(Mark(1, 1), "yaml-syntax", str(exc))
            return
        except _Stop:
            return
        if documents == 0 or root is None or root == "":
            self.fail(Mark(1, 1), "empty-file", "文件为空（没有任何字段）")
        elif not isinstance(root, dict):
            self.fail(self.doc.values[()], "not-a-mapping", "文件顶层必须是“字段: 值”的映射，而不是列表或单个值")
        else:
            self.doc.data = root

    def _node(self, event: Any) -> tuple[Any, bool]:
        """Return the value an event starts (and whether it opens a container)."""
        if isinstance(event, yaml.AliasEvent):
            self.fail(_mark(event), "yaml-anchor", f"不允许使用别名 *{event.anchor}；请把内容直接写出")
            return None, False
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            return None, False
        if getattr(event, "anchor", None):
            self.fail(_mark(event), "yaml-anchor", f"不允许使用锚点 &{event.anchor}")
        if getattr(event, "tag", None) not in (None, "!"):
            self.fail(_mark(event), "yaml-tag", f"不允许使用标签 {event.tag}")
        if isinstance(event, yaml.ScalarEvent):
            return event.value, False
        if isinstance(event, yaml.MappingStartEvent):
            return {}, True
        return [], True

    def _take_key(self, top: list[Any], event: Any, value: Any) -> None:
        mark = _mark(event)
        if not isinstance(event, yaml.ScalarEvent) or value == "":
            self.fail(mark, "invalid-key", "键必须是非空的简单文本")
            top[2] = _SKIP
            return
        if value == "<<" and event.implicit[0]:
            self.fail(mark, "yaml-merge-key", "不允许使用合并键 <<；请把字段直接写出")
            top[2] = _SKIP
            return
        seen: dict[str, Mark] = top[4]
        if value in seen:
            self.fail(mark, "duplicate-key", f"键“{value}”重复，第一次出现在第 {seen[value].line} 行")
            top[2] = _SKIP
            return
        seen[value] = mark
        top[2] = value
        self.doc.keys[top[1] + (value,)] = mark


class _Stop(Exception):
    pass


_NO_KEY = object()
_SKIP = object()


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "syntax error"
    context = f"（{exc.context}）" if exc.context else ""
    hint = ""
    if "tab" in problem.lower():
        hint = "；缩进请用空格，不要用 Tab"
    return f"YAML 语法错误：{problem}{context}{hint}"
