from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import codestral_bot
from codestral_bot.cache import DB_NAME
from codestral_bot.cache import CachedCompletion
from codestral_bot.cache import CompletionCache
from codestral_bot.cache import cache_dir
from codestral_bot.cache import cache_key
from codestral_bot.records import Completion
from codestral_bot.records import Usage

BASE = {
    'endpoint': 'https://codestral.mistral.ai/v1/fim/completions',
    'model': 'codestral-latest',
    'prompt': 'def add(a, b):\n    ',
    'suffix': '\n\nprint(add(1, 2))\n',
}
PARAMS: dict[str, object] = {'temperature': 0.2, 'max_tokens': 512, 'stop': ['\n\n\n']}
DONE = CachedCompletion('return a + b', 'stop', 12, 4)


def _key(params: dict[str, object] = PARAMS, **changes: str) -> str:
    fields = {**BASE, **changes}
    return cache_key(fields['endpoint'], fields['model'], fields['prompt'], fields['suffix'], params)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == 'codestral_bot' and r.levelno == logging.WARNING]


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CompletionCache]:
    with CompletionCache(tmp_path / 'c.sqlite3') as c:
        yield c


def test_key_is_stable_and_hex() -> None:
    assert _key() == _key()
    assert re.fullmatch('[0-9a-f]{64}', _key())  # lowercase hex sha256, nothing else
    reordered = dict(reversed(list(PARAMS.items())))
    assert _key(params=reordered) == _key()


@pytest.mark.parametrize('change', [
    {'endpoint': 'http://127.0.0.1:8080/v1/fim/completions'},
    {'model': 'codestral-2508'},
    {'prompt': 'def add(a, b):\n  '},
    {'suffix': '\n\nprint(add(1, 3))\n'},
    {'params': {**PARAMS, 'temperature': 0.3}},
    {'params': {**PARAMS, 'max_tokens': 256}},
    {'params': {**PARAMS, 'stop': []}},
    {'params': {**PARAMS, 'random_seed': 1}},
    {'params': {**PARAMS, 'prompt_cache_key': 'x'}},
])
def test_key_changes_with_any_input(change: dict[str, Any]) -> None:
    assert _key(**change) != _key()


def test_key_has_no_field_boundary_collisions() -> None:
    assert _key(prompt='ab', suffix='c') != _key(prompt='a', suffix='bc')


@pytest.mark.parametrize('name', ['api_key', 'Authorization', 'token'])
def test_key_refuses_credentials(name: str) -> None:
    with pytest.raises(ValueError) as info:
        cache_key('e', 'm', 'p', 's', {name: 'sk-secret'})
    assert 'sk-secret' not in str(info.value)


def test_miss_then_hit(cache: CompletionCache) -> None:
    assert cache.get(_key()) is None
    cache.put(_key(), DONE)
    assert cache.get(_key()) == DONE
    assert cache.get(_key(model='other')) is None
    stats = cache.stats()
    assert (stats['entries'], stats['hits'], stats['misses']) == (1, 1, 2)
    assert stats['path'] == str(cache.path)
    assert stats['enabled'] is True
    assert stats['bytes'] > len(DONE.text)
    assert stats['file_bytes'] > 0


def test_put_replaces(cache: CompletionCache) -> None:
    cache.put(_key(), CachedCompletion('x', 'length', 1, 1))
    cache.put(_key(), DONE)
    assert cache.get(_key()) == DONE
    assert cache.stats()['entries'] == 1


def test_converts_to_and_from_records() -> None:
    completion = Completion('pass', 'stop', Usage(3, 1))
    cached = CachedCompletion.of(completion)
    assert cached == CachedCompletion('pass', 'stop', 3, 1)
    assert cached.to_completion() == Completion('pass', 'stop', Usage(3, 1), cached=True)


def test_hits_and_entries_persist_across_instances(tmp_path: Path) -> None:
    path = tmp_path / 'c.sqlite3'
    with CompletionCache(path) as first:
        first.put(_key(), DONE)
    with CompletionCache(path) as second:
        assert second.get(_key()) == DONE
        assert second.stats()['hits'] == 1


def test_eviction_keeps_size_bound_and_recently_used(tmp_path: Path) -> None:
    with CompletionCache(tmp_path / 'c.sqlite3', max_bytes=20_000) as cache:
        keys = [_key(prompt=f'p{i}') for i in range(60)]
        for i, key in enumerate(keys):
            cache.put(key, CachedCompletion(f'{i:04d}' + 'x' * 996, 'stop'))
            assert cache.get(keys[0]) is not None  # used all along: never the least recent
            assert cache.stats()['bytes'] <= 20_000
        assert cache.get(keys[1]) is None  # old and unused: evicted
        assert cache.get(keys[-1]) is not None
        assert 10 <= cache.stats()['entries'] < 20


