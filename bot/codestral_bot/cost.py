"""What a run spent: requests, tokens, retries, 429s, and the estimated price."""
from __future__ import annotations

import dataclasses
import threading
from typing import Any

from codestral_bot.records import Usage

__all__ = ['Prices', 'RunStats']


@dataclasses.dataclass(frozen=True)
class Prices:
    """Dollars per million tokens (Codestral's list prices by default; configurable)."""

    input_per_million: float = 0.30
    output_per_million: float = 0.90


_COUNTERS = ('requests', 'prompt_tokens', 'completion_tokens', 'retries', 'rate_limited', 'failures', 'cached')


@dataclasses.dataclass
class RunStats:
    """Counters shared by every request of a run, safe from asyncio tasks and threads alike
    (a lock, never held across an await).

    ``requests`` counts answered requests; ``retries`` the attempts that were tried again;
    ``rate_limited`` the 429s seen; ``failures`` requests given up on; ``cached`` fills answered
    from the cache without a request.
    """

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    rate_limited: int = 0
    failures: int = 0
    cached: int = 0
    _lock: threading.Lock = dataclasses.field(
        default_factory=threading.Lock, init=False, repr=False, compare=False,
    )

    def record(
        self,
        *,
        requests: int = 0,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        retries: int = 0,
        rate_limited: int = 0,
        failures: int = 0,
        cached: int = 0,
    ) -> None:
        """Add to any counters at once (the ``record_*`` helpers below cover the usual events)."""
        with self._lock:
            self.requests += requests
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.retries += retries
            self.rate_limited += rate_limited
            self.failures += failures
            self.cached += cached

    def record_request(self, usage: Usage) -> None:
        """One answered request and the tokens the API counted for it."""
        self.record(requests=1, prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)

    def record_retry(self, *, rate_limited: bool = False) -> None:
        self.record(retries=1, rate_limited=int(rate_limited))

    def record_failure(self) -> None:
        self.record(failures=1)

    def record_cache_hit(self) -> None:
        self.record(cached=1)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {name: getattr(self, name) for name in _COUNTERS}

    def dollars(self, prices: Prices = Prices()) -> float:
        s = self.snapshot()
        spent = s['prompt_tokens'] * prices.input_per_million + s['completion_tokens'] * prices.output_per_million
        return spent / 1_000_000

    def summary_line(self, prices: Prices = Prices()) -> str:
        """E.g. '4 requests, 1,234 prompt + 567 completion tokens, ≈ $0.0009, 1 retry, 0 rate-limited'."""
        s = self.snapshot()
        parts = [
            _plural(s['requests'], 'request', 'requests'),
            f"{s['prompt_tokens']:,} prompt + {s['completion_tokens']:,} completion tokens",
            f'≈ {_format_dollars(self.dollars(prices))}',
            _plural(s['retries'], 'retry', 'retries'),
            f"{s['rate_limited']:,} rate-limited",
        ]
        if s['failures']:
            parts.append(f"{s['failures']:,} given up")  # requests; not the stubs' 'failed'
        if s['cached']:
            parts.append(f"{s['cached']:,} from cache")
        return ', '.join(parts)

    def as_json(self, prices: Prices = Prices()) -> dict[str, Any]:
        return {**self.snapshot(), 'dollars': round(self.dollars(prices), 6)}


def _plural(n: int, one: str, many: str) -> str:
    return f'{n:,} {one if n == 1 else many}'


def _format_dollars(amount: float) -> str:
    # Four decimals show what a handful of requests costs; cents suffice past a dollar.
    return f'${amount:,.2f}' if amount >= 1 else f'${amount:.4f}'
