"""Worker processes forked from this one: they inherit what is loaded (checked forms, MkDocs, the theme).

Forked workers must not outlive the command that forked them: a build or a preview stopped by Ctrl-C
or killed would leave them blocked on a pipe nobody reads. `die_with_parent` asks Linux to end a
worker when its parent ends (PR_SET_PDEATHSIG); `fork_pool` is a process pool of such workers.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.pool import Pool


def die_with_parent() -> None:
    """Ask Linux to end this process when the process that forked it dies (a SIGKILL leaves no orphan)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def fork_pool(jobs: int) -> Pool:
    """Return a pool of `jobs` forked worker processes that end with this process."""
    return multiprocessing.get_context("fork").Pool(jobs, initializer=die_with_parent)
