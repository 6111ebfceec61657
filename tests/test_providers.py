"""Ollama and OpenRouter (issue 8): fills and review through them, their error paths, mixing, `providers`.

Real git repositories and the CLI as a subprocess where the user's view matters; the clients called
directly for the wire details (NDJSON streaming, error mapping). Every server is a fake on 127.0.0.1.
"""
from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codestral_bot.errors import ModelAuthError
from codestral_bot.errors import ModelIncomplete
from codestral_bot.errors import ModelRateLimited
from codestral_bot.errors import ModelRejected
from codestral_bot.errors import UsageError
from codestral_bot.providers.ollama import OllamaClient
from codestral_bot.providers.ollama import host_from_env
from codestral_bot.providers.ollama import ollama_format
from codestral_bot.providers.openrouter import OpenRouterClient
from tests.fakes.codestral import Exchange
from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Reply
from tests.fakes.ollama import FakeOllama
from tests.fakes.openrouter import FakeOpenRouter
from tests.fakes.openrouter import insufficient_credits
from tests.fakes.openrouter import rate_limited
from tests.repo_util import cli_env
from tests.repo_util import root_of
from tests.repo_util import run_cli
from tests.repo_util import write

OR_KEY = 'sk-or-v1-5ec2e7-do-not-print-me'
MISTRAL_KEY = 'mistral-key-do-not-print-me'
STUB = 'import math\n\n\ndef area(r) -> float:\n    """Circle area."""\n    pass\n'
FILLED = 'import math\n\n\ndef area(r) -> float:\n    """Circle area."""\n    return math.pi * r ** 2\n'
APP = 'def greet(name):\n    print("hi " + name)\n    return None\n'
NO_FINDINGS = '{"findings": []}'


class KeyedOpenRouter(FakeOpenRouter):
    """The fake plus ``GET /api/v1/key``, which `providers` uses to check a key for free."""

    def _handle(self, ex: Exchange) -> None:
        if ex.path == '/api/v1/key' and ex.method == 'GET':
            problem = self._check_auth(ex)
            self._send_canned(ex, problem or Reply(json={'data': {'label': 'sk-or-v1-5ec...', 'usage': 0}}))
            return
        super()._handle(ex)


class ModelsCodestral(FakeCodestral):
    """The fake plus ``GET /v1/models`` behind the same key check."""

    def _handle(self, ex: Exchange) -> None:
        if ex.path == '/v1/models' and ex.method == 'GET':
            ok = self._authorized(ex)
            self._send_canned(ex, Reply(json={'object': 'list', 'data': []}) if ok else Reply.unauthorized())
            return
        super()._handle(ex)


@pytest.fixture
def openrouter() -> Iterator[KeyedOpenRouter]:
    with KeyedOpenRouter(api_key=OR_KEY) as fake:
        yield fake



