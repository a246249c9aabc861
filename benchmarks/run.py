"""Benchmark `disclosure check` and the site build on synthetic forms (not a test: prints a table).

    python benchmarks/run.py --forms 1000,10000            # check only (fast)
    python benchmarks/run.py --forms 1000 --build          # also render + MkDocs vs plain mkdocs build

Figures are ratios and rates measured side by side in one run; wall-clock numbers vary with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synth import write_corpus  # noqa: E402


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def time_to_preview(root: Path, only: str) -> float:
    """Start `disclosure serve --only` and return the seconds until the unit page is served."""
    import signal
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--only", only, "-a", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{only}/", timeout=1) as response:
                    response.read()
                return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        return float("inf")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def project(tmp: Path, forms: int) -> Path:
    for name in ("mkdocs.yml", "overrides", "schema"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp / name)
    write_corpus(tmp / "content", forms)
    return tmp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--build", action="store_true", help="also build the site and a plain mkdocs build of the same pages")
    parser.add_argument("--excel", action="store_true", help="also time a cold build of the Excel and data downloads")
    parser.add_argument("--serve", action="store_true", help="also time `disclosure serve --only` to its first page")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"{'forms':>7} | {'check s':>8} | {'forms/s':>8} | {'1 proc s':>8} | {'forms/s':>8}"
        + (" | build s | mkdocs s | ratio | ms/page | KB/page" if args.build else "")
    )
    per_page: dict[int, float] = {}
    rates: dict[int, float] = {}
    ratios: dict[int, float] = {}
    sizes: dict[int, float] = {}
    previews: dict[int, float] = {}
    for forms in [int(n) for n in args.forms.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            root = project(Path(tmp), forms)
            disclosure = [sys.executable, "-m", "generator"]
            check = timed(disclosure + ["check"], root)
            single = timed(disclosure + ["check", "--jobs", "1"], root)
            rates[forms] = forms / check
            line = f"{forms:>7} | {check:>8.2f} | {forms / check:>8.0f} | {single:>8.2f} | {forms / single:>8.0f}"
            if args.build:
                # Pages only: the peer builds pages only (Excel downloads are measured separately below).
                build = timed(disclosure + ["build", "--no-excel"], root)
                # The peer: plain MkDocs on the very same generated Markdown (build/docs/ is left in place).
                plain = timed([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(root / "plain-site")], root)
                pages = sum(1 for _ in (root / "site").rglob("index.html"))
                size = sum(p.stat().st_size for p in (root / "site").rglob("*.html")) / max(pages, 1) / 1024
                per_page[forms], ratios[forms], sizes[forms] = build / pages * 1000, build / plain, size
                line += f" | {build:>7.1f} | {plain:>8.1f} | {build / plain:>5.2f} | {per_page[forms]:>7.1f} | {size:>7.1f}"
            if args.serve:
                preview = time_to_preview(root, "2025/synthetic-unit-00007")
                previews[forms] = preview
                line += f" | preview {preview:.2f}s"
            if args.excel:
                excel = timed(disclosure + ["export-xlsx", "-o", str(root / "xlsx")], root)
                data = timed(disclosure + ["export-data", "-o", str(root / "data")], root)
                line += f" | xlsx {excel:.1f}s, data {data:.1f}s"
            print(line, flush=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of the largest child process: {peak:.0f} MB")
    print("targets:")
    if rates:
        largest = max(rates)
        print(f"  check >= 2000 forms/s at {largest} forms: {rates[largest]:.0f}")
    for forms, ratio in ratios.items():
        print(f"  build <= 1.10 x plain mkdocs at {forms} forms: {ratio:.2f}")
    if len(per_page) >= 2:
        small, large = min(per_page), max(per_page)
        print(f"  per-page time at {large} <= 1.15 x at {small}: {per_page[large] / per_page[small]:.2f}")
    for forms, size in sizes.items():
        print(f"  HTML per page <= 60 KB at {forms} forms: {size:.1f} KB")
    for forms, preview in previews.items():
        print(f"  serve --only one unit <= 3 s at {forms} forms: {preview:.2f} s")


if __name__ == "__main__":
    main()
