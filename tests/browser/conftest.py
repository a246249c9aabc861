"""Browser test harness: headless Debian Chromium driven by Playwright.

Fixtures:
  chromium_browser  session-scoped Playwright (sync) Chromium browser
  serve_dir         factory: serve a directory on 127.0.0.1, returns base URL
  open_page         factory: a fresh page whose requests to any other host
                    (or, for archives, to anything but file://) are recorded
                    and aborted
  build_site        factory: build a throwaway site with the repository's own
                    mkdocs.yml and overrides/ (`mkdocs build --strict`)
  unpacked_archive  the shipped content's 2025 archive, built by
                    `disclosure archive` in a fresh process and unzipped (once)

Playwright cannot download its own browser here, so it drives
/usr/bin/chromium. Without Chromium or the playwright package the browser
tests are skipped, except under CI=true where that is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Schemes that never leave the machine.
INERT_SCHEMES = {"data", "blob", "about", "chrome-error"}


def _unavailable(reason: str) -> None:
    """Skip locally, but fail under CI: a CI run must exercise the browser."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser():
    """Session-wide headless Chromium (Playwright sync API)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="session")
def serve_dir() -> Iterator[Callable[[Path], str]]:
    """Factory: serve `path` over HTTP on 127.0.0.1 (free port, own thread).

    Returns the base URL ending in "/". Servers stop at the end of the session.
    """
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(path: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(path))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        host, port = server.server_address[:2]
        return f"http://{host}:{port}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@dataclass
class GuardedPage:
    """A page plus what the guard saw: blocked requests and page errors."""

    page: object
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)


def _is_local(url: str, *, archive: bool) -> bool:
    parts = urlsplit(url)
    if parts.scheme in INERT_SCHEMES:
        return True
    if archive:
        return parts.scheme == "file"
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


@pytest.fixture
def open_page(chromium_browser) -> Iterator[Callable[..., GuardedPage]]:
    """Factory: open `url` in a fresh context that allows only local requests.

    Every request whose host is not 127.0.0.1/localhost (with archive=True:
    every request that is not file://) is recorded in `.blocked` and aborted.
    Routing is set on the context so worker requests are covered too.
    """
    contexts = []

    def open_(url: str, *, archive: bool = False, setup=None, wait_until: str = "load") -> GuardedPage:
        """`setup(page)` runs before navigation (e.g. extra page.route calls)."""
        context = chromium_browser.new_context(locale="zh-CN")
        contexts.append(context)
        guarded = GuardedPage(page=None)

        def guard(route, request):
            guarded.requested.append(request.url)
            if _is_local(request.url, archive=archive):
                route.continue_()
            else:
                guarded.blocked.append(request.url)
                route.abort("blockedbyclient")

        context.route("**/*", guard)
        page = context.new_page()
        page.on("pageerror", lambda exc: guarded.errors.append(str(exc)))
        guarded.page = page
        if setup is not None:
            setup(page)
        page.goto(url, wait_until=wait_until)
        return guarded

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def build_site() -> Callable[..., subprocess.CompletedProcess]:
    """Factory: build a throwaway site with the repository's real configuration.

    `build_site(workdir, pages, user_dict)` copies mkdocs.yml and overrides/
    into `workdir`, writes `pages` ({path under docs_dir: text}) into
    workdir/build/docs, `user_dict` (unless None) into
    workdir/build/jieba_user_dict.txt and `extra_files` ({path under workdir:
    text}), then runs `mkdocs build --strict -f <config_file>` with
    cwd=workdir, as the generator does from the repository root (the search
    plugin resolves jieba_dict_user against the working directory). The site
    lands in workdir/site for the default config. With check=True (default) a
    failed build fails the test with MkDocs' output.
    """

    def build(
        workdir: Path,
        pages: dict[str, str],
        user_dict: str | None,
        *,
        config_file: str = "mkdocs.yml",
        extra_files: dict[str, str] | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess:
        shutil.copy2(ROOT / "mkdocs.yml", workdir / "mkdocs.yml")
        shutil.copytree(ROOT / "overrides", workdir / "overrides", dirs_exist_ok=True)
        docs = workdir / "build" / "docs"
        for rel, text in pages.items():
            target = docs / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if user_dict is not None:
            (workdir / "build" / "jieba_user_dict.txt").write_text(user_dict, encoding="utf-8")
        for rel, text in (extra_files or {}).items():
            (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
            (workdir / rel).write_text(text, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config_file],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=300,
            # Silences Material's end-of-life banner on stderr; not a warning.
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        if check and result.returncode != 0:
            pytest.fail(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
        return result

    return build


# Material 9.8's search UI: the meta line ends in "结果" once the worker has answered the current
# query ("找到 1 个符合条件的结果", "没有找到符合条件的结果"); until then it reads "正在初始化搜索引擎"
# or "键入以开始搜索". The public site's box (search.js) may show the phrase's results first while it
# searches more (data-searching on the box): ready once that is gone.
# Used with page.wait_for_function(RESULTS_READY, arg=query).
RESULTS_READY = """query => {
  if (document.querySelector("[data-disclosure-search][data-searching]")) return false;  // more on the way
  const input = document.querySelector("input.md-search__input");
  const meta = document.querySelector(".md-search-result__meta");
  if (!input || input.value !== query || !meta || !meta.textContent.includes("结果")) return false;
  return meta.textContent.includes("没有找到")
      || document.querySelector(".md-search-result__item") !== null;
}"""


@pytest.fixture(scope="session")
def unpacked_archive(tmp_path_factory, chromium_browser) -> Path:
    """Build the 2025 archive in a throwaway project (fresh process) and unpack it; shared by the archive tests."""
    from tests.support import make_project

    project = make_project(tmp_path_factory.mktemp("archive-browser") / "project")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "archive", "2025"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    target = tmp_path_factory.mktemp("archive-unzipped")
    with zipfile.ZipFile(project / "dist" / "disclosure-2025.zip") as zf:
        zf.extractall(target)
    return target
