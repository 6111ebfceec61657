"""Item 12: config values validated (NaN, infinity, malformed URLs → one line, exit 2)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.repo_util import run_cli
from tests.security._util import bot_env
from tests.security._util import stub_repo


@pytest.mark.parametrize('line', [
    'temperature = nan', 'temperature = inf', 'timeout = nan', 'timeout = -inf', 'budget_dollars = nan',
    'budget_dollars = inf', 'price_input = nan', 'price_output = -1.0', 'timeout = -5',
])
def test_non_finite_numbers_in_a_file_are_one_line(tmp_path: Path, line: str) -> None:
    root = stub_repo(tmp_path / 'repo')
    (root / '.codestral-bot.toml').write_text(line + '\n')
    result = run_cli(['review', '--no-comments'], root, bot_env(tmp_path))
    assert result.returncode == 2, result.stderr
    key = line.split()[0]
    (only,) = result.stderr.strip().splitlines()
    assert only.startswith(f"codestral-bot: error: .codestral-bot.toml: '{key}' must be")


@pytest.mark.parametrize('flags', [
    ['--temperature', 'nan'], ['--timeout', 'nan'], ['--budget-dollars', 'nan'], ['--timeout', 'inf'],
    ['--api-base', 'https://[::1'], ['--api-base', 'https://host:port/'], ['--api-base', 'https://a b'],
    ['--api-base', 'https://host:99999'],
])
def test_bad_flags_are_one_line(tmp_path: Path, flags: list[str]) -> None:
    root = stub_repo(tmp_path / 'repo')
    result = run_cli(['review', '--no-comments', *flags], root, bot_env(tmp_path))
    assert result.returncode == 2, result.stderr
    (only,) = result.stderr.strip().splitlines()
    assert only.startswith('codestral-bot: error: command line: '), only


@pytest.mark.parametrize('value', ['https://[::1', 'http://x:y:z@', 'ftp://example.com'])
def test_malformed_url_in_user_config_names_the_file(tmp_path: Path, value: str) -> None:
    root = stub_repo(tmp_path / 'repo')
    config = tmp_path / 'mine.toml'
    config.write_text(f'api_base = {value!r}\n')
    result = run_cli(['review', '--no-comments'], root, bot_env(tmp_path, CODESTRAL_BOT_CONFIG=str(config)))
    assert result.returncode == 2, result.stderr
    (only,) = result.stderr.strip().splitlines()
    assert str(config) in only and "'api_base'" in only


def test_malformed_url_in_the_environment_is_one_line(tmp_path: Path) -> None:
    root = stub_repo(tmp_path / 'repo')
    result = run_cli(['providers'], root, bot_env(tmp_path, CODESTRAL_BOT_API_BASE='https://[::1'))
    assert result.returncode == 2, result.stderr
    assert 'CODESTRAL_BOT_API_BASE' in result.stderr and 'Traceback' not in result.stderr


def test_password_in_a_bad_url_is_not_echoed(tmp_path: Path) -> None:
    root = stub_repo(tmp_path / 'repo')
    result = run_cli(['review', '--no-comments', '--api-base', 'https://u:hunter2@[::1'], root, bot_env(tmp_path))
    assert result.returncode == 2
    assert 'hunter2' not in result.stderr


@pytest.mark.parametrize('name', ['.codestral-bot.toml', 'pyproject.toml'])
@pytest.mark.parametrize('target', ['/dev/zero', 'outside', 'fifo'])
def test_repository_config_that_is_not_a_file_in_it_is_one_line(tmp_path: Path, name: str, target: str) -> None:
    root = stub_repo(tmp_path / 'repo')
    if target == 'fifo':
        os.mkfifo(root / name)
    else:
        secret = tmp_path / 'secret.toml'
        secret.write_text("model = 'x'\n")
        os.symlink(target if target.startswith('/') else secret, root / name)
    result = run_cli(['review', '--no-comments'], root, bot_env(tmp_path), timeout=30)
    assert result.returncode == 2, result.stderr
    (only,) = result.stderr.strip().splitlines()
    assert name.split('.')[0] in only and 'not read' in only


def test_a_link_to_a_file_inside_the_repository_is_read(tmp_path: Path) -> None:
    root = stub_repo(tmp_path / 'repo')
    (root / 'shared.toml').write_text('temperature = nan\n')
    os.symlink('shared.toml', root / '.codestral-bot.toml')
    result = run_cli(['review', '--no-comments'], root, bot_env(tmp_path))
    assert result.returncode == 2 and "'temperature' must be" in result.stderr
