"""YAML text -> plain data (dicts, lists, strings) plus the line and column of every key and value.

Scalars are never typed implicitly: `NO`, `on`, `1:20`, `012` and `2025-01-02` all stay text and the
model decides what they mean. Everything YAML can do beyond plain nested mappings, lists and text
(anchors, aliases, tags, merge keys, several documents) is refused with a problem, never an exception.
"""

from __future__ import annotations

import os
import re
from itertools import islice
from typing import Any

import yaml

from generator.characters import FORBIDDEN
from generator.fileio import FileTooLarge, NotRegularFile, read_regular_file
from generator.forms.document import Document, Mark
from generator.problems import Problem, relpath

_BaseLoader: type[yaml.BaseLoader] | type[yaml.CBaseLoader]
try:  # libyaml is several times faster; the pure-Python parser gives the same events.
    _BaseLoader = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.BaseLoader

_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The base loader (no implicit typing) with a constant-time resolver: every untagged node is text."""

    def resolve(self, kind, value, implicit):  # noqa: ANN001, ANN201 - PyYAML's signature
        return _DEFAULT_TAGS[kind]


#: A form is a few kilobytes; anything this large is a mistake (or an attack on the parser).
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32

Path = tuple[Any, ...]

# Controls, format characters (zero-width, bidirectional, BOM inside text, tags …), private use, unassigned
# and other invisible characters, by Unicode property (generator/characters.py). A CR outside CRLF and
# U+2028/U+2029 are refused too: libyaml counts them as line breaks, which editors do not.
_FORBIDDEN = FORBIDDEN  # also read by the workbook reader


def _mark(event: Any) -> Mark:
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1)


def load_file(path: str | os.PathLike[str]) -> Document:
    """Read and parse one regular YAML file; problems are collected in the document, never raised.

    Symbolic links, FIFOs, devices and folders are refused without reading them (see `read_regular_file`).
    """
    shown = relpath(path)
    doc = Document(shown)
    try:
        raw = read_regular_file(path, MAX_BYTES)
    except NotRegularFile as exc:
        doc.problems.append(Problem(shown, 1, 1, "forbidden-file", f"{exc.kind}不是表单文件，不会被读取或发布；请换成普通文件"))
        return doc
    except FileTooLarge as exc:
        doc.problems.append(Problem(shown, 1, 1, "file-too-large", f"文件大小 {exc.size} 字节，超过上限 {MAX_BYTES} 字节"))
        return doc
    except OSError as exc:
        doc.problems.append(Problem(shown, 1, 1, "invalid-encoding", f"无法读取文件：{exc.strerror}"))
        return doc
    return load_bytes(raw, shown, doc)


def load_bytes(raw: bytes, path: str = "<text>", doc: Document | None = None) -> Document:
    """Decode and parse YAML bytes; the document keeps them (`raw`): what is published is what was checked."""
    doc = doc or Document(path)
    doc.raw = raw
    if len(raw) > MAX_BYTES:
        doc.problems.append(Problem(path, 1, 1, "file-too-large", f"文件超过上限 {MAX_BYTES} 字节"))
        return doc
    if raw.startswith(b"\xef\xbb\xbf"):  # a BOM that Windows editors add: harmless, dropped
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        # Columns count characters, as editors do, not bytes.
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        doc.problems.append(
            Problem(path, line, col, "invalid-encoding", f"第 {exc.start} 字节不是有效的 UTF-8 编码（请以 UTF-8 保存）")
        )
        return doc
    return load_text(text, path, doc)


def load_text(text: str, path: str = "<text>", doc: Document | None = None) -> Document:
    """Parse YAML text into a Document."""
    doc = doc or Document(path)
    text = text.replace("\r\n", "\n")
    doc.text = text
    for match in islice(_FORBIDDEN.finditer(text), 20):
        line, col = text.count("\n", 0, match.start()) + 1, match.start() - text.rfind("\n", 0, match.start())
        doc.problems.append(
            Problem(
                path,
                line,
                col,
                "forbidden-character",
                f"不允许的字符 U+{ord(match.group()):04X}（控制、零宽、双向或其他不可见字符）",
            )
        )
    if doc.problems:
        return doc
    # Plain files (every real form) are composed in C and converted in one pass. Anything that uses
    # YAML's riskier features (anchors, aliases, tags, escapes, merge keys, complex keys) or could nest
    # deeply enough to exhaust the C composer's stack goes through the event-based builder instead.
    if len(text) <= 200_000 and text.count("[") + text.count("{") <= 200 and not _NEEDS_EVENTS.search(text):
        _compose(doc, text)
    else:
        _Builder(doc).build(text)
    return doc


_NEEDS_EVENTS = re.compile(r"[&*!\\]|^%|<<|^[ \t]*\?|^ {100,}|(?:-[ \t]+){4,}", re.MULTILINE)

_STANDARD_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _compose(doc: Document, text: str) -> None:
    """Fast path: yaml.compose with the C base loader, then one pass of checks and conversion."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as exc:
        if "single document" in f"{exc.context} {exc.problem}":
            mark = exc.problem_mark
            doc.problems.append(
                Problem(
                    doc.path,
                    mark.line + 1 if mark else 1,
                    mark.column + 1 if mark else 1,
                    "multiple-documents",
                    "文件中有多个 YAML 文档（---）；每个文件只写一张表",
                )
            )
            return
        mark = exc.problem_mark or exc.context_mark
        code = "yaml-anchor" if "alias" in str(exc.problem) else "yaml-syntax"
        doc.problems.append(
            Problem(
                doc.path,
                mark.line + 1 if mark else 1,
                mark.column + 1 if mark else 1,
                code,
                f"YAML 错误：{exc.problem}（不允许使用锚点和别名）",
            )
        )
        return
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        doc.problems.append(Problem(doc.path, line, col, "yaml-syntax", _yaml_message(exc, text)))
        return
    if root is None or (isinstance(root, yaml.ScalarNode) and root.value == "" and root.tag in _STANDARD_TAGS):
        doc.problems.append(Problem(doc.path, 1, 1, "empty-file", "文件为空（没有任何字段）"))
        return
    start = len(doc.problems)
    converter = _Converter(doc, text)
    try:
        data = converter.convert(root, 0)
    except _Stop:
        return
    if converter.use_events:
        # The node tree has no position for an alias (it is the anchored node), and the event builder stops
        # at the depth limit: let it report these exactly, as for every other file.
        del doc.problems[start:]
        _Builder(doc).build(text)
        return
    if not isinstance(root, yaml.MappingNode):
        mark = root.start_mark
        doc.problems.append(
            Problem(
                doc.path, mark.line + 1, mark.column + 1, "not-a-mapping", "文件顶层必须是“字段: 值”的映射，而不是列表或单个值"
            )
        )
        return
    doc.data = data
    doc.node = root


