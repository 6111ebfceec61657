"""The one ``codestral_bot`` logger's handler: ``codestral-bot: warning: …`` lines on stderr."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ['logging_handler']


def _scrub(text: str) -> str:
    # Only when a key was read (redact imported): the hook's fast path stays import-free.
    redact = sys.modules.get('codestral_bot.redact')
    return redact.scrub(text) if redact is not None else text


def _format(record: logging.LogRecord) -> str:
    from codestral_bot.output import clean  # file names and model text reach log lines too

    return clean(_scrub(f'codestral-bot: {record.levelname.lower()}: {record.getMessage()}'))


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
