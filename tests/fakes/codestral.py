from __future__ import annotations

# A fake Codestral (Mistral) API for tests and benchmarks: real HTTP/1.1 (keep-alive, one thread
# per connection) on 127.0.0.1, speaking the wire format of /work/shared/spec (codestral-api.md,
# openapi-excerpt.yaml).  The HTTP plumbing here (FakeServer, Reply, Exchange) is shared by the
# Ollama and OpenRouter fakes beside this file.
#
#   with FakeCodestral(api_key='test-key', quota=Quota(requests=300, window=2.0)) as fake:
#       fake.enqueue('fim', 'return x', Reply.rate_limited(), Reply(text='y', cut_after_chunks=2))
#       fake.responder = lambda body: 'pass'   # when the queue is empty
#       fake.latency = 0.05                     # added to every request
#       ... fake.url (no /v1), fake.requests, fake.count('fim'), fake.stats(), fake.reset()
#
# Pipeline per request: route (404/405) -> Bearer key (401) -> JSON body validated like the
# real API's pydantic models, unknown fields rejected (422) -> model (400) -> context window
# (400) -> scripted reply or responder -> quota (429, the scripted reply stays queued) -> latency
# -> answer.  Scripted error replies bypass the quota and are neither checked nor charged.
# Responders run under the fake's lock, one at a time: keep them quick.
#
# Token counting everywhere (usage, max_tokens, quota): estimate_tokens(s) = ceil(len(s) / 4);
# FIM prompt = prompt + suffix, chat prompt = every message's text content joined.
#
# CLI (benchmarks, subprocess tests): python -m tests.fakes.codestral --port 0 [--quota-requests N]
# [--quota-tokens N] [--quota-window S] [--quota-mode sliding|fixed] [--quota-headers a,b]
# [--retry-after-http-date] [--quota-kind KIND [--quota-second S]] [--latency S] [--text T] [--fim-reply T]... -- prints the URL on the
# first stdout line, and the final stats as JSON on SIGTERM/SIGINT.  Unrecorded control routes:
# GET /_fake/stats, GET /_fake/requests, POST /_fake/reset, POST /_fake/enqueue
# {"endpoint": "fim", "replies": ["text", {"status": 503, "json": {...}}]}.

import argparse
import json
import math
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any
from typing import ClassVar
from typing import Self

__all__ = [
    'CHARS_PER_TOKEN',
    'Completion',
    'Exchange',
    'FakeCodestral',
    'FakeServer',
    'Quota',
    'QuotaDecision',
    'QuotaSet',
    'RecordedRequest',
    'Reply',
    'Responder',
    'estimate_tokens',
    'main',
    'new_request_id',
    'quota_kind',
]

CHARS_PER_TOKEN = 4
DEFAULT_TEXT = 'return None'
BASE_MODELS = ('codestral-latest', 'codestral-2508', 'codestral-2501')
MODEL_ALIASES = {'codestral-latest': 'codestral-2508'}

# A responder gets the request's JSON body and returns the completion text (or a full Reply).
Responder = Callable[[dict[str, Any]], 'str | Reply']


# ---------------------------------------------------------------- tokens and text shaping

def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def new_request_id() -> str:
    return uuid.uuid4().hex


def content_text(content: Any) -> str:
    # Message content is a string, null, or a list of chunks of which only text counts here.
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return ''.join(c['text'] for c in content if isinstance(c, dict) and isinstance(c.get('text'), str))
    return ''


def messages_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return ''
    return ''.join(content_text(m.get('content')) for m in messages if isinstance(m, dict))


def fim_prompt_tokens(body: Mapping[str, Any]) -> int:
    prompt = body.get('prompt')
    suffix = body.get('suffix')
    return estimate_tokens((prompt if isinstance(prompt, str) else '') + (suffix if isinstance(suffix, str) else ''))


def chat_prompt_tokens(body: Mapping[str, Any]) -> int:
    return estimate_tokens(messages_text(body.get('messages')))


def stop_strings(stop: Any) -> list[str]:
    if isinstance(stop, str):
        return [stop] if stop else []
    if isinstance(stop, list):
        return [s for s in stop if isinstance(s, str) and s]
    return []


def cut_at_stop(text: str, stops: Iterable[str]) -> tuple[str, bool]:
    hits = [text.find(s) for s in stops if s in text]
    if not hits:
        return text, False
    return text[:min(hits)], True


def cut_at_tokens(text: str, max_tokens: int | None) -> tuple[str, bool]:
    if max_tokens is None or estimate_tokens(text) <= max_tokens:
        return text, False
    return text[:max_tokens * CHARS_PER_TOKEN], True


def split_chunks(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i:i + size] for i in range(0, len(text), size)]


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def usage(self) -> dict[str, int]:
        return {'prompt_tokens': self.prompt_tokens, 'completion_tokens': self.completion_tokens,
                'total_tokens': self.total_tokens}


def shape_completion(text: str, *, stop: Any, max_tokens: int | None, prompt_tokens: int,
                     finish_reason: str | None = None) -> Completion:
    # Stop first, then the token cap: whichever comes earlier in the text wins, as in a model.
    text, _ = cut_at_stop(text, stop_strings(stop))
    text, capped = cut_at_tokens(text, max_tokens)
    reason = finish_reason or ('length' if capped else 'stop')
    return Completion(text, reason, prompt_tokens, estimate_tokens(text))


# ---------------------------------------------------------------- scripted replies

def _html_page(status: int, title: str) -> str:
    # The shape a gateway (nginx/cloudflare) sends in front of an API: not JSON at all.
    return (f'<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n'
            f'<center><h1>{status} {title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n'
            '</body>\r\n</html>\r\n')


def _mistral_error(message: Any, type_: str, code: str | None = None) -> dict[str, Any]:
    return {'object': 'error', 'message': message, 'type': type_, 'param': None, 'code': code}


def format_retry_after(seconds: float, http_date: bool = False) -> str:
    if http_date:
        return formatdate(math.ceil(time.time() + seconds), usegmt=True)
    # Decimal seconds (ms precision, rounded up) so time-scaled windows stay meaningful.
    return f'{math.ceil(max(0.0, seconds) * 1000) / 1000:.3f}'


