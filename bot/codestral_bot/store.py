"""What the bot's two SQLite stores share: where they live, who may read them, what breaks them.

The completion cache holds code from private repositories and the quota store what a key spent:
the folder is the user's alone (0700) and so is every file in it (0600; SQLite gives its ``-wal``
and ``-shm`` files the database's mode). Whichever store runs first creates the folder the same
way. Either store degrades when its file is broken or its folder read-only: one warning, and the
run (the commit hook above all) goes on.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

__all__ = ['ENV_DIR', 'is_busy', 'is_corrupt', 'move_aside', 'one_line', 'prepare', 'store_dir']

ENV_DIR = 'CODESTRAL_BOT_CACHE_DIR'
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_SIDE_FILES = ('-wal', '-shm', '-journal')


def store_dir() -> Path:
    """``$CODESTRAL_BOT_CACHE_DIR``, else the platform's user cache folder for the bot."""
    override = os.environ.get(ENV_DIR, '').strip()
    if override:
        return Path(override).expanduser()
    import platformdirs  # only runs that send requests need it: keep the hook's start fast

    # appauthor=False: on Windows the default would nest the name twice.
    return Path(platformdirs.user_cache_dir('codestral-bot', appauthor=False))


def prepare(path: Path) -> None:
    """Make ``path``'s folder (0700) and the database file (0600) before SQLite opens it.

    Raises ``OSError`` when the folder cannot be made or written: the caller degrades.
    """
    folder = path.parent
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _tighten(folder, 0o700)  # mkdir's mode is cut by the umask, never widened: make sure
    elif folder.name == 'codestral-bot':
        _tighten(folder, 0o700)  # an older version's 0755 folder; never a folder the user named
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for file in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            _tighten(file, 0o600)


def _tighten(path: Path, mode: int) -> None:
    """Take away group and other access from what we own; a folder someone else owns is left."""
    info = path.stat()
    if hasattr(os, 'getuid') and info.st_uid != os.getuid():
        return
    if stat.S_IMODE(info.st_mode) & ~mode:
        os.chmod(path, stat.S_IMODE(info.st_mode) & mode)


def move_aside(path: Path, suffix: str = '.corrupt') -> Path:
    """Keep one corrupted copy for a bug report; the WAL and shared memory belong to it."""
    aside = path.with_name(path.name + suffix)
    if path.exists():
        os.replace(path, aside)
    for side in _SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path.with_name(path.name + side))
    return aside


def is_corrupt(error: sqlite3.Error) -> bool:
    code = getattr(error, 'sqlite_errorcode', None)
    if isinstance(code, int):
        return code & 0xFF in _CORRUPT_CODES
    text = str(error)
    return 'not a database' in text or 'malformed' in text


def is_busy(error: sqlite3.Error) -> bool:
    code = getattr(error, 'sqlite_errorcode', None)
    if isinstance(code, int):
        return code & 0xFF in _BUSY_CODES
    return 'locked' in str(error) or 'busy' in str(error)


def one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return ' '.join(str(error).split()) or type(error).__name__
