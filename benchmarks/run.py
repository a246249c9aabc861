"""Benchmark check, build, incremental rebuilds, shards, serve and search on synthetic forms (prints tables).

    python benchmarks/run.py                                   # 1,000 forms: check, build, edit, shards
    python benchmarks/run.py --forms 1000,10000,30000          # side by side (10,000 takes many minutes)
    python benchmarks/run.py --forms 1000 --no-build           # check only (fast)
    python benchmarks/run.py --forms 1000 --serve --search     # also serve edit-to-page and a search probe

Every figure is measured in this one run, on this machine, side by side; wall-clock numbers vary with
the machine and with what else it runs (the load average is printed before and after):

- check: forms/s with all cores and with one process;
- cold build (`disclosure build --no-excel`, Pagefind included) against plain `mkdocs build` of the very
  same generated docs with the SAME navigation (the generator's own: `nav_overrides(site_nav(...))`), and
  plain MkDocs + the same Pagefind step, so the ratio compares like with like;
- per-page cost and HTML size, and their growth between the smallest and the largest size;
- one-form edit: `disclosure build` after changing one form, against the cold build;
- shards: `build --shard 1/2` and `--shard 2/2` as two processes at once, then `disclosure merge`; the merged
  site is compared with the unsharded build, file by file;
- serve: `disclosure serve` (the whole site) until a unit page is served, then one of its forms saved
  until the page shows the change (and the same with `--only YEAR/UNIT`);
- search (benchmarks/searchprobe.py, if present): bytes fetched, time to first results at 4x CPU
  throttling, renderer memory in headless Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synth import write_corpus  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
DISCLOSURE = [sys.executable, "-m", "generator"]
UNIT = "2025/synthetic-unit-00007"


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - started


def project(tmp: Path, forms: int) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "overrides", "schema"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp / name)
    write_corpus(tmp / "content", forms)
    return tmp


def edit_one_form(root: Path, mark: str) -> Path:
    """Change one indicator text of one unit form (a one-form edit; amounts unchanged)."""
    form = root / "content" / UNIT / "unit.yml"
    text = form.read_text(encoding="utf-8")
    form.write_text(text.replace("tasks: ", f"tasks: {mark}", 1), encoding="utf-8")
    return form


PLAIN = """
import json, sys
from mkdocs.commands.build import build
from generator.site.build import load_mkdocs_config
from generator.site.mkdocsrun import quiet_mkdocs
quiet_mkdocs()
nav = json.load(open(sys.argv[1], encoding="utf-8"))
build(load_mkdocs_config("mkdocs.yml", site_dir=sys.argv[2], **nav))
if len(sys.argv) > 3:
    from generator.site.searchbundles import index_site
    index_site(__import__("pathlib").Path(sys.argv[2]))
"""


def plain_mkdocs(root: Path, out: Path, pagefind: bool) -> float:
    """Time plain `mkdocs build` of build/docs with the generator's navigation (and Pagefind after it)."""
    nav_file = root / "nav.json"
    if not nav_file.exists():
        code = (
            "import json; from generator.forms.validate import check_content; "
            "from generator.site.build import select_years, validated_source; "
            "from generator.site.nav import nav_overrides, site_nav; r = check_content('content'); "
            "json.dump(nav_overrides(site_nav(select_years(r, validated_source(r)))), open('nav.json', 'w'))"
        )
        subprocess.run([sys.executable, "-c", code], cwd=root, check=True, env=ENV, stdout=subprocess.DEVNULL)
    shutil.rmtree(out, ignore_errors=True)
    return timed([sys.executable, "-c", PLAIN, str(nav_file), str(out)] + (["pagefind"] if pagefind else []), root)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def shards(root: Path, tmp: Path) -> tuple[float, float, bool]:
    """Build two shards at once in two copies of the project, merge; return (shards s, merge s, identical)."""
    copies = []
    for n in (1, 2):
        copy = tmp / f"shard-project-{n}"
        copy.mkdir(parents=True)
        for name in ("mkdocs.yml", "overrides", "schema", "content", "disclosure.yml"):
            src = root / name
            if src.exists():
                (shutil.copytree if src.is_dir() else shutil.copy2)(src, copy / name)
        copies.append(copy)
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            DISCLOSURE + ["build", "--no-excel", "--shard", f"{n}/2", "-d", str(tmp / f"shard-out-{n}")],
            cwd=copy,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n, copy in zip((1, 2), copies)
    ]
    assert all(p.wait() == 0 for p in procs), "a shard build failed"
    built = time.perf_counter() - started
    merge = timed(DISCLOSURE + ["merge", str(tmp / "shard-out-1"), str(tmp / "shard-out-2"), "-d", str(tmp / "merged")], root)
    same = tree(tmp / "merged") == tree(root / "site")
    for copy in copies:
        shutil.rmtree(copy, ignore_errors=True)
    return built, merge, same


