"""Regenerate the README screenshots from the shipped content.

    python tests/browser/screenshots.py            # writes docs/images/*.png

Builds content/ into a temporary project (as the `built_project` test fixture does), serves it on
127.0.0.1, and takes desktop (1366 px) and phone (390 px) screenshots in headless Debian Chromium, with every request
to another host aborted. Not a test: run it by hand when the look of the pages changes.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("mkdocs.yml", "disclosure.yml", "overrides", "schema", "content")
UNIT = "2025/renhe-shehui-gongzuobu/"
#: file name -> (page, viewport width): desktop 1366 px and phone 390 px.
SHOTS = {
    "project-page.png": (UNIT + "cun-ganbu-huachengbao/", 1366),
    "unit-page.png": (UNIT, 1366),
    "project-page-phone.png": (UNIT + "cun-ganbu-huachengbao/", 390),
    "unit-page-phone.png": (UNIT, 390),
}
MAX_HEIGHT = 1600


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


def build(project: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from generator.site.build import build_site

    for name in PROJECT_FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
    status = build_site(content=str(project / "content"), site_dir=str(project / "site"), config=str(project / "mkdocs.yml"))
    if status:
        raise SystemExit(f"building the site failed ({status})")
    return project / "site"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = build(Path(tmp))
        handler = functools.partial(_QuietHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        args.out.mkdir(parents=True, exist_ok=True)
        blocked: list[str] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, device_scale_factor=1)

                def guard(route, request):
                    if urlsplit(request.url).hostname in {"127.0.0.1", "localhost"}:
                        route.continue_()
                    else:
                        blocked.append(request.url)
                        route.abort()

                context.route("**/*", guard)
                page = context.new_page()
                for name, (rel, width) in SHOTS.items():
                    page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
                    page.goto(base + rel, wait_until="load")
                    page.evaluate("document.fonts.ready")
                    height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
                    target = args.out / name
                    page.screenshot(path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
                    print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: {width}x{height}")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    if blocked:
        print(f"requests to other hosts were blocked: {blocked}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
