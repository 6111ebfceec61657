"""OpenRouter: OpenAI-style chat at ``/api/v1/chat/completions``, JSON or SSE. Chat only: it offers
no fill-in-the-middle, so fills need another provider (``--fim-provider``).

Its answers have Mistral's shape (``choices[0].message.content``, ``usage``); its error bodies are
``{"error": {"code": 429, "message": …}}``, which ``_http.api_message`` already reads.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from codestral_bot.errors import ModelIncomplete
from codestral_bot.errors import ModelRejected
from codestral_bot.errors import ModelUnavailable
from codestral_bot.providers import Endpoint
from codestral_bot.providers._http import Transport
from codestral_bot.providers._http import check_transport
from codestral_bot.providers._http import sampling
from codestral_bot.providers._http import map_httpx_errors
from codestral_bot.providers.base import OnText
from codestral_bot.providers.mistral import content_text as _content_text
from codestral_bot.providers.mistral import choices_of
from codestral_bot.providers.mistral import completion_from_json
from codestral_bot.providers.mistral import finish_of
from codestral_bot.providers.mistral import usage_of as _usage
from codestral_bot.records import Completion
from codestral_bot.redact import check_key
from codestral_bot.records import Usage
from codestral_bot.tokens import chat_cost

if TYPE_CHECKING:
    import httpx

    from codestral_bot.config import Config
    from codestral_bot.budget import Allowance
    from codestral_bot.cost import RunStats
    from codestral_bot.pacing import Pacer

__all__ = ['DEFAULT_BASE', 'DEFAULT_MODEL', 'KEY_NAME', 'NO_FIM', 'OpenRouterClient', 'endpoint', 'model_name']

DEFAULT_BASE = 'https://openrouter.ai/api/v1'
DEFAULT_MODEL = 'mistralai/codestral-2508'
MISTRAL_DEFAULT = 'codestral-latest'  # Mistral's name; OpenRouter wants the vendor-prefixed slug
KEY_NAME = 'OPENROUTER_API_KEY'
NO_FIM = ('OpenRouter offers no fill-in-the-middle: fills need --fim-provider mistral or ollama '
          '(or --no-fill)')


def endpoint(config: Config, env: Mapping[str, str]) -> Endpoint:
    base = config.api_base or env.get('CODESTRAL_BOT_API_BASE') or DEFAULT_BASE
    key = check_key(KEY_NAME, env.get(KEY_NAME))
    return Endpoint('openrouter', base.rstrip('/'), key, KEY_NAME if key else None)


def model_name(configured: str | None) -> str:
    return DEFAULT_MODEL if not configured or configured == MISTRAL_DEFAULT else configured


def _check_error(data: Mapping[str, Any], what: str) -> None:
    """OpenRouter reports an upstream failure inside a 200 answer or a stream chunk."""
    error = data.get('error')
    if not error:
        return
    message = error.get('message', error) if isinstance(error, dict) else error
    raise ModelUnavailable(f'{what}: OpenRouter: {" ".join(str(message).split())[:300]}')


def _completion(data: Any, what: str) -> Completion:
    if not isinstance(data, dict):
        raise ModelIncomplete(f'{what}: the answer was not a JSON object')
    _check_error(data, what)
    return completion_from_json(data, what)  # the OpenAI shape, as Mistral's own


class _StreamState:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.finish: str | None = None
        self.usage = Usage()

    def take(self, chunk: Mapping[str, Any], on_text: OnText) -> None:
        for choice in choices_of(dict(chunk)):
            delta = choice.get('delta')
            piece = _content_text(delta.get('content') if isinstance(delta, dict) else None)
            if piece:
                self.parts.append(piece)
                on_text(piece)
            self.finish = finish_of(choice.get('finish_reason')) or self.finish
        if chunk.get('usage'):  # OpenRouter sends it last, in a chunk with no choices
            self.usage = _usage(chunk['usage'])


async def _read_stream(response: httpx.Response, what: str, on_text: OnText) -> Completion:
    from httpx_sse import EventSource

    state = _StreamState()
    # `: OPENROUTER PROCESSING` keep-alive comments never reach here: SSE drops comment lines.
    async for event in EventSource(response).aiter_sse():
        if event.data.strip() == '[DONE]':
            break
        try:
            chunk = json.loads(event.data)
        except ValueError:
            raise ModelIncomplete(f'{what}: a stream event was not JSON') from None
        if isinstance(chunk, dict):
            _check_error(chunk, what)
            state.take(chunk, on_text)
    if state.finish is None:  # [DONE] or the end of the body before a finish_reason: cut short
        raise ModelIncomplete(f'{what}: the stream ended before the answer was complete')
    return Completion(text=''.join(state.parts), finish_reason=state.finish, usage=state.usage)


class OpenRouterClient:
    """``ModelClient`` for OpenRouter's chat; ``fim`` always refuses."""

    def __init__(self, *, base: str, key: str | None, model: str, max_tokens: int = 512,
                 temperature: float | None = 0.2, stop: list[str] | None = None, timeout: float = 60.0,
                 pacer: Pacer | None = None, stats: RunStats | None = None,
                 allowance: Allowance | None = None) -> None:
        check_transport(base, has_key=bool(key))
        # X-Title names the app on the user's OpenRouter activity page; it carries nothing secret.
        headers = {'Accept': 'application/json', 'User-Agent': 'codestral-bot', 'X-Title': 'codestral-bot'}
        if key:
            headers['Authorization'] = f'Bearer {key}'
        self.http = Transport(base, headers, timeout=timeout, pacer=pacer, stats=stats, secret=key,
                              allowance=allowance)
        self.model = model_name(model)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.stop = stop or []
        self.stats = stats

    async def fim(self, prompt: str, suffix: str, *, on_text: OnText | None = None) -> Completion:
        raise ModelRejected(NO_FIM)

    async def chat(self, messages: list[dict[str, Any]], *, response_format: dict[str, Any] | None = None,
                   on_text: OnText | None = None) -> Completion:
        body: dict[str, Any] = {'model': self.model, 'messages': messages,
                                **sampling('max_tokens', self.max_tokens, self.temperature, self.stop)}
        if response_format is not None:
            body['response_format'] = response_format
        cost = chat_cost(messages, self.max_tokens)
        return await self._request(body, cost, on_text)

    async def _request(self, body: dict[str, Any], cost: int, on_text: OnText | None) -> Completion:
        what = 'chat request'

        async def once() -> tuple[Completion, Usage]:
            completion = await self._send(body, what, on_text)
            if self.stats is not None:
                self.stats.record_request(completion.usage)
            return completion, completion.usage

        return await self.http.call(what, cost, once)

    async def _send(self, body: dict[str, Any], what: str, on_text: OnText | None) -> Completion:
        stream = on_text is not None
        async with self.http.post('/chat/completions', {**body, 'stream': stream}, what,
                                  stream=stream) as response:
            with map_httpx_errors(what):
                if on_text is not None:
                    return await _read_stream(response, what, on_text)
                raw = await response.aread()
        try:
            data = json.loads(raw)
        except ValueError:
            raise ModelIncomplete(f'{what}: the answer was not JSON') from None
        return _completion(data, what)

    async def aclose(self) -> None:
        await self.http.aclose()