class _Converter:
    """Node tree -> plain data, refusing anchors, aliases, tags, merge keys and duplicate keys."""

    def __init__(self, doc: Document, text: str) -> None:
        self.doc = doc
        self.text = text
        #: An anchor, alias or too-deep nesting was found: the caller re-reads the file with the event builder.
        self.use_events = False

    def fail(self, mark: Any, code: str, message: str) -> None:
        self.doc.problems.append(Problem(self.doc.path, mark.line + 1, mark.column + 1, code, message))

    def convert(self, node: Any, depth: int, where: Any = None) -> Any:
        # The fast path only sees text without `&`, `*`, `!` or `\\` (see _NEEDS_EVENTS): no anchor, alias,
        # tag or escape can occur, and the raw text was already searched for forbidden characters. What is
        # left to refuse here: odd keys, duplicates, non-standard tags (defence in depth) and depth.
        if node.tag not in _STANDARD_TAGS:
            self.fail(node.start_mark, "yaml-tag", f"不允许使用标签 {node.tag}")
        if depth > MAX_DEPTH:
            self.use_events = True
            return None
        if isinstance(node, yaml.ScalarNode):
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, depth + 1) for item in node.value]
        out: dict[str, Any] = {}
        seen_keys: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "":
                self.fail(key_node.start_mark, "invalid-key", "键必须是非空的简单文本")
                continue
            key = key_node.value
            if key == "<<" and not key_node.style:
                self.fail(key_node.start_mark, "yaml-merge-key", "不允许使用合并键 <<；请把字段直接写出")
                continue
            if key in seen_keys:
                self.fail(key_node.start_mark, "duplicate-key", f"键“{key}”重复，第一次出现在第 {seen_keys[key].line + 1} 行")
                continue
            seen_keys[key] = key_node.start_mark
            out[key] = self.convert(value_node, depth + 1, where=key_node)
        return out


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
            self.fail(Mark(line, col), "yaml-syntax", _yaml_message(exc, text))
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
        if getattr(event, "tag", None) is not None:  # the bare `!` (non-specific tag) too
            self.fail(_mark(event), "yaml-tag", f"不允许使用标签 {event.tag}")
        if isinstance(event, yaml.ScalarEvent):
            bad = _FORBIDDEN.search(event.value)
            if bad:  # written as an escape in a "double-quoted" scalar; the raw text was clean
                self.fail(_mark(event), "forbidden-character", f"不允许的字符 U+{ord(bad.group()):04X}（不可见字符，以转义写出）")
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


def _yaml_message(exc: yaml.MarkedYAMLError, text: str = "") -> str:
    problem = exc.problem or "syntax error"
    context = f"（{exc.context}）" if exc.context else ""
    hint = ""
    mark = exc.problem_mark
    if "tab" in problem.lower() or (mark is not None and text[mark.index : mark.index + 1] == "\t"):
        hint = "；缩进请用空格，不要用 Tab"
    return f"YAML 语法错误：{problem}{context}{hint}"
