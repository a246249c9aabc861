"""Find the form files under content/ and say which file is which form; report files that do not fit."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from generator.forms.document import Mark, dotted
from generator.problems import Problem, relpath

if TYPE_CHECKING:
    from generator.forms.validate import Form, FormSummary

UNIT_FILE = "unit.yml"


@dataclass
class FormFile:
    """One content file: where it is, what it holds, what is wrong with it."""

    path: str
    kind: str  # "unit" or "project"
    year: str
    unit_id: str
    stem: str
    form: "Form | None" = None
    problems: list[Problem] = field(default_factory=list)
    #: Positions of shallow fields (enough for cross-form messages without keeping the document).
    marks: dict[tuple[Any, ...], Mark] = field(default_factory=dict)
    #: What the cross-form rules need (set even when `form` is dropped to save inter-process traffic).
    summary: "FormSummary | None" = None
    #: Acknowledged warnings in the file: (scope path, code).
    acks: list[tuple[tuple[Any, ...], str]] = field(default_factory=list)
    #: The bytes `check` read and validated (kept with the form): what the site and archives publish.
    source: bytes | None = None
    #: SHA-256 (hex) of the bytes `check` read, kept when the form and its bytes are not (render cache keys).
    digest: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file loaded and matched the schema."""
        return self.summary is not None

    def problem(self, path: tuple[Any, ...], code: str, message: str) -> Problem:
        """Return a problem at the closest known position of `path`."""
        probe = tuple(path)
        while probe and probe not in self.marks:
            probe = probe[:-1]
        mark = self.marks.get(probe, Mark(1, 1))
        return Problem(self.path, mark.line, mark.col, code, message, field=dotted(path), at=tuple(path))


def discover(content: str | os.PathLike[str], below: FsPath | None = None) -> tuple[list[FormFile], list[Problem]]:
    """Find the form files under `content/<year>/<unit-id>/` (or a subfolder) and report everything else.

    Only folders and regular `.yml` files may be under content/: symbolic links, hidden names, FIFOs,
    sockets, devices and other files are reported (`forbidden-file`) and never followed, opened or published.
    A year folder without any form is reported too (`empty-year`): nothing could be published for it.
    """
    root = FsPath(content)
    files: list[FormFile] = []
    problems: list[Problem] = []
    start = root
    for part in FsPath(below).parts if below else ():
        start = start / part
        if start.is_symlink():
            problems.append(Problem(relpath(start), 1, 1, "forbidden-file", _REFUSED["link"]))
            return files, problems
    if start.is_dir():
        found = _walk(root, start, files, problems)
        if below is not None and len(FsPath(below).parts) == 1 and not found:
            problems.append(Problem(relpath(start), 1, 1, "empty-year", _EMPTY_YEAR))
    return files, problems


_REFUSED = {
    "link": "content/ 中不能有符号链接：不会读取或发布它指向的内容；请换成文件本身",
    "hidden": "content/ 中不能有隐藏文件或目录（名称以 . 开头）：它们不会被检查，因此也不能发布；请删除或移出 content/",
    "special": "content/ 中只能有目录和 .yml 表单文件，这是{kind}：不会读取；请删除",
    "other": "content/ 中只能有目录和 .yml 表单文件：这个文件不是表单，不会被检查或发布；请删除或移出 content/",
}


_EMPTY_YEAR = "年度目录中没有任何表单：发布时无法为这个年度生成网页和离线归档；请添加表单（disclosure new unit …）或删除这个目录"


def _refusal(entry: os.DirEntry[str]) -> str | None:
    """Return why a directory entry may not be under content/, or None for folders and regular files."""
    import stat

    from generator.fileio import file_kind

    if entry.is_symlink():
        return _REFUSED["link"]
    mode = entry.stat(follow_symlinks=False).st_mode
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return _REFUSED["special"].format(kind=file_kind(mode))
    if entry.name.startswith("."):
        return _REFUSED["hidden"]
    if stat.S_ISREG(mode) and not entry.name.endswith((".yml", ".yaml")):
        return _REFUSED["other"]
    return None


def _walk(root: FsPath, folder: FsPath, files: list[FormFile], problems: list[Problem]) -> int:
    """Collect the forms below `folder`; return how many .yml/.yaml files it holds."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        problems.append(Problem(relpath(folder), 1, 1, "forbidden-file", f"无法读取目录：{exc.strerror}"))
        return 0
    rel = folder.relative_to(root).parts
    found = 0
    for entry in entries:
        path = FsPath(entry.path)
        try:
            refusal = _refusal(entry)
        except OSError as exc:
            refusal = f"无法读取：{exc.strerror}"
        if refusal:
            problems.append(Problem(relpath(path), 1, 1, "forbidden-file", refusal))
        elif entry.is_dir(follow_symlinks=False):
            inside = _walk(root, path, files, problems)
            found += inside
            if not rel and not inside:
                problems.append(Problem(relpath(path), 1, 1, "empty-year", _EMPTY_YEAR))
        else:
            found += 1
            files_or_problem = classify(path, rel)
            (problems if isinstance(files_or_problem, Problem) else files).append(files_or_problem)  # type: ignore[arg-type]
    return found


def classify(path: FsPath, rel: tuple[str, ...]) -> FormFile | Problem:
    """Return the FormFile for a path relative to content/, or a misplaced-file problem."""
    shown = relpath(path)
    name = path.name
    if name.endswith(".yaml"):
        return Problem(shown, 1, 1, "misplaced-file", "请使用 .yml 扩展名")
    if len(rel) != 2:
        return Problem(shown, 1, 1, "misplaced-file", "表单文件应放在 content/<年度>/<单位编号>/ 目录下")
    year, unit_id = rel
    stem = name[: -len(".yml")]
    kind = "unit" if name == UNIT_FILE else "project"
    return FormFile(shown, kind, year, unit_id, stem)