@dataclass
class Reply:
    """One scripted answer.  A plain 200 Reply is a completion (text, finish_reason, streaming
    knobs); a Reply with a non-200 status, `json` or `raw` is sent as that body verbatim."""

    text: str | None = None  # completion text; stop and max_tokens still apply to it
    status: int = 200
    json: Any = None  # canned body, sent as JSON
    raw: bytes | str | None = None  # canned body, sent as is (e.g. an HTML 502 page)
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str | None = None  # overrides the computed 'stop' / 'length'
    delay: float = 0.0  # seconds, on top of the fake's latency
    # Streaming: drop the connection after this many events (the role chunk counts; never the end
    # marker).  Not streaming: announce the full Content-Length, send half the body, drop.
    cut_after_chunks: int | None = None
    hang: bool = False  # never answer (until hang_seconds or stop()): for client timeouts
    chunks: list[str] | None = None  # explicit stream pieces instead of splitting `text`
    chunk_delay: float = 0.0  # seconds between stream events
    stream_usage: bool = True  # False: the last chunk carries no usage (the spec says it may)

    @property
    def is_canned(self) -> bool:
        return self.status != 200 or self.json is not None or self.raw is not None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reply:
        return cls(**dict(data))

    @classmethod
    def unauthorized(cls, shape: str = 'message') -> Reply:
        if shape == 'detail':
            return cls(status=401, json={'detail': 'Unauthorized'})
        return cls(status=401, json={'message': 'Unauthorized', 'request_id': new_request_id()})

    @classmethod
    def validation_error(cls, wrapped: bool = False, detail: list[dict[str, Any]] | None = None) -> Reply:
        detail = detail if detail is not None else [_err('extra_forbidden', ['body', 'n'], 2)]
        if wrapped:
            return cls(status=422, json=_mistral_error({'detail': detail}, 'invalid_request_error'))
        return cls(status=422, json={'detail': detail})

    @classmethod
    def invalid_model(cls, model: str) -> Reply:
        return cls(status=400, json=_mistral_error(f'Invalid model: {model}', 'invalid_model', '1500'))

    @classmethod
    def rate_limited(cls, shape: str = 'message', retry_after: float | None = None,
                     raw_status_code: bool = False) -> Reply:
        if shape == 'message':
            body: dict[str, Any] = {'message': 'Requests rate limit exceeded'}
        else:
            body = _mistral_error('Rate limit exceeded', 'rate_limited', '1300')
            if raw_status_code:
                body['raw_status_code'] = 429
        headers = {} if retry_after is None else {'Retry-After': format_retry_after(retry_after)}
        return cls(status=429, json=body, headers=headers)

    @classmethod
    def capacity_exceeded(cls) -> Reply:
        return cls(status=429, json=_mistral_error('Service tier capacity exceeded for this model.',
                                                   'invalid_request_error'))

    @classmethod
    def server_error(cls) -> Reply:
        return cls(status=500, json=_mistral_error('Internal server error', 'server_error'))

    @classmethod
    def bad_gateway(cls) -> Reply:
        return cls(status=502, raw=_html_page(502, 'Bad Gateway'), content_type='text/html')

    @classmethod
    def unavailable(cls, html: bool = False) -> Reply:
        if html:
            return cls(status=503, raw=_html_page(503, 'Service Temporarily Unavailable'), content_type='text/html')
        return cls(status=503, json=_mistral_error('Service unavailable', 'server_error'))

    @classmethod
    def gateway_timeout(cls) -> Reply:
        return cls(status=504, raw=_html_page(504, 'Gateway Time-out'), content_type='text/html')


def as_reply(item: str | Reply) -> Reply:
    return item if isinstance(item, Reply) else Reply(text=item)


# ---------------------------------------------------------------- request log

@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any
    body: bytes
    time: float
    endpoint: str | None = None
    status: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data['body'] = self.body.decode('utf-8', 'replace')
        return data


# ---------------------------------------------------------------- quota
#
# The fake enforces limits the way servers do, independently of how our pacer thinks: a log of
# admitted requests counted over a sliding window (t-W, t] or over fixed windows [kW, (k+1)W).
# Enforcement kinds (``quota_kind``) combine them as real APIs do: a per-minute quota counted per
# minute, or counted per second at the same average rate (Mistral enforces requests per second),
# a token quota, and a server that sends no rate-limit header at all.

HEADER_FAMILIES = ('retry-after', 'x-ratelimit', 'ratelimitbysize', 'none')
KINDS = ('minute-sliding', 'second-sliding', 'second-fixed', 'tokens-minute', 'no-headers')


@dataclass(frozen=True)
class QuotaDecision:
    allowed: bool
    limited_by: str | None
    retry_after: float
    cost: int
    remaining_requests: int | None
    remaining_tokens: int | None
    reset: float
    parts: tuple[tuple[Quota, QuotaDecision], ...] = ()  # a QuotaSet's decision per quota


