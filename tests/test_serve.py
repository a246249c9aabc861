"""`serve` watches for writes only: reading the forms (as its own generate step does) triggers nothing."""

from __future__ import annotations

import time

import pytest

from watchdog.events import DirCreatedEvent, DirModifiedEvent, FileClosedNoWriteEvent, FileModifiedEvent, FileOpenedEvent

from generator.site import serve


def test_only_writes_count():
    assert serve.is_edit("modified", "content/2025/u/x.yml")
    assert serve.is_edit("closed", "layouts/a.yml")
    assert not serve.is_edit("opened", "content/2025/u/x.yml")
    assert not serve.is_edit("closed_no_write", "content/2025/u/x.yml")
    assert not serve.is_edit("modified", "content/2025/u/x.txt")


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_directories_reads_and_our_own_outputs_are_no_edit(tmp_path):
    build = (tmp_path / "build").resolve()
    ignored = (build,)
    form = str(tmp_path / "content" / "2025" / "u" / "unit.yml")
    assert serve.wants_regeneration(FileModifiedEvent(form), ignored)
    assert not serve.wants_regeneration(FileOpenedEvent(form), ignored)
    assert not serve.wants_regeneration(FileClosedNoWriteEvent(form), ignored)
    assert not serve.wants_regeneration(DirModifiedEvent(str(tmp_path / "content" / "x.yml")), ignored)
    assert not serve.wants_regeneration(DirCreatedEvent(str(tmp_path / "content" / "2026")), ignored)
    assert not serve.wants_regeneration(FileModifiedEvent(str(build / "docs" / "2025" / "u" / "unit.yml")), ignored)


def test_watcher_regenerates_once_per_edit_and_never_when_idle(content_copy, monkeypatch, capsys):
    calls: list[float] = []
    failures = iter([RuntimeError("boom")])

    def fake_generate(*args, **kwargs):
        calls.append(time.monotonic())
        err = next(failures, None)
        if err:
            raise err  # the first regeneration fails: the watcher must survive it
        return 0, []

    monkeypatch.setattr(serve, "generate", fake_generate)
    observer = serve._watch(str(content_copy), "mkdocs.yml", None, None)
    time.sleep(0.5)
    for path in content_copy.rglob("*.yml"):  # what generate does: read every form
        path.read_bytes()
    (content_copy / "2099").mkdir()  # a new, still empty folder is no edit either
    outputs = content_copy.parent / "build" / "docs"
    outputs.mkdir(parents=True)
    (outputs / "unit.yml").write_text("written by the generator\n", encoding="utf-8")
    time.sleep(1.5)
    assert calls == []
    form = next(content_copy.rglob("unit.yml"))
    form.write_text(form.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _wait_for(lambda: len(calls) == 1)
    form.write_text(form.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _wait_for(lambda: len(calls) == 2)  # still watching after the failure
    time.sleep(1.5)
    assert len(calls) == 2
    observer.stop()
    observer.join()
    err = capsys.readouterr().err
    assert "regeneration failed" in err and "RuntimeError: boom" in err  # the failure is reported, with its error


def test_watcher_survives_a_failure_outside_generate(content_copy, monkeypatch, capsys):
    """A broken layout registry (or anything else in the loop) is reported; the next edit still regenerates."""
    calls: list[int] = []
    forgets = iter([OSError("layouts unreadable")])

    def fake_forget():
        err = next(forgets, None)
        if err:
            raise err

    monkeypatch.setattr("generator.forms.registry.forget", fake_forget)
    observer = serve._watch(str(content_copy), "mkdocs.yml", None, None, regenerate=lambda paths: calls.append(1))
    time.sleep(0.3)
    form = next(content_copy.rglob("unit.yml"))
    form.write_bytes(form.read_bytes() + b"\n")
    assert _wait_for(lambda: "layouts unreadable" in capsys.readouterr().err)
    assert calls == []
    form.write_bytes(form.read_bytes() + b"\n")
    assert _wait_for(lambda: calls == [1])
    observer.stop()
    observer.join()


def test_whole_site_preview_serves_pages_on_demand_and_shows_an_edit(tmp_path):
    """`disclosure serve` without --only: any page is served (its piece built when asked for), a saved form
    appears after a reload, and the preview's own folders are below build/serve/."""
    import os
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for name in ("mkdocs.yml", "disclosure.yml", "overrides", "schema", "content"):
        src = root / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / name)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    err = open(tmp_path / "serve.err", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env=env,
        stderr=err,
        stdout=subprocess.DEVNULL,
    )
    unit = next(p for p in (tmp_path / "content" / "2025").iterdir() if p.is_dir())
    base = f"http://127.0.0.1:{port}/"

    def fetch(path: str) -> str | None:
        try:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                return response.read().decode("utf-8")
        except OSError:
            return None

    try:
        assert _wait_for(lambda: fetch(f"2025/{unit.name}/") is not None, 120)
        assert "<nav" in fetch("") and "2025" in fetch("2025/")
        form = unit / "unit.yml"
        text = form.read_text(encoding="utf-8")
        marker = "预览中的修改"
        form.write_text(text.replace("unit_name:", f"# {marker}\nunit_name:", 1), encoding="utf-8")
        yml = f"2025/{unit.name}/unit.yml"
        assert _wait_for(lambda: marker in (fetch(yml) or ""), 120)  # the published YAML copy is the saved one
        assert (tmp_path / "build" / "serve" / "site" / "index.html").is_file()
        assert not (tmp_path / "site").exists()
        # The unit's page is shown first; the year and home pages follow with the whole site's generation.
        log_file = tmp_path / "serve.err"
        assert _wait_for(lambda: log_file.read_text(encoding="utf-8").count("serve/docs (") >= 2, 120)
        time.sleep(3)  # idle: serving and reading files must not regenerate anything more
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        err.close()
    log = (tmp_path / "serve.err").read_text(encoding="utf-8")
    # The start and the one edit (a page asked for while starting may be built on its own first, into
    # build/serve/quick/): reading files regenerates nothing.
    assert log.count("serve/docs (") == 2, log


def _project(tmp_path):
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for name in ("mkdocs.yml", "disclosure.yml", "overrides", "schema", "content"):
        src = root / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / name)
    return tmp_path


