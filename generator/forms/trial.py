"""Check files before they are written: the years they belong to, with them in place, in a temporary folder.

Both importers (`import-xlsx`, `import`) run the same check as `disclosure check` on what they would write,
together with the rest of each year already in content/ (so unit sums across forms are checked too), and
write nothing until it passes. content/ itself is never touched here.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.forms.registry import Registry
    from generator.forms.validate import CheckResult


@dataclass
class Trial:
    """The check's result, and which of its files are the planned ones (temporary path -> content-relative path)."""

    result: "CheckResult"
    planned: dict[str, str] = field(default_factory=dict)
    #: content-relative path -> the planned form as checked (forms that did not parse are absent)
    forms: dict[str, Any] = field(default_factory=dict)

    def rel_of(self, path: str) -> str | None:
        """The content-relative path of a planned file, given a problem's path (shown relative to the cwd)."""
        return self.planned.get(os.path.abspath(path))


def check_in_place(content: Path, texts: dict[str, tuple[str, str]], registry: "Registry") -> Trial:
    """Check `texts` (`year/unit/name.yml` -> (kind, YAML text)) with the other forms of their years in content/."""
    from generator.forms.crossform import cross_form_problems
    from generator.forms.validate import FormFile, apply_acknowledgements, check_files, discover

    years = {rel.split("/")[0] for rel in texts}
    existing, _ = discover(content) if content.is_dir() else ([], [])
    keep = [ff for ff in existing if ff.year in years and f"{ff.year}/{ff.unit_id}/{Path(ff.path).name}" not in texts]
    with tempfile.TemporaryDirectory(prefix="disclosure-import-") as tmp:
        planned: dict[str, str] = {}
        new = []
        for rel, (kind, text) in texts.items():
            year, unit_id, name = rel.split("/")
            target = Path(tmp) / year / unit_id / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            ff = FormFile(str(target), kind, year, unit_id, name[: -len(".yml")])
            planned[os.path.abspath(ff.path)] = rel
            new.append(ff)
        checked = check_files(keep + new, jobs=1, registry=registry)
        problems = list(cross_form_problems(checked, registry))
        for ff in checked:
            problems.extend(ff.problems)
        trial = Trial(apply_acknowledgements(checked, problems), planned)
        for ff in checked:
            planned_rel = planned.get(os.path.abspath(ff.path))
            if planned_rel is not None and ff.form is not None:
                trial.forms[planned_rel] = ff.form
    return trial
