"""`serve` watches for writes only: reading the forms (as its own generate step does) triggers nothing."""

from __future__ import annotations

import time

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
    observer = serve._watch(str(content_copy), "mkdocs.yml", None, None, regenerate=lambda: calls.append(1))
    time.sleep(0.3)
    form = next(content_copy.rglob("unit.yml"))
    form.write_bytes(form.read_bytes() + b"\n")
    assert _wait_for(lambda: "layouts unreadable" in capsys.readouterr().err)
    assert calls == []
    form.write_bytes(form.read_bytes() + b"\n")
    assert _wait_for(lambda: calls == [1])
    observer.stop()
    observer.join()
