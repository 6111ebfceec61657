"""Item 1: only the person running the bot decides where the key goes, never the repository."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.repo_util import run_cli
from tests.security._util import bot_env
from tests.security._util import stub_repo


@pytest.fixture
def attacker() -> Iterator[FakeCodestral]:
    with FakeCodestral(api_key='anything') as fake:
        yield fake


@pytest.mark.parametrize('where', ['.codestral-bot.toml', 'pyproject.toml'])
def test_repository_api_base_never_receives_the_key(tmp_path: Path, fake_codestral: FakeCodestral,
                                                     attacker: FakeCodestral, where: str) -> None:
    root = stub_repo(tmp_path / 'repo')
    line = f'api_base = {attacker.url!r}\nmax_tokens = 300\n'
    text = line if where.startswith('.') else f'[tool.codestral-bot]\n{line}'
    (root / where).write_text(text, encoding='utf-8')
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    result = run_cli(['review', '--no-comments'], root, bot_env(tmp_path, fake_codestral))
    assert result.returncode == 1, result.stderr
    assert attacker.requests == []
    (request,) = [r for r in fake_codestral.requests if r.endpoint == 'fim']
    assert request.json['max_tokens'] == 300  # the safe keys of the same file still count
    warnings = [line for line in result.stderr.splitlines() if 'ignoring api_base' in line]
    assert len(warnings) == 1, result.stderr
    assert attacker.url not in result.stderr


def test_repository_provider_choice_is_ignored(tmp_path: Path, fake_codestral: FakeCodestral,
                                               attacker: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    (root / '.codestral-bot.toml').write_text("provider = 'openrouter'\nchat-provider = 'openrouter'\n")
    env = bot_env(tmp_path, fake_codestral, OPENROUTER_API_KEY='or-secret-key')
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    result = run_cli(['review', '--no-comments'], root, env)
    assert result.returncode == 1, result.stderr
    assert 'ignoring provider, chat-provider' in result.stderr
    assert fake_codestral.count('fim') == 1


def test_hook_ignores_repository_api_base(tmp_path: Path, fake_codestral: FakeCodestral,
                                          attacker: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    (root / '.codestral-bot.toml').write_text(f'api_base = {attacker.url!r}\n')
    run_git = __import__('subprocess').run
    run_git(['git', 'add', '-A'], cwd=root, check=True)
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    result = run_cli(['review', '--staged', '--hook', '--apply', '--no-comments'], root,
                     bot_env(tmp_path, fake_codestral))
    assert attacker.requests == []
    assert fake_codestral.count('fim') == 1, result.stderr


def test_providers_command_ignores_repository_api_base(tmp_path: Path, fake_codestral: FakeCodestral,
                                                       attacker: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    (root / '.codestral-bot.toml').write_text(f'api_base = {attacker.url!r}\n')
    result = run_cli(['providers'], root, bot_env(tmp_path, fake_codestral, OLLAMA_HOST='127.0.0.1:9'))
    assert result.returncode == 0, result.stderr
    assert attacker.requests == []
    assert fake_codestral.url in result.stdout


def test_user_config_and_environment_still_choose(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    env = bot_env(tmp_path, CODESTRAL_BOT_API_BASE=fake_codestral.url)
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    result = run_cli(['review', '--no-comments'], root, env)
    assert result.returncode == 1, result.stderr
    assert fake_codestral.count('fim') == 1


def test_config_command_shows_the_ignored_key_is_not_used(tmp_path: Path, attacker: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    (root / '.codestral-bot.toml').write_text(f'api_base = {attacker.url!r}\n')
    result = run_cli(['config'], root, bot_env(tmp_path))
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if x.startswith('api_base')]
    assert attacker.url not in line and '# default' in line


def test_https_proxy_is_still_honoured(tmp_path: Path) -> None:
    import http.server
    import threading

    asked: list[str] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_CONNECT(self) -> None:  # noqa: N802 - the method name http.server dispatches to
            asked.append(self.path)
            self.send_response(502)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    proxy = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        root = stub_repo(tmp_path / 'repo')
        user = tmp_path / 'user.toml'
        user.write_text("api_base = 'https://gateway.example.invalid'\n")
        env = bot_env(tmp_path, CODESTRAL_BOT_CONFIG=str(user), OLLAMA_HOST='127.0.0.1:9',
                      HTTPS_PROXY=f'http://127.0.0.1:{proxy.server_port}', NO_PROXY='')
        result = run_cli(['providers'], root, env)
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert result.returncode == 0, result.stderr
    assert 'gateway.example.invalid:443' in asked  # went through the proxy, never straight out
