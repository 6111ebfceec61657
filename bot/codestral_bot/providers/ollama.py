"""Ollama, a model server on this machine: FIM through ``/api/generate`` (``suffix``), chat through
``/api/chat``; one JSON answer, or NDJSON lines when streaming.

No key and no quota: a small concurrency cap replaces the pacer (a local GPU serves one request at
a time, so a burst only queues there and runs into read timeouts).
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from codestral_bot.errors import ModelError
from codestral_bot.errors import ModelIncomplete
from codestral_bot.errors import ModelRejected
from codestral_bot.errors import ModelUnavailable
from codestral_bot.providers import Endpoint
from codestral_bot.providers._http import Transport
from codestral_bot.providers._http import check_transport
from codestral_bot.providers._http import count
from codestral_bot.providers._http import sampling
from codestral_bot.providers._http import map_httpx_errors
from codestral_bot.providers.base import OnText
from codestral_bot.records import Completion
from codestral_bot.records import Usage
from codestral_bot.tokens import chat_cost
from codestral_bot.tokens import fim_cost

if TYPE_CHECKING:
    import httpx

    from codestral_bot.cost import RunStats

__all__ = ['DEFAULT_HOST', 'DEFAULT_MODEL', 'OllamaClient', 'endpoint', 'host_from_env', 'model_name',
           'ollama_format', 'same_model']

DEFAULT_HOST = 'http://localhost:11434'
DEFAULT_MODEL = 'codestral:22b'
MISTRAL_DEFAULT = 'codestral-latest'  # Mistral's name; Ollama knows the model by its tag
CONCURRENCY = 2  # one generating, one queued at the server so the GPU never idles between requests
MIN_TIMEOUT = 300.0  # loading a 22B model into memory takes a while before the first byte
ATTEMPTS = 2  # a local server that refused once will refuse again: retry once, not four times
# A server bound to every interface is reached through loopback; this also keeps proxies out.
_ANY_ADDRESS = {'0.0.0.0': '127.0.0.1', '::': '::1', '[::]': '::1'}


def host_from_env(env: Mapping[str, str]) -> str:
    """``OLLAMA_HOST`` as Ollama reads it: ``host``, ``host:port`` or a URL; port 11434 when bare."""
    raw = env.get('OLLAMA_HOST', '').strip().strip('"\'')
    if not raw:
        return DEFAULT_HOST
    scheme, sep, rest = raw.partition('://')
    if not sep:
        scheme, rest = 'http', raw
    hostport = rest.split('/', 1)[0]
    host, port = _split_port(hostport, '11434' if not sep else '')
    host = _ANY_ADDRESS.get(host, host) or '127.0.0.1'
    if ':' in host and not host.startswith('['):
        host = f'[{host}]'
    return f'{scheme}://{host}:{port}' if port else f'{scheme}://{host}'


def _split_port(hostport: str, default: str) -> tuple[str, str]:
    if hostport.startswith('['):  # [::1]:11434
        host, _, after = hostport[1:].partition(']')
        return host, after.lstrip(':') or default
    if hostport.count(':') == 1:
        host, _, port = hostport.partition(':')
        return host, port if port.isdigit() else default
    return hostport, default


def endpoint(env: Mapping[str, str]) -> Endpoint:
    return Endpoint('ollama', host_from_env(env).rstrip('/'), None, None)


def model_name(configured: str | None) -> str:
    """Mistral's default name means "the default model": on Ollama that is its tag."""
    return DEFAULT_MODEL if not configured or configured == MISTRAL_DEFAULT else configured


def same_model(a: str, b: str) -> bool:
    """Ollama reads a name without a tag as ``name:latest``."""
    def norm(name: str) -> str:
        return name if ':' in name.rsplit('/', 1)[-1] else f'{name}:latest'
    return norm(a) == norm(b)


def ollama_format(response_format: dict[str, Any] | None) -> str | dict[str, Any] | None:
    """OpenAI-style ``response_format`` → Ollama's ``format``: "json" or the JSON schema itself."""
    kind = (response_format or {}).get('type')
    if kind == 'json_schema':
        schema = (response_format or {}).get('json_schema', {}).get('schema')
        return schema if isinstance(schema, dict) else 'json'
    return 'json' if kind == 'json_object' else None


def _piece(data: Mapping[str, Any], path: str) -> str:
    if path == '/api/generate':
        text = data.get('response')
    else:
        message = data.get('message')
        text = message.get('content') if isinstance(message, dict) else None
    return text if isinstance(text, str) else ''


def _final(text: str, data: Mapping[str, Any]) -> Completion:
    # Ollama says 'length' when num_predict cut the answer: the fill is probably incomplete.
    finish = 'length' if data.get('done_reason') == 'length' else 'stop'
    usage = Usage(count(data.get('prompt_eval_count')), count(data.get('eval_count')))
    return Completion(text=text, finish_reason=finish, usage=usage)


