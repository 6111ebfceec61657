"""The Codestral / Mistral API: ``/v1/fim/completions`` and ``/v1/chat/completions``, JSON or SSE."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING
from typing import Any

from codestral_bot.errors import ModelIncomplete
from codestral_bot.providers._http import Transport
from codestral_bot.providers._http import check_transport
from codestral_bot.providers._http import count
from codestral_bot.providers._http import map_httpx_errors
from codestral_bot.providers._http import sampling
from codestral_bot.providers.base import OnText
from codestral_bot.records import Completion
from codestral_bot.records import Usage
from codestral_bot.tokens import chat_cost
from codestral_bot.tokens import fim_cost

if TYPE_CHECKING:
    import httpx

    from codestral_bot.budget import Allowance
    from codestral_bot.cost import RunStats
    from codestral_bot.pacing import Pacer

__all__ = ['CODESTRAL_BASE', 'MISTRAL_BASE', 'MistralClient', 'choices_of', 'content_text', 'finish_of', 'usage_of']

CODESTRAL_BASE = 'https://codestral.mistral.ai'
MISTRAL_BASE = 'https://api.mistral.ai'


def content_text(content: Any) -> str:
    """``message.content`` is a string, null, or (per the schema) a list of chunks."""
    if content is None:
        return ''
    if isinstance(content, list):
        return ''.join(c['text'] for c in content if isinstance(c, dict) and isinstance(c.get('text'), str))
    return content if isinstance(content, str) else ''


def usage_of(data: Any) -> Usage:
    """Token counts as reported; junk in a count (a list, 1e999, a string) counts as 0."""
    if not isinstance(data, dict):
        return Usage()
    return Usage(count(data.get('prompt_tokens')), count(data.get('completion_tokens')))


def finish_of(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def completion_from_json(data: dict[str, Any], what: str) -> Completion:
    try:
        choice = data['choices'][0]
        text = content_text(choice['message'].get('content'))
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ModelIncomplete(f'{what}: the answer had no choices[0].message') from None
    return Completion(text=text, finish_reason=finish_of(choice.get('finish_reason')) or 'stop',
                      usage=usage_of(data.get('usage')))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def choices_of(chunk: dict[str, Any]) -> list[dict[str, Any]]:
    choices = chunk.get('choices')
    return [c for c in choices if isinstance(c, dict)] if isinstance(choices, list) else []


async def _read_stream(response: httpx.Response, what: str, on_text: OnText) -> Completion:
    from httpx_sse import EventSource

    parts: list[str] = []
    finish: str | None = None
    usage = Usage()
    async for event in EventSource(response).aiter_sse():
        if event.data.strip() == '[DONE]':
            if finish is None:
                break
            return Completion(text=''.join(parts), finish_reason=finish, usage=usage)
        try:
            chunk = json.loads(event.data)
        except ValueError:
            raise ModelIncomplete(f'{what}: a stream event was not JSON') from None
        if not isinstance(chunk, dict):
            continue
        for choice in choices_of(chunk):
            piece = content_text(_dict(choice.get('delta')).get('content'))
            if piece:
                parts.append(piece)
                on_text(piece)
            finish = finish_of(choice.get('finish_reason')) or finish
        if chunk.get('usage'):
            usage = usage_of(chunk['usage'])
    raise ModelIncomplete(f'{what}: the stream ended before the answer was complete')


class MistralClient:
    """``ModelClient`` for Codestral's own host or the general Mistral host."""

    def __init__(self, *, base: str, key: str | None, model: str, chat_model: str | None = None,
                 max_tokens: int = 512, temperature: float | None = 0.2, stop: list[str] | None = None,
                 timeout: float = 60.0, pacer: Pacer | None = None, stats: RunStats | None = None,
                 allowance: Allowance | None = None) -> None:
        check_transport(base, has_key=bool(key))
        headers = {'Accept': 'application/json', 'User-Agent': 'codestral-bot'}
        if key:
            headers['Authorization'] = f'Bearer {key}'
        self.http = Transport(base, headers, timeout=timeout, pacer=pacer, stats=stats, secret=key,
                              allowance=allowance)
        self.model = model
        self.chat_model = chat_model or model
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.stop = stop or []
        self.stats = stats

    def _sampling(self) -> dict[str, Any]:
        return sampling('max_tokens', self.max_tokens, self.temperature, self.stop)

    async def fim(self, prompt: str, suffix: str, *, on_text: OnText | None = None) -> Completion:
        body = {'model': self.model, 'prompt': prompt, 'suffix': suffix, **self._sampling()}
        cost = fim_cost(prompt, suffix, self.max_tokens)
        return await self._request('/v1/fim/completions', body, 'FIM request', cost, on_text)

    async def chat(self, messages: list[dict[str, Any]], *, response_format: dict[str, Any] | None = None,
                   on_text: OnText | None = None) -> Completion:
        body: dict[str, Any] = {'model': self.chat_model, 'messages': messages, **self._sampling()}
        if response_format is not None:
            body['response_format'] = response_format
        cost = chat_cost(messages, self.max_tokens)
        return await self._request('/v1/chat/completions', body, 'chat request', cost, on_text)

    async def _request(self, path: str, body: dict[str, Any], what: str, cost: int,
                       on_text: OnText | None) -> Completion:
        async def once() -> tuple[Completion, Usage]:
            completion = await self._send(path, body, what, on_text)
            if self.stats is not None:
                self.stats.record_request(completion.usage)
            return completion, completion.usage

        return await self.http.call(what, cost, once)

    async def _send(self, path: str, body: dict[str, Any], what: str, on_text: OnText | None) -> Completion:
        stream = on_text is not None
        async with self.http.post(path, {**body, 'stream': stream}, what, stream=stream) as response:
            with map_httpx_errors(what):
                if stream:
                    assert on_text is not None
                    return await _read_stream(response, what, on_text)
                raw = await response.aread()
        try:
            return completion_from_json(json.loads(raw), what)
        except ValueError:
            raise ModelIncomplete(f'{what}: the answer was not JSON') from None

    async def aclose(self) -> None:
        await self.http.aclose()