def _started(tmp_path, monkeypatch):  # noqa: ANN202 - (unit folder, started SitePreview)
    """A copy of the project, its first unit folder, and a whole-site preview of it, started (content checked)."""
    from generator.site.preview import SitePreview

    root = _project(tmp_path)
    monkeypatch.chdir(root)
    unit = next(p for p in (root / "content" / "2025").iterdir() if p.is_dir())
    preview = SitePreview("content", "mkdocs.yml")
    assert preview.start()
    return unit, preview


def test_a_unit_asked_for_while_starting_is_built_on_its_own_then_replaced(tmp_path, monkeypatch, capsys):
    """Before the whole content is checked, a unit page is built alone (as `serve --only` does) and
    placed without the home and year pages; once the site is ready the piece replaces it."""
    from generator.site.pieces import SITE_PIECE
    from generator.site.preview import SitePreview

    root = _project(tmp_path)
    monkeypatch.chdir(root)
    unit = next(p for p in (root / "content" / "2025").iterdir() if p.is_dir())
    preview = SitePreview("content", "mkdocs.yml")
    page = preview.site / "2025" / unit.name / "index.html"
    assert preview.quick(f"/2025/{unit.name}/")
    assert page.is_file() and (preview.site / "assets").is_dir()
    assert not (preview.site / "index.html").exists() and not (preview.site / "2025" / "index.html").exists()
    assert "shown on its own" in capsys.readouterr().err
    assert preview.quick(f"/2025/{unit.name}/")  # once built, answered from what was placed
    assert not preview.quick("/2025/")  # a year page waits for the whole site
    assert not preview.quick("/2025/no-such-unit/")
    form = unit / "unit.yml"
    form.write_text(form.read_text(encoding="utf-8").replace("unit_name:", "# 启动中的修改\nunit_name:", 1), encoding="utf-8")
    assert preview.requick(f"2025/{unit.name}")  # saved while starting: built alone again
    assert "启动中的修改" in (preview.site / "2025" / unit.name / "unit.yml").read_text(encoding="utf-8")
    assert not preview.requick("2025/other-unit")  # never shown on its own: waits for the whole site
    assert preview.start()
    assert not preview.quick(f"/2025/{unit.name}/other")  # the site is ready: no more pages on their own
    preview.ensure([SITE_PIECE, preview.key_for(f"/2025/{unit.name}/")])
    whole = page.read_bytes()
    assert (preview.site / "index.html").is_file()
    assert b"<article" in whole and "<nav" in whole.decode("utf-8")
    built = preview.work / preview.key_for(f"/2025/{unit.name}/") / "site" / "2025" / unit.name / "index.html"
    assert whole == built.read_bytes()