def _stage(repo: Any, rel: str, text: str) -> Path:
    path = write(repo, rel, text)
    repo.git.add(rel)
    return path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = cli_env(CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'), **extra)
    if 'OLLAMA_HOST' not in extra:
        env.pop('OLLAMA_HOST', None)  # the developer's own Ollama is not the fake
    return env


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def _findings(path: str, line: int, message: str) -> str:
    return json.dumps({'findings': [{'path': path, 'line': line, 'end_line': None, 'severity': 'warning',
                                     'message': message, 'suggestion': None}]})


def _no_traceback(result: Any) -> None:
    assert 'Traceback' not in result.stderr and 'unexpected error' not in result.stderr, result.stderr


def _never_shows(result: Any, secret: str) -> None:
    assert secret not in result.stdout and secret not in result.stderr


# ---------------------------------------------------------------- Ollama, end to end

def test_review_apply_fills_a_stub_through_ollama(repo: Any, fake_ollama: FakeOllama, tmp_path: Path) -> None:
    path = _stage(repo, 'geo.py', STUB)
    fake_ollama.enqueue('generate', 'return math.pi * r ** 2\n')
    fake_ollama.enqueue('chat', NO_FINDINGS)
    env = _env(tmp_path, OLLAMA_HOST=fake_ollama.url)
    result = run_cli(['review', '--staged', '--apply', '--provider', 'ollama'], root_of(repo), env)
    assert result.returncode == 0, result.stderr
    assert path.read_text() == FILLED
    (request,) = [r for r in fake_ollama.requests if r.endpoint == 'generate']
    assert request.path == '/api/generate'
    assert request.json['model'] == 'codestral:22b'
    assert request.json['prompt'].endswith('"""Circle area."""\n    ')
    assert request.json['suffix'] == '\n'
    assert request.json['stream'] is False
    assert 'raw' not in request.json
    assert request.json['options']['num_predict'] == 512
    assert request.json['options']['temperature'] == 0.2
    assert 'authorization' not in request.headers  # no key exists for Ollama
    assert fake_ollama.count('chat') == 1  # review comments went to Ollama's /api/chat too
    _no_traceback(result)


def test_ollama_run_costs_nothing(repo: Any, fake_ollama: FakeOllama, tmp_path: Path) -> None:
    # A prefix of ~2,500 tokens would cost ≈ $0.0008 at Codestral's prices; a local model costs nothing.
    padding = ''.join(f'def helper_{i}(value):\n    return value * {i} + len(str(value))\n\n\n' for i in range(150))
    _stage(repo, 'geo.py', padding + STUB)
    fake_ollama.enqueue('generate', 'return math.pi * r ** 2\n')
    env = _env(tmp_path, OLLAMA_HOST=fake_ollama.url)
    result = run_cli(['review', '--staged', '--provider', 'ollama', '--no-comments', '--json'], root_of(repo), env)
    assert result.returncode == 1, result.stderr  # proposed, not applied
    usage = json.loads(result.stdout)['usage']
    assert usage['requests'] == 1 and usage['prompt_tokens'] > 2000  # tokens are still counted
    assert usage['dollars'] == 0


def test_a_model_without_insert_support_is_named_in_one_line(repo: Any, fake_ollama: FakeOllama,
                                                             tmp_path: Path) -> None:
    _stage(repo, 'geo.py', STUB)
    env = _env(tmp_path, OLLAMA_HOST=fake_ollama.url)
    result = run_cli(['review', '--staged', '--provider', 'ollama', '--model', 'llama3', '--no-comments'],
                     root_of(repo), env)
    _no_traceback(result)
    lines = [line for line in result.stderr.splitlines() if 'does not support' in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].endswith('llama3 does not support fill-in-the-middle (insert); '
                             'use a FIM model such as codestral:22b')
    assert fake_ollama.count('generate') == 1  # a 400 is never retried


def test_ollama_not_running_is_one_line(repo: Any, tmp_path: Path) -> None:
    _stage(repo, 'geo.py', STUB)
    host = f'http://127.0.0.1:{_closed_port()}'
    result = run_cli(['review', '--staged', '--provider', 'ollama', '--no-comments'], root_of(repo),
                     _env(tmp_path, OLLAMA_HOST=host))
    _no_traceback(result)
    lines = [line for line in result.stderr.splitlines() if 'not running' in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].endswith(f'not filled: Ollama is not running at {host}')


def test_a_model_not_pulled_says_how_to_pull_it(fake_ollama: FakeOllama) -> None:
    client = OllamaClient(base=fake_ollama.url, model='qwen2.5-coder:32b')
    with pytest.raises(ModelRejected) as caught:
        asyncio.run(_fim_and_close(client))
    assert str(caught.value) == 'model qwen2.5-coder:32b is not pulled: run `ollama pull qwen2.5-coder:32b`'


# ---------------------------------------------------------------- Ollama, the client

async def _fim_and_close(client: Any, prompt: str = 'def f():\n    ', suffix: str = '\n',
                         on_text: Any = None) -> Any:
    try:
        return await client.fim(prompt, suffix, on_text=on_text)
    finally:
        await client.aclose()


def test_ollama_streams_ndjson_to_on_text(fake_ollama: FakeOllama) -> None:
    fake_ollama.enqueue('generate', Reply(text='return 42', chunks=['ret', 'urn ', '42']))
    pieces: list[str] = []
    client = OllamaClient(base=fake_ollama.url, model='codestral-latest', max_tokens=64)
    completion = asyncio.run(_fim_and_close(client, on_text=pieces.append))
    assert pieces == ['ret', 'urn ', '42']
    assert completion.text == 'return 42'
    assert completion.finish_reason == 'stop'
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    body = fake_ollama.last('generate').json
    assert body['stream'] is True and body['model'] == 'codestral:22b'
    assert body['options']['num_predict'] == 64


def test_an_ndjson_stream_without_done_is_incomplete(fake_ollama: FakeOllama) -> None:
    # Two cut streams: the first attempt and its one retry.
    cut = Reply(text='return 42', chunks=['ret', 'urn ', '42'], cut_after_chunks=2)
    fake_ollama.enqueue('generate', cut, cut)
    client = OllamaClient(base=fake_ollama.url, model='codestral:22b')
    with pytest.raises(ModelIncomplete):
        asyncio.run(_fim_and_close(client, on_text=lambda _: None))
    assert fake_ollama.count('generate') == 2


def test_done_reason_length_means_the_fill_was_cut(fake_ollama: FakeOllama) -> None:
    fake_ollama.enqueue('generate', 'return ' + 'x + ' * 40 + 'x')
    client = OllamaClient(base=fake_ollama.url, model='codestral:22b', max_tokens=3)
    completion = asyncio.run(_fim_and_close(client))
    assert completion.finish_reason == 'length'


def test_ollama_chat_asks_for_json_through_format(fake_ollama: FakeOllama) -> None:
    fake_ollama.enqueue('chat', NO_FINDINGS)
    schema = {'type': 'object', 'properties': {'findings': {'type': 'array'}}}
    client = OllamaClient(base=fake_ollama.url, model='codestral:22b')

    async def go() -> Any:
        try:
            return await client.chat([{'role': 'user', 'content': 'review'}],
                                      response_format={'type': 'json_schema', 'json_schema': {'schema': schema}})
        finally:
            await client.aclose()

    assert asyncio.run(go()).text == NO_FINDINGS
    body = fake_ollama.last('chat').json
    assert fake_ollama.last('chat').path == '/api/chat'
    assert body['format'] == schema and body['messages'][0]['content'] == 'review'
    assert ollama_format({'type': 'json_object'}) == 'json'
    assert ollama_format(None) is None


@pytest.mark.parametrize(('value', 'expected'), [
    ('', 'http://localhost:11434'),
    ('127.0.0.1', 'http://127.0.0.1:11434'),
    ('0.0.0.0:8080', 'http://127.0.0.1:8080'),
    ('http://127.0.0.1:5000/', 'http://127.0.0.1:5000'),
    ('[::1]:11434', 'http://[::1]:11434'),
])
def test_ollama_host_is_read_as_ollama_reads_it(value: str, expected: str) -> None:
    assert host_from_env({'OLLAMA_HOST': value}) == expected


# ---------------------------------------------------------------- OpenRouter

def _or_env(tmp_path: Path, fake: FakeOpenRouter, **extra: str) -> dict[str, str]:
    return _env(tmp_path, OPENROUTER_API_KEY=OR_KEY, CODESTRAL_BOT_API_BASE=f'{fake.url}/api/v1', **extra)


def test_review_comments_through_openrouter(repo: Any, openrouter: KeyedOpenRouter, tmp_path: Path) -> None:
    _stage(repo, 'app.py', APP)
    openrouter.enqueue('chat', _findings('app.py', 2, 'string concatenation in print; use an f-string'))
    result = run_cli(['review', '--staged', '--provider', 'openrouter', '--no-fill'], root_of(repo),
                     _or_env(tmp_path, openrouter))
    _no_traceback(result)
    assert 'app.py:2: warning: string concatenation in print; use an f-string' in result.stdout, result.stderr
    request = openrouter.last('chat')
    assert request.path == '/api/v1/chat/completions'
    assert request.json['model'] == 'mistralai/codestral-2508'
    assert request.headers['authorization'] == f'Bearer {OR_KEY}'
    _never_shows(result, OR_KEY)


def test_openrouter_streams_sse_and_skips_processing_comments(openrouter: KeyedOpenRouter) -> None:
    openrouter.processing_comments = 3
    openrouter.enqueue('chat', Reply(text=NO_FINDINGS, chunks=['{"findings"', ': []}']))
    pieces: list[str] = []
    client = OpenRouterClient(base=f'{openrouter.url}/api/v1', key=OR_KEY, model='codestral-latest')

    async def go() -> Any:
        try:
            return await client.chat([{'role': 'user', 'content': 'review'}], on_text=pieces.append)
        finally:
            await client.aclose()

    completion = asyncio.run(go())
    assert pieces == ['{"findings"', ': []}'] and completion.text == NO_FINDINGS
    assert completion.usage.prompt_tokens > 0  # from the trailing usage-only chunk
    assert openrouter.last('chat').json['stream'] is True


def test_mixing_fills_from_ollama_and_review_from_openrouter(repo: Any, fake_ollama: FakeOllama,
                                                             openrouter: KeyedOpenRouter, tmp_path: Path) -> None:
    path = _stage(repo, 'geo.py', STUB)
    fake_ollama.enqueue('generate', 'return math.pi * r ** 2\n')
    openrouter.enqueue('chat', _findings('geo.py', 4, 'area() takes no check that r is non-negative'))
    env = _or_env(tmp_path, openrouter, OLLAMA_HOST=fake_ollama.url)
    result = run_cli(['review', '--staged', '--apply', '--fim-provider', 'ollama', '--chat-provider', 'openrouter'],
                     root_of(repo), env)
    _no_traceback(result)
    assert path.read_text() == FILLED, result.stderr
    assert 'geo.py:4: warning: area() takes no check that r is non-negative' in result.stdout, result.stderr
    assert fake_ollama.count('generate') == 1 and fake_ollama.count('chat') == 0
    assert openrouter.count('chat') == 1
    assert openrouter.last('chat').json['model'] == 'mistralai/codestral-2508'
    _never_shows(result, OR_KEY)


def test_fills_through_openrouter_are_refused_in_one_line(repo: Any, openrouter: KeyedOpenRouter,
                                                          tmp_path: Path) -> None:
    _stage(repo, 'geo.py', STUB)
    result = run_cli(['review', '--staged', '--provider', 'openrouter'], root_of(repo), _or_env(tmp_path, openrouter))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        'codestral-bot: error: OpenRouter offers no fill-in-the-middle: fills need --fim-provider '
        'mistral or ollama (or --no-fill)')
    assert openrouter.requests == []
    _never_shows(result, OR_KEY)


