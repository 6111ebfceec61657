"""What every HTTP provider shares: key transport rules, error mapping, the retry loop.

httpx errors and HTTP statuses are translated here, where they enter, into the ``ModelError``
tree, so nothing above this layer sees an httpx exception.
"""
from __future__ import annotations

import contextlib
import ipaddress
import json
import math
import time
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar
from urllib.parse import urlsplit

from codestral_bot.errors import ModelAuthError
from codestral_bot.errors import ModelError
from codestral_bot.errors import ModelIncomplete
from codestral_bot.errors import ModelRateLimited
from codestral_bot.errors import ModelRejected
from codestral_bot.errors import ModelUnavailable
from codestral_bot.errors import UsageError
from codestral_bot.records import Usage

if TYPE_CHECKING:
    import httpx

    from codestral_bot.budget import Allowance
    from codestral_bot.cost import RunStats
    from codestral_bot.pacing import Pacer
    from codestral_bot.pacing import RetryPolicy

__all__ = ['Transport', 'check_transport', 'count', 'error_for_status', 'host_of', 'is_loopback', 'sampling']

T = TypeVar('T')
_MAX_COUNT = 2**53  # a token count past this is junk, not usage
# What parsing an answer of an unexpected shape raises: a model's or a proxy's odd 200 is data,
# reported on the request that got it, never a crash of the run (exit 3 would block the hook).
_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError, RecursionError)


