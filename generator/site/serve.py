"""`disclosure serve`: generate, then MkDocs' live-reloading server; YAML edits regenerate what changed."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from generator.site.build import _quiet_mkdocs, generate, nav_overrides


def preview_docs_dir(only: str) -> str:
    """Return a separate docs folder for a partial preview, so it never mixes with the full site."""
    return f"build/preview/{only.strip('/').replace('/', '--')}/docs"


def serve(content: str = "content", config: str = "mkdocs.yml", addr: str = "127.0.0.1:8000", only: str | None = None) -> int:
    """Serve a preview on `addr` until interrupted."""
    docs_dir = preview_docs_dir(only) if only else None
    # Previews skip the Excel and data downloads: they are slow to make and not what an editor checks.
    status, nav = generate(content, config, only=only, docs_dir=docs_dir, downloads=False)
    if status:
        return status
    _watch(content, config, only, docs_dir)
    from mkdocs.commands.serve import serve as mkdocs_serve

    _quiet_mkdocs()
    overrides = {"docs_dir": docs_dir} if docs_dir else {}
    print(f"serving on http://{addr}/ (Ctrl-C to stop)", file=sys.stderr)
    mkdocs_serve(config_file=config, livereload=True, dev_addr=addr, **nav_overrides(nav), **overrides)
    return 0


def _watch(content: str, config: str, only: str | None, docs_dir: str | None) -> None:
    """Regenerate (incrementally: unchanged pages are not rewritten) when a YAML file changes."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    pending = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:  # noqa: ANN001 - watchdog's signature
            if str(event.src_path).endswith((".yml", ".yaml")):
                pending.set()

    def loop() -> None:
        while True:
            pending.wait()
            time.sleep(0.3)  # editors save in several steps; regenerate once
            pending.clear()
            generate(content, config, only=only, docs_dir=docs_dir, downloads=False)

    observer = Observer()
    observer.schedule(Handler(), str(Path(content)), recursive=True)
    observer.daemon = True
    observer.start()
    threading.Thread(target=loop, daemon=True).start()
