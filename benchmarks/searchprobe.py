"""What one search costs a reader: bytes fetched, time to first results, renderer memory (headless Chromium).

    probe_search(site_dir, query="社区工作者", *, page="2025/", cpu_throttle=4.0) -> SearchProbe
    python -m benchmarks.searchprobe SITE_DIR [--query Q] [--page P] [--throttle 4] [--json]

The built site is served on 127.0.0.1 (a thread; no compression, as `python -m http.server`); a fresh
Debian Chromium opens `page`, its CPU slowed `cpu_throttle` times through the DevTools protocol
(`Emulation.setCPUThrottlingRate`: 4 is the usual stand-in for a mid-range phone), and the query is typed
into the search box as soon as the page has loaded, as a reader would. Measured:

- time from typing to the first result on screen (the page's own clock, so throttled work counts), or to
  "no result";
- every byte fetched from typing until the network is idle after the results (`bytes_fetched`), plus the
  same files gzip-compressed (`bytes_fetched_gzip`: what a server that compresses would send; Pagefind's
  index files are compressed already), and what the page fetched before typing (`page_bytes`);
- the renderer's memory after the query: JS heap (`Performance.getMetrics`) and the renderer process's
  resident set (its pid from `SystemInfo.getProcessInfo`, RSS from /proc);
- requests to any other host (aborted; there must be none).

Works with the public site's Pagefind box and with Material's own search (the archive's, or an old
build): both use Material's `.md-search__input` and `.md-search-result__item` markup.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Set in the page: when the query was typed, and when the first result (or "no result") appeared.
OBSERVE = """() => {
  window.__probe = {typed: null, shown: null};
  const done = () => {
    const p = window.__probe;
    if (p.typed === null || p.shown !== null) return;
    const meta = document.querySelector(".md-search-result__meta");
    if (document.querySelector(".md-search-result__item") ||
        (meta && meta.textContent.includes("没有找到"))) p.shown = performance.now();
  };
  new MutationObserver(done).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@dataclass
class SearchProbe:
    query: str
    engine: str  # "pagefind" or "material"
    results: int
    first_result: str | None
    time_to_results_s: float
    bytes_fetched: int
    bytes_fetched_gzip: int
    requests: int
    page_bytes: int
    js_heap_mb: float
    renderer_rss_mb: float | None
    cpu_throttle: float
    third_party: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _gzip_size(path: Path) -> int:
    data = path.read_bytes()
    return len(gzip.compress(data, 6)) if data else 0


def probe_search(
    site_dir: Path | str,
    query: str = "社区工作者",
    *,
    page: str = "2025/",
    cpu_throttle: float = 4.0,
    timeout_s: float = 120.0,
    chromium: str = CHROMIUM,
) -> SearchProbe:
    """Open `page` of the built site in headless Chromium, type `query`, measure (see the module doc)."""
    from playwright.sync_api import sync_playwright

    site = Path(site_dir).resolve()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    fetched: list[str] = []
    blocked: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            try:
                context = browser.new_context(locale="zh-CN")

                def guard(route, request):
                    if urlsplit(request.url).hostname in {"127.0.0.1", "localhost"} or request.url.startswith("data:"):
                        route.continue_()
                    else:
                        blocked.append(request.url)
                        route.abort("blockedbyclient")

                context.route("**/*", guard)
                tab = context.new_page()
                tab.on("requestfinished", lambda r: fetched.append(r.url))
                cdp = context.new_cdp_session(tab)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_throttle})
                cdp.send("Performance.enable")
                tab.goto(base + page, wait_until="load", timeout=timeout_s * 1000)
                before = len(fetched)
                tab.evaluate(OBSERVE)
                box = tab.locator("input.md-search__input")
                engine = "pagefind" if tab.locator("[data-disclosure-search]").count() else "material"
                box.click()
                tab.evaluate("() => { window.__probe.typed = performance.now(); }")
                box.fill(query)
                box.press("End")  # Material's box reacts to key events
                tab.wait_for_function("() => window.__probe.shown !== null", timeout=timeout_s * 1000, polling=50)
                tab.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
                probe = tab.evaluate("() => window.__probe")
                hrefs = tab.eval_on_selector_all(
                    ".md-search-result__item > a.md-search-result__link", "els => els.map(a => a.href)"
                )
                metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                processes = browser.new_browser_cdp_session().send("SystemInfo.getProcessInfo")["processInfo"]
                rss = [_rss_mb(p["id"]) for p in processes if p.get("type") == "renderer"]
                rss_known = [r for r in rss if r is not None]
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()

    def local(url: str) -> Path | None:
        path = site / unquote(urlsplit(url).path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    files = {}
    for url in fetched[before:]:
        path = local(url)
        if path is not None:
            files[path.relative_to(site).as_posix()] = path.stat().st_size
    page_files = {p for p in (local(u) for u in fetched[:before]) if p is not None}
    first = unquote(urlsplit(hrefs[0]).path) if hrefs else None
    return SearchProbe(
        query=query,
        engine=engine,
        results=len(hrefs),
        first_result=first,
        time_to_results_s=round((probe["shown"] - probe["typed"]) / 1000, 3),
        bytes_fetched=sum(files.values()),
        bytes_fetched_gzip=sum(_gzip_size(site / rel) for rel in files),
        requests=len(fetched) - before,
        page_bytes=sum(p.stat().st_size for p in page_files),
        js_heap_mb=round(metrics.get("JSHeapUsedSize", 0) / 1024**2, 1),
        renderer_rss_mb=round(max(rss_known), 1) if rss_known else None,
        cpu_throttle=cpu_throttle,
        third_party=blocked,
        files=files,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="a built site folder (site/)")
    parser.add_argument("--query", default="社区工作者")
    parser.add_argument("--page", default="2025/", help="the page the search is typed on, relative to the site root")
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slowdown factor (DevTools)")
    parser.add_argument("--json", action="store_true", help="print the whole measurement as JSON")
    args = parser.parse_args()
    result = probe_search(args.site, args.query, page=args.page, cpu_throttle=args.throttle)
    if args.json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
        return
    print(
        f"{result.engine}: {result.query!r} -> {result.results} results (first {result.first_result}) in "
        f"{result.time_to_results_s:.2f} s at {result.cpu_throttle:g}x CPU; fetched {result.bytes_fetched / 1024:.0f} KiB "
        f"({result.bytes_fetched_gzip / 1024:.0f} KiB gzip) in {result.requests} requests; page itself "
        f"{result.page_bytes / 1024:.0f} KiB; JS heap {result.js_heap_mb} MB, renderer RSS {result.renderer_rss_mb} MB; "
        f"other hosts: {len(result.third_party)}"
    )


if __name__ == "__main__":
    main()