@dataclass
class Quota:
    """Requests and/or tokens per `window` seconds (time-scaled: 2.0 can stand for a minute).

    mode 'sliding' counts what was admitted in the last `window` seconds; 'fixed' counts per
    window aligned on the quota's creation.  `headers` names one family or a tuple of them:
    'retry-after' (Retry-After on 429 only), 'x-ratelimit' (x-ratelimit-{limit,remaining}-
    {req,tokens}-minute + x-ratelimit-tokens-query-cost), 'ratelimitbysize' (the older token
    family with -reset seconds), 'none'.  A 429 costs nothing.  The headers report per
    `report_window` seconds (default: the window): a quota counted per second but quoted per
    minute, as Mistral's is, sets `report_window` to the minute."""

    requests: int | None = None
    tokens: int | None = None
    window: float = 60.0
    mode: str = 'sliding'
    headers: str | tuple[str, ...] = 'retry-after'
    retry_after_http_date: bool = False
    report_window: float | None = None
    accepted: int = field(default=0, init=False)
    rejected_429: int = field(default=0, init=False)
    _log: deque[tuple[float, int]] = field(default_factory=deque, init=False, repr=False)
    _log_tokens: int = field(default=0, init=False, repr=False)
    _start: float = field(default_factory=time.monotonic, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in ('sliding', 'fixed'):
            raise ValueError(f'mode must be sliding or fixed, not {self.mode!r}')
        unknown = set(self.families) - set(HEADER_FAMILIES)
        if unknown:
            raise ValueError(f'unknown header families: {sorted(unknown)}')
        if self.window <= 0:
            raise ValueError('window must be positive')

    @property
    def window_start(self) -> float:
        # time.monotonic() at which the current fixed window began (creation, for 'sliding')
        return self._start

    @property
    def families(self) -> tuple[str, ...]:
        return (self.headers,) if isinstance(self.headers, str) else tuple(self.headers)

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            self._log_tokens = 0
            self._start = time.monotonic()
            self.accepted = 0
            self.rejected_429 = 0

    def admit(self, cost: int, now: float | None = None) -> QuotaDecision:
        with self._lock:
            now = time.monotonic() if now is None else now
            decision = self.decide(cost, now)
            self.record(decision, now)
            return decision

    def decide(self, cost: int, now: float) -> QuotaDecision:
        """Whether a request of `cost` tokens fits now; counts nothing (see `record`)."""
        self._expire(now)
        wait_req = self._wait_for_requests(now)
        wait_tok = self._wait_for_tokens(cost, now)
        allowed = wait_req is None and wait_tok is None
        taken = 1 if allowed else 0
        limited_by = None if allowed else ('requests' if wait_req is not None else 'tokens')
        return QuotaDecision(allowed, limited_by, max(wait_req or 0.0, wait_tok or 0.0), cost,
                             self._remaining_req(taken), self._remaining_tok(taken * cost), self._reset_in(now))

    def record(self, decision: QuotaDecision, now: float, *, admitted: bool | None = None) -> None:
        if decision.allowed if admitted is None else admitted:
            self._log.append((now, decision.cost))
            self._log_tokens += decision.cost
            self.accepted += 1
        else:
            self.rejected_429 += 1

    def _expire(self, now: float) -> None:
        if self.mode == 'fixed':
            # A new window drops everything counted in the previous one.
            if now - self._start >= self.window:
                self._start += math.floor((now - self._start) / self.window) * self.window
                self._log.clear()
                self._log_tokens = 0
            return
        while self._log and self._log[0][0] <= now - self.window:
            self._log_tokens -= self._log.popleft()[1]

    def _frees_at(self, entry_time: float) -> float:
        return self._start + self.window if self.mode == 'fixed' else entry_time + self.window

    def _wait_for_requests(self, now: float) -> float | None:
        if self.requests is None or len(self._log) + 1 <= self.requests:
            return None
        if self.requests <= 0:
            return self.window
        entry = self._log[len(self._log) - self.requests]
        return max(0.0, self._frees_at(entry[0]) - now)

    def _wait_for_tokens(self, cost: int, now: float) -> float | None:
        if self.tokens is None or self._log_tokens + cost <= self.tokens:
            return None
        if cost > self.tokens:
            return self.window  # never fits; still tell the client something finite
        need = self._log_tokens + cost - self.tokens
        for entry_time, entry_cost in self._log:
            need -= entry_cost
            if need <= 0:
                return max(0.0, self._frees_at(entry_time) - now)
        return self.window

    def _remaining_req(self, taken: int = 0) -> int | None:
        return None if self.requests is None else max(0, self.requests - len(self._log) - taken)

    def _remaining_tok(self, taken: int = 0) -> int | None:
        return None if self.tokens is None else max(0, self.tokens - self._log_tokens - taken)

    def _reset_in(self, now: float) -> float:
        if self.mode == 'fixed':
            return max(0.0, self._start + self.window - now)
        return max(0.0, self._log[0][0] + self.window - now) if self._log else 0.0

    def _reported(self, count: int | None) -> int | None:
        # A per-second count quoted per minute: 5 per second reads as 300 per minute.
        if count is None or self.report_window is None:
            return count
        return round(count * self.report_window / self.window)

    def response_headers(self, decision: QuotaDecision) -> dict[str, str]:
        headers: dict[str, str] = {}
        families = self.families
        if 'x-ratelimit' in families:
            headers.update(self._x_ratelimit_headers(decision))
        if 'ratelimitbysize' in families:
            headers.update(self._bysize_headers(decision))
        if 'retry-after' in families and not decision.allowed:
            headers['Retry-After'] = format_retry_after(decision.retry_after, self.retry_after_http_date)
        return headers

    def _x_ratelimit_headers(self, decision: QuotaDecision) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.requests is not None:
            headers['x-ratelimit-limit-req-minute'] = str(self._reported(self.requests))
            headers['x-ratelimit-remaining-req-minute'] = str(self._reported(decision.remaining_requests))
        if self.tokens is not None:
            headers['x-ratelimit-limit-tokens-minute'] = str(self._reported(self.tokens))
            headers['x-ratelimit-remaining-tokens-minute'] = str(self._reported(decision.remaining_tokens))
        headers['x-ratelimit-tokens-query-cost'] = str(decision.cost)
        return headers

    def _bysize_headers(self, decision: QuotaDecision) -> dict[str, str]:
        # The older family counts tokens ("size"); fall back to requests when only those are limited.
        by_tokens = self.tokens is not None
        limit = self.tokens if by_tokens else self.requests
        remaining = decision.remaining_tokens if by_tokens else decision.remaining_requests
        reset = decision.reset if decision.allowed else decision.retry_after
        headers = {'ratelimitbysize-query-cost': str(decision.cost),
                   'ratelimitbysize-reset': format_retry_after(reset)}
        if limit is not None:
            headers['ratelimitbysize-limit'] = str(self._reported(limit))
            headers['ratelimitbysize-remaining'] = str(self._reported(remaining))
        return headers

    def rejection(self, decision: QuotaDecision) -> Reply:
        # Two real 429 bodies: the plain one for request rate, the typed one for tokens.
        shape = 'message' if decision.limited_by == 'requests' else 'typed'
        reply = Reply.rate_limited(shape)
        reply.headers.update(self.response_headers(decision))
        return reply

    def stats(self) -> dict[str, int]:
        return {'accepted': self.accepted, 'rejected_429': self.rejected_429}


class QuotaSet:
    """Several quotas enforced together (requests per second AND tokens per minute, as Mistral
    does): a request is admitted only if every quota has room, and then counts in all of them.
    Same interface as `Quota`."""

    def __init__(self, *quotas: Quota) -> None:
        if not quotas:
            raise ValueError('a QuotaSet needs at least one quota')
        self.quotas = quotas
        self.accepted = 0
        self.rejected_429 = 0
        self._lock = threading.Lock()

    def admit(self, cost: int, now: float | None = None) -> QuotaDecision:
        with self._lock:
            now = time.monotonic() if now is None else now
            parts = tuple((q, q.decide(cost, now)) for q in self.quotas)
            allowed = all(d.allowed for _, d in parts)
            for quota, decision in parts:
                quota.record(decision, now, admitted=allowed)
            self.accepted += allowed
            self.rejected_429 += not allowed
            refused = [d for _, d in parts if not d.allowed]
            first = refused[0] if refused else parts[0][1]
            return QuotaDecision(allowed, first.limited_by, max((d.retry_after for d in refused), default=0.0),
                                 cost, _first(d.remaining_requests for _, d in parts),
                                 _first(d.remaining_tokens for _, d in parts), first.reset, parts)

    def response_headers(self, decision: QuotaDecision) -> dict[str, str]:
        headers: dict[str, str] = {}
        for quota, part in decision.parts:
            headers.update(quota.response_headers(part))
        return headers

    def rejection(self, decision: QuotaDecision) -> Reply:
        reply = Reply.rate_limited('message' if decision.limited_by == 'requests' else 'typed')
        reply.headers.update(self.response_headers(decision))
        return reply

    def reset(self) -> None:
        with self._lock:
            for quota in self.quotas:
                quota.reset()
            self.accepted = self.rejected_429 = 0

    def stats(self) -> dict[str, int]:
        return {'accepted': self.accepted, 'rejected_429': self.rejected_429}


def _first(values: Iterable[int | None]) -> int | None:
    return next((v for v in values if v is not None), None)


def quota_kind(kind: str, *, rpm: int | None = None, tpm: int | None = None, minute: float = 60.0,
               second: float | None = None, headers: str | tuple[str, ...] = 'x-ratelimit') -> Quota | QuotaSet:
    """A server enforcing `rpm` requests and/or `tpm` tokens per `minute` seconds, the way `kind` says:

    minute-sliding  both counted over a sliding minute;
    second-sliding  requests counted over a sliding `second` (default minute/60) at the same average
                    (rpm·second/minute per second), tokens per sliding minute; headers quote per minute;
    second-fixed    the same, over fixed one-second windows;
    tokens-minute   only tokens, per sliding minute (requests unlimited);
    no-headers      as second-sliding, and no rate-limit header at all, not even on a 429.
    """
    if kind not in KINDS:
        raise ValueError(f'unknown quota kind {kind!r}: use one of {", ".join(KINDS)}')
    if kind == 'minute-sliding':
        return Quota(rpm, tpm, minute, 'sliding', headers)
    if kind == 'tokens-minute':
        return Quota(None, tpm, minute, 'sliding', headers)
    if rpm is None:
        raise ValueError(f'kind {kind!r} needs rpm')
    second = minute / 60 if second is None else second
    per_second = max(1, round(rpm * second / minute))
    headers = 'none' if kind == 'no-headers' else headers
    fast = Quota(per_second, None, second, 'fixed' if kind == 'second-fixed' else 'sliding', headers,
                 report_window=minute)
    return fast if tpm is None else QuotaSet(fast, Quota(None, tpm, minute, 'sliding', headers))


# ---------------------------------------------------------------- HTTP plumbing

class _Abort(Exception):
    """Raised to drop the connection without finishing the response."""


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(',', ':'), ensure_ascii=False).encode('utf-8')


