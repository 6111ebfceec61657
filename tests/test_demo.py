"""`codestral-bot demo`, the README's first command: something real to see, with or without a key."""
from __future__ import annotations

from pathlib import Path

from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import run_cli

README = Path(__file__).resolve().parents[1] / 'README.md'


def test_without_a_key_it_shows_the_request_it_would_send(tmp_path: Path) -> None:
    result = run_cli(['demo'], tmp_path, cli_env())
    assert result.returncode == 0, result.stderr
    assert 'shapes.py:11: circle_area (pass): would send a FIM request' in result.stdout
    assert 'set an API key' in result.stderr
    assert 'On your own repository' in result.stderr


def test_with_the_fake_api_it_shows_the_fill(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2')
    fake_codestral.enqueue('chat', '{"findings": []}')
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    result = run_cli(['demo'], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert '+    return math.pi * r ** 2' in result.stdout


def test_the_readme_starts_with_the_demo() -> None:
    first = README.read_text(encoding='utf-8').split('```sh\n', 1)[1].splitlines()[0]
    assert first.endswith('codestral-bot demo')
