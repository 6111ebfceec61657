"""Which failures are retried, and after how long.

A 429 with a hint (``Retry-After``, a ``*ratelimit*reset`` header) waits what the server says. A
429 without one backs off *briefly*: exponential with full jitter starting from about one request
interval (``base``, from the pacer) and capped at a few seconds, while the pacer lowers the rate
for everyone (AIMD). Waiting for a whole window instead would stall a run for a minute on a limit
the server may count per second. 5xx, 408, timeouts and dropped connections get a few jittered
retries; 400/401/403/404/422 never (Mistral's docs: the request itself is wrong).
"""
from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Mapping

from codestral_bot.pacing.headers import rate_limit_delay

__all__ = ['NEVER_RETRY', 'RetryPolicy', 'retry_delay']

NEVER_RETRY = frozenset({400, 401, 403, 404, 422})
_RNG = random.Random()


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Attempts count the first one: ``max_attempts=4`` is the first try and three retries."""

    max_attempts: int = 4  # 5xx, 408, timeouts, connection errors
    max_429_attempts: int = 10  # short backoffs: more of them fit in the same time
    base: float = 0.5  # seconds; the jitter ceiling doubles with each attempt
    cap: float = 4.0  # longest backoff we choose ourselves: "a few seconds"
    max_hint: float = 120.0  # a longer Retry-After means a daily or monthly cap: give up


def retry_delay(
    policy: RetryPolicy,
    attempt: int,
    status: int | None,
    headers: Mapping[str, str] | None,
    rng: random.Random | None = None,
    *,
    now: float | None = None,
) -> float | None:
    """Seconds to wait before retrying, or None: do not retry.

    ``attempt`` is the 1-based number of the attempt that just failed; ``status`` None means a
    timeout or a connection error. ``now`` is wall-clock time (default ``time.time()``), for
    HTTP dates and epoch resets. The pacer tunes ``policy.base`` and ``policy.cap`` to its rate
    (``Pacer.retry_policy``).
    """
    rng = rng or _RNG
    now = time.time() if now is None else now
    if status == 429:
        return _delay_429(policy, attempt, headers, rng, now)
    if status is None or status == 408 or status >= 500:
        return _delay_transient(policy, attempt, headers, rng, now)
    return None  # 400/401/403/404/422 and any other 4xx: the request itself is wrong


def _delay_429(policy: RetryPolicy, attempt: int, headers: Mapping[str, str] | None,
               rng: random.Random, now: float) -> float | None:
    if attempt >= policy.max_429_attempts:
        return None
    hint = rate_limit_delay(headers, now)
    if hint is not None:
        return None if hint > policy.max_hint else hint
    return full_jitter(policy, attempt, rng)


def _delay_transient(policy: RetryPolicy, attempt: int, headers: Mapping[str, str] | None,
                     rng: random.Random, now: float) -> float | None:
    if attempt >= policy.max_attempts:
        return None
    hint = rate_limit_delay(headers, now)  # a 503 may say when to come back
    if hint is not None:
        return min(hint, policy.cap)
    return full_jitter(policy, attempt, rng)


def full_jitter(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Uniform in [0, min(cap, base · 2^(attempt-1))] (AWS "full jitter": retries spread out)."""
    exponent = min(max(attempt - 1, 0), 60)  # 2**60 is far past any cap
    return rng.uniform(0.0, min(policy.cap, policy.base * 2.0**exponent))