def test_whole_site_serve_with_errors_at_start_serves_nothing_and_exits_1(tmp_path):
    """Content with errors when serve starts: the errors are reported and the server stops (exit 1)."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    root = _project(tmp_path)
    form = next((root / "content" / "2025").rglob("unit.yml"))
    form.write_text(form.read_text(encoding="utf-8") + "\nunit_name: twice\n", encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    done = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "duplicate-key" in done.stdout and "nothing is served" in done.stderr


def test_a_saved_unit_is_shown_before_the_year_and_home_pages_are_redone(tmp_path, monkeypatch):
    """A save inside one unit folder rebuilds that unit's piece first (the browsers reload then), and
    the year and home pages after; a project added or removed goes the whole way at once."""
    from generator.site.pieces import SITE_PIECE

    unit, preview = _started(tmp_path, monkeypatch)
    key = preview.key_for(f"/2025/{unit.name}/")
    preview.ensure([SITE_PIECE, key, "2025"])
    form = unit / "unit.yml"
    marker = "保存后先显示"
    form.write_text(form.read_text(encoding="utf-8").replace("unit_name:", f"# {marker}\nunit_name:", 1), encoding="utf-8")
    served = preview.site / "2025" / unit.name / "unit.yml"
    seen: list[bool] = []
    preview.rebuild({str(form)}, shown=lambda: seen.append(marker in served.read_text(encoding="utf-8")))
    assert seen == [True]  # shown once, with the saved form already in place
    assert marker in served.read_text(encoding="utf-8")
    built = preview.work / key / "site" / "2025" / unit.name / "unit.yml"
    assert served.read_bytes() == built.read_bytes()
    assert preview.stale() == [k for k in preview.stale() if k not in preview.placed]  # nothing placed is out of date

    project = next(p for p in unit.iterdir() if p.name != "unit.yml")
    project.unlink()  # a project removed: the unit's files change, no shortcut
    seen.clear()
    preview.rebuild({str(project)}, shown=lambda: seen.append(True))
    assert seen == []
    assert not (preview.site / "2025" / unit.name / project.stem / "index.html").exists()


def test_a_save_already_waiting_defers_the_year_and_home_pages_to_its_rebuild(tmp_path, monkeypatch, capsys):
    """Two saves in a row: each unit is shown first; the year and home pages are redone once, after the last."""
    import threading

    from generator.site.pieces import SITE_PIECE

    unit, preview = _started(tmp_path, monkeypatch)
    preview.ensure([SITE_PIECE, preview.key_for(f"/2025/{unit.name}/"), "2025"])
    capsys.readouterr()
    form = unit / "unit.yml"
    served = preview.site / "2025" / unit.name / "unit.yml"
    waiting = threading.Event()  # set by the watcher while a save waits to be handled
    for marker, more in (("第一次保存", True), ("第二次保存", False)):
        form.write_text(form.read_text(encoding="utf-8").replace("unit_name:", f"# {marker}\nunit_name:", 1), encoding="utf-8")
        shown: list[bool] = []
        if more:
            waiting.set()
        else:
            waiting.clear()
        preview.rebuild(
            {str(form)}, shown=lambda m=marker: shown.append(m in served.read_text(encoding="utf-8")), interrupt=waiting
        )
        assert shown == [True]
        generated = "serve/docs (" in capsys.readouterr().err
        assert generated is not more  # deferred while another save waits, done with the last one
        assert (preview.deferred is not None) is more
    assert "第一次保存" in served.read_text(encoding="utf-8") and "第二次保存" in served.read_text(encoding="utf-8")
    assert preview.result is not None and any("第一次保存" in (f.source or b"").decode() for f in preview.result.files)


def test_the_home_page_asked_for_first_builds_its_piece_once(tmp_path, monkeypatch):
    """The server asks for the site piece and the piece of the URL, both the site piece for "/": built once
    (twice into the same folder, the second build found its output moved away and the page was a 404)."""
    from generator.site.pieces import SITE_PIECE
    from generator.site.preview import SitePreview

    root = _project(tmp_path)
    monkeypatch.chdir(root)
    preview = SitePreview("content", "mkdocs.yml")
    assert preview.start()
    assert preview.key_for("/") == SITE_PIECE
    preview.ensure([SITE_PIECE, preview.key_for("/")])
    assert (preview.site / "index.html").is_file() and SITE_PIECE in preview.placed


def test_an_edit_during_a_background_build_stops_it_and_is_shown_first(tmp_path, monkeypatch):
    """A save while the background builds a piece: that build stops (BuildCancelled), the saved unit is
    built and shown, and the background builds the stopped piece again afterwards."""
    import threading

    from generator.site.piecebuild import BuildCancelled
    from generator.site.pieces import SITE_PIECE

    unit, preview = _started(tmp_path, monkeypatch)
    key = preview.key_for(f"/2025/{unit.name}/")
    preview.ensure([SITE_PIECE, key])
    preview.cancel.set()  # what rebuild() does when a save comes
    with pytest.raises(BuildCancelled):
        preview.ensure(["2025"], cancel=preview.cancel)
    assert "2025" not in preview.placed
    preview.cancel.clear()
    form = unit / "unit.yml"
    form.write_text(form.read_text(encoding="utf-8").replace("unit_name:", "# 后台构建时保存\nunit_name:", 1), encoding="utf-8")
    background = threading.Thread(target=preview.background)
    preview.rebuild({str(form)})
    background.start()
    background.join(timeout=300)
    assert "后台构建时保存" in (preview.site / "2025" / unit.name / "unit.yml").read_text(encoding="utf-8")
    assert preview.stale() == [] and "2025" in preview.placed  # the stopped piece was built after all
