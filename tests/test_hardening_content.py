"""Issue 12, findings 1, 5 and 8: what content/ may hold, and that nothing else is read.

Only folders and regular `.yml` files may be under content/. Symbolic links (to files or folders), hidden
names, FIFOs, sockets and other files are refused by `check` (`forbidden-file`) without being followed,
opened or printed; a year folder without forms is refused (`empty-year`), since deploy cannot publish it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from checkrun import run_check

from generator.forms.load import load_file
from generator.forms.validate import check_content
from tests.support import ROOT, site_settings

BASE = ROOT / "tests" / "corpus" / "_base"
SECRET = "ghs_hardeningSecretToken0123456789"


def disclosure(args: list[str], cwd: Path, timeout: int = 120, **env: str) -> subprocess.CompletedProcess:
    """Run `python -m generator ARGS` from this tree (not whichever copy is installed)."""
    environ = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    environ.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environ
    )


def content_problems(result):
    """Problems in the content tree (not in built-in layouts someone is still writing)."""
    return [p for p in result.problems if p.path.startswith("content")]


def tree(root: Path) -> Path:
    """A clean content tree (one unit, one project) with a secret file next to it, outside content/."""
    site_settings(root)
    demo = root / "content" / "2025" / "demo"
    demo.mkdir(parents=True)
    (demo / "unit.yml").write_bytes((BASE / "unit.yml").read_bytes())
    (demo / "project.yml").write_bytes((BASE / "project.yml").read_bytes())
    (root / "secret.yml").write_text(f"token: {SECRET}\nid: project\n", encoding="utf-8")
    return root / "content"


def test_hardening_symlink_in_content_is_refused(tmp_path, monkeypatch, capsys):
    content = tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    os.symlink("../../secret.yml", content / "2025" / ".leak.yml")  # the shape: hidden and a link
    os.symlink("../../../secret.yml", content / "2025" / "demo" / "leak.yml")
    os.symlink(str(tmp_path / "secret.yml"), content / "2025" / "demo" / "absolute.yml")
    os.symlink("/proc/self/environ", content / "2025" / "demo" / "environ.yml")
    os.symlink("unit.yml", content / "2025" / "demo" / "same-folder.yml")  # even inside content/
    result = run_check(capsys, "content")
    found = {(p.path, p.code) for p in content_problems(result)}
    assert found == {
        ("content/2025/.leak.yml", "forbidden-file"),
        ("content/2025/demo/leak.yml", "forbidden-file"),
        ("content/2025/demo/absolute.yml", "forbidden-file"),
        ("content/2025/demo/environ.yml", "forbidden-file"),
        ("content/2025/demo/same-folder.yml", "forbidden-file"),
    }
    assert result.status == 1
    assert all("符号链接" in p.message for p in content_problems(result))
    assert result.summary["forms"] == "2"  # the two real forms; nothing behind a link was loaded


def test_hardening_symlinked_folder_is_refused_and_not_entered(tmp_path, monkeypatch, capsys):
    content = tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    elsewhere = tmp_path / "elsewhere" / "other"
    elsewhere.mkdir(parents=True)
    (elsewhere / "unit.yml").write_text(f"id: {SECRET}\n", encoding="utf-8")
    os.symlink("../../elsewhere/other", content / "2025" / "other")
    os.symlink("../elsewhere", content / "2026")
    result = run_check(capsys, "content")
    assert {(p.path, p.code) for p in content_problems(result)} == {
        ("content/2025/other", "forbidden-file"),
        ("content/2026", "forbidden-file"),
    }
    out = capsys.readouterr().out
    assert SECRET not in out
    # A partial check (`serve --only`, `check PATH`) does not enter a linked year either.
    partial = check_content(content, jobs=1, only="2026")
    assert [(p.path, p.code) for p in content_problems(partial)] == [("content/2026", "forbidden-file")]
    assert partial.files == []


def test_hardening_linked_content_is_never_printed(tmp_path, monkeypatch):
    """CI logs are public: a link to a file with a token is refused, and the token never appears."""
    content = tree(tmp_path)
    os.symlink("../../../secret.yml", content / "2025" / "demo" / "leak.yml")
    for fmt in ("text", "github"):
        done = disclosure(["check", "--format", fmt], tmp_path, GITHUB_ACTIONS="true")
        assert done.returncode == 1
        assert SECRET not in done.stdout + done.stderr
        assert "forbidden-file" in done.stdout


def test_hardening_fifo_named_yml_does_not_hang_check(tmp_path):
    content = tree(tmp_path)
    os.mkfifo(content / "2025" / "demo" / "pipe.yml")
    done = disclosure(["check"], tmp_path, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "content/2025/demo/pipe.yml:1:1: error:" in done.stdout and "(forbidden-file)" in done.stdout
    assert "FIFO" in done.stdout


def test_hardening_load_file_never_follows_or_blocks(tmp_path):
    """Behind discovery, the loader itself opens without following links or blocking on a FIFO."""
    (tmp_path / "real.yml").write_text(f"id: {SECRET}\n", encoding="utf-8")
    os.symlink("real.yml", tmp_path / "link.yml")
    os.mkfifo(tmp_path / "pipe.yml")
    (tmp_path / "dir.yml").mkdir()
    code = (
        "import sys; from generator.forms.load import load_file\n"
        "for name in sys.argv[1:]:\n"
        "    doc = load_file(name); print(name, [(p.code, p.message) for p in doc.problems], doc.data)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "link.yml", "pipe.yml", "dir.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3 and all("forbidden-file" in line and line.endswith(" None") for line in lines)
    assert SECRET not in done.stdout
    assert load_file(tmp_path / "real.yml").data == {"id": SECRET}


def test_hardening_socket_and_other_files_are_refused(tmp_path, monkeypatch, capsys):
    content = tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind("content/2025/demo/s.yml")
        (content / "README.md").write_text("notes\n", encoding="utf-8")
        (content / "2025" / "demo" / ".DS_Store").write_bytes(b"\0")
        (content / "2025" / "demo" / "project.yml.orig").write_text("x", encoding="utf-8")
        result = run_check(capsys, "content")
    finally:
        sock.close()
    assert sorted((p.path, p.code) for p in content_problems(result)) == [
        ("content/2025/demo/.DS_Store", "forbidden-file"),
        ("content/2025/demo/project.yml.orig", "forbidden-file"),
        ("content/2025/demo/s.yml", "forbidden-file"),
        ("content/README.md", "forbidden-file"),
    ]


def test_hardening_empty_year_is_refused(tmp_path, monkeypatch, capsys):
    """Finding 5: `archive --all` (the deploy step) cannot publish a year without forms, so check refuses it."""
    content = tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (content / "2026" / "empty-unit").mkdir(parents=True)  # folders only: not even a .gitkeep
    result = run_check(capsys, "content")
    assert [(p.path, p.line, p.code) for p in content_problems(result)] == [("content/2026", 1, "empty-year")]
    assert result.status == 1
    # Checking only that year reports it as well.
    assert [(p.path, p.code) for p in content_problems(check_content(content, jobs=1, only="2026"))] == [
        ("content/2026", "empty-year")
    ]


@pytest.mark.parametrize(
    "char",
    [
        "\u00ad",
        "\U000e0041",
        "\u180e",
        "\u206a",
        "\u206f",
        "\u3164",
        "\u115f",
        "\u1160",
        "\uffa0",
        "\u034f",
        "\ufe00",
        "\U000e0100",
        "\ue000",
        "\U000f0000",
        "\ufffe",
        "\U0001fffe",
        "\u0378",
        "\u2028",
        "\u2029",
        "\u200d",
        "\u061c",
        "\x85",
    ],
)
def test_hardening_invisible_characters_are_refused_by_category(char):
    from generator.forms.load import load_text

    doc = load_text(f"id: a{char}b\n")
    assert [p.code for p in doc.problems] == ["forbidden-character"], repr(char)
    escaped = load_text(f'id: "a\\U{ord(char):08x}b"\n')  # written as an escape in a double-quoted string
    assert [p.code for p in escaped.problems] == ["forbidden-character"], repr(char)


@pytest.mark.parametrize(
    "text", ["☺\ufe0f", "1\ufe0f\u20e3", "#\ufe0f\u20e3", "♥\ufe0e", "\u3000全角空格", "①", "€ ¥", "tab\there"]
)
def test_hardening_visible_text_is_accepted(text):
    from generator.forms.load import load_text

    doc = load_text(f'id: "{text}"\n')
    assert doc.problems == [] and doc.data == {"id": text}


def test_hardening_every_format_character_is_refused():
    """Every Cf, Co, Zl and Zp code point (not a list kept by hand), and a sample of unassigned ones."""
    import unicodedata

    from generator.characters import first_forbidden

    checked = 0
    for code in range(0x110000):
        ch = chr(code)
        category = unicodedata.category(ch)
        if (
            category in ("Cf", "Co", "Zl", "Zp")
            or (category == "Cn" and code % 97 == 0)
            or (category == "Cc" and ch not in "\t\n")
        ):
            assert first_forbidden(f"a{ch}b") == 1, f"U+{code:04X} {category}"
            checked += 1
    assert checked > 140_000


def test_hardening_bare_tag_is_refused():
    from generator.forms.load import load_text

    for text in ("name: ! 项目\n", "name: !  '项目'\n", "list: ! [a]\n", "map: ! {a: b}\n", "! key: v\n"):
        doc = load_text(text)
        assert "yaml-tag" in [p.code for p in doc.problems], text
