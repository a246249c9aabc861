"""A parsed YAML file: plain data plus the line and column of every key and value, by path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.problems import Problem

Path = tuple[Any, ...]


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
    #: The composed node tree (fast path): positions are looked up in it only when a problem needs one.
    node: Any = None
    #: The decoded text, for whole-file scans that are cheaper than walking every value.
    text: str = ""
    #: The bytes as read (BOM and line endings included): the file that was checked.
    raw: bytes = b""

    def mark(self, path: Path, prefer_key: bool = False) -> Mark:
        """Return the closest known position for `path`, walking up to its parents."""
        path = tuple(path)
        if self.node is not None:
            return node_mark(self.node, path, prefer_key)
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


def node_mark(root: Any, path: Path, prefer_key: bool) -> Mark:
    """Return the position of `path` in a composed node tree (the key's when `prefer_key`)."""
    node, key_node = root, None
    found: tuple[Any, Any] | None
    for part in path:
        found = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == part:
                    found = (k, v)
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            found = (None, node.value[part])
        if found is None:
            break
        key_node, node = found
    else:
        if prefer_key and key_node is not None:
            return Mark(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)