def test_a_rejected_openrouter_key_is_never_printed(repo: Any, tmp_path: Path) -> None:
    _stage(repo, 'app.py', APP)
    with KeyedOpenRouter(api_key='the-right-key') as fake:
        result = run_cli(['review', '--staged', '--provider', 'openrouter', '--no-fill'], root_of(repo),
                         _or_env(tmp_path, fake))
        assert fake.count('chat') == 1  # a rejected key is not retried
    _no_traceback(result)
    assert 'API key was rejected (HTTP 401' in result.stderr
    _never_shows(result, OR_KEY)


def test_openrouter_refuses_the_key_over_plain_http_to_another_host(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match='refusing to send the API key over plain http'):
        OpenRouterClient(base='http://openrouter.example/api/v1', key=OR_KEY, model='m')


async def _chat_and_close(client: OpenRouterClient) -> Any:
    try:
        return await client.chat([{'role': 'user', 'content': 'review'}])
    finally:
        await client.aclose()


def test_openrouter_402_is_rejected_with_its_message(openrouter: KeyedOpenRouter) -> None:
    openrouter.enqueue('chat', insufficient_credits())
    client = OpenRouterClient(base=f'{openrouter.url}/api/v1', key=OR_KEY, model='codestral-latest')
    with pytest.raises(ModelRejected) as caught:
        asyncio.run(_chat_and_close(client))
    assert 'HTTP 402: Insufficient credits' in str(caught.value) and '\n' not in str(caught.value)
    assert openrouter.count('chat') == 1


