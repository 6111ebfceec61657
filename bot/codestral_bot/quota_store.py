"""The free tier's daily token cap, tracked across runs and across hooks running at once.

A small SQLite database in the user's cache directory holds, per key and per UTC day, the tokens
used. The key is stored only as a salted SHA-256 (``hash_key``), never in clear. WAL mode and a
busy timeout let two hooks (two terminals, a hook and CI on the same machine) write at once; a
corrupt file is moved aside and rebuilt, since losing today's count is better than a broken hook.
A store that cannot be used at all (a read-only folder) counts this run only, in memory, with
one warning: it never stops the run. The folder and files are private (``store.prepare``).
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from codestral_bot import store
from codestral_bot.errors import FatalError

__all__ = [
    'DB_NAME',
    'ENV_CACHE_DIR',
    'DailyQuota',
    'QuotaStoreError',
    'default_cache_dir',
    'hash_key',
]

logger = logging.getLogger('codestral_bot')

ENV_CACHE_DIR = store.ENV_DIR
DB_NAME = 'quota.sqlite3'
_KEY_PREFIX = b'codestral-bot/daily-quota/v1\0'  # a fixed salt: no rainbow table of bare key hashes
_BUSY_TIMEOUT = 10.0  # seconds: another hook holds the write lock only for a moment
_KEEP_DAYS = 40  # rows older than this are of no use to anyone
_T = TypeVar('_T')

_SCHEMA = '''
CREATE TABLE IF NOT EXISTS usage (
    key_hash TEXT NOT NULL,
    day TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    PRIMARY KEY (key_hash, day)
)
'''


class QuotaStoreError(FatalError):
    """The database cannot be opened or written (a read-only or missing cache directory)."""


def hash_key(api_key: str) -> str:
    """What identifies a key in the database: a hex SHA-256 of the key with a fixed prefix."""
    return hashlib.sha256(_KEY_PREFIX + api_key.encode()).hexdigest()


def default_cache_dir() -> Path:
    """``$CODESTRAL_BOT_CACHE_DIR``, else the platform's user cache directory."""
    return store.store_dir()


def _utc_day(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).date().isoformat()


