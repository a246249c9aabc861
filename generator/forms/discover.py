"""Find the form files under content/ and say which file is which form; report files that do not fit."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from generator.forms.load import Mark, dotted
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
    """Find the form files under `content/<year>/<unit-id>/` (or a subfolder) and report files that do not fit."""
    root = FsPath(content)
    files: list[FormFile] = []
    problems: list[Problem] = []
    for dirpath, dirnames, filenames in os.walk(root / below if below else root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel = FsPath(dirpath).relative_to(root).parts
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith((".yml", ".yaml")):
                continue
            files_or_problem = classify(FsPath(dirpath) / name, rel)
            if isinstance(files_or_problem, Problem):
                problems.append(files_or_problem)
            else:
                files.append(files_or_problem)
    return files, problems


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


