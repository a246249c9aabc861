"""Where pages' "source" and "history" links point, and the "data as of" dates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator.site.provenance import last_changed, repository_url, web_address


@pytest.mark.parametrize(
    "remote, expected",
    [
        ("https://github.com/org/repo.git", "https://github.com/org/repo"),
        ("git@github.com:org/repo.git", "https://github.com/org/repo"),
        ("https://x-access-token@github.com/org/repo", "https://github.com/org/repo"),  # no credentials leak
        ("https://gitee.com/org/repo/", "https://gitee.com/org/repo"),
        ("file:///srv/repo.git", None),
        ("/srv/repo", None),
        ('https://h/o/r"><script>', None),
    ],
)
def test_web_address(remote: str, expected: str | None) -> None:
    assert web_address(remote) == expected


def test_repository_url_prefers_github_actions(tmp_path: Path) -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "org/budget"}
    assert repository_url(tmp_path, env) == "https://github.com/org/budget"
    assert repository_url(tmp_path, {}) is None  # not a git checkout, no remote


def test_repository_url_from_origin(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:org/budget.git"], check=True)
    assert repository_url(tmp_path, {}) == "https://github.com/org/budget"


def test_last_changed_outside_git_uses_file_dates(tmp_path: Path) -> None:
    folder = tmp_path / "2025" / "u"
    folder.mkdir(parents=True)
    (folder / "unit.yml").write_text("id: u\n", encoding="utf-8")
    dates = last_changed(tmp_path)
    assert list(dates) == ["2025/u/unit.yml"] and len(dates["2025/u/unit.yml"]) == 10
