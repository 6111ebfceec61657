from __future__ import annotations

# A fake OpenRouter: POST /api/v1/chat/completions (OpenAI-compatible, Bearer key, JSON or SSE
# ending with `data: [DONE]`, SSE opened by `: OPENROUTER PROCESSING` comment lines) and
# GET /api/v1/models.  Errors use OpenRouter's {"error": {"code": N, "message": ...}} shape.
# Scripting, responder, latency and the request log work as in FakeCodestral (endpoint 'chat').

import json
import secrets
import string
import time
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from tests.fakes.codestral import Completion
from tests.fakes.codestral import DEFAULT_TEXT
from tests.fakes.codestral import Exchange
from tests.fakes.codestral import FakeServer
from tests.fakes.codestral import Reply
from tests.fakes.codestral import chat_prompt_tokens
from tests.fakes.codestral import shape_completion

__all__ = [
    'DEFAULT_MODELS',
    'FakeOpenRouter',
    'error_reply',
    'insufficient_credits',
    'invalid_key',
    'no_auth',
    'provider_error',
    'rate_limited',
]

DEFAULT_MODELS = ('mistralai/codestral-2508', 'mistralai/codestral-2501', 'mistralai/mistral-small-3.2-24b-instruct')
PROCESSING = b': OPENROUTER PROCESSING\n\n'


def error_reply(code: int, message: str, metadata: Mapping[str, Any] | None = None) -> Reply:
    error: dict[str, Any] = {'code': code, 'message': message}
    if metadata is not None:
        error['metadata'] = dict(metadata)
    return Reply(status=code, json={'error': error})


def no_auth() -> Reply:
    return error_reply(401, 'No auth credentials found')


def invalid_key() -> Reply:
    return error_reply(401, 'User not found.')


def insufficient_credits() -> Reply:
    return error_reply(402, 'Insufficient credits. Add more using https://openrouter.ai/settings/credits')