class DailyQuota:
    """Tokens used today (UTC) by one key, against ``tpd`` (None = no daily cap).

    ``path`` is the database file; None means ``default_cache_dir() / DB_NAME``. ``clock`` gives
    epoch seconds (for tests of the day's rollover). Each thread gets its own connection, so one
    instance may be shared by threads; ``close()`` when done.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        key_hash: str,
        tpd: float | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not re.fullmatch(r'[0-9a-f]{64}', key_hash):
            raise ValueError('key_hash must be hash_key(api_key), never the key itself')
        self.path = Path(path) if path is not None else default_cache_dir() / DB_NAME
        self.key_hash = key_hash
        self.tpd = tpd
        self._clock = clock
        self._local = threading.local()
        self._memory: sqlite3.Connection | None = None  # set once the file cannot be used
        self._run(self._create)

    # -- public

    def used_today(self) -> int:
        return self._run(self._select_today)

    def remaining_today(self) -> float | None:
        return None if self.tpd is None else max(0.0, self.tpd - self.used_today())

    def would_exceed(self, tokens: int) -> bool:
        return self.tpd is not None and self.used_today() + tokens > self.tpd

    def add(self, tokens: int) -> int:
        """Count ``tokens`` (negative to give back an over-estimate); returns today's total."""
        return self._run(lambda conn: self._add(conn, tokens))

    def reserve(self, tokens: int) -> bool:
        """Count ``tokens`` only if that stays within the cap, atomically across processes.

        Reserve the estimate before sending and ``add(actual - estimate)`` after: two hooks can
        then not both take the last tokens of the day.
        """
        return self._run(lambda conn: self._reserve(conn, tokens))

    # -- statements

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute('PRAGMA journal_mode=WAL')
        conn.execute(_SCHEMA)
        cutoff = _utc_day(self._clock() - _KEEP_DAYS * 86400)
        conn.execute('DELETE FROM usage WHERE day < ?', (cutoff,))

    def _select_today(self, conn: sqlite3.Connection) -> int:
        row = conn.execute(
            'SELECT tokens FROM usage WHERE key_hash = ? AND day = ?', (self.key_hash, self._today())
        ).fetchone()
        return int(row[0]) if row else 0

    def _add(self, conn: sqlite3.Connection, tokens: int) -> int:
        with _transaction(conn):
            self._add_in_transaction(conn, tokens)
            return self._select_today(conn)

    def _reserve(self, conn: sqlite3.Connection, tokens: int) -> bool:
        with _transaction(conn):
            used = self._select_today(conn)
            if self.tpd is not None and used + tokens > self.tpd:
                return False
            self._add_in_transaction(conn, tokens)
            return True

    def _add_in_transaction(self, conn: sqlite3.Connection, tokens: int) -> None:
        conn.execute(
            'INSERT INTO usage (key_hash, day, tokens) VALUES (:key, :day, max(0, :tokens)) '
            'ON CONFLICT (key_hash, day) DO UPDATE SET tokens = max(0, tokens + :tokens)',
            {'key': self.key_hash, 'day': self._today(), 'tokens': int(tokens)},
        )

    def _today(self) -> str:
        return _utc_day(self._clock())

    # -- connections and recovery

    def _run(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        if self._memory is None:
            try:
                return self._on_disk(action)
            except QuotaStoreError as e:
                self._degrade(e)
        assert self._memory is not None
        return action(self._memory)

    def _degrade(self, error: QuotaStoreError) -> None:
        """Count in memory for the rest of the run: a hook is never blocked by its bookkeeping."""
        logger.warning('%s; counting this run only', error)
        self.close()
        self._memory = sqlite3.connect(':memory:', isolation_level=None, check_same_thread=False)
        self._create(self._memory)

    def _on_disk(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        try:
            return self._once(action)
        except sqlite3.OperationalError as e:  # locked past the timeout, read-only, no directory
            raise self._store_error(e) from e
        except sqlite3.DatabaseError as e:  # not a database, malformed image
            self._move_aside(e)
        try:
            self._once(self._create)
            return self._once(action)
        except sqlite3.DatabaseError as e:
            raise self._store_error(e) from e

    def _once(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        conn = self._connection()
        try:
            return action(conn)
        except sqlite3.DatabaseError:
            self.close()  # a fresh connection after recovery, and none left on a moved file
            raise

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread, kept open: opening and closing a WAL database costs a
        # checkpoint and an fsync (~20 ms), too slow for a count per request.
        conn: sqlite3.Connection | None = getattr(self._local, 'conn', None)
        if conn is None:
            try:
                store.prepare(self.path)  # the folder 0700 and the file 0600, like the cache's
            except OSError as e:
                raise QuotaStoreError(f'cannot create the daily token count at {self.path}: '
                                      f'{store.one_line(e)}') from e
            try:
                conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT, isolation_level=None)
                # With WAL, NORMAL skips the fsync per commit; a crash loses at most the last counts.
                conn.execute('PRAGMA synchronous=NORMAL')
            except sqlite3.OperationalError as e:  # cannot open it; a broken file is moved aside in _run
                raise self._store_error(e) from e
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, 'conn', None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def _move_aside(self, error: sqlite3.DatabaseError) -> None:
        stamp = time.strftime('%Y%m%dT%H%M%S')
        aside = self.path.with_name(f'{self.path.name}.corrupt-{stamp}')
        logger.warning(
            'the daily token count at %s is unreadable (%s): moved it to %s and starting from zero today',
            self.path, error, aside,
        )
        try:
            store.move_aside(self.path, aside.name.removeprefix(self.path.name))
        except OSError as e:
            raise QuotaStoreError(f'cannot move the unreadable {self.path} aside: {e.strerror}') from e

    def _store_error(self, error: sqlite3.Error) -> QuotaStoreError:
        return QuotaStoreError(
            f'cannot use the daily token count at {self.path}: {error} '
            f'(set {ENV_CACHE_DIR} to a writable directory)'
        )


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    # IMMEDIATE takes the write lock before reading, so read-check-write is atomic across processes.
    conn.execute('BEGIN IMMEDIATE')
    try:
        yield
    except BaseException:
        conn.execute('ROLLBACK')
        raise
    conn.execute('COMMIT')
