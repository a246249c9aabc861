"""Running MkDocs from the generator: in the config's folder, showing only its warnings and errors."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Run the block in `path` (MkDocs resolves some paths against the working directory)."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def quiet_mkdocs() -> None:
    """Show MkDocs warnings and errors (strict turns warnings into a failed build), not its INFO chatter."""
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    import jieba  # its default logger prints dictionary-loading chatter to stderr

    jieba.setLogLevel(logging.WARNING)
