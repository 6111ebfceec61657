"""The completion cache: a re-run over an unchanged change sends no request.

One SQLite file (stdlib ``sqlite3``) in the user cache directory: ``platformdirs``'
``user_cache_dir('codestral-bot')``, or ``$CODESTRAL_BOT_CACHE_DIR``, or the ``path`` given to
``CompletionCache``. Entries are keyed by ``cache_key`` — a hash of endpoint, model, prompt,
suffix and sampling parameters, never an API key — and hold the completion text, its
``finish_reason`` and token usage; the prompt itself is not stored.

What to cache is the caller's decision: ``put`` stores whatever it is given, but only answers
with ``finish_reason == 'stop'`` are worth keeping (a ``'length'`` answer is incomplete and a
retry with other settings should not meet it again).

Two hooks may run at once: WAL mode, a busy timeout and short ``BEGIN IMMEDIATE`` transactions.
The cache never stops a run: a corrupted file is moved aside and rebuilt, and a cache that cannot
be opened or written is switched off; each with one warning on the ``codestral_bot`` logger.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Self
from typing import TypedDict
from typing import TypeVar

from codestral_bot import store
from codestral_bot.records import Completion
from codestral_bot.records import Usage

__all__ = [
    'CACHE_DIR_ENV',
    'DEFAULT_MAX_BYTES',
    'CacheStats',
    'CachedCompletion',
    'CompletionCache',
    'cache_dir',
    'cache_key',
]

log = logging.getLogger('codestral_bot')

CACHE_DIR_ENV = store.ENV_DIR
DEFAULT_MAX_BYTES = 50 * 2**20
# The schema version is in the file name: a new layout starts a new file, no migrations.
DB_NAME = 'completions-v1.sqlite3'
_KEY_VERSION = 1
_ROW_OVERHEAD = 64  # bytes a row costs beyond its key and text, so tiny entries still count
_EVICT_TO = 0.9  # evict below the bound, so the next puts do not each evict again
_BUSY_TIMEOUT_S = 10.0
_OPEN_ATTEMPTS = 12
# Parameter names that carry credentials (`prompt_cache_key` is a request field, not a secret).
_SECRET = re.compile(r'(^|_)(api_?key|token|secret|password|authorization)$')

_SCHEMA = """
CREATE TABLE IF NOT EXISTS completions (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    finish_reason TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    size INTEGER NOT NULL,
    last_used INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS completions_last_used ON completions (last_used);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters (name, value) VALUES ('clock', 0), ('hits', 0), ('misses', 0);
"""
# Keep the most recently used rows whose sizes add up to the target; drop the rest.
_EVICT_SQL = """
DELETE FROM completions WHERE key IN (
    SELECT key FROM (
        SELECT key, SUM(size) OVER (ORDER BY last_used DESC, key ROWS UNBOUNDED PRECEDING) AS kept
        FROM completions
    ) WHERE kept > ?
)
"""

_T = TypeVar('_T')


@dataclasses.dataclass(frozen=True)
class CachedCompletion:
    text: str
    finish_reason: str
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @classmethod
    def of(cls, completion: Completion) -> CachedCompletion:
        usage = completion.usage
        return cls(completion.text, completion.finish_reason, usage.prompt_tokens, usage.completion_tokens)

    def to_completion(self) -> Completion:
        usage = Usage(self.prompt_tokens, self.completion_tokens)
        return Completion(self.text, self.finish_reason, usage, cached=True)


class CacheStats(TypedDict):
    path: str
    enabled: bool  # False once the cache switched itself off
    entries: int
    bytes: int  # the entries' counted size, what ``max_bytes`` bounds
    file_bytes: int  # the database and its WAL on disk
    max_bytes: int
    hits: int  # over the file's life, all processes, since the last clear
    misses: int


def cache_dir() -> Path:
    """The bot's cache directory: ``$CODESTRAL_BOT_CACHE_DIR`` or the platform's user cache dir."""
    return store.store_dir()


def cache_key(endpoint: str, model: str, prompt: str, suffix: str, params: Mapping[str, object]) -> str:
    """sha256 of a canonical JSON of everything that shapes the answer.

    ``params`` are the sampling parameters as sent (temperature, max_tokens, stop, ...); values
    must be JSON-serialisable. A credential is refused by name, so it can never reach the key.
    """
    for name in params:
        if _SECRET.search(name.lower()):
            raise ValueError(f'cache_key: {name!r} looks like a credential; it must not be hashed into the key')
    document = {
        'v': _KEY_VERSION, 'endpoint': endpoint, 'model': model,
        'prompt': prompt, 'suffix': suffix, 'params': dict(params),
    }
    canonical = json.dumps(document, sort_keys=True, separators=(',', ':'), allow_nan=False)
    return hashlib.sha256(canonical.encode('ascii')).hexdigest()


class CompletionCache:
    """Size-bounded, least-recently-used store of completions. Opens its file on first use."""

    def __init__(self, path: Path | str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = Path(path) if path is not None else cache_dir() / DB_NAME
        self.max_bytes = max_bytes
        self._conn: sqlite3.Connection | None = None
        self._disabled = False
        self._rebuilt = False
        # The pipeline may call from worker threads; one connection, one user at a time.
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return not self._disabled

    def get(self, key: str) -> CachedCompletion | None:
        """The cached completion, or None; marks it recently used and counts the hit or miss."""
        return self._run(lambda conn: _get(conn, key), None)

    def put(self, key: str, completion: CachedCompletion) -> None:
        """Store (or replace) a completion, then evict the least recently used past ``max_bytes``."""
        self._run(lambda conn: _put(conn, key, completion, self.max_bytes), None)

    def stats(self) -> CacheStats:
        counts = self._run(_stats, None) or (0, 0, 0, 0)
        entries, data, hits, misses = counts
        return CacheStats(
            path=str(self.path), enabled=self.enabled, entries=entries, bytes=data,
            file_bytes=_file_bytes(self.path), max_bytes=self.max_bytes, hits=hits, misses=misses,
        )

    def clear(self) -> int:
        """Remove every entry and reset the hit/miss counts; returns how many entries went."""
        return self._run(_clear, 0)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- failure handling: the cache degrades, it never raises ---------------------------------

    def _run(self, op: Callable[[sqlite3.Connection], _T], fallback: _T) -> _T:
        with self._lock:
            for _ in range(2):
                conn = self._connection()
                if conn is None:
                    return fallback
                try:
                    return op(conn)
                except sqlite3.Error as e:
                    if not (store.is_corrupt(e) and self._rebuild(e)):
                        self._disable(store.one_line(e))
                        return fallback
            return fallback

    def _connection(self) -> sqlite3.Connection | None:
        if self._disabled or self._conn is not None:
            return self._conn
        try:
            self._conn = _open(self.path)
        except sqlite3.Error as e:
            if store.is_corrupt(e) and self._rebuild(e):
                return self._conn
            self._disable(store.one_line(e))
        except OSError as e:
            self._disable(e.strerror or str(e))
        return self._conn

    def _rebuild(self, error: sqlite3.Error) -> bool:
        """Move a corrupted file aside and open a fresh one, at most once per instance."""
        if self._rebuilt:
            return False
        self._rebuilt = True
        self._drop_connection()
        try:
            aside = store.move_aside(self.path)
            self._conn = _open(self.path)
        except (OSError, sqlite3.Error) as e:
            self._disable(f'the file was corrupted and could not be rebuilt: {store.one_line(e)}')
            return False
        log.warning('completion cache %s was corrupted (%s); moved it to %s and started a new one',
                    self.path, store.one_line(error), aside.name)
        return True

    def _disable(self, reason: str) -> None:
        self._drop_connection()
        if not self._disabled:
            log.warning('completion cache disabled, running without it: %s (%s)', reason, self.path)
        self._disabled = True

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None


# --- SQL, one short transaction per call --------------------------------------------------------

def _open(path: Path) -> sqlite3.Connection:
    # Completions are code from private repositories: the folder and the files are the user's alone.
    store.prepare(path)
    for attempt in range(1, _OPEN_ATTEMPTS):
        try:
            return _connect(path)
        except sqlite3.OperationalError as e:
            # Switching a new file to WAL answers SQLITE_BUSY at once, without the busy
            # timeout, when another process opens it in the same instant: wait and retry.
            if not store.is_busy(e):
                raise
            time.sleep(0.02 * attempt)
    return _connect(path)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False,
    )
    try:
        if conn.execute('PRAGMA journal_mode').fetchone()[0] != 'wal':
            conn.execute('PRAGMA journal_mode=WAL')
        conn.execute('PRAGMA synchronous=NORMAL')  # WAL stays consistent; a crash may lose the last puts
        with _transaction(conn):
            for statement in _SCHEMA.split(';'):
                if statement.strip():
                    conn.execute(statement)
    except sqlite3.Error:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection, begin: str = 'BEGIN IMMEDIATE') -> Iterator[None]:
    # IMMEDIATE takes the write lock up front: a deferred read-then-write transaction in WAL
    # mode fails at once (no busy wait) when another process wrote in between.
    conn.execute(begin)
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute('ROLLBACK')
        raise
    conn.execute('COMMIT')


def _tick(conn: sqlite3.Connection) -> int:
    """A logical clock shared by all processes: exact LRU order, unlike wall time."""
    conn.execute("UPDATE counters SET value = value + 1 WHERE name = 'clock'")
    row = conn.execute("SELECT value FROM counters WHERE name = 'clock'").fetchone()
    return int(row[0])


def _get(conn: sqlite3.Connection, key: str) -> CachedCompletion | None:
    row = conn.execute(
        'SELECT text, finish_reason, prompt_tokens, completion_tokens FROM completions WHERE key = ?',
        (key,),
    ).fetchone()
    with _transaction(conn):
        if row is not None:
            conn.execute('UPDATE completions SET last_used = ? WHERE key = ?', (_tick(conn), key))
        counter = 'hits' if row is not None else 'misses'
        conn.execute('UPDATE counters SET value = value + 1 WHERE name = ?', (counter,))
    return CachedCompletion(*row) if row is not None else None


def _put(conn: sqlite3.Connection, key: str, c: CachedCompletion, max_bytes: int) -> None:
    size = len(key) + len(c.text.encode('utf-8', 'surrogatepass')) + len(c.finish_reason) + _ROW_OVERHEAD
    with _transaction(conn):
        conn.execute(
            'INSERT OR REPLACE INTO completions VALUES (?, ?, ?, ?, ?, ?, ?)',
            (key, c.text, c.finish_reason, c.prompt_tokens, c.completion_tokens, size, _tick(conn)),
        )
        total = conn.execute('SELECT COALESCE(SUM(size), 0) FROM completions').fetchone()[0]
        if total > max_bytes:
            conn.execute(_EVICT_SQL, (int(max_bytes * _EVICT_TO),))


def _stats(conn: sqlite3.Connection) -> tuple[int, int, int, int]:
    """(entries, bytes, hits, misses), read in one snapshot."""
    with _transaction(conn, 'BEGIN'):
        entries, data = conn.execute('SELECT COUNT(*), COALESCE(SUM(size), 0) FROM completions').fetchone()
        counters = dict(conn.execute('SELECT name, value FROM counters').fetchall())
    return entries, data, counters['hits'], counters['misses']


def _clear(conn: sqlite3.Connection) -> int:
    with _transaction(conn):
        removed = conn.execute('DELETE FROM completions').rowcount
        conn.execute("UPDATE counters SET value = 0 WHERE name IN ('hits', 'misses')")
    # Give the space back; skipped when another process holds the file open in a transaction.
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute('VACUUM')
    return int(removed)


# --- files ------------------------------------------------------------------------------------

def _file_bytes(path: Path) -> int:
    total = 0
    for name in (path.name, path.name + '-wal'):
        with contextlib.suppress(OSError):
            total += path.with_name(name).stat().st_size
    return total
