"""A rebuild brings back whole only the forms it renders; the year and home pages come from summaries.

The pages must be byte for byte those a cold build writes, whichever forms came back whole.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from benchmarks.synth import write_corpus
from generator.site.build import generate_site

ROOT = Path(__file__).resolve().parent.parent
EDITED = "content/2024/synthetic-unit-00002/u00002-p001.yml"


def project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("mkdocs.yml", "disclosure.yml", "overrides", "schema", "content"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, folder / name)
    write_corpus(folder / "content", 24, year=2024, projects_per_unit=3, seed=8)
    return folder


def docs(folder: Path) -> dict[str, bytes]:
    base = folder / "build" / "docs"
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def edit(folder: Path, old: str, new: str) -> None:
    path = folder / EDITED
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def whole(done) -> set[str]:  # noqa: ANN001 - build.Generated
    return {ff.path.split("content/", 1)[1] for ff in done.result.files if ff.form is not None}


@pytest.fixture
def site(tmp_path, monkeypatch):
    folder = project(tmp_path / "p")
    monkeypatch.chdir(folder)
    assert EDITED in {p.relative_to(folder).as_posix() for p in folder.rglob("*.yml")}
    return folder


def test_a_one_form_edit_brings_back_only_that_units_forms_and_writes_what_a_cold_build_writes(site, tmp_path):
    first = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    assert first.status == 0 and len(whole(first)) == len(first.result.files)  # a cold build: every form
    edit(site, "name: （合成）", "name: （合成，改）")  # the unit page and the year page's list of projects change
    again = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    assert again.status == 0
    unit = EDITED.rsplit("/", 1)[0]
    assert whole(again) == {p for p in whole(first) if p.startswith(unit.split("/", 1)[1] + "/")} != set()
    year_page = (site / "build" / "docs" / "2024" / "index.md").read_text(encoding="utf-8")
    assert "（合成，改）" in year_page
    cold = tmp_path / "cold"
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns("build"))
    os.chdir(cold)
    assert generate_site("content", "mkdocs.yml", jobs=1, downloads=False).status == 0
    assert docs(site) == docs(cold)


def test_a_unit_whose_pages_are_stale_after_all_is_checked_again_in_full(site):
    generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    before = docs(site)
    page = site / "build" / "docs" / "2024" / "synthetic-unit-00005" / "index.md"
    page.write_bytes(b"tampered\n")  # the forms' bytes are unchanged: the check keeps only summaries of them
    done = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    assert done.status == 0 and docs(site) == before
    assert {p.split("/")[1] for p in whole(done)} == {"synthetic-unit-00005"}


def test_a_form_saved_during_the_build_aborts_it_and_keeps_the_pages(site, monkeypatch, capsys):
    from generator.site import formfacts

    generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    before = docs(site)
    (site / "build" / "docs" / "2024" / "synthetic-unit-00005" / "index.md").unlink()
    real = formfacts.check_files

    def saved_meanwhile(files, *args):  # noqa: ANN001, ANN202
        for ff in files:
            Path(ff.path).write_bytes(Path(ff.path).read_bytes() + b"# saved during the build\n")
        return real(files, *args)

    monkeypatch.setattr(formfacts, "check_files", saved_meanwhile)
    done = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    assert done.status == 1
    err = capsys.readouterr().err
    assert "changed while the build read it; run the build again; site/ was not changed" in err
    del before["2024/synthetic-unit-00005/index.md"]
    assert docs(site) == before


def test_builds_with_downloads_and_partial_previews_check_every_form_whole(site):
    generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    done = generate_site("content", "mkdocs.yml", jobs=1, downloads=True)
    assert len(whole(done)) == len(done.result.files)  # the year's data files read every form
    part = generate_site("content", "mkdocs.yml", jobs=1, downloads=False, only="2024/synthetic-unit-00001")
    assert len(whole(part)) == len(part.result.files) > 0