def _json_line(line: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError:
        raise ModelIncomplete(f'{what}: a stream line was not JSON') from None
    if not isinstance(data, dict):
        raise ModelIncomplete(f'{what}: a stream line was not a JSON object')
    if data.get('error'):  # Ollama reports a failure mid-stream as a line of its own
        raise ModelUnavailable(f'{what}: Ollama stopped: {" ".join(str(data["error"]).split())[:300]}')
    return data


async def _read_ndjson(response: httpx.Response, path: str, what: str, on_text: OnText) -> Completion:
    parts: list[str] = []
    async for line in response.aiter_lines():
        if not line.strip():
            continue
        data = _json_line(line, what)
        piece = _piece(data, path)
        if piece:
            parts.append(piece)
            on_text(piece)
        if data.get('done'):
            return _final(''.join(parts), data)
    raise ModelIncomplete(f'{what}: the stream ended before the answer was complete')


def _read_json(raw: bytes, path: str, what: str) -> Completion:
    try:
        data = json.loads(raw)
    except ValueError:
        raise ModelIncomplete(f'{what}: the answer was not JSON') from None
    if not isinstance(data, dict) or data.get('done') is False:
        raise ModelIncomplete(f'{what}: the answer was not complete')
    return _final(_piece(data, path), data)


class OllamaClient:
    """``ModelClient`` for an Ollama server (``OLLAMA_HOST``)."""

    def __init__(self, *, base: str, model: str, chat_model: str | None = None, max_tokens: int = 512,
                 temperature: float | None = 0.2, stop: list[str] | None = None, timeout: float = 60.0,
                 stats: RunStats | None = None, concurrency: int | None = None) -> None:
        from codestral_bot.pacing import RetryPolicy

        check_transport(base, has_key=False)
        headers = {'Accept': 'application/json', 'User-Agent': 'codestral-bot'}
        self.http = Transport(base, headers, timeout=max(timeout, MIN_TIMEOUT), pacer=None, stats=stats,
                              secret=None, retry=RetryPolicy(max_attempts=ATTEMPTS))
        self.base = base.rstrip('/')
        self.model = model_name(model)
        self.chat_model = model_name(chat_model or model)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.stop = stop or []
        self.stats = stats
        self.gate = asyncio.Semaphore(concurrency or CONCURRENCY)

    def _options(self) -> dict[str, Any]:
        return sampling('num_predict', self.max_tokens, self.temperature, self.stop)

    async def fim(self, prompt: str, suffix: str, *, on_text: OnText | None = None) -> Completion:
        # `raw` stays unset: the model's template turns prompt + suffix into its FIM tokens.
        body = {'model': self.model, 'prompt': prompt, 'suffix': suffix, 'options': self._options()}
        cost = fim_cost(prompt, suffix, self.max_tokens)
        return await self._request('/api/generate', body, 'FIM request', cost, on_text)

    async def chat(self, messages: list[dict[str, Any]], *, response_format: dict[str, Any] | None = None,
                   on_text: OnText | None = None) -> Completion:
        body: dict[str, Any] = {'model': self.chat_model, 'messages': messages, 'options': self._options()}
        form = ollama_format(response_format)
        if form is not None:
            body['format'] = form
        cost = chat_cost(messages, self.max_tokens)
        return await self._request('/api/chat', body, 'chat request', cost, on_text)

    async def _request(self, path: str, body: dict[str, Any], what: str, cost: int,
                       on_text: OnText | None) -> Completion:
        async def once() -> tuple[Completion, Usage]:
            async with self.gate:  # held per attempt: a retry's backoff lets others through
                completion = await self._send(path, body, what, on_text)
            if self.stats is not None:
                self.stats.record_request(completion.usage)
            return completion, completion.usage

        return await self.http.call(what, cost, once)

    async def _send(self, path: str, body: dict[str, Any], what: str, on_text: OnText | None) -> Completion:
        stream = on_text is not None
        try:
            async with self.http.post(path, {**body, 'stream': stream}, what, stream=stream) as response:
                with map_httpx_errors(what):
                    if on_text is not None:
                        return await _read_ndjson(response, path, what, on_text)
                    raw = await response.aread()
        except ModelError as e:
            plain = self._explain(e, str(body['model']))
            if plain is None:
                raise
            raise plain from e
        return _read_json(raw, path, what)

    def _explain(self, error: ModelError, model: str) -> ModelError | None:
        """Ollama's own failures in words that say what to do; None: the generic message is right."""
        import httpx

        text = str(error)
        if error.status == 400 and 'does not support insert' in text:
            return ModelRejected(f'{model} does not support fill-in-the-middle (insert); use a FIM model '
                                 f'such as {DEFAULT_MODEL}', status=400)
        if error.status == 404 and 'not found' in text and 'model' in text:
            return ModelRejected(f'model {model} is not pulled: run `ollama pull {model}`', status=404)
        if error.status is None and isinstance(error.__cause__, httpx.ConnectError):
            return ModelUnavailable(f'Ollama is not running at {self.base}')
        return None

    async def aclose(self) -> None:
        await self.http.aclose()
