"""Writing a file atomically, leaving no temporary file behind, Ctrl-C included.

The data goes to a temporary file beside the target, then ``os.replace`` puts it in place: a
reader sees the old file or the new one, never half of one. Interrupt signals are held for
those few system calls (on POSIX), so a Ctrl-C arrives after the temporary file is renamed or
removed, never between its creation and the ``try`` that would remove it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ['TEMP_SUFFIX', 'write_atomic']

TEMP_SUFFIX = '.codestral-bot'
_HELD = tuple(getattr(signal, name) for name in ('SIGINT', 'SIGTERM', 'SIGHUP') if hasattr(signal, name))


def write_atomic(target: Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``target`` with ``data`` (``mode``: the permission bits to give it; None: 0600)."""
    with _signals_held():
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f'.{target.name}.', suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(data)
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    # Only the main thread gets Python's signal handlers; elsewhere (and on Windows) there is
    # nothing to hold and the except clause above does the cleaning.
    if not hasattr(signal, 'pthread_sigmask') or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
