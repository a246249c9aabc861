"""A failed generation says what it left as it was: site/ for build, the previous pages for serve, no zip for archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.site.build import PREVIEW_KEPT, generate
from generator.site.serve import serve
from tests.support import make_project


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = make_project(tmp_path / "p")
    form = project / "content" / "2025" / "renhe-shehui-gongzuobu" / "cun-shequ-huanjie.yml"
    form.write_text(form.read_text(encoding="utf-8").replace("  total: 8\n", "  total: 9\n", 1), encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return project


def test_build_says_site_was_not_changed(broken: Path, capsys) -> None:
    assert main(["build"]) == 1
    assert "site/ was not changed" in capsys.readouterr().err


def test_serve_does_not_talk_about_site(broken: Path, capsys) -> None:
    assert serve(content="content", config="mkdocs.yml") == 1
    err = capsys.readouterr().err
    assert "nothing is served" in err and "site/" not in err
    status, _nav = generate("content", "mkdocs.yml", docs_dir=str(broken / "build" / "serve" / "docs"), kept=PREVIEW_KEPT)
    err = capsys.readouterr().err
    assert status == 1 and PREVIEW_KEPT in err and "site/" not in err


def test_archive_says_no_archive_was_written(broken: Path, capsys) -> None:
    assert main(["archive", "2025"]) == 1
    err = capsys.readouterr().err
    assert "no archive was written" in err and "site/" not in err
    assert not (broken / "dist").exists()


def test_a_build_without_downloads_says_where_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preview and --no-excel pages link no missing file; they say the Excel and data files are not made here."""
    project = make_project(tmp_path / "p")
    monkeypatch.chdir(project)
    assert main(["build", "--no-excel"]) == 0
    unit = (project / "site" / "2025" / "renhe-shehui-gongzuobu" / "index.html").read_text(encoding="utf-8")
    year = (project / "site" / "2025" / "index.html").read_text(encoding="utf-8")
    assert ".xlsx" not in unit and "Excel 文件这次没有生成" in unit
    assert "disclosure-2025.xlsx" not in year and "数据文件（Excel、CSV、JSON、SQLite）这次没有生成" in year
