"""The small commands: config, cache, providers — run as a user would."""
from __future__ import annotations

from pathlib import Path

from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import make_repo
from tests.repo_util import run_cli
from tests.repo_util import write


def test_config_shows_values_with_their_source_and_masks_secrets(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'r')
    write(repo, 'pyproject.toml', '[tool.codestral-bot]\nmax-tokens = 256\nplan = "free"\n')
    write(repo, '.codestral-bot.toml', 'plan = "payg"\n')
    result = run_cli(['config'], tmp_path / 'r', cli_env(CODESTRAL_API_KEY='sk-very-secret'))
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line and not line.startswith('#')}
    assert '256' in lines['max_tokens'] and 'pyproject.toml' in lines['max_tokens']
    assert '"payg"' in lines['plan'] and '.codestral-bot.toml' in lines['plan']
    assert lines['CODESTRAL_API_KEY'].split()[-1] == 'set'
    assert 'sk-very-secret' not in result.stdout + result.stderr


def test_config_error_names_file_and_key(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'r')
    write(repo, '.codestral-bot.toml', 'temperature = "hot"\n')
    result = run_cli(['config'], tmp_path / 'r', cli_env())
    assert result.returncode == 2
    assert result.stderr.startswith("codestral-bot: error: .codestral-bot.toml: 'temperature'")
    assert result.stderr.count('\n') == 1


def test_cache_stats_and_clear(tmp_path: Path) -> None:
    env = cli_env(CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    stats = run_cli(['cache', 'stats'], tmp_path, env)
    assert stats.returncode == 0 and 'entries: 0' in stats.stdout
    cleared = run_cli(['cache', 'clear'], tmp_path, env)
    assert cleared.returncode == 0 and 'removed 0 cached completions' in cleared.stdout


def test_providers_reports_reachability_without_spending_tokens(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    repo = make_repo(tmp_path / 'r')
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                  OLLAMA_HOST='http://127.0.0.1:9')
    result = run_cli(['providers'], Path(repo.working_tree_dir), env)
    assert result.returncode == 0
    assert 'Ollama is not running' in result.stdout
    assert fake_codestral.count('fim') == 0 and fake_codestral.count('chat') == 0
