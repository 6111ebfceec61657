"""What the API's rate-limit headers say: how long a 429 asks us to wait, and the key's limits.

Header names changed over time and none is documented (codestral-api.md): any header containing
``ratelimit`` is read. The pacer adopts the reported limits (``Pacer.on_headers``), never above
what the user configured.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

__all__ = ['RateLimitInfo', 'rate_limit_delay']



def _lower(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _http_date_delay(value: str, now: float) -> float | None:
    import datetime  # only a 429 with an HTTP date needs these: keep the hook's start-up light
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - now)


def _seconds_or_date(value: str, now: float) -> float | None:
    number = _number(value)
    if number is None:
        return _http_date_delay(value, now)
    if number > 1e12:  # epoch milliseconds
        return max(0.0, number / 1000 - now)
    if number > 1e9:  # epoch seconds: no window lasts 30 years
        return max(0.0, number - now)
    return max(0.0, number)


def rate_limit_delay(headers: Mapping[str, str] | None, now: float) -> float | None:
    """Seconds to wait according to a 429's headers, or None if they do not say.

    ``now`` is wall-clock time (``time.time()``), for HTTP dates and epoch resets. Order:
    ``Retry-After`` (seconds, decimal or HTTP date); else any ``*ratelimit*reset*`` header
    (preferring those whose ``remaining`` twin is 0); else None — also when a
    ``*ratelimit*remaining*`` header is 0 but nothing says when: the caller backs off itself.
    """
    lower = _lower(headers)
    retry_after = lower.get('retry-after')
    if retry_after is not None:
        delay = _seconds_or_date(retry_after, now)
        if delay is not None:
            return delay
    return _reset_delay(lower, now)


def _reset_delay(lower: Mapping[str, str], now: float) -> float | None:
    resets = {n: v for n, v in lower.items() if 'ratelimit' in n and 'reset' in n}
    exhausted = [v for n, v in resets.items() if _number(lower.get(n.replace('reset', 'remaining'))) == 0]
    delays = [_seconds_or_date(v, now) for v in (exhausted or resets.values())]
    known = [d for d in delays if d is not None]
    return max(known) if known else None


@dataclasses.dataclass(frozen=True)
class RateLimitInfo:
    """The limits the API reports in its ``*ratelimit*`` headers, both families of the spec:
    ``x-ratelimit-{limit,remaining}-{req,tokens}-{minute,month}`` and
    ``[x-]ratelimitbysize-{limit,remaining}[-{minute,month}]`` (by size = tokens).
    A header without a period counts as per minute.
    """

    requests_limit: int | None = None  # per minute
    requests_remaining: int | None = None
    tokens_limit: int | None = None  # per minute
    tokens_remaining: int | None = None
    tokens_limit_month: int | None = None
    tokens_remaining_month: int | None = None
    query_cost: int | None = None  # tokens this request counted
    headers: tuple[tuple[str, str], ...] = ()  # every *ratelimit* header as received

    @classmethod
    def from_headers(cls, headers: Mapping[str, str] | None) -> RateLimitInfo:
        values: dict[str, int] = {}
        seen: list[tuple[str, str]] = []
        for name, value in _lower(headers).items():
            if 'ratelimit' not in name:
                continue
            seen.append((name, value))
            field = _info_field(name)
            number = _number(value)
            if field is not None and number is not None:
                values[field] = int(number)
        return cls(**values, headers=tuple(seen))

    def describe(self) -> str:
        """One line for ``--verbose`` and the README: what the key's real limits are."""
        parts = [
            _describe_pair('requests/minute', self.requests_limit, self.requests_remaining),
            _describe_pair('tokens/minute', self.tokens_limit, self.tokens_remaining),
            _describe_pair('tokens/month', self.tokens_limit_month, self.tokens_remaining_month),
        ]
        text = '; '.join(p for p in parts if p)
        return text or 'no rate-limit headers in the response'


def _info_field(name: str) -> str | None:
    rest = name.replace('ratelimitbysize', '').replace('ratelimit', '')
    if 'cost' in rest:
        return 'query_cost'
    kind = 'remaining' if 'remaining' in rest else 'limit' if 'limit' in rest else None
    if kind is None:
        return None  # reset headers are read by rate_limit_delay
    if 'req' in rest:
        return None if 'month' in rest or 'day' in rest else f'requests_{kind}'
    if 'month' in rest:
        return f'tokens_{kind}_month'
    return None if 'day' in rest else f'tokens_{kind}'


def _describe_pair(label: str, limit: int | None, remaining: int | None) -> str:
    if limit is None and remaining is None:
        return ''
    text = f'{label}: {limit:,}' if limit is not None else f'{label}: ?'
    return text if remaining is None else f'{text} ({remaining:,} left)'
