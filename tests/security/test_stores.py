"""Item 11: the completion cache and the quota store are private, and never block the hook."""
from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.repo_util import run_cli
from tests.security._util import bot_env
from tests.security._util import stub_repo


def _modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}


def test_free_plan_run_leaves_a_private_folder_and_files(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    cache = tmp_path / 'home' / '.cache' / 'codestral-bot'
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    env = bot_env(tmp_path, fake_codestral, CODESTRAL_BOT_CACHE_DIR=str(cache))
    result = run_cli(['review', '--no-comments', '--plan', 'free'], root, env)
    assert result.returncode == 1, result.stderr
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    modes = _modes(cache)
    assert 'quota.sqlite3' in modes and 'completions-v1.sqlite3' in modes
    assert all(mode == 0o600 for mode in modes.values()), modes


def test_an_older_open_folder_is_tightened(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    cache = tmp_path / 'cache-home' / 'codestral-bot'
    cache.mkdir(parents=True)
    os.chmod(cache, 0o755)
    (cache / 'quota.sqlite3').touch()
    os.chmod(cache / 'quota.sqlite3', 0o644)
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    env = bot_env(tmp_path, fake_codestral, CODESTRAL_BOT_CACHE_DIR=str(cache))
    assert run_cli(['review', '--no-comments', '--plan', 'free'], root, env).returncode == 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert all(mode == 0o600 for mode in _modes(cache).values()), _modes(cache)


def _unwritable(tmp_path: Path, how: str) -> str:
    if how == 'proc':
        return '/proc/codestral-bot-cache'  # not even root may create a folder there
    if os.geteuid() == 0:
        pytest.skip('root writes through a read-only mode')
    folder = tmp_path / 'ro'
    folder.mkdir()
    os.chmod(folder, 0o500)
    return str(folder / 'codestral-bot')


@pytest.mark.parametrize('how', ['proc', 'chmod'])
def test_unwritable_cache_folder_never_blocks_the_hook(tmp_path: Path, fake_codestral: FakeCodestral,
                                                       how: str) -> None:
    root = stub_repo(tmp_path / 'repo')
    (root / '.codestral-bot.toml').write_text('plan = "free"\n')
    subprocess.run(['git', 'add', '-A'], cwd=root, check=True)
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    env = bot_env(tmp_path, fake_codestral, CODESTRAL_BOT_CACHE_DIR=_unwritable(tmp_path, how))
    result = run_cli(['review', '--staged', '--hook', '--apply', '--no-comments'], root, env)
    assert result.returncode in (0, 1), result.stderr
    assert 'counting this run only' in result.stderr
    assert 'completion cache disabled' in result.stderr
    assert 'Traceback' not in result.stderr
    assert 'return math.pi * r ** 2' in (root / 'geo.py').read_text()