def serve_edit(root: Path, only: bool = False, log: Path | None = None) -> dict[str, float]:
    """Start `disclosure serve` (whole site, or `--only UNIT`) and time what an editor waits for.

    `first`: start to the unit's page; `edit`: saving one of its forms right away to the page showing it
    (the whole site may still be preparing); `ready`: start to the home page (the whole site checked and
    written); `edit_ready`: another save, once ready, to the page showing it. `log`: serve's stderr.
    """
    import functools
    import signal
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}/"

    def fetch(path: str = UNIT + "/") -> str | None:
        try:
            with urllib.request.urlopen(base + path, timeout=120) as response:  # a request may build its piece
                return response.read().decode("utf-8")
        except OSError:
            return None

    def until(predicate, since: float) -> float:  # noqa: ANN001 - a callable
        while time.perf_counter() < since + 180:
            if predicate():
                return time.perf_counter() - since
            time.sleep(0.05)
        return float("inf")

    started = time.perf_counter()
    cmd = DISCLOSURE + ["serve", "-a", f"127.0.0.1:{port}"] + (["--only", UNIT] if only else [])
    # Ctrl-C must reach serve even when this benchmark runs in the background (`nohup … &` ignores SIGINT).
    default_sigint = functools.partial(signal.signal, signal.SIGINT, signal.SIG_DFL)
    err = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=root, env=ENV, stdout=subprocess.DEVNULL, stderr=err, preexec_fn=default_sigint)
    try:
        times = {"first": until(lambda: fetch() is not None, started)}
        for name, mark in (("edit", "预览修改标记一"), ("edit_ready", "预览修改标记二")):
            if name == "edit_ready":
                times["ready"] = until(lambda: fetch("") is not None, started)
            saved = time.perf_counter()
            mark += ("局部" if only else "全站") + str(time.time_ns())  # new in every run: the tree may be reused
            edit_one_form(root, mark)
            times[name] = until(lambda m=mark: m in (fetch() or ""), saved)
        return times
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print("serve did not stop within 30 s of Ctrl-C: killed", flush=True)
            proc.kill()
            proc.wait()
        if log:
            err.close()


#: The search probe's query: words the synthetic forms hold on about one page in ten (results to fetch and rank).
QUERY = "社区治理"