def count(value: Any) -> int:
    """A token count from an answer: a whole, finite, non-negative number, else 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    return int(value) if 0 <= value < _MAX_COUNT else 0


def sampling(max_key: str, max_tokens: int, temperature: float | None, stop: list[str]) -> dict[str, Any]:
    """The sampling fields every backend takes; only the name of the length cap differs
    (``max_tokens``, Ollama's ``num_predict``). Unset values are left out, not sent as null."""
    fields: dict[str, Any] = {max_key: max_tokens}
    if temperature is not None:
        fields['temperature'] = temperature
    if stop:
        fields['stop'] = stop
    return fields


def host_of(url: str) -> str:
    return urlsplit(url).hostname or url


def is_loopback(url: str) -> bool:
    host = host_of(url)
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(url: str, has_key: bool) -> None:
    """A key never travels over plain http, except to this machine."""
    from codestral_bot.redact import mask_url

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise UsageError(f'API base {mask_url(url)!r} is not a valid URL') from None
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise UsageError(f'API base {mask_url(url)!r} is not an http(s) URL')
    if has_key and parts.scheme == 'http' and not is_loopback(url):
        raise UsageError(f'refusing to send the API key over plain http to {parts.hostname}: use https')


def _detail_text(detail: Any) -> str:
    if isinstance(detail, list):
        parts = []
        for item in detail[:3]:
            if isinstance(item, dict):
                loc = '.'.join(str(x) for x in item.get('loc', []) if x != 'body')
                parts.append(f"{loc}: {item.get('msg', '')}".strip(': '))
            else:
                parts.append(str(item))
        return '; '.join(parts)
    return str(detail)


def api_message(body: bytes) -> str:
    """The human part of an error body, whatever shape it came in (see codestral-api.md)."""
    try:
        data = json.loads(body)
    except ValueError:
        text = body.decode('utf-8', 'replace').strip()
        return 'an HTML error page' if text.lstrip().startswith('<') else ' '.join(text.split())[:200]
    if not isinstance(data, dict):
        return str(data)[:200]
    message = data.get('message', data.get('error', data.get('detail', '')))
    if isinstance(message, dict):
        message = message.get('detail', message.get('message', message))
    if isinstance(message, list | dict):
        message = _detail_text(message)
    return ' '.join(str(message).split())[:300]


def error_for_status(status: int, body: bytes, what: str) -> ModelError:
    message = api_message(body)
    if status in (401, 403):
        return ModelAuthError(f'{what}: the API key was rejected (HTTP {status}: {message}); '
                              f'check the key and its access to the model', status=status)
    if status == 429:
        return ModelRateLimited(f'{what}: rate limited (HTTP 429: {message})', status=status)
    if status >= 500:
        return ModelUnavailable(f'{what}: server error (HTTP {status}: {message})', status=status)
    return ModelRejected(f'{what}: request rejected (HTTP {status}: {message})', status=status)


@contextlib.contextmanager
def map_httpx_errors(what: str) -> Iterator[None]:
    import httpx

    try:
        yield
    except httpx.TimeoutException as e:
        raise ModelUnavailable(f'{what}: timed out ({type(e).__name__})') from e
    except httpx.RemoteProtocolError as e:
        raise ModelIncomplete(f'{what}: the connection was cut mid-answer') from e
    except httpx.TransportError as e:
        raise ModelUnavailable(f'{what}: cannot connect ({type(e).__name__}: {_one_line(str(e))})') from e
    except httpx.InvalidURL as e:
        raise ModelRejected(f'{what}: the API base is not a valid URL ({_one_line(str(e))})') from e


def _one_line(text: str) -> str:
    from codestral_bot.redact import scrub

    return scrub(' '.join(text.split()))[:300]


def _guard_shape(what: str, attempt_once: Callable[[], Awaitable[tuple[T, Usage]]],
                 ) -> Callable[[], Awaitable[tuple[T, Usage]]]:
    async def guarded() -> tuple[T, Usage]:
        try:
            return await attempt_once()
        except _SHAPE_ERRORS as e:
            # status 200: the server answered; retrying the same request would get the same junk.
            raise ModelIncomplete(f'{what}: the answer had an unexpected shape ({type(e).__name__})',
                                  status=200) from e
    return guarded


def _log_limits(headers: Mapping[str, str]) -> None:
    """With --verbose, show the limits the API reports for this key (how users learn theirs)."""
    import logging

    logger = logging.getLogger('codestral_bot')
    if logger.isEnabledFor(logging.DEBUG):
        from codestral_bot.pacing import RateLimitInfo

        logger.debug('rate limits reported by the API: %s', RateLimitInfo.from_headers(headers).describe())


def _pause_hint(headers: Mapping[str, str]) -> float | None:
    """How long a 429 should pause every request: the server's word (Retry-After, a reset
    header), or None: the pacer lowers the rate and this request backs off briefly."""
    from codestral_bot import pacing

    return pacing.rate_limit_delay(headers, time.time())


async def _sleep(delay: float) -> None:
    import asyncio

    await asyncio.sleep(delay)


class Transport:
    """One ``httpx.AsyncClient`` (one connection pool), the pacer, and the retry loop."""

    def __init__(self, base: str, headers: dict[str, str], *, timeout: float,
                 pacer: Pacer | None, stats: RunStats | None, secret: str | None,
                 retry: RetryPolicy | None = None, allowance: Allowance | None = None) -> None:
        import httpx

        self.base = base.rstrip('/')
        self.pacer = pacer
        self.allowance = allowance
        self.retry = retry  # None: pacing.RetryPolicy()'s defaults (a local server wants fewer tries)
        self.stats = stats
        self._secret = secret
        self.client = httpx.AsyncClient(
            headers=headers, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
            trust_env=not is_loopback(base),
        )

    def _observe_limits(self, headers: Mapping[str, str]) -> None:
        """The limits the API reports tune the pacer (never above the configured ones); -v shows them."""
        if not any('ratelimit' in name.lower() for name in headers):
            return
        _log_limits(headers)
        if self.pacer is not None:
            from codestral_bot.pacing import RateLimitInfo

            self.pacer.on_headers(RateLimitInfo.from_headers(headers))

    def scrub(self, message: str) -> str:
        from codestral_bot.redact import scrub

        return scrub(message, self._secret)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def call(self, what: str, estimated_tokens: int,
                   attempt_once: Callable[[], Awaitable[tuple[T, Usage]]]) -> T:
        """Run ``attempt_once`` (→ result, usage) under pacing and budgets, retrying what is worth it."""
        from codestral_bot import pacing

        policy = self.retry or pacing.RetryPolicy()
        attempt_once = _guard_shape(what, attempt_once)
        attempt = 0
        while True:
            attempt += 1
            sent_at: list[float] = []
            try:
                return await self._budgeted(estimated_tokens, attempt_once, sent_at)
            except ModelError as e:
                e.args = (self.scrub(str(e)),)
                if self.stats is not None and e.status is not None:
                    self.stats.record(requests=1)  # it reached the server: it counts, and may be billed
                if isinstance(e, ModelRateLimited) and self.pacer is not None:
                    # Slow everyone down first, so the backoff below starts from the cut rate.
                    self.pacer.on_rate_limited(_pause_hint(e.headers), sent_at=sent_at[0] if sent_at else None)
                delay = self._retry_delay(policy, attempt, e)
                if delay is None:
                    if self.stats is not None and e.kind not in ('deadline', 'budget'):
                        self.stats.record_failure()  # given up on (deadline and budget: never sent)
                    raise
                if self.stats is not None:
                    self.stats.record_retry(rate_limited=isinstance(e, ModelRateLimited))
                if self.pacer is None:
                    await _sleep(delay)
                else:
                    await self.pacer.backoff(delay)

    def _retry_delay(self, policy: RetryPolicy, attempt: int, e: ModelError) -> float | None:
        from codestral_bot import pacing
        from codestral_bot.budget import BudgetReached

        if isinstance(e, ModelAuthError):
            if self.pacer is not None:
                self.pacer.abort(e)  # a bad key is bad for every request still waiting
            return None
        if isinstance(e, ModelRejected | pacing.DeadlineReached | BudgetReached):
            return None
        if self.pacer is not None and isinstance(e, ModelRateLimited):
            policy = self.pacer.retry_policy(policy)  # from one request interval, capped in its time scale
        return pacing.retry_delay(policy, attempt, e.status, e.headers)

    async def _budgeted(self, estimated_tokens: int, attempt_once: Callable[[], Awaitable[tuple[T, Usage]]],
                        sent_at: list[float]) -> T:
        if self.allowance is None:
            result, _ = await self._paced(estimated_tokens, attempt_once, sent_at)
            return result
        self.allowance.reserve(estimated_tokens)
        usage = Usage()
        try:
            result, usage = await self._paced(estimated_tokens, attempt_once, sent_at)
        finally:
            self.allowance.settle(estimated_tokens, usage.prompt_tokens, usage.completion_tokens)
        return result

    async def _paced(self, estimated_tokens: int, attempt_once: Callable[[], Awaitable[tuple[T, Usage]]],
                     sent_at: list[float]) -> tuple[T, Usage]:
        if self.pacer is None:
            return await attempt_once()
        async with self.pacer.slot(estimated_tokens) as slot:
            sent_at.append(slot.sent_at)
            result, usage = await attempt_once()
            total = usage.prompt_tokens + usage.completion_tokens
            slot.settle(total or estimated_tokens)
        self.pacer.on_success()
        return result, usage

    @contextlib.asynccontextmanager
    async def post(self, path: str, body: dict[str, Any], what: str, *,
                   stream: bool) -> AsyncIterator[httpx.Response]:
        with map_httpx_errors(what):
            request = self.client.build_request('POST', f'{self.base}{path}', json=body)
            response = await self.client.send(request, stream=stream)
            try:
                if response.status_code >= 400:
                    raw = await response.aread()
                    error = error_for_status(response.status_code, raw, what)
                    error.headers = dict(response.headers)
                    raise error
                self._observe_limits(response.headers)
                yield response
            finally:
                await response.aclose()
