"""Where the handlers' JSON log lines go while ``hookgate dev`` shows its live view.

The functions log through Powertools, whose handler (one, shared by every function: the
``hookgate`` logger) writes to the standard output it found when the first function loaded.
:func:`logs_to` points that handler at a file for as long as it is active.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOGGER = "hookgate"  # Powertools names its logger after the service (POWERTOOLS_SERVICE_NAME)


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """Append the ``hookgate`` logger's terminal output to ``path`` until the block ends."""
    handlers = [
        handler
        for handler in logging.getLogger(LOGGER).handlers
        if isinstance(handler, logging.StreamHandler)
        and getattr(handler, "stream", None) in (sys.stdout, sys.stderr, sys.__stdout__)
    ]
    with path.open("a", encoding="utf-8") as sink:
        previous = [handler.setStream(sink) for handler in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, previous, strict=True):
                handler.setStream(stream)