class Exchange:
    """One request and the means to answer it (plain, chunked-streamed, or cut)."""

    def __init__(self, handler: _Handler, record: RecordedRequest, query: str) -> None:
        self.handler = handler
        self.record = record
        self.query = query
        self._streaming = False

    @property
    def method(self) -> str:
        return self.record.method

    @property
    def path(self) -> str:
        return self.record.path

    def header(self, name: str) -> str | None:
        return self.record.headers.get(name.lower())

    def _head(self, status: int, content_type: str, headers: Mapping[str, str], length: int | None) -> None:
        self.record.status = status
        h = self.handler
        h.send_response(status)
        h.send_header('Content-Type', content_type)
        for key, value in headers.items():
            h.send_header(key, value)
        if length is None:
            h.send_header('Transfer-Encoding', 'chunked')
        else:
            h.send_header('Content-Length', str(length))
        h.end_headers()

    def send(self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None = None,
             cut: bool = False) -> None:
        self._head(status, content_type, headers or {}, len(body))
        if cut:
            # Announce the full length, send half: the client sees a truncated body.
            self.handler.wfile.write(body[:len(body) // 2])
            raise _Abort()
        self.handler.wfile.write(body)

    def send_json(self, status: int, obj: Any, headers: Mapping[str, str] | None = None, cut: bool = False) -> None:
        self.send(status, _json_bytes(obj), 'application/json', headers, cut)

    def start_stream(self, content_type: str, headers: Mapping[str, str] | None = None) -> None:
        self._streaming = True
        self._head(200, content_type, headers or {}, None)

    def write_chunk(self, data: bytes) -> None:
        if data:
            self.handler.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))

    def end_stream(self) -> None:
        self.handler.wfile.write(b'0\r\n\r\n')


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # Headers and body go out in two writes; without TCP_NODELAY keep-alive requests stall on
    # Nagle + delayed ACK (~40 ms each), which would distort every benchmark.
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections are dropped after this
    server_version = 'fake-api'
    sys_version = ''
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        self.server.track(self.connection, False)

    def do_GET(self) -> None:
        self.server.fake._serve(self)

    do_POST = do_GET
    do_PUT = do_GET
    do_DELETE = do_GET
    do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read the request log, not stderr