def test_clear(cache: CompletionCache) -> None:
    cache.put(_key(), DONE)
    cache.put(_key(model='b'), DONE)
    cache.get(_key())
    assert cache.clear() == 2
    stats = cache.stats()
    assert (stats['entries'], stats['bytes'], stats['hits'], stats['misses']) == (0, 0, 0, 0)
    assert cache.get(_key()) is None


def test_default_location_honours_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('CODESTRAL_BOT_CACHE_DIR', str(tmp_path / 'here'))
    assert cache_dir() == tmp_path / 'here'
    with CompletionCache() as cache:
        cache.put(_key(), DONE)
    assert (tmp_path / 'here' / DB_NAME).is_file()


def test_default_location_is_user_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('CODESTRAL_BOT_CACHE_DIR', raising=False)
    assert 'codestral-bot' in cache_dir().parts


@pytest.mark.parametrize('damage', ['whole', 'after_header'])
def test_corrupt_file_is_moved_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str,
) -> None:
    path = tmp_path / 'c.sqlite3'
    with CompletionCache(path) as cache:
        cache.put(_key(), DONE)
    data = path.read_bytes()
    keep = 0 if damage == 'whole' else 100  # 100 bytes = SQLite's file header
    path.write_bytes(data[:keep] + b'garbage!' * ((len(data) - keep) // 8 + 1))
    caplog.set_level(logging.WARNING, logger='codestral_bot')
    with CompletionCache(path) as cache:
        assert cache.get(_key()) is None
        cache.put(_key(), DONE)
        assert cache.get(_key()) == DONE
        assert cache.enabled
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert 'corrupted' in warnings[0]
    assert (tmp_path / 'c.sqlite3.corrupt').is_file()


def test_unwritable_directory_disables_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / 'not-a-dir'
    blocker.write_text('a file where the cache directory should be')
    caplog.set_level(logging.WARNING, logger='codestral_bot')
    cache = CompletionCache(blocker / 'sub' / 'c.sqlite3')
    assert cache.get(_key()) is None
    cache.put(_key(), DONE)
    assert cache.get(_key()) is None
    assert cache.clear() == 0
    stats = cache.stats()
    assert (stats['enabled'], stats['entries']) == (False, 0)
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert 'disabled' in warnings[0]


def test_file_that_cannot_be_written_disables_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / 'c.sqlite3'
    path.write_bytes(b'')
    caplog.set_level(logging.WARNING, logger='codestral_bot')
    # A directory where the WAL file must go: fails for root too, unlike chmod.
    (tmp_path / 'c.sqlite3-wal').mkdir()
    cache = CompletionCache(path)
    cache.put(_key(), DONE)
    assert cache.get(_key()) is None
    assert len(_warnings(caplog)) == 1


_WORKER = """
import sys
from codestral_bot.cache import CachedCompletion, CompletionCache, cache_key
path, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
cache = CompletionCache(path)
for i in range(count):
    key = cache_key('e', 'm', f'{worker}-{i}', '', {})
    cache.put(key, CachedCompletion(f'{worker} {i}', 'stop', 1, 1))
    shared = cache_key('e', 'm', 'shared', '', {})
    cache.put(shared, CachedCompletion(worker, 'stop'))
    assert cache.get(key) == CachedCompletion(f'{worker} {i}', 'stop', 1, 1), i
assert cache.enabled
"""


def test_two_processes_at_once(tmp_path: Path) -> None:
    path = tmp_path / 'c.sqlite3'
    package_root = str(Path(codestral_bot.__file__).resolve().parents[1])
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([package_root, os.environ.get('PYTHONPATH', '')])}
    procs = [
        subprocess.Popen([sys.executable, '-c', _WORKER, str(path), name, '150'], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for name in ('a', 'b', 'c')
    ]
    for proc in procs:
        _, err = proc.communicate()
        assert proc.returncode == 0, err.decode()
        assert b'disabled' not in err and b'corrupted' not in err
    with CompletionCache(path) as cache:
        stats = cache.stats()
        assert (stats['entries'], stats['hits'], stats['misses']) == (3 * 150 + 1, 3 * 150, 0)
        assert cache.get(cache_key('e', 'm', 'b-149', '', {})) == CachedCompletion('b 149', 'stop', 1, 1)
