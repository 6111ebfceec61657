"""What a run spent: requests, tokens, retries, 429s, and the estimated price."""
from __future__ import annotations

import dataclasses
import threading
from typing import Any

from codestral_bot.records import Usage

__all__ = ['Prices', 'RunStats']


@dataclasses.dataclass(frozen=True)
class Prices:
    input_per_million: float = 0.30
    output_per_million: float = 0.90


class RunStats:
    """Counters shared by every request of a run (asyncio tasks and threads alike)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.retries = 0
        self.rate_limited = 0
        self.failures = 0
        self.cached = 0

    def record_request(self, usage: Usage) -> None:
        with self._lock:
            self.requests += 1
            self.prompt_tokens += usage.prompt_tokens
            self.completion_tokens += usage.completion_tokens

    def record_retry(self, *, rate_limited: bool = False) -> None:
        with self._lock:
            self.retries += 1
            self.rate_limited += int(rate_limited)

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1

    def record_cache_hit(self) -> None:
        with self._lock:
            self.cached += 1

    def dollars(self, prices: Prices) -> float:
        return (self.prompt_tokens * prices.input_per_million
                + self.completion_tokens * prices.output_per_million) / 1_000_000

    def summary_line(self, prices: Prices) -> str:
        def plural(n: int, word: str) -> str:
            return f'{n:,} {word}{"" if n == 1 else "s"}'

        line = (f'{plural(self.requests, "request")}, {self.prompt_tokens:,} prompt + '
                f'{self.completion_tokens:,} completion tokens, ≈ ${self.dollars(prices):.4f}, '
                f'{plural(self.retries, "retry").replace("retrys", "retries")}, {self.rate_limited} rate-limited')
        return line + (f', {self.cached} from cache' if self.cached else '')

    def as_json(self, prices: Prices) -> dict[str, Any]:
        return {
            'requests': self.requests, 'prompt_tokens': self.prompt_tokens,
            'completion_tokens': self.completion_tokens, 'retries': self.retries,
            'rate_limited': self.rate_limited, 'failures': self.failures, 'cached': self.cached,
            'dollars': round(self.dollars(prices), 6),
        }
