from __future__ import annotations

# A fake Ollama server (no auth): POST /api/generate (FIM through `suffix`), POST /api/chat,
# GET /api/tags, GET /api/version, GET /.  Streaming is the DEFAULT, as in Ollama: NDJSON lines
# {"response": ..., "done": false} then a final {"done": true, "done_reason": ..., counts}.
# Scripting, responder, latency and the request log work as in FakeCodestral (endpoints
# 'generate' and 'chat'); token counts use the same estimate_tokens rule.

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from datetime import timezone
from typing import Any
from typing import ClassVar

from tests.fakes.codestral import Completion
from tests.fakes.codestral import DEFAULT_TEXT
from tests.fakes.codestral import Exchange
from tests.fakes.codestral import FakeServer
from tests.fakes.codestral import Reply
from tests.fakes.codestral import estimate_tokens
from tests.fakes.codestral import messages_text
from tests.fakes.codestral import shape_completion

__all__ = [
    'DEFAULT_MODELS',
    'FakeOllama',
    'error_reply',
    'full_model_name',
    'no_insert',
    'normalize_model',
    'not_found',
    'runner_error',
]

# name -> whether the model's template supports insert (FIM with a suffix)
DEFAULT_MODELS: dict[str, bool] = {
    'codestral:22b': True,
    'codestral:latest': True,
    'qwen2.5-coder:1.5b': True,
    'llama3:latest': False,
}


def normalize_model(name: str) -> str:
    # Ollama treats a name without a tag as name:latest.
    last = name.rsplit('/', 1)[-1]
    return name if ':' in last else f'{name}:latest'


def full_model_name(name: str) -> str:
    name = normalize_model(name)
    slashes = name.count('/')
    if slashes == 0:
        return f'registry.ollama.ai/library/{name}'
    return f'registry.ollama.ai/{name}' if slashes == 1 else name


def error_reply(status: int, message: str) -> Reply:
    return Reply(status=status, json={'error': message})


def not_found(model: str) -> Reply:
    return error_reply(404, f'model "{model}" not found, try pulling it first')


def no_insert(model: str) -> Reply:
    return error_reply(400, f'{full_model_name(model)} does not support insert')


def runner_error() -> Reply:
    return error_reply(500, 'llama runner process has terminated: signal: killed')


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _ndjson(obj: Any) -> bytes:
    return json.dumps(obj, separators=(',', ':')).encode('utf-8') + b'\n'


def _type_name(value: Any) -> str:
    return {str: 'string', bool: 'bool', int: 'number', float: 'number', list: 'array', dict: 'object'}.get(
        type(value), 'null')