def test_openrouter_429_backs_off_and_retries(openrouter: KeyedOpenRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []

    async def no_wait(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr('codestral_bot.providers._http._sleep', no_wait)
    openrouter.enqueue('chat', rate_limited(), 'ok')
    client = OpenRouterClient(base=f'{openrouter.url}/api/v1', key=OR_KEY, model='codestral-latest')
    assert asyncio.run(_chat_and_close(client)).text == 'ok'
    assert len(delays) == 1 and openrouter.count('chat') == 2


def test_openrouter_429_that_persists_is_rate_limited(openrouter: KeyedOpenRouter,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_wait(delay: float) -> None:
        return None

    monkeypatch.setattr('codestral_bot.providers._http._sleep', no_wait)
    openrouter.enqueue('chat', *[rate_limited() for _ in range(10)])
    client = OpenRouterClient(base=f'{openrouter.url}/api/v1', key=OR_KEY, model='codestral-latest')
    with pytest.raises(ModelRateLimited, match=r'rate limited \(HTTP 429: Rate limit exceeded'):
        asyncio.run(_chat_and_close(client))


def test_openrouter_401_maps_to_auth_error_without_the_key(openrouter: KeyedOpenRouter) -> None:
    client = OpenRouterClient(base=f'{openrouter.url}/api/v1', key='sk-or-wrong-key', model='codestral-latest')
    with pytest.raises(ModelAuthError) as caught:
        asyncio.run(_chat_and_close(client))
    assert 'sk-or-wrong-key' not in str(caught.value)


# ---------------------------------------------------------------- `codestral-bot providers`

def _status_lines(result: Any) -> dict[str, str]:
    lines = result.stdout.splitlines()
    return {line.split()[0]: line for line in lines}


def test_providers_lists_each_backend_and_whether_it_answers(repo: Any, fake_ollama: FakeOllama,
                                                             openrouter: KeyedOpenRouter, tmp_path: Path) -> None:
    env = _or_env(tmp_path, openrouter, OLLAMA_HOST=fake_ollama.url)
    result = run_cli(['providers', '--fim-provider', 'ollama', '--chat-provider', 'openrouter'], root_of(repo), env)
    assert result.returncode == 0, result.stderr
    lines = _status_lines(result)
    assert set(lines) == {'mistral', 'ollama', 'openrouter'}
    assert 'not configured: set CODESTRAL_API_KEY or MISTRAL_API_KEY' in lines['mistral']
    assert f'{fake_ollama.url} (OLLAMA_HOST): running, codestral:22b pulled' in lines['ollama']
    assert 'fills' in lines['ollama'] and 'review' in lines['openrouter']
    assert lines['openrouter'].endswith('reachable, key accepted')
    assert fake_ollama.count('generate') == fake_ollama.count('chat') == openrouter.count('chat') == 0
    _never_shows(result, OR_KEY)


def test_providers_reports_problems_in_one_line_each(repo: Any, tmp_path: Path) -> None:
    # No key for a provider whose host is the real one: nothing may leave this machine.
    port = _closed_port()
    env = _env(tmp_path, OLLAMA_HOST=f'127.0.0.1:{port}')
    result = run_cli(['providers', '--provider', 'ollama', '--model', 'qwen2.5-coder:7b'], root_of(repo), env)
    assert result.returncode == 0, result.stderr
    lines = _status_lines(result)
    assert lines['ollama'].endswith(f'http://127.0.0.1:{port} (OLLAMA_HOST): Ollama is not running')
    assert 'not configured: set OPENROUTER_API_KEY' in lines['openrouter']
    assert 'not configured: set CODESTRAL_API_KEY' in lines['mistral']
    assert len(result.stdout.splitlines()) == 3


def test_providers_checks_the_mistral_key_for_free(repo: Any, tmp_path: Path) -> None:
    with ModelsCodestral(api_key='another-key') as mistral:
        env = _env(tmp_path, CODESTRAL_API_KEY=MISTRAL_KEY, CODESTRAL_BOT_API_BASE=mistral.url,
                   OLLAMA_HOST=f'127.0.0.1:{_closed_port()}')
        result = run_cli(['providers'], root_of(repo), env)
        assert [r.path for r in mistral.requests] == ['/v1/models']
        url = mistral.url
    assert result.returncode == 0, result.stderr
    line = _status_lines(result)['mistral']
    assert line.endswith(f'CODESTRAL_API_KEY set, {url}: reachable, key rejected (HTTP 401)')
    _never_shows(result, MISTRAL_KEY)


def test_providers_says_when_the_model_is_not_pulled(repo: Any, tmp_path: Path) -> None:
    with FakeOllama(models={'llama3:latest': False}) as fake:
        env = _env(tmp_path, OLLAMA_HOST=fake.url)
        result = run_cli(['providers', '--provider', 'ollama'], root_of(repo), env)
    assert 'running, codestral:22b not pulled (run `ollama pull codestral:22b`)' in _status_lines(result)['ollama']


def test_providers_without_a_key_endpoint_still_checks_reachability(repo: Any, fake_openrouter: FakeOpenRouter,
                                                                    tmp_path: Path) -> None:
    # The plain fake has no GET /api/v1/key (404): the check falls back to the public model list.
    env = _env(tmp_path, OPENROUTER_API_KEY='test-key', CODESTRAL_BOT_API_BASE=f'{fake_openrouter.url}/api/v1',
               OLLAMA_HOST=f'127.0.0.1:{_closed_port()}')
    result = run_cli(['providers', '--fim-provider', 'ollama', '--chat-provider', 'openrouter'], root_of(repo), env)
    assert _status_lines(result)['openrouter'].endswith('reachable (key not verified)')
    assert [r.path for r in fake_openrouter.requests] == ['/api/v1/key', '/api/v1/models']
    assert 'authorization' not in fake_openrouter.requests[1].headers  # the key goes where it is checked only