def _shutdown_socket(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # a benchmark opens ~64 connections at once
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeServer) -> None:
        self.fake = fake
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self._closing = False
        super().__init__(address, _Handler)

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._conns_lock:
            if not alive:
                self._conns.discard(conn)
            elif self._closing:
                _shutdown_socket(conn)  # accepted just before stop(): do not let it idle
            else:
                self._conns.add(conn)

    def drop_connections(self) -> None:
        with self._conns_lock:
            self._closing = True
            conns = list(self._conns)
        for conn in conns:
            _shutdown_socket(conn)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class FakeServer:
    """Base of every fake API: lifecycle, request log, scripted queues, responder, latency."""

    endpoints: ClassVar[tuple[str, ...]] = ()
    default_text = DEFAULT_TEXT

    def __init__(self, *, host: str = '127.0.0.1', port: int = 0, latency: float = 0.0,
                 responder: Responder | None = None, stream_chunk_chars: int = CHARS_PER_TOKEN,
                 hang_seconds: float = 3600.0) -> None:
        if host not in ('127.0.0.1', 'localhost', '::1'):
            raise ValueError('fakes listen on loopback only')
        self.host = host
        self.port = port
        self.latency = latency
        self.responder: Responder = responder or self._default_responder
        self.stream_chunk_chars = stream_chunk_chars
        self.hang_seconds = hang_seconds
        self._lock = threading.RLock()
        self._queues: dict[str, deque[Reply]] = {name: deque() for name in self.endpoints}
        self._log: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.05},
                                        name=f'{type(self).__name__}:{self.port}', daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes hanging and delayed replies
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError('fake server not started')
        host = f'[{self.host}]' if ':' in self.host else self.host
        return f'http://{host}:{self.port}'

    # -- scripting

    def enqueue(self, endpoint: str, *replies: str | Reply) -> None:
        if endpoint not in self._queues:
            raise ValueError(f'unknown endpoint {endpoint!r}; one of {self.endpoints}')
        with self._lock:
            self._queues[endpoint].extend(as_reply(r) for r in replies)

    def pending(self, endpoint: str) -> int:
        with self._lock:
            return len(self._queues[endpoint])

    def _default_responder(self, body: dict[str, Any]) -> str:
        return self.default_text

    def _peek_reply(self, endpoint: str, body: dict[str, Any]) -> tuple[Reply, bool]:
        # Returns the reply and whether it came from the queue (to pop it once it is used).
        queue = self._queues[endpoint]
        if queue:
            return queue[0], True
        return as_reply(self.responder(body)), False

    def _take_reply(self, endpoint: str, body: dict[str, Any]) -> Reply:
        with self._lock:
            reply, queued = self._peek_reply(endpoint, body)
            if queued:
                self._queues[endpoint].popleft()
            return reply

    # -- request log

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def count(self, endpoint: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self._log if endpoint is None or r.endpoint == endpoint)

    def last(self, endpoint: str | None = None) -> RecordedRequest:
        with self._lock:
            for record in reversed(self._log):
                if endpoint is None or record.endpoint == endpoint:
                    return record
        raise LookupError('no request recorded')

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            for queue in self._queues.values():
                queue.clear()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            statuses: dict[str, int] = {}
            for record in self._log:
                statuses[str(record.status)] = statuses.get(str(record.status), 0) + 1
            counts = {name: self.count(name) for name in self.endpoints}
            return {'requests': len(self._log), 'by_endpoint': counts, 'by_status': statuses}

    # -- serving

    def _serve(self, handler: _Handler) -> None:
        path, _, query = handler.path.partition('?')
        body = self._read_body(handler)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        record = RecordedRequest(handler.command, path, headers, _try_json(body), body, time.time())
        ex = Exchange(handler, record, query)
        try:
            if path.startswith('/_fake/'):
                self._control(ex)
                return
            with self._lock:
                self._log.append(record)
            self._handle(ex)
        except _Abort:
            self._drop(handler)
        except OSError:
            handler.close_connection = True  # the client went away (or stop() cut the socket)
        except Exception:  # noqa: BLE001 - any bug in the fake is reported, not swallowed
            traceback.print_exc()
            self._internal_error(ex)

    @staticmethod
    def _read_body(handler: _Handler) -> bytes:
        try:
            length = int(handler.headers.get('Content-Length') or 0)
        except ValueError:
            length = 0
        return handler.rfile.read(length) if length > 0 else b''

    @staticmethod
    def _drop(handler: _Handler) -> None:
        handler.close_connection = True
        try:
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _internal_error(self, ex: Exchange) -> None:
        # A bug in the fake must fail the test loudly, not look like a real API error.
        try:
            ex.send(599, b'fake server bug, see stderr', 'text/plain')
        except OSError:
            pass
        ex.handler.close_connection = True

    def _handle(self, ex: Exchange) -> None:
        raise NotImplementedError

    def _pause(self, reply: Reply) -> None:
        # Latency and delay model a slow upstream; stop() cuts both short.
        wait = self.latency + reply.delay
        if wait > 0:
            self._stopping.wait(wait)
        if reply.hang:
            self._stopping.wait(self.hang_seconds)
            raise _Abort()

    def _send_canned(self, ex: Exchange, reply: Reply, extra_headers: Mapping[str, str] | None = None) -> None:
        self._pause(reply)
        headers = {**reply.headers, **(extra_headers or {})}
        cut = reply.cut_after_chunks is not None
        if reply.raw is not None:
            raw = reply.raw.encode('utf-8') if isinstance(reply.raw, str) else reply.raw
            ex.send(reply.status, raw, reply.content_type or 'text/plain; charset=utf-8', headers, cut)
            return
        ex.send(reply.status, _json_bytes(reply.json), reply.content_type or 'application/json', headers, cut)

    def _send_events(self, ex: Exchange, reply: Reply, events: list[bytes], trailer: bytes,
                     content_type: str, headers: Mapping[str, str]) -> None:
        ex.start_stream(content_type, headers)
        for index, event in enumerate(events):
            if reply.cut_after_chunks is not None and index >= reply.cut_after_chunks:
                raise _Abort()
            if index and reply.chunk_delay > 0:
                self._stopping.wait(reply.chunk_delay)
            ex.write_chunk(event)
        if reply.cut_after_chunks is not None:
            raise _Abort()  # the cut comes before the end marker even when every chunk went out
        ex.write_chunk(trailer)
        ex.end_stream()

    def _stream_pieces(self, reply: Reply, text: str) -> list[str]:
        return list(reply.chunks) if reply.chunks is not None else split_chunks(text, self.stream_chunk_chars)

    # -- control endpoints, for a fake run in another process (not recorded)

    def _control(self, ex: Exchange) -> None:
        action = ex.path[len('/_fake/'):]
        if action == 'stats':
            ex.send_json(200, self.stats())
        elif action == 'requests':
            ex.send_json(200, [r.to_dict() for r in self.requests])
        elif action == 'reset' and ex.method == 'POST':
            self.reset()
            ex.send_json(200, {'ok': True})
        elif action == 'enqueue' and ex.method == 'POST':
            self._control_enqueue(ex)
        else:
            ex.send_json(404, {'detail': 'Not Found'})

    def _control_enqueue(self, ex: Exchange) -> None:
        data = ex.record.json
        if not isinstance(data, dict) or data.get('endpoint') not in self._queues:
            ex.send_json(400, {'error': 'want {"endpoint": name, "replies": [str | reply fields]}'})
            return
        replies = [r if isinstance(r, str) else Reply.from_dict(r) for r in data.get('replies', [])]
        self.enqueue(data['endpoint'], *replies)
        ex.send_json(200, {'pending': self.pending(data['endpoint'])})


def _try_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


# ---------------------------------------------------------------- request validation (pydantic-style 422s)

