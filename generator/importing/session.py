"""Files -> forms ready to write: read, split, recognise, map, then place each form and name it.

All forms of a file belong to the unit whose name they print (a unit's file holds its whole-unit form and
its project forms). A unit goes to the folder of `content/<year>/` whose forms print the same unit name, else
to a folder named from the unit name (`ids.suggest`), or the one `--unit-id` gives. A project keeps the id of
the project of the same name already in the folder, else gets one from its name, or the one `--id` gives.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from generator.forms.layoutcheck import REQUIRED_FIELDS
from generator.forms.scalars import ID_PATTERN
from generator.importing import ids
from generator.importing.build import Built, build_form
from generator.importing.documents import read_document
from generator.importing.grid import Cell, Document
from generator.importing.problems import ImportProblem, Refused
from generator.importing.recognise import choose, chunk_year, score_all, split_forms
from generator.problems import relpath

if TYPE_CHECKING:
    from generator.forms.registry import Registry

UNIT_KEY = REQUIRED_FIELDS["unit"][0]
NAME_KEY = REQUIRED_FIELDS["project"][0]


@dataclass
class Options:
    unit_id: Optional[str] = None
    id: Optional[str] = None
    year: Optional[str] = None
    layout: Optional[str] = None
    category: Optional[str] = None

    def invalid(self) -> Optional[str]:
        """What is wrong with the flags (ids and the year become paths: nothing but the id pattern is taken)."""
        for flag, value in (("--unit-id", self.unit_id), ("--id", self.id)):
            if value is not None and (not re.match(ID_PATTERN, value) or len(value) > 80 or value == "unit"):
                return f"{flag} {value!r}: 编号只能由小写英文字母、数字和连字符组成（如 renhe-shehui-gongzuobu）"
        if self.year is not None and not re.fullmatch(r"(19|20)[0-9]{2}", self.year):
            return f"--year {self.year!r}: 年度应为四位数字，如 2025"
        return None


@dataclass
class Imported:
    """One form to write: where it came from, where it goes, its data."""

    source: str
    number: int
    built: Built
    year: str = ""
    unit_id: str = ""
    id: str = ""
    score: float = 0.0
    suggested: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.built.kind

    @property
    def rel(self) -> str:
        name = "unit.yml" if self.kind == "unit" else f"{self.id}.yml"
        return f"{self.year}/{self.unit_id}/{name}"

    def data(self) -> dict[str, Any]:
        return self.built.data


@dataclass
class Session:
    registry: "Registry"
    content: Path
    options: Options
    forms: list[Imported] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    #: What content/<year>/ already holds, read once per year.
    existing: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def problem(self, source: str, number: int, cell: Optional[Cell], code: str, message: str, path: str = "") -> None:
        self.problems.append(ImportProblem(source, number, cell.where() if cell is not None else "", code, message, path))

    # ---------------------------------------------------------------- reading

    def read(self, path: str) -> None:
        shown = relpath(path)
        try:
            doc = read_document(path)
        except Refused as exc:
            self.problem(shown, 0, None, exc.code, exc.message)
            return
        except Exception as exc:  # pragma: no cover - a file shaped in a way no reader foresaw: still no traceback
            self.problem(shown, 0, None, "invalid-document", f"文件无法读取（{type(exc).__name__}）")
            return
        self.read_document(doc, shown)

    def read_document(self, doc: Document, shown: str) -> None:
        chunks = split_forms(doc.rows, self.registry)
        if not chunks:
            self.problem(shown, 0, None, "no-form-found", "文件中没有找到任何表格或文字")
            return
        found = []
        for number, chunk in enumerate(chunks, start=1):
            year = self.options.year or chunk_year(chunk)
            candidates = score_all(chunk, self.registry)
            chosen, tied = choose(candidates, self.registry.default_for(year or ""), self.options.layout)
            where = chunk.title
            if chosen is None:
                if tied:
                    names = "、".join(f"{c.layout.name}（{'整体表' if c.kind == 'unit' else '项目表'}）" for c in tied)
                    self.problem(
                        shown,
                        number,
                        where,
                        "ambiguous-layout",
                        f"第 {number} 张表与这些表样同样相符：{names}；请用 --layout 选择",
                    )
                elif self.options.layout is not None and self.options.layout not in self.registry.layouts:
                    self.problem(
                        shown,
                        number,
                        where,
                        "unknown-form",
                        f"没有名为“{self.options.layout}”的表样（可用：{self.registry.names()}）",
                    )
                else:
                    best = candidates[0] if candidates else None
                    hint = f"（最接近的是 {best.layout.name}，相符 {best.score:.0%}）" if best else ""
                    self.problem(
                        shown,
                        number,
                        where,
                        "unknown-form",
                        f"第 {number} 张表的标签与任何表样都不相符{hint}；请先为它写一个表样",
                    )
                continue
            built = build_form(chunk, chosen, doc.full_rows)
            for note in built.notes:
                if note.code == "year-from-text" and self.options.year:
                    continue  # the editor gave the year
                field_name = ".".join(str(p) for p in note.path)
                self.problem(shown, number, note.cell or where, note.code, note.message, field_name)
            found.append(Imported(shown, number, built, score=chosen.score))
        if not found:
            return
        self.place(found, doc, shown)
        self.forms.extend(found)

    # ---------------------------------------------------------------- placing

    def place(self, found: list[Imported], doc: Document, shown: str) -> None:
        projects = [f for f in found if f.kind == "project"]
        for form in found:
            data = form.built.data
            year = self.options.year or form.built.year
            if year is None:
                self.problem(shown, form.number, form.built.title, "choose-year", "原表中没有印出年度；请用 --year 指定")
                year = "0000"
            elif self.options.year and form.built.year and form.built.year != self.options.year:
                self.problem(
                    shown,
                    form.number,
                    form.built.title,
                    "missing-label",
                    f"原表印的年度是 {form.built.year}，按 --year 写作 {year}",
                )
            form.year = year
            data["fiscal_year"] = year
            if form.kind == "project" and len(projects) > 1:
                data["order"] = str(projects.index(form) + 1)
            spec = form.built.layout.form(form.kind)
            assert spec is not None
            if spec.categories and "category" not in data:
                if self.options.category:
                    data["category"] = self.options.category
                else:
                    names = "、".join(c.name for c in spec.categories)
                    self.problem(
                        shown,
                        form.number,
                        form.built.title,
                        "choose-category",
                        f"标题没有说明项目类别（{names}）；请用 --category 选择",
                    )
            if self.registry.default_for(year) != form.built.layout.name:
                data["layout"] = form.built.layout.name
            data["source"] = self.source_of(doc)
        self.name_units(found, shown)
        for form in found:
            if form.kind == "unit":
                form.built.data["id"] = form.unit_id
                form.id = "unit"
        self.name_projects(projects, shown)

    def source_of(self, doc: Document) -> dict[str, str]:
        source = {"title": doc.title, "url": doc.url, "published": doc.published, "file": os.path.basename(doc.path)}
        return {k: v for k, v in source.items() if v}

    def folders(self, year: str) -> dict[str, dict[str, str]]:
        """unit id -> {file stem: printed name} of the forms already in content/<year>/ (the unit form's stem: unit)."""
        from generator.forms.load import load_file

        if year in self.existing:
            return self.existing[year]
        out: dict[str, dict[str, str]] = {}
        self.existing[year] = out
        base = self.content / year
        if not base.is_dir():
            return out
        for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.is_symlink()):
            names: dict[str, str] = {}
            for path in sorted(folder.glob("*.yml")):
                doc = load_file(path)
                if isinstance(doc.data, dict):
                    key = UNIT_KEY if path.stem == "unit" else NAME_KEY
                    names[path.stem] = str(doc.data.get(key) or "")
                    names.setdefault("", str(doc.data.get(UNIT_KEY) or ""))
            out[folder.name] = names
        return out

    def name_units(self, found: list[Imported], shown: str) -> None:
        for form in found:
            unit_name = str(form.built.data.get(UNIT_KEY) or "").strip()
            if self.options.unit_id:
                form.unit_id = self.options.unit_id
                continue
            existing = self.folders(form.year)
            same = [uid for uid, names in existing.items() if unit_name and unit_name in (names.get("unit"), names.get(""))]
            if same:
                form.unit_id = same[0]
                if len(same) > 1:
                    self.problem(
                        shown,
                        form.number,
                        form.built.title,
                        "choose-id",
                        f"{form.year} 年有几个目录印有单位名称“{unit_name}”（{'、'.join(same)}）；请用 --unit-id 指定",
                    )
                form.suggested.append(f"沿用已有的单位目录 {same[0]}（单位名称相同）")
                continue
            taken = {f.unit_id for f in self.forms + found if f.unit_id and f.built.data.get(UNIT_KEY) != unit_name}
            earlier = next((f.unit_id for f in self.forms + found if f.unit_id and f.built.data.get(UNIT_KEY) == unit_name), None)
            suggestion = earlier or ids.suggest(unit_name, set(existing) | taken, unit=True)
            if suggestion is None:
                self.problem(
                    shown,
                    form.number,
                    form.built.title,
                    "choose-id",
                    f"无法从预算单位名称“{unit_name}”生成单位编号；请用 --unit-id 指定",
                )
                suggestion = "unit"
            elif earlier is None:
                form.suggested.append(f"单位编号 {suggestion} 由“{unit_name}”的拼音生成（可用 --unit-id 修改）")
            form.unit_id = suggestion

    def name_projects(self, projects: list[Imported], shown: str) -> None:
        if self.options.id and len(projects) > 1:
            self.problem(shown, 0, None, "choose-id", f"文件中有 {len(projects)} 张项目表，--id 只能用于一张项目表")
        for form in projects:
            name = str(form.built.data.get(NAME_KEY) or "").strip()
            existing = self.folders(form.year).get(form.unit_id, {})
            planned = {f.id for f in self.forms + projects if f is not form and f.unit_id == form.unit_id and f.id}
            if self.options.id and len(projects) == 1:
                form.id = self.options.id
            else:
                same = [stem for stem, printed in existing.items() if stem not in ("", "unit") and printed == name]
                if same and same[0] not in planned:
                    form.id = same[0]
                    form.suggested.append(f"沿用已有的项目编号 {same[0]}（项目名称相同）")
                else:
                    suggestion = ids.suggest(name, (set(existing) - {""}) | planned)
                    if suggestion is None:
                        self.problem(
                            shown, form.number, form.built.title, "choose-id", f"无法从项目名称“{name}”生成编号；请用 --id 指定"
                        )
                        suggestion = f"project-{form.number}"
                    else:
                        form.suggested.append(f"编号 {suggestion} 由“{name}”的拼音生成（可用 --id 修改）")
                    form.id = suggestion
            form.built.data["id"] = form.id
