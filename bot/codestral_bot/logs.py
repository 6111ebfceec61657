"""The one ``codestral_bot`` logger's handler: ``codestral-bot: warning: …`` lines on stderr."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ['logging_handler']


def _format(record: logging.LogRecord) -> str:
    return f'codestral-bot: {record.levelname.lower()}: {record.getMessage()}'


@contextlib.contextmanager
def logging_handler(verbose: bool) -> Iterator[None]:
    import logging  # ~5 ms: the hook's fast path returns before anything logs, but not before this

    logger = logging.getLogger('codestral_bot')
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter()
    formatter.format = _format  # type: ignore[method-assign]
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
