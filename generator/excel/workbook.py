"""Excel downloads: a workbook per form laid out like the printed 申报表, and the per-year data files.

- `form_workbook(form, rel)`: bytes of one form's workbook: the visible sheet (`sheets.form_sheet`) and the
  hidden `_data` sheet with every value of the form and its layout's name, which is what import reads;
- `site_files(result)`: every download for the site, keyed by docs-relative path;
- `export_xlsx` / `export_data`: the CLI commands (import lives in `importer`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Iterator

from generator.excel.cells import SHEET_FORM, new_workbook, workbook_bytes, write_data_sheet, data_rows, build_time
from generator.excel.formdata import form_rel
from generator.excel.sheets import form_sheet
from generator.forms.form import Form


# --------------------------------------------------------------------------- one form's workbook


def form_workbook(form: Form, rel: str) -> bytes:
    """Return the bytes of the workbook for one form (`rel` = `2025/<unit>/<stem>.yml`)."""
    wb = new_workbook(f"{form.title}{form.subtitle or ''}{form.name}")
    ws = wb.active
    ws.title = SHEET_FORM
    shown = form_sheet(ws, form)
    write_data_sheet(wb, data_rows(rel, form, shown))
    return workbook_bytes(wb)


def _forms(result: Any) -> Iterator[tuple[str, Form]]:
    for ff in result.files:
        if ff.form is not None:
            yield form_rel(ff), ff.form


def site_files(
    result: Any, forms: bool = True, data: bool = True, cache_dir: str | os.PathLike[str] | None = None, only: str | None = None
) -> dict[str, bytes]:
    """Return the Excel and data downloads for a checked content tree, keyed by docs-relative path.

    - `2025/<unit>/unit.xlsx`, `2025/<unit>/<project>.xlsx`: one workbook per form;
    - `2025/data/disclosure-2025.xlsx|.json|.sqlite` and `2025/data/disclosure-2025-<table>.csv`.

    Building them costs about 10 ms per form workbook and 15 s per 1,000 forms for a year's data files. With
    `cache_dir` (e.g. `build/excel-cache`), results are kept by a hash of the form data, the generator code,
    the openpyxl version and the build date, so a rebuild only redoes what changed. `only` ("2025" or
    "2025/<unit>", as for `serve --only`) keeps the forms below that folder (the data files then hold only them).
    """
    from generator.datasets import files as datasets

    cache = _Cache(Path(cache_dir)) if cache_dir else None
    out: dict[str, bytes] = {}
    all_forms = sorted(_forms(result))
    if only:
        prefix = only.strip("/") + "/"
        all_forms = [(rel, form) for rel, form in all_forms if rel.startswith(prefix)]
    if forms:
        for rel, form in all_forms:
            make = lambda form=form, rel=rel: form_workbook(form, rel)  # noqa: E731
            out[rel[: -len(".yml")] + ".xlsx"] = cache.get(make, "form", rel, CacheKey(form)) if cache else make()
    if data:
        by_year: dict[str, list[tuple[str, Form]]] = {}
        for rel, form in all_forms:
            by_year.setdefault(rel.split("/")[0], []).append((rel, form))
        for year, items in sorted(by_year.items()):
            make_year = lambda items=items: datasets.year_files(items)  # noqa: E731
            keyed = [(rel, CacheKey(form)) for rel, form in items]
            files = cache.get_many(make_year, "year", year, keyed) if cache else make_year()
            for name, blob in files.items():
                if name in out:
                    raise ValueError(f"download path used twice: {name}")
                out[name] = blob
    return out


class CacheKey:
    """A form as the cache keys it: `model_dump_json()` covers its layout (name and digest), kind and data.

    (A site's own layout is not part of the code fingerprint, so its digest must be part of each key.)
    Everything else is the form's.
    """

    def __init__(self, form: Form) -> None:
        self.form = form

    def model_dump_json(self) -> str:
        layout = self.form.layout
        return json.dumps([layout.name, layout.digest, self.form.kind]) + self.form.data.model_dump_json()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.form, name)


class _Cache:
    """Generated files on disk, keyed by everything that goes into them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.code = _code_fingerprint()

    def _key(self, kind: str, name: str, forms: list[tuple[str, CacheKey]]) -> str:
        import hashlib

        digest = hashlib.sha256(f"{self.code}\0{kind}\0{name}".encode())
        for rel, form in forms:
            digest.update(b"\0" + rel.encode() + b"\0" + form.model_dump_json().encode())
        return digest.hexdigest()

    def get(self, make: Any, kind: str, rel: str, form: CacheKey) -> bytes:
        from generator.fileio import write_bytes_atomic

        path = self.root / kind / (self._key(kind, rel, [(rel, form)]) + ".xlsx")
        try:
            return path.read_bytes()
        except OSError:
            blob = make()
            write_bytes_atomic(path, blob)
            return blob

    def get_many(self, make: Any, kind: str, name: str, forms: list[tuple[str, CacheKey]]) -> dict[str, bytes]:
        from generator.fileio import write_bytes_atomic

        folder = self.root / kind / self._key(kind, name, forms)
        index = folder / "files.json"
        try:
            names = json.loads(index.read_text(encoding="utf-8"))
            return {n: (folder / str(i)).read_bytes() for i, n in enumerate(names)}
        except (OSError, ValueError):
            files = make()
            for i, blob in enumerate(files.values()):
                write_bytes_atomic(folder / str(i), blob)
            write_bytes_atomic(index, json.dumps(list(files), ensure_ascii=False).encode("utf-8"))
            return files


def _code_fingerprint() -> str:
    import hashlib

    import openpyxl

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"openpyxl {openpyxl.__version__}\0{build_time().isoformat()}".encode())
    # Every module that shapes a workbook: a change to any of them invalidates the cache.
    for path in sorted(package.glob("*/*.py")) + sorted(package.glob("forms/layouts/*.yml")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- commands


def _checked(content: str) -> tuple[int, Any]:
    """Check the content like `disclosure check`; return (status, result). Errors stop the export."""
    from generator.problems import report, summary
    from generator.forms.validate import check_content

    if not Path(content).is_dir():
        print(f"disclosure: error: content folder not found: {content}", file=sys.stderr)
        return 2, None
    result = check_content(content)
    if result.errors:
        report(result.problems)
        print(summary(result.problems, result.acknowledged, result.forms_checked))
        print("export aborted: fix the errors above; nothing was written", file=sys.stderr)
        return 1, None
    return 0, result


def _write_all(files: dict[str, bytes], out: Path) -> None:
    from generator.fileio import write_bytes_atomic

    written = 0
    for rel, blob in sorted(files.items()):
        if write_bytes_atomic(out / rel, blob):
            written += 1
    print(f"{len(files)} files in {out} ({written} written, {len(files) - written} unchanged)")


def export_xlsx(content: str = "content", output: str = "build/xlsx") -> int:
    """`disclosure export-xlsx`: a workbook per form under `output/<year>/<unit>/`."""
    status, result = _checked(content)
    if status:
        return status
    _write_all(site_files(result, forms=True, data=False), Path(output))
    return 0


def export_data(content: str = "content", output: str = "build/data") -> int:
    """`disclosure export-data`: per year `output/<year>/data/disclosure-<year>.{xlsx,json,sqlite}` and CSVs."""
    status, result = _checked(content)
    if status:
        return status
    _write_all(site_files(result, forms=False, data=True), Path(output))
    return 0