def _err(type_: str, loc: list[Any], input_: Any, msg: str | None = None,
         ctx: dict[str, Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {'type': type_, 'loc': loc, 'msg': msg or _MESSAGES[type_], 'input': input_}
    if ctx is not None:
        item['ctx'] = ctx
    return item


_MESSAGES = {
    'missing': 'Field required',
    'extra_forbidden': 'Extra inputs are not permitted',
    'string_type': 'Input should be a valid string',
    'float_type': 'Input should be a valid number',
    'int_type': 'Input should be a valid integer',
    'int_from_float': 'Input should be a valid integer, got a number with a fractional part',
    'bool_type': 'Input should be a valid boolean',
    'list_type': 'Input should be a valid list',
    'dict_type': 'Input should be a valid dictionary',
    'model_attributes_type': 'Input should be a valid dictionary or object to extract fields from',
    'json_invalid': 'JSON decode error',
}


@dataclass(frozen=True)
class F:
    """One request field: kind is str|number|int|bool|dict|list|stop|enum|tool_choice|any."""

    kind: str
    nullable: bool = False
    required: bool = False
    ge: float | None = None
    le: float | None = None
    choices: tuple[str, ...] = ()


_COMMON: dict[str, F] = {
    'model': F('str', required=True),
    'temperature': F('number', nullable=True, ge=0, le=1.5),
    'top_p': F('number', ge=0, le=1),
    'max_tokens': F('int', nullable=True, ge=0),
    'stream': F('bool'),
    'stop': F('stop'),
    'random_seed': F('int', nullable=True, ge=0),
    'metadata': F('dict', nullable=True),
}

FIM_FIELDS: dict[str, F] = {
    **_COMMON,
    'prompt': F('str', required=True),
    'suffix': F('str', nullable=True),
    'min_tokens': F('int', nullable=True, ge=0),
    'prompt_cache_key': F('str', nullable=True),
}

CHAT_FIELDS: dict[str, F] = {
    **_COMMON,
    'messages': F('list', required=True),
    'response_format': F('dict'),
    'tools': F('list', nullable=True),
    'tool_choice': F('tool_choice'),
    'presence_penalty': F('number', ge=-2, le=2),
    'frequency_penalty': F('number', ge=-2, le=2),
    'n': F('int', nullable=True, ge=1),
    'prediction': F('dict'),
    'parallel_tool_calls': F('bool'),
    'prompt_mode': F('enum', nullable=True, choices=('reasoning',)),
    'reasoning_effort': F('enum', choices=('high', 'none')),
    'guardrails': F('list', nullable=True),
    'prompt_cache_key': F('str', nullable=True),
    'safe_prompt': F('bool'),
    'service_tier': F('str', nullable=True),  # present in the public-doc variant of the spec
}

_MESSAGE_FIELDS: dict[str, dict[str, F]] = {
    'system': {'role': F('str'), 'content': F('content', required=True)},
    'user': {'role': F('str'), 'content': F('content', required=True, nullable=True)},
    'assistant': {'role': F('str'), 'content': F('content', nullable=True), 'tool_calls': F('list', nullable=True),
                  'prefix': F('bool')},
    'tool': {'role': F('str'), 'content': F('content', required=True, nullable=True),
             'tool_call_id': F('str', nullable=True), 'name': F('str', nullable=True)},
}

_RESPONSE_FORMAT_FIELDS: dict[str, F] = {
    'type': F('enum', choices=('text', 'json_object', 'json_schema')),
    'json_schema': F('json_schema', nullable=True),
}

_JSON_SCHEMA_FIELDS: dict[str, F] = {
    'name': F('str', required=True),
    'description': F('str', nullable=True),
    'schema': F('dict', required=True),
    'strict': F('bool'),
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fmt_bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_bounds(spec: F, value: Any, loc: list[Any]) -> list[dict[str, Any]]:
    if spec.ge is not None and value < spec.ge:
        bound = int(spec.ge) if float(spec.ge).is_integer() else spec.ge
        return [_err('greater_than_equal', loc, value, f'Input should be greater than or equal to {_fmt_bound(spec.ge)}',
                     {'ge': bound})]
    if spec.le is not None and value > spec.le:
        bound = int(spec.le) if float(spec.le).is_integer() else spec.le
        return [_err('less_than_equal', loc, value, f'Input should be less than or equal to {_fmt_bound(spec.le)}',
                     {'le': bound})]
    return []


def _check_enum(spec: F, value: Any, loc: list[Any]) -> list[dict[str, Any]]:
    if value in spec.choices:
        return []
    quoted = [f"'{c}'" for c in spec.choices]
    expected = quoted[0] if len(quoted) == 1 else ', '.join(quoted[:-1]) + ' or ' + quoted[-1]
    return [_err('enum', loc, value, f'Input should be {expected}', {'expected': expected})]


def _check_stop(value: Any, loc: list[Any]) -> list[dict[str, Any]]:
    # Pydantic reports a failed str | list[str] union once per member.
    if isinstance(value, str):
        return []
    if isinstance(value, list):
        bad = [i for i, item in enumerate(value) if not isinstance(item, str)]
        if not bad:
            return []
        return ([_err('string_type', loc + ['str'], value)]
                + [_err('string_type', loc + ['list[str]', i], value[i]) for i in bad])
    return [_err('string_type', loc + ['str'], value), _err('list_type', loc + ['list[str]'], value)]


def _check_content(value: Any, loc: list[Any]) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return []
    if isinstance(value, list):
        return [_err('model_attributes_type', loc + [i], item) for i, item in enumerate(value)
                if not isinstance(item, dict) or 'type' not in item]
    return [_err('string_type', loc + ['str'], value), _err('list_type', loc + ['list'], value)]


def _check_value(spec: F, value: Any, loc: list[Any]) -> list[dict[str, Any]]:
    if value is None:
        return [] if spec.nullable or spec.kind == 'any' else [_err(_NULL_TYPES.get(spec.kind, 'dict_type'), loc, None)]
    kind = spec.kind
    if kind == 'str':
        return [] if isinstance(value, str) else [_err('string_type', loc, value)]
    if kind == 'number':
        return _check_bounds(spec, value, loc) if _is_number(value) else [_err('float_type', loc, value)]
    if kind == 'int':
        return _check_int(spec, value, loc)
    if kind == 'bool':
        return [] if isinstance(value, bool) else [_err('bool_type', loc, value)]
    if kind == 'dict':
        return [] if isinstance(value, dict) else [_err('dict_type', loc, value)]
    if kind == 'list':
        return [] if isinstance(value, list) else [_err('list_type', loc, value)]
    if kind == 'enum':
        return _check_enum(spec, value, loc)
    if kind == 'stop':
        return _check_stop(value, loc)
    if kind == 'content':
        return _check_content(value, loc)
    if kind == 'tool_choice':
        return _check_tool_choice(value, loc)
    if kind == 'json_schema':
        return _check_object(value, _JSON_SCHEMA_FIELDS, loc)
    return []


_NULL_TYPES = {'str': 'string_type', 'number': 'float_type', 'int': 'int_type', 'bool': 'bool_type',
               'list': 'list_type', 'stop': 'string_type', 'content': 'string_type', 'enum': 'enum'}


def _check_int(spec: F, value: Any, loc: list[Any]) -> list[dict[str, Any]]:
    if not _is_number(value):
        return [_err('int_type', loc, value)]
    if isinstance(value, float) and not value.is_integer():
        return [_err('int_from_float', loc, value)]
    return _check_bounds(spec, value, loc)


def _check_tool_choice(value: Any, loc: list[Any]) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return []
    return _check_enum(F('enum', choices=('auto', 'none', 'any', 'required')), value, loc)


def _check_object(value: Any, fields: Mapping[str, F], loc: list[Any]) -> list[dict[str, Any]]:
    # Known fields in schema order first, then unknown ones: pydantic's order.
    if not isinstance(value, dict):
        return [_err('model_attributes_type', loc, value)]
    errors: list[dict[str, Any]] = []
    for name, spec in fields.items():
        if name not in value:
            if spec.required:
                errors.append(_err('missing', loc + [name], value))
            continue
        errors.extend(_check_value(spec, value[name], loc + [name]))
    errors.extend(_err('extra_forbidden', loc + [k], v) for k, v in value.items() if k not in fields)
    return errors


def _check_message(message: Any, loc: list[Any]) -> list[dict[str, Any]]:
    tags = "'system', 'user', 'assistant', 'tool'"
    if not isinstance(message, dict):
        return [_err('model_attributes_type', loc, message)]
    role = message.get('role')
    if 'role' not in message:
        return [_err('union_tag_not_found', loc, message, "Unable to extract tag using discriminator 'role'",
                     {'discriminator': "'role'"})]
    if role not in _MESSAGE_FIELDS:
        return [_err('union_tag_invalid', loc, message,
                     f"Input tag '{role}' found using 'role' does not match any of the expected tags: {tags}",
                     {'discriminator': "'role'", 'tag': str(role), 'expected_tags': tags})]
    return _check_object(message, _MESSAGE_FIELDS[role], loc + [role])


def validate_fim(body: Any) -> list[dict[str, Any]]:
    return _check_object(body, FIM_FIELDS, ['body'])


def validate_chat(body: Any) -> list[dict[str, Any]]:
    errors = _check_object(body, CHAT_FIELDS, ['body'])
    if not isinstance(body, dict):
        return errors
    messages = body.get('messages')
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            errors.extend(_check_message(message, ['body', 'messages', i]))
    if isinstance(body.get('response_format'), dict):
        errors.extend(_check_object(body['response_format'], _RESPONSE_FORMAT_FIELDS, ['body', 'response_format']))
    return errors


def parse_json_body(body: bytes) -> tuple[Any, list[dict[str, Any]]]:
    try:
        return json.loads(body), []
    except ValueError as e:
        pos = getattr(e, 'pos', 0)
        msg = getattr(e, 'msg', str(e))
        return None, [_err('json_invalid', ['body', pos], {}, ctx={'error': msg})]


# ---------------------------------------------------------------- the Codestral fake

class FakeCodestral(FakeServer):
    """POST /v1/fim/completions and /v1/chat/completions as the real API answers them."""

    endpoints = ('fim', 'chat')
    ROUTES: ClassVar[dict[str, str]] = {'/v1/fim/completions': 'fim', '/v1/chat/completions': 'chat'}

    def __init__(self, *, api_key: str | None = 'test-key', auth_error_shape: str = 'message',
                 models: Iterable[str] = (), quota: Quota | QuotaSet | None = None, context_window: int = 131072,
                 response_model: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_key = api_key
        self.auth_error_shape = auth_error_shape
        self.models = set(BASE_MODELS) | set(models)
        self.quota = quota
        self.context_window = context_window
        self.response_model = response_model

    def _default_responder(self, body: dict[str, Any]) -> str:
        # JSON mode must get JSON back; everything else a valid Python function body.
        fmt = body.get('response_format')
        if isinstance(fmt, dict) and fmt.get('type') in ('json_object', 'json_schema'):
            return '{}'
        return self.default_text

    def reset(self) -> None:
        super().reset()
        if self.quota is not None:
            self.quota.reset()

    def stats(self) -> dict[str, Any]:
        data = super().stats()
        quota = self.quota.stats() if self.quota is not None else {'accepted': 0, 'rejected_429': 0}
        return {**data, **quota}

    def model_known(self, model: str) -> bool:
        return model in self.models or model.startswith('mistral-')

    # -- request pipeline: route, auth, validate, model, context, quota, reply

    def _handle(self, ex: Exchange) -> None:
        endpoint = self.ROUTES.get(ex.path)
        ex.record.endpoint = endpoint
        if endpoint is None:
            self._send_canned(ex, Reply(status=404, json={'detail': 'Not Found'}))
        elif ex.method != 'POST':
            self._send_canned(ex, Reply(status=405, json={'detail': 'Method Not Allowed'}))
        elif not self._authorized(ex):
            self._send_canned(ex, Reply.unauthorized(self.auth_error_shape))
        else:
            self._handle_valid(ex, endpoint)

    def _authorized(self, ex: Exchange) -> bool:
        if self.api_key is None:
            return True
        scheme, _, token = (ex.header('authorization') or '').partition(' ')
        return scheme.lower() == 'bearer' and token.strip() == self.api_key

    def _handle_valid(self, ex: Exchange, endpoint: str) -> None:
        body, errors = parse_json_body(ex.record.body)
        if not errors:
            errors = validate_fim(body) if endpoint == 'fim' else validate_chat(body)
        if errors:
            self._send_canned(ex, Reply(status=422, json={'detail': errors}))
            return
        model = body['model']
        if not self.model_known(model):
            self._send_canned(ex, Reply.invalid_model(model))
            return
        prompt_tokens = fim_prompt_tokens(body) if endpoint == 'fim' else chat_prompt_tokens(body)
        if prompt_tokens + (body.get('max_tokens') or 0) > self.context_window:
            self._send_canned(ex, self._too_long(prompt_tokens))
            return
        self._complete(ex, endpoint, body, prompt_tokens)

    def _too_long(self, prompt_tokens: int) -> Reply:
        # [U] message and code as users have reported them; the status (400) is documented.
        message = (f'Prompt contains {prompt_tokens} tokens and 0 draft tokens, too large for model with '
                   f'{self.context_window} maximum context length')
        return Reply(status=400, json=_mistral_error(message, 'invalid_request_message_error', '3051'))

    def _complete(self, ex: Exchange, endpoint: str, body: dict[str, Any], prompt_tokens: int) -> None:
        # Peek, charge the quota and pop under one lock so concurrent requests take replies in order
        # and a 429 leaves the scripted reply for the next try.
        with self._lock:
            quota = self.quota
            reply, queued = self._peek_reply(endpoint, body)
            completion = None if reply.is_canned else self._shape(reply, body, prompt_tokens)
            decision = quota.admit(completion.total_tokens) if completion and quota else None
            if quota and decision and not decision.allowed:
                reply = quota.rejection(decision)
            elif queued:
                self._queues[endpoint].popleft()
        if completion is None or reply.is_canned:
            self._send_canned(ex, reply)
            return
        headers = quota.response_headers(decision) if quota and decision else {}
        self._send_completion(ex, reply, body, completion, {**reply.headers, **headers})

    @staticmethod
    def _shape(reply: Reply, body: Mapping[str, Any], prompt_tokens: int) -> Completion:
        text = reply.text if reply.text is not None else DEFAULT_TEXT
        return shape_completion(text, stop=body.get('stop'), max_tokens=body.get('max_tokens'),
                                prompt_tokens=prompt_tokens, finish_reason=reply.finish_reason)

    def _model_name(self, requested: str) -> str:
        return self.response_model or MODEL_ALIASES.get(requested, requested)

    def _send_completion(self, ex: Exchange, reply: Reply, body: Mapping[str, Any], completion: Completion,
                         headers: Mapping[str, str]) -> None:
        self._pause(reply)
        rid, created, model = new_request_id(), int(time.time()), self._model_name(body['model'])
        if body.get('stream'):
            events = self._stream_events(rid, created, model, reply, completion)
            self._send_events(ex, reply, events, b'data: [DONE]\n\n', 'text/event-stream; charset=utf-8', headers)
            return
        message = {'content': completion.text, 'tool_calls': None, 'prefix': False, 'role': 'assistant'}
        data = {'id': rid, 'object': 'chat.completion', 'model': model, 'usage': completion.usage(),
                'created': created,
                'choices': [{'index': 0, 'message': message, 'finish_reason': completion.finish_reason}]}
        ex.send_json(200, data, headers, cut=reply.cut_after_chunks is not None)

    def _stream_events(self, rid: str, created: int, model: str, reply: Reply,
                       completion: Completion) -> list[bytes]:
        pieces = self._stream_pieces(reply, completion.text) or ['']
        first = self._chunk(rid, created, model, {'role': 'assistant', 'content': ''}, None)
        events = [first]
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            usage = completion.usage() if last and reply.stream_usage else None
            events.append(self._chunk(rid, created, model, {'content': piece},
                                      completion.finish_reason if last else None, usage))
        return events

    @staticmethod
    def _chunk(rid: str, created: int, model: str, delta: dict[str, Any], finish: str | None,
               usage: dict[str, int] | None = None) -> bytes:
        data: dict[str, Any] = {'id': rid, 'object': 'chat.completion.chunk', 'created': created, 'model': model,
                                'choices': [{'index': 0, 'delta': delta, 'finish_reason': finish}]}
        if usage is not None:
            data['usage'] = usage
        return b'data: ' + _json_bytes(data) + b'\n\n'


# ---------------------------------------------------------------- CLI

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog='python -m tests.fakes.codestral',
                                description='Run the fake Codestral API; prints its URL on the first line.')
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--api-key', default='test-key', help="'' disables auth")
    p.add_argument('--auth-error-shape', choices=('message', 'detail'), default='message')
    p.add_argument('--latency', type=float, default=0.0)
    p.add_argument('--text', default=DEFAULT_TEXT, help='completion text when no reply is queued')
    p.add_argument('--model', action='append', default=[], help='extra accepted model (repeatable)')
    p.add_argument('--fim-reply', action='append', default=[], help='queue a FIM completion text (repeatable)')
    p.add_argument('--chat-reply', action='append', default=[], help='queue a chat completion text (repeatable)')
    p.add_argument('--quota-requests', type=int, default=None)
    p.add_argument('--quota-tokens', type=int, default=None)
    p.add_argument('--quota-window', type=float, default=60.0)
    p.add_argument('--quota-mode', choices=('sliding', 'fixed'), default='sliding')
    p.add_argument('--quota-headers', default='retry-after',
                   help='comma-separated families: retry-after, x-ratelimit, ratelimitbysize, none')
    p.add_argument('--retry-after-http-date', action='store_true')
    p.add_argument('--quota-kind', choices=KINDS, default=None,
                   help='enforcement kind (see quota_kind): --quota-requests/--quota-tokens are per '
                        '--quota-window (the minute), --quota-second the short window')
    p.add_argument('--quota-second', type=float, default=None, help='short window of the second-* kinds, seconds')
    return p


def fake_from_args(args: argparse.Namespace) -> FakeCodestral:
    quota: Quota | QuotaSet | None = None
    families = tuple(f.strip() for f in args.quota_headers.split(',') if f.strip())
    if args.quota_kind is not None:
        quota = quota_kind(args.quota_kind, rpm=args.quota_requests, tpm=args.quota_tokens,
                           minute=args.quota_window, second=args.quota_second, headers=families)
    elif args.quota_requests is not None or args.quota_tokens is not None:
        quota = Quota(args.quota_requests, args.quota_tokens, args.quota_window, args.quota_mode,
                      families, args.retry_after_http_date)
    fake = FakeCodestral(api_key=args.api_key or None, auth_error_shape=args.auth_error_shape,
                         models=args.model, quota=quota, host=args.host, port=args.port, latency=args.latency)
    fake.default_text = args.text
    fake.enqueue('fim', *args.fim_reply)
    fake.enqueue('chat', *args.chat_reply)
    return fake


def _wait_for_signal() -> None:
    # SIGTERM (what Popen.terminate sends) ends the run like Ctrl-C does.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    fake = fake_from_args(args)
    with fake:
        print(fake.url, flush=True)
        _wait_for_signal()
        print(json.dumps(fake.stats()), flush=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