def rate_limited() -> Reply:
    headers = {'X-RateLimit-Limit': '20', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1741305600000'}
    return error_reply(429, 'Rate limit exceeded: free-models-per-min. ', {'headers': headers})


def provider_error() -> Reply:
    return error_reply(502, 'Provider returned error', {'provider_name': 'Mistral', 'raw': 'upstream error'})


def _generation_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return f'gen-{int(time.time())}-' + ''.join(secrets.choice(alphabet) for _ in range(20))


def _model_entry(model_id: str) -> dict[str, Any]:
    name = model_id.split('/', 1)[-1].replace('-', ' ').title()
    return {'id': model_id, 'canonical_slug': model_id, 'name': f'Mistral: {name}', 'created': 1754079630,
            'context_length': 256000,
            'architecture': {'modality': 'text->text', 'input_modalities': ['text'],
                             'output_modalities': ['text'], 'tokenizer': 'Mistral', 'instruct_type': None},
            'pricing': {'prompt': '0.0000003', 'completion': '0.0000009', 'request': '0', 'image': '0'},
            'top_provider': {'context_length': 256000, 'max_completion_tokens': None, 'is_moderated': False},
            'per_request_limits': None,
            'supported_parameters': ['max_tokens', 'temperature', 'top_p', 'stop', 'seed', 'response_format']}


def _sse(obj: Any) -> bytes:
    return b'data: ' + json.dumps(obj, separators=(',', ':')).encode('utf-8') + b'\n\n'


class FakeOpenRouter(FakeServer):
    endpoints = ('chat',)
    CHAT_PATH = '/api/v1/chat/completions'
    MODELS_PATH = '/api/v1/models'

    def __init__(self, *, api_key: str | None = 'test-key', models: Iterable[str] = DEFAULT_MODELS,
                 processing_comments: int = 1, provider: str = 'Mistral', **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_key = api_key
        self.models = list(models)
        self.processing_comments = processing_comments
        self.provider = provider

    def _handle(self, ex: Exchange) -> None:
        if ex.path == self.MODELS_PATH and ex.method == 'GET':
            self._send_canned(ex, Reply(json={'data': [_model_entry(m) for m in self.models]}))
            return
        if ex.path != self.CHAT_PATH or ex.method != 'POST':
            self._send_canned(ex, error_reply(404, 'Not Found'))
            return
        ex.record.endpoint = 'chat'
        problem = self._check_auth(ex) or self._check_body(ex.record.body)
        if problem is not None:
            self._send_canned(ex, problem)
            return
        self._complete(ex, ex.record.json)

    def _check_auth(self, ex: Exchange) -> Reply | None:
        if self.api_key is None:
            return None
        scheme, _, token = (ex.header('authorization') or '').partition(' ')
        if scheme.lower() != 'bearer' or not token.strip():
            return no_auth()
        return None if token.strip() == self.api_key else invalid_key()

    def _check_body(self, raw: bytes) -> Reply | None:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return error_reply(400, 'Invalid JSON in request body')
        if not isinstance(body, dict):
            return error_reply(400, 'Invalid JSON in request body')
        if not isinstance(body.get('messages'), list) or not body['messages']:
            return error_reply(400, 'Input required: specify "prompt" or "messages"')
        model = body.get('model')
        if model is not None and model not in self.models:
            return error_reply(400, f'{model} is not a valid model ID')
        return None

    # -- answering

    def _complete(self, ex: Exchange, body: dict[str, Any]) -> None:
        reply = self._take_reply('chat', body)
        if reply.is_canned:
            self._send_canned(ex, reply)
            return
        text = reply.text if reply.text is not None else DEFAULT_TEXT
        max_tokens = body.get('max_tokens') if isinstance(body.get('max_tokens'), int) else None
        completion = shape_completion(text, stop=body.get('stop'), max_tokens=max_tokens,
                                      prompt_tokens=chat_prompt_tokens(body), finish_reason=reply.finish_reason)
        self._pause(reply)
        gid, created = _generation_id(), int(time.time())
        model = body.get('model') or self.models[0]
        if body.get('stream'):
            events = self._stream_events(gid, created, model, reply, completion)
            self._send_events(ex, reply, events, b'data: [DONE]\n\n', 'text/event-stream', reply.headers)
            return
        message = {'role': 'assistant', 'content': completion.text, 'refusal': None, 'reasoning': None}
        data = {**self._envelope(gid, created, model, 'chat.completion'),
                'choices': [{'logprobs': None, 'finish_reason': completion.finish_reason,
                             'native_finish_reason': completion.finish_reason, 'index': 0, 'message': message}],
                'usage': completion.usage()}
        ex.send_json(200, data, reply.headers, cut=reply.cut_after_chunks is not None)

    def _envelope(self, gid: str, created: int, model: str, obj: str) -> dict[str, Any]:
        return {'id': gid, 'provider': self.provider, 'model': model, 'object': obj, 'created': created}

    def _stream_events(self, gid: str, created: int, model: str, reply: Reply,
                       completion: Completion) -> list[bytes]:
        # Comments first (keep-alives while the provider warms up), then deltas; the usage comes
        # last in a chunk with an empty choices list, as OpenRouter documents.
        events = [PROCESSING] * self.processing_comments
        pieces = self._stream_pieces(reply, completion.text) or ['']
        for i, piece in enumerate(pieces):
            finish = completion.finish_reason if i == len(pieces) - 1 else None
            choice = {'index': 0, 'delta': {'role': 'assistant', 'content': piece}, 'finish_reason': finish,
                      'native_finish_reason': finish, 'logprobs': None}
            events.append(_sse({**self._envelope(gid, created, model, 'chat.completion.chunk'), 'choices': [choice]}))
        if reply.stream_usage:
            usage_chunk = {**self._envelope(gid, created, model, 'chat.completion.chunk'), 'choices': [],
                           'usage': completion.usage()}
            events.append(_sse(usage_chunk))
        return events
