"""`disclosure serve`: generate, then MkDocs' live-reloading server; YAML edits regenerate what changed."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any
from pathlib import Path

from generator.site.build import PREVIEW_KEPT, generate
from generator.site.nav import nav_overrides
from generator.site.mkdocsrun import quiet_mkdocs
from generator.site.workdirs import GENERATED


def preview_docs_dir(only: str) -> str:
    """Return a separate docs folder for a partial preview, so it never mixes with the full site."""
    return f"build/preview/{only.strip('/').replace('/', '--')}/docs"


def serve(content: str = "content", config: str = "mkdocs.yml", addr: str = "127.0.0.1:8000", only: str | None = None) -> int:
    """Serve a preview on `addr` until interrupted: the whole site (generator/site/preview.py), or `only` one part."""
    if not only:
        return serve_site(content, config, addr)
    docs_dir = preview_docs_dir(only) if only else None
    # Previews skip the Excel and data downloads: they are slow to make and not what an editor checks.
    status, nav = generate(content, config, only=only, docs_dir=docs_dir, downloads=False, kept="nothing is served")
    if status or nav is None:
        return status or 1
    _watch(content, config, only, docs_dir)
    from mkdocs.commands.serve import serve as mkdocs_serve

    quiet_mkdocs()
    overrides: dict[str, Any] = {"docs_dir": docs_dir} if docs_dir else {}
    print(f"serving on http://{addr}/ (Ctrl-C to stop)", file=sys.stderr)
    mkdocs_serve(config_file=config, livereload=True, dev_addr=addr, **nav_overrides(nav), **overrides)
    return 0


#: watchdog events that mean a file's content changed (reading a file fires opened/closed_no_write: ignored).
WRITE_EVENTS = frozenset({"created", "modified", "moved", "deleted", "closed"})


def is_edit(event_type: str, path: str) -> bool:
    """Return whether a watchdog event is a write to a form, layout or settings file."""
    return event_type in WRITE_EVENTS and path.endswith((".yml", ".yaml"))


def wants_regeneration(event, ignored: tuple[Path, ...] = ()) -> bool:  # noqa: ANN001 - a watchdog event
    """Return whether a watchdog event should regenerate: a file write, outside the folders we write ourselves."""
    if event.is_directory:
        return False
    for raw in (event.src_path, getattr(event, "dest_path", "") or ""):
        path = os.fsdecode(raw)
        if not path or not is_edit(event.event_type, path):
            continue
        resolved = Path(path).resolve()
        if not any(resolved == folder or folder in resolved.parents for folder in ignored):
            return True
    return False


def _watch(content: str, config: str, only: str | None, docs_dir: str | None, regenerate=None, waiting=None):  # noqa: ANN001, ANN201
    """Regenerate (incrementally: unchanged pages are not rewritten) when a form, layout or settings file is written.

    Only writes count: generating reads every form, which fires watchdog's opened/closed_no_write events.
    A failed regeneration is reported and the preview goes on with its previous pages.
    """
    if regenerate is None:

        def regenerate(paths: set[str]) -> None:
            generate(content, config, only=only, docs_dir=docs_dir, downloads=False, kept=PREVIEW_KEPT)

    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    from generator.forms.registry import SITE_LAYOUTS, forget

    pending = waiting if waiting is not None else threading.Event()  # set while a save waits to be handled
    changed: set[str] = set()
    root = Path(content).resolve().parent
    ignored = tuple((root / name).resolve() for name in GENERATED)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:  # noqa: ANN001 - watchdog's signature
            if wants_regeneration(event, ignored):
                changed.update(os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p)
                pending.set()

    def loop() -> None:
        while True:
            try:
                pending.wait()
                time.sleep(0.3)  # editors save in several steps; regenerate once
                pending.clear()
                paths = set(changed)
                changed.difference_update(paths)
                forget()  # layouts may have changed: load them again
                regenerate(paths)
            except Exception as exc:  # noqa: BLE001 - the preview must outlive any one failed regeneration
                print(
                    f"serve: regeneration failed, the preview keeps the previous pages: {type(exc).__name__}: {exc}",
                    file=sys.stderr,
                    flush=True,
                )

    observer = Observer()
    observer.schedule(Handler(), str(Path(content)), recursive=True)
    if (root / SITE_LAYOUTS).is_dir():
        observer.schedule(Handler(), str(root / SITE_LAYOUTS), recursive=False)
    observer.schedule(Handler(), str(root), recursive=False)  # disclosure.yml
    observer.daemon = True
    observer.start()
    threading.Thread(target=loop, daemon=True, name="disclosure-serve-watch").start()
    return observer


def serve_site(content: str, config: str, addr: str) -> int:
    """Serve the whole site: pieces built when asked for and in the background; one edit rebuilds its pieces.

    The server answers at once: the content is checked and written in a background thread, and until
    that is done a unit page asked for is built on its own (`SitePreview.quick`); other pages wait.
    Content with errors at start stops the server (exit status 1), as nothing can be served.
    """
    from mkdocs.livereload import LiveReloadServer

    from generator.site.pieces import SITE_PIECE
    from generator.site.preview import SitePreview

    preview = SitePreview(content, config)
    preview.site.mkdir(parents=True, exist_ok=True)
    quiet_mkdocs()
    ready = threading.Event()
    failed = threading.Event()

    class Server(LiveReloadServer):
        def _serve_request(self, environ, start_response):  # noqa: ANN001, ANN202 - WSGI
            path = environ.get("PATH_INFO", "/")
            if not path.startswith("/livereload/"):
                try:
                    if ready.is_set() or not preview.quick(path):
                        ready.wait()
                        if not failed.is_set():
                            preview.ensure([SITE_PIECE, preview.key_for(path)])  # what is asked for first
                except OSError as exc:
                    print(f"serve: could not build {path}: {exc}", file=sys.stderr, flush=True)
            return super()._serve_request(environ, start_response)

    host, _, port = addr.rpartition(":")
    server = Server(builder=lambda: None, host=host, port=int(port), root=str(preview.site))
    not_found = preview.site / "404.html"
    server.error_handler = lambda code: not_found.read_bytes() if code == 404 and not_found.is_file() else None

    def reload_browsers() -> None:
        with server._rebuild_cond:  # MkDocs' server: the pages changed, reload the browsers
            server._want_rebuild = True
            server._rebuild_cond.notify_all()

    def regenerate(paths: set[str]) -> None:
        from generator.site.preview import unit_folder

        if not ready.is_set():  # saved while starting: a unit shown on its own is shown again at once
            folder = unit_folder(paths, Path(content))
            if folder and preview.requick(folder):
                reload_browsers()
        ready.wait()  # then checked with the whole site, like any edit
        # The unit's own pages first, then the rest (left for the next save when one is already waiting).
        preview.rebuild(paths, shown=reload_browsers, interrupt=waiting)
        reload_browsers()

    def prepare() -> None:
        try:
            ok = preview.start()
        except Exception as exc:  # noqa: BLE001 - reported; the server stops instead of hanging
            print(f"serve: could not prepare the site: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            ok = False
        if not ok:
            failed.set()
            ready.set()
            with server._rebuild_cond:  # ends server.serve() in the main thread, which shuts the server down
                server._shutdown = True
                server._rebuild_cond.notify_all()
            return
        ready.set()
        with preview.lock:
            shown = sorted(preview.quick_units)
        if shown:  # the units shown on their own first get the whole site's pages, then the browsers reload
            from generator.site.piecebuild import BuildCancelled

            try:
                preview.ensure([SITE_PIECE, *{preview.key_for(f"/{unit}/") for unit in shown}], cancel=preview.cancel)
            except BuildCancelled:
                pass  # a save came: its rebuild builds its unit's piece first, the background the others
            except OSError as exc:
                print(f"serve: could not build {', '.join(shown)}: {exc}", file=sys.stderr, flush=True)
            reload_browsers()
        preview.background()

    waiting = threading.Event()
    _watch(content, config, None, None, regenerate=regenerate, waiting=waiting)
    threading.Thread(target=prepare, daemon=True, name="disclosure-serve-prepare").start()
    print(f"serving on http://{addr}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 1 if failed.is_set() else 0
