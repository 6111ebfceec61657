from __future__ import annotations

import datetime
import hashlib
import logging
import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

from codestral_bot.quota_store import DB_NAME
from codestral_bot.quota_store import ENV_CACHE_DIR
from codestral_bot.quota_store import DailyQuota
from codestral_bot.quota_store import default_cache_dir
from codestral_bot.quota_store import hash_key

KEY = 'sk-test-0123456789abcdef'
KEY_HASH = hash_key(KEY)


class FakeClock:
    def __init__(self, iso: str) -> None:
        self.now = datetime.datetime.fromisoformat(iso).timestamp()

    def __call__(self) -> float:
        return self.now


def test_hash_key_is_salted_hex_and_stable() -> None:
    assert len(KEY_HASH) == 64
    assert KEY not in KEY_HASH
    assert KEY_HASH == hash_key(KEY)
    assert KEY_HASH != hashlib.sha256(KEY.encode()).hexdigest()
    assert hash_key('other') != KEY_HASH


def test_refuses_a_raw_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='never the key'):
        DailyQuota(tmp_path / DB_NAME, KEY, 1000)


def test_counts_and_cap(tmp_path: Path) -> None:
    quota = DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000)
    assert quota.used_today() == 0
    assert quota.add(600) == 600
    assert not quota.would_exceed(400)
    assert quota.would_exceed(401)
    assert quota.remaining_today() == 400
    assert quota.add(-1000) == 0  # giving back never goes below zero
    unlimited = DailyQuota(tmp_path / DB_NAME, KEY_HASH, None)
    assert not unlimited.would_exceed(10**12)
    assert unlimited.remaining_today() is None


def test_count_survives_across_runs_and_keys_are_separate(tmp_path: Path) -> None:
    DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000).add(250)
    assert DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000).used_today() == 250
    assert DailyQuota(tmp_path / DB_NAME, hash_key('another key'), 1000).used_today() == 0


def test_the_key_is_never_stored(tmp_path: Path) -> None:
    DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000).add(5)
    stored = b''.join(p.read_bytes() for p in tmp_path.iterdir())
    assert KEY.encode() not in stored


def test_reserve_refuses_what_would_pass_the_cap(tmp_path: Path) -> None:
    quota = DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000)
    assert quota.reserve(900)
    assert not quota.reserve(101)
    assert quota.used_today() == 900
    assert quota.reserve(100)


def test_day_rolls_over_at_utc_midnight(tmp_path: Path) -> None:
    clock = FakeClock('2025-03-01T23:59:00+00:00')
    quota = DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000, clock=clock)
    quota.add(999)
    assert quota.would_exceed(2)
    clock.now += 120  # 00:01 UTC the next day
    assert quota.used_today() == 0
    assert not quota.would_exceed(1000)
    clock.now -= 120
    assert quota.used_today() == 999


def test_old_days_are_pruned(tmp_path: Path) -> None:
    clock = FakeClock('2025-01-01T12:00:00+00:00')
    DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000, clock=clock).add(10)
    clock.now += 90 * 86400
    DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000, clock=clock)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        assert conn.execute('SELECT count(*) FROM usage').fetchone() == (0,)


def test_wal_mode(tmp_path: Path) -> None:
    DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        assert conn.execute('PRAGMA journal_mode').fetchone() == ('wal',)


def test_threads_reserve_concurrently_without_overshoot(tmp_path: Path) -> None:
    quota = DailyQuota(tmp_path / DB_NAME, KEY_HASH, 1000)
    granted: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = [quota.reserve(1) for _ in range(150)]
        with lock:
            granted.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 1000
    assert quota.used_today() == 1000


def _add_many(path: str, n: int) -> None:
    quota = DailyQuota(path, KEY_HASH, None)
    for _ in range(n):
        quota.add(1)


def test_two_processes_add_concurrently(tmp_path: Path) -> None:
    path = str(tmp_path / DB_NAME)
    DailyQuota(path, KEY_HASH, None)
    ctx = multiprocessing.get_context('spawn')
    procs = [ctx.Process(target=_add_many, args=(path, 200)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert DailyQuota(path, KEY_HASH, None).used_today() == 400


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / DB_NAME
    path.write_bytes(b'this is not a database' * 100)
    with caplog.at_level(logging.WARNING, logger='codestral_bot'):
        quota = DailyQuota(path, KEY_HASH, 1000)
    assert quota.add(7) == 7
    assert 'unreadable' in caplog.text
    aside = [p for p in tmp_path.iterdir() if '.corrupt-' in p.name]
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b'this is not a database')


def test_file_corrupted_between_calls_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / DB_NAME
    quota = DailyQuota(path, KEY_HASH, 1000)
    quota.add(5)
    for p in tmp_path.iterdir():
        p.write_bytes(b'\0garbage' * 1000)
    with caplog.at_level(logging.WARNING, logger='codestral_bot'):
        assert quota.add(3) == 3
    assert 'unreadable' in caplog.text


def test_unusable_directory_counts_in_memory_with_one_warning(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / 'not-a-dir'
    blocker.write_text('')
    with caplog.at_level(logging.WARNING, logger='codestral_bot'):
        quota = DailyQuota(blocker / DB_NAME, KEY_HASH, 1000)
        assert quota.reserve(600) and not quota.reserve(600)  # the cap still holds for this run
    (warning,) = [r.getMessage() for r in caplog.records]
    assert 'cannot create' in warning and 'counting this run only' in warning


def test_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / 'cache'))
    assert default_cache_dir() == tmp_path / 'cache'
    quota = DailyQuota(None, KEY_HASH, 10)
    assert quota.path == tmp_path / 'cache' / DB_NAME
    quota.add(1)
    assert quota.path.exists()


def test_cache_dir_default_is_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv(ENV_CACHE_DIR, raising=False)
    assert default_cache_dir() == Path(platformdirs.user_cache_dir('codestral-bot'))
