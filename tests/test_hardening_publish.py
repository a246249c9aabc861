"""Issue 12, findings 1, 4 and 8: what the site and the archives publish, and how the site is replaced.

- the YAML downloads and the archive's data/content/ are the bytes `check` validated (no second read);
- generated folders and caches never come from the repository: a committed build/, dist/ or site/ file, or
  any committed symbolic link, stops the build; the Excel cache lives outside the work tree;
- the site is replaced in one step (readers never see it missing), a killed swap is repaired, and a full
  disk ends the build with a message, not a traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.cli import main
from tests.support import make_project

UNIT = "2025/renhe-shehui-gongzuobu"
PROJECT = "cun-shequ-huanjie"


def _git(project: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    subprocess.run(["git", "-C", str(project), *args], env=env, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    target = make_project(tmp_path / "project")
    monkeypatch.chdir(target)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return target


def _edit_after_check(monkeypatch, suffix: bytes) -> dict[str, bytes]:
    """Let `check` read the files, then change every form on disk: what is published must be what was checked."""
    import generator.site.build as build

    checked: dict[str, bytes] = {}
    real = build.check_content

    def check_then_edit(*args, **kwargs):
        result = real(*args, **kwargs)
        for ff in result.files:
            path = Path(ff.path)
            checked[path.as_posix()] = path.read_bytes()
            path.write_bytes(path.read_bytes() + suffix)
        return result

    monkeypatch.setattr(build, "check_content", check_then_edit)
    return checked


def test_hardening_yaml_download_is_the_validated_bytes(project, monkeypatch):
    from generator.site.build import generate_site

    checked = _edit_after_check(monkeypatch, b"\nextra_after_check: 1\n")
    done = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    assert done.status == 0
    published = project / "build" / "docs" / UNIT / f"{PROJECT}.yml"
    assert published.read_bytes() == checked[f"content/{UNIT}/{PROJECT}.yml"]
    assert b"extra_after_check" not in published.read_bytes()


@pytest.mark.slow
def test_hardening_archive_packs_the_validated_bytes_only(project, monkeypatch, capsys):
    checked = _edit_after_check(monkeypatch, b"\n# edited after the check\n")
    secret = project / "secret.txt"
    secret.write_text("token ghs_secret\n", encoding="utf-8")
    assert main(["archive", "2025", "-o", "dist/a.zip"]) == 0, capsys.readouterr()
    with zipfile.ZipFile(project / "dist" / "a.zip") as zf:
        data = {n: zf.read(n) for n in zf.namelist() if n.startswith("data/content/") and not n.endswith("/")}
        schemas = sorted(n for n in zf.namelist() if n.startswith("data/schema/") and n.endswith(".json"))
    assert data == {f"data/content/{rel[len('content/') :]}": raw for rel, raw in checked.items()}
    assert "data/schema/layout.schema.json" in schemas
    # With a link in content/ the check fails: nothing is packed, the zip is left as it was.
    os.symlink("../../secret.txt", project / "content" / "2025" / ".leak.yml")
    before = (project / "dist" / "a.zip").read_bytes()
    monkeypatch.undo()
    monkeypatch.chdir(project)
    assert main(["archive", "2025", "-o", "dist/a.zip"]) == 1
    out = capsys.readouterr()
    assert "forbidden-file" in out.out and "ghs_secret" not in out.out + out.err
    assert (project / "dist" / "a.zip").read_bytes() == before


def test_hardening_committed_generated_files_stop_the_build(project, capsys):
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "c")
    poison = project / "build" / "excel-cache" / "form" / ("0" * 64 + ".xlsx")
    poison.parent.mkdir(parents=True)
    poison.write_bytes(b"PK\x03\x04 =HYPERLINK")
    _git(project, "add", "-f", "build/excel-cache")
    _git(project, "commit", "-q", "-m", "cache")
    for command in (["build"], ["archive", "2025"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert "build/excel-cache/form/" in err and "git rm -r --cached" in err, err
    assert not (project / "site").exists() and not (project / "dist").exists()


def test_hardening_committed_symlink_anywhere_stops_the_build(project, capsys):
    _git(project, "init", "-q", "-b", "main")
    os.symlink("../../.git/config", project / "overrides" / "config.txt")  # the theme folder, not content/
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "c")
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "symbolic link" in err and "overrides/config.txt" in err
    assert not (project / "site").exists()


def test_hardening_excel_cache_is_outside_the_work_tree(project, tmp_path, monkeypatch):
    """A cache the repository could provide (build/excel-cache) is never read, even when it holds the right keys."""
    from generator.excel import workbook
    from generator.excel.formdata import form_rel
    from generator.forms.validate import check_content
    from generator.site.build import generate_site
    from generator.site.workdirs import excel_cache_dir

    assert excel_cache_dir(project) == tmp_path / "user-cache" / "disclosure" / "excel"
    monkeypatch.setenv("XDG_CACHE_HOME", str(project / "build"))  # inside the work tree: not used
    assert excel_cache_dir(project) is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    # Plant a workbook exactly where a cache in build/excel-cache would hold this form's.
    result = check_content("content", jobs=1)
    ff = next(f for f in result.files if f.stem == PROJECT)
    old_cache = workbook._Cache(project / "build" / "excel-cache")
    rel = form_rel(ff)
    planted = old_cache.root / "form" / (old_cache._key("form", rel, [(rel, workbook.CacheKey(ff.form))]) + ".xlsx")
    planted.parent.mkdir(parents=True)
    planted.write_bytes(b"planted workbook with =HYPERLINK(...)")
    assert generate_site("content", "mkdocs.yml", jobs=1).status == 0
    published = (project / "build" / "docs" / UNIT / f"{PROJECT}.xlsx").read_bytes()
    assert published != planted.read_bytes() and published.startswith(b"PK")
    assert any((tmp_path / "user-cache" / "disclosure" / "excel").rglob("*.xlsx"))


# --------------------------------------------------------------------------- the site swap


def _site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text, encoding="utf-8")
    return folder


def test_hardening_site_swap_is_one_step(tmp_path, monkeypatch):
    """At no point during a swap is site/index.html missing (every file-system call is checked)."""
    import generator.site.swap as swap

    target = _site(tmp_path / "site", "old")
    new = _site(tmp_path / ".site.tmp-1", "new")
    missing = []

    def checked(func):
        def call(*args, **kwargs):
            out = func(*args, **kwargs)
            if not (target / "index.html").is_file():
                missing.append(func.__name__)
            return out

        return call

    monkeypatch.setattr(swap.os, "replace", checked(os.replace))
    monkeypatch.setattr(swap.os, "rename", checked(os.rename))
    monkeypatch.setattr(swap, "exchange", checked(swap.exchange))
    swap.swap_in(new, target)
    assert (target / "index.html").read_text(encoding="utf-8") == "new"
    assert missing == [] and not new.exists()


def test_hardening_site_swap_under_a_polling_reader(tmp_path):
    """A separate process reading site/index.html during 300 swaps never finds it missing."""
    from generator.site.swap import swap_in

    target = _site(tmp_path / "site", "0")
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import os, sys, time\n"
                "misses = reads = 0\n"
                "stop = sys.argv[2]\n"
                "while not os.path.exists(stop):\n"
                "    reads += 1\n"
                "    try:\n"
                "        open(sys.argv[1], 'rb').close()\n"
                "    except FileNotFoundError:\n"
                "        misses += 1\n"
                "print(misses, reads)\n"
            ),
            str(target / "index.html"),
            str(tmp_path / "stop"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for i in range(300):
            swap_in(_site(tmp_path / f".site.tmp-{i}", str(i)), target)
    finally:
        (tmp_path / "stop").write_text("")
        out, _ = reader.communicate(timeout=60)
    misses, reads = map(int, out.split())
    assert reads > 0 and misses == 0, (misses, reads)


def test_hardening_killed_swap_is_repaired_and_messages_stay_true(project, monkeypatch, capsys):
    """Without an exchange call (two renames), a kill between them leaves the old site parked; the next build
    puts it back before it says "site/ was not changed"."""
    import generator.site.swap as swap

    target = _site(project / "site", "old site")
    new = _site(project / ".site.tmp-99", "new site")
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    calls = []
    real_replace = os.replace

    def killed_after_first(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:
            raise SystemExit(137)  # as if killed right after the first rename
        return real_replace(src, dst)

    monkeypatch.setattr(swap.os, "replace", killed_after_first)
    with pytest.raises(SystemExit):
        swap.swap_in(new, target)
    monkeypatch.setattr(swap.os, "replace", real_replace)
    # The fallback puts the old site back itself when the second rename fails in-process ...
    assert (target / "index.html").read_text(encoding="utf-8") == "old site"
    # ... and a real kill (nothing runs after the first rename) is repaired by the next build.
    os.replace(target, project / ".site.old-4242")
    (project / "content" / UNIT / f"{PROJECT}.yml").write_text("id: [\n", encoding="utf-8")  # a failing build
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "restored from an interrupted build" in err and "site/ was not changed" in err
    assert (target / "index.html").read_text(encoding="utf-8") == "old site"
    assert not list(project.glob(".site.*"))


# --------------------------------------------------------------------------- a full disk


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("writer", ["write_bytes_atomic", "write_text_atomic"])
def test_hardening_full_disk_while_generating_is_a_message(project, monkeypatch, capsys, writer):
    import generator.site.build as build

    _site(project / "site", "old site")
    monkeypatch.setattr(build, writer, _no_space)
    assert main(["build", "--no-excel"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "No space left on device" in err and "site/ was not changed" in err
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "old site"


@pytest.mark.slow
def test_hardening_full_disk_while_packing_is_a_message(project, monkeypatch, capsys):
    import generator.archive.pack as pack

    monkeypatch.setattr(pack, "write_atomic", _no_space)
    assert main(["archive", "2025"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "No space left on device" in err and "was not changed" in err
    assert not (project / "dist" / "disclosure-2025.zip").exists()
    assert not (project / "build" / "archive").exists() or not any((project / "build" / "archive").iterdir())


def test_hardening_generated_folder_cleared_of_links(project, tmp_path):
    """A link planted in build/docs (by hand or by an old checkout) is removed before MkDocs copies the folder."""
    from generator.site.build import generate_site

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret", encoding="utf-8")
    docs = project / "build" / "docs"
    (docs / "2025").mkdir(parents=True)
    os.symlink(outside, docs / "2025" / "linked")
    os.symlink(outside / "secret.txt", docs / "secret.txt")
    assert generate_site("content", "mkdocs.yml", jobs=1, downloads=False).status == 0
    assert not os.path.lexists(docs / "2025" / "linked") and not os.path.lexists(docs / "secret.txt")
    assert (outside / "secret.txt").is_file()
    shutil.rmtree(outside)