def search_probe(site: Path, page: str = UNIT + "/"):  # noqa: ANN201 - searchprobe.SearchProbe or None
    """Probe one query typed on a unit page (a typical page; the year page is measured for its memory)."""
    try:
        from benchmarks.searchprobe import probe_search
    except ImportError:
        return None
    return probe_search(site, QUERY, page=page, cpu_throttle=4.0)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", default="1000", help="comma-separated corpus sizes (default 1000)")
    parser.add_argument("--no-build", action="store_true", help="check only")
    parser.add_argument("--no-shards", action="store_true", help="skip the two-shard build and merge")
    parser.add_argument("--serve", action="store_true", help="also time serve (whole site, and --only): first page, one edit")
    parser.add_argument("--search", action="store_true", help="also probe search in headless Chromium (searchprobe.py)")
    parser.add_argument("--excel", action="store_true", help="also time a cold build of the Excel and data downloads")
    parser.add_argument(
        "--import",
        dest="import_docs",
        type=int,
        default=0,
        metavar="N",
        help="also time `disclosure import` on N printed documents per format (benchmarks/importbench.py)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated steps to leave out at large sizes: check1 (one-process check), noop, pagefind-peer",
    )
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load()}")
    rows: dict[int, dict] = {}
    skip = set(filter(None, args.skip.split(",")))
    for forms in [int(n) for n in args.forms.split(",")]:
        row: dict = rows.setdefault(forms, {})
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            root = project(tmp / "project", forms)
            row["check_s"] = timed(DISCLOSURE + ["check"], root)
            if "check1" not in skip:
                row["check_1proc_s"] = timed(DISCLOSURE + ["check", "--jobs", "1"], root)
            print(f"{forms}: check {row['check_s']:.1f} s ({forms / row['check_s']:.0f} forms/s)", flush=True)
            if not args.no_build:
                row["build_s"] = timed(DISCLOSURE + ["build", "--no-excel"], root)
                pages = sum(1 for _ in (root / "site").rglob("index.html"))
                row["pages"] = pages
                row["kb_per_page"] = sum(p.stat().st_size for p in (root / "site").rglob("*.html")) / max(pages, 1) / 1024
                row["plain_s"] = plain_mkdocs(root, tmp / "plain", pagefind=False)
                if "pagefind-peer" not in skip:
                    row["plain_pagefind_s"] = plain_mkdocs(root, tmp / "plain", pagefind=True)
                if "noop" not in skip:
                    row["noop_s"] = timed(DISCLOSURE + ["build", "--no-excel"], root)
                edit_one_form(root, "修改")
                row["edit_s"] = timed(DISCLOSURE + ["build", "--no-excel"], root)
                print(
                    f"{forms}: build {row['build_s']:.1f} s, plain {row['plain_s']:.1f} s, edit {row['edit_s']:.1f} s", flush=True
                )
                if not args.no_shards:
                    row["shards_s"], row["merge_s"], row["shards_identical"] = shards(root, tmp)
            if args.serve:
                whole, alone = serve_edit(root), serve_edit(root, only=True)
                row["serve_first_s"], row["serve_edit_s"] = whole["first"], whole["edit"]
                row["serve_ready_s"], row["serve_edit_ready_s"] = whole["ready"], whole["edit_ready"]
                row["only_first_s"], row["only_edit_s"] = alone["first"], alone["edit"]
            if args.search and (root / "site").is_dir():
                found = search_probe(root / "site")
                if found is not None:
                    row["search"] = {
                        "bytes": found.bytes_fetched,
                        "seconds": found.time_to_results_s,
                        "renderer_mb": found.renderer_rss_mb,
                        "results": found.results,
                    }
                    year = search_probe(root / "site", page="2025/")
                    if year is not None:  # the year page lists every unit and project: the heaviest page
                        row["search"]["year_page_renderer_mb"] = year.renderer_rss_mb
                        row["search"]["year_page_seconds"] = year.time_to_results_s
            if args.excel:
                row["xlsx_s"] = timed(DISCLOSURE + ["export-xlsx", "-o", str(tmp / "xlsx")], root)
    report(rows)
    figures: dict = {str(size): row for size, row in rows.items()}
    if args.import_docs:
        figures["import"] = import_report(args.import_docs)
    print(f"load average after: {load()}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


def import_report(n: int) -> dict:
    """`disclosure import` per format: forms per second and cells right / total (printed sample forms)."""
    from benchmarks.importbench import run as import_run

    found = import_run(n)
    print("\n| 格式 | 表单 | 表单/秒 | 单元格正确 / 总数 |\n| --- | ---: | ---: | ---: |")
    for fmt, row in found.items():
        print(f"| {fmt} | {row['forms']} | {row['forms_per_second']} | {row['cells_right']} / {row['cells_total']} |")
    return found


def report(rows: dict[int, dict]) -> None:
    def cell(row: dict, key: str, fmt: str = "{:.1f}") -> str:
        return fmt.format(row[key]) if key in row and row[key] is not None else "–"

    print()
    header = (
        "| forms | check forms/s (1 proc) | build s | plain mkdocs s | build/plain | +Pagefind s | build/(plain+Pagefind) "
        "| ms/page | KB/page |"
    )
    header += (
        " edit s | edit/cold | 2 shards s | merge s | identical | serve first s | serve edit s | serve ready s "
        "| serve edit when ready s | --only first s | --only edit s |"
    )
    header += " search KB | search s | renderer MB | year page: search s, renderer MB |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for forms, row in rows.items():
        rate = f"{forms / row['check_s']:.0f}" + (f" ({forms / row['check_1proc_s']:.0f})" if "check_1proc_s" in row else "")
        ratio = f"{row['build_s'] / row['plain_s']:.2f}" if "build_s" in row else "–"
        ratio_pf = f"{row['build_s'] / row['plain_pagefind_s']:.2f}" if "plain_pagefind_s" in row else "–"
        per_page = f"{row['build_s'] / row['pages'] * 1000:.1f}" if "build_s" in row else "–"
        edit = f"{row['edit_s'] / row['build_s']:.0%}" if "edit_s" in row else "–"
        search = row.get("search") or {}
        kib = f"{search['bytes'] / 1024:.0f}" if search else "–"
        print(
            f"| {forms} | {rate} | {cell(row, 'build_s')} | {cell(row, 'plain_s')} | {ratio} | {cell(row, 'plain_pagefind_s')} | {ratio_pf} "
            f"| {per_page} | {cell(row, 'kb_per_page')} | {cell(row, 'edit_s')} | {edit} | {cell(row, 'shards_s')} "
            f"| {cell(row, 'merge_s')} | {row.get('shards_identical', '–')} | {cell(row, 'serve_first_s', '{:.2f}')} "
            f"| {cell(row, 'serve_edit_s', '{:.2f}')} | {cell(row, 'serve_ready_s', '{:.1f}')} "
            f"| {cell(row, 'serve_edit_ready_s', '{:.2f}')} | {cell(row, 'only_first_s', '{:.2f}')} | {cell(row, 'only_edit_s', '{:.2f}')} "
            f"| {kib} "
            f"| {search.get('seconds', '–')} | {search.get('renderer_mb', '–')} "
            f"| {search.get('year_page_seconds', '–')}, {search.get('year_page_renderer_mb', '–')} |"
        )
    built = {f: r for f, r in rows.items() if "build_s" in r}
    if len(built) >= 2:
        small, large = min(built), max(built)
        growth = (built[large]["build_s"] / built[large]["pages"]) / (built[small]["build_s"] / built[small]["pages"])
        print(f"per-page build time at {large} forms / at {small} forms: {growth:.2f}")


if __name__ == "__main__":
    main()
