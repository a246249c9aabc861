"""Forked workers end with the command that forked them (no orphan blocked on a pipe after Ctrl-C or kill)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import os, sys, time
from generator.forking import fork_pool

def work(_):
    print(os.getpid(), flush=True)
    time.sleep(120)

with fork_pool(1) as pool:
    pool.map(work, [0])
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_pool_workers_die_with_their_parent():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True, env=env)
    try:
        worker = int(parent.stdout.readline())
        assert _alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        end = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < end:
            time.sleep(0.05)
        assert not _alive(worker), "the pool worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
