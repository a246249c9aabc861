"""`serve` watches for writes only: reading the forms (as its own generate step does) triggers nothing."""

from __future__ import annotations

import time

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


def test_watcher_regenerates_once_per_edit_and_never_when_idle(content_copy, monkeypatch):
    calls: list[float] = []
    failures = iter([RuntimeError("boom")])

    def fake_generate(*args, **kwargs):
        calls.append(time.monotonic())
        err = next(failures, None)
        if err:
            raise err  # the first regeneration fails: the watcher must survive it
        return 0, []

    monkeypatch.setattr(serve, "generate", fake_generate)
    serve._watch(str(content_copy), "mkdocs.yml", None, None)
    time.sleep(0.5)
    for path in content_copy.rglob("*.yml"):  # what generate does: read every form
        path.read_bytes()
    time.sleep(1.5)
    assert calls == []
    form = next(content_copy.rglob("unit.yml"))
    form.write_text(form.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _wait_for(lambda: len(calls) == 1)
    form.write_text(form.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _wait_for(lambda: len(calls) == 2)  # still watching after the failure
    time.sleep(1.5)
    assert len(calls) == 2