class FakeOllama(FakeServer):
    endpoints = ('generate', 'chat')
    ROUTES: ClassVar[dict[str, str]] = {'/api/generate': 'generate', '/api/chat': 'chat'}
    # field -> (Go type name, Python types) for the few type checks Ollama's JSON decoding does
    TYPED_FIELDS: ClassVar[dict[str, tuple[str, tuple[type, ...]]]] = {
        'model': ('string', (str,)),
        'prompt': ('string', (str,)),
        'suffix': ('string', (str,)),
        'stream': ('bool', (bool,)),
        'raw': ('bool', (bool,)),
        'options': ('map[string]interface {}', (dict,)),
        'messages': ('[]api.Message', (list,)),
    }

    def __init__(self, *, models: Mapping[str, bool] | None = None, version: str = '0.6.8', **kwargs: Any) -> None:
        super().__init__(**kwargs)
        source = DEFAULT_MODELS if models is None else models
        self.models = {normalize_model(k): v for k, v in source.items()}
        self.version = version

    # -- routing

    def _handle(self, ex: Exchange) -> None:
        endpoint = self.ROUTES.get(ex.path)
        ex.record.endpoint = endpoint
        if ex.method in ('GET', 'HEAD') and endpoint is None:
            self._handle_get(ex)
        elif endpoint is None or ex.method != 'POST':
            self._send_canned(ex, Reply(status=404, raw='404 page not found'))
        else:
            self._handle_post(ex, endpoint)

    def _handle_get(self, ex: Exchange) -> None:
        if ex.path == '/':
            self._send_canned(ex, Reply(status=200, raw='Ollama is running'))
        elif ex.path == '/api/tags':
            self._send_canned(ex, Reply(status=200, json={'models': [self._tag(n) for n in self.models]}))
        elif ex.path == '/api/version':
            self._send_canned(ex, Reply(status=200, json={'version': self.version}))
        else:
            self._send_canned(ex, Reply(status=404, raw='404 page not found'))

    @staticmethod
    def _tag(name: str) -> dict[str, Any]:
        digest = hashlib.sha256(name.encode()).hexdigest()
        details = {'parent_model': '', 'format': 'gguf', 'family': 'llama', 'families': ['llama'],
                   'parameter_size': '22.2B', 'quantization_level': 'Q4_0'}
        return {'name': name, 'model': name, 'modified_at': '2025-08-01T12:00:00.000000000Z',
                'size': 12569170041, 'digest': digest, 'details': details}

    # -- validation, in Ollama's order: body, types, model, insert support

    def _handle_post(self, ex: Exchange, endpoint: str) -> None:
        problem = self._check_body(ex.record.body, endpoint)
        if problem is not None:
            self._send_canned(ex, problem)
            return
        body = ex.record.json
        self._complete(ex, endpoint, body)

    def _check_body(self, raw: bytes, endpoint: str) -> Reply | None:
        if not raw.strip():
            return error_reply(400, 'missing request body')
        try:
            body = json.loads(raw)
        except ValueError as e:
            return error_reply(400, f'invalid character in request body: {e}')
        if not isinstance(body, dict):
            return error_reply(400, f'json: cannot unmarshal {_type_name(body)} into Go value of type api.Request')
        return self._check_types(body) or self._check_model(body, endpoint)

    def _check_types(self, body: Mapping[str, Any]) -> Reply | None:
        for name, (go_type, types) in self.TYPED_FIELDS.items():
            value = body.get(name)
            if value is not None and not isinstance(value, types):
                return error_reply(400, f'json: cannot unmarshal {_type_name(value)} into Go struct field '
                                        f'.{name} of type {go_type}')
        return None

    def _check_model(self, body: Mapping[str, Any], endpoint: str) -> Reply | None:
        model = body.get('model') or ''
        if not model:
            return error_reply(400, 'model is required')
        supports_insert = self.models.get(normalize_model(model))
        if supports_insert is None:
            return not_found(model)
        if endpoint == 'generate' and body.get('suffix') and not supports_insert:
            return no_insert(model)
        return None

    # -- answering

    def _complete(self, ex: Exchange, endpoint: str, body: dict[str, Any]) -> None:
        reply = self._take_reply(endpoint, body)
        if reply.is_canned:
            self._send_canned(ex, reply)
            return
        completion = self._shape(reply, body, endpoint)
        self._pause(reply)
        if body.get('stream', True):
            lines = self._stream_lines(reply, body, endpoint, completion)
            self._send_events(ex, reply, lines[:-1], lines[-1], 'application/x-ndjson', reply.headers)
            return
        final = self._final(body, endpoint, completion, completion.text)
        ex.send_json(200, final, reply.headers, cut=reply.cut_after_chunks is not None)

    @staticmethod
    def _shape(reply: Reply, body: Mapping[str, Any], endpoint: str) -> Completion:
        raw_options = body.get('options')
        options: Mapping[str, Any] = raw_options if isinstance(raw_options, dict) else {}
        num_predict = options.get('num_predict')
        # Negative num_predict means "no limit" in Ollama.
        cap = num_predict if isinstance(num_predict, int) and num_predict >= 0 else None
        if endpoint == 'generate':
            prompt_tokens = estimate_tokens((body.get('prompt') or '') + (body.get('suffix') or ''))
        else:
            prompt_tokens = estimate_tokens(messages_text(body.get('messages')))
        text = reply.text if reply.text is not None else DEFAULT_TEXT
        return shape_completion(text, stop=options.get('stop'), max_tokens=cap, prompt_tokens=prompt_tokens,
                                finish_reason=reply.finish_reason)

    @staticmethod
    def _piece(endpoint: str, text: str) -> dict[str, Any]:
        if endpoint == 'generate':
            return {'response': text}
        return {'message': {'role': 'assistant', 'content': text}}

    def _final(self, body: Mapping[str, Any], endpoint: str, completion: Completion, text: str) -> dict[str, Any]:
        # Durations are nanoseconds; plausible numbers, nothing measures them.
        eval_ns = max(1, completion.completion_tokens) * 20_000_000
        prompt_ns = max(1, completion.prompt_tokens) * 1_000_000
        return {'model': body['model'], 'created_at': _now_iso(), **self._piece(endpoint, text),
                'done': True, 'done_reason': completion.finish_reason,
                'total_duration': eval_ns + prompt_ns + 5_000_000, 'load_duration': 5_000_000,
                'prompt_eval_count': completion.prompt_tokens, 'prompt_eval_duration': prompt_ns,
                'eval_count': completion.completion_tokens, 'eval_duration': eval_ns}

    def _stream_lines(self, reply: Reply, body: Mapping[str, Any], endpoint: str,
                      completion: Completion) -> list[bytes]:
        lines = [_ndjson({'model': body['model'], 'created_at': _now_iso(), **self._piece(endpoint, piece),
                          'done': False})
                 for piece in self._stream_pieces(reply, completion.text)]
        lines.append(_ndjson(self._final(body, endpoint, completion, '')))
        return lines
