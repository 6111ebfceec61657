"""Spending limits beyond the rate: the free tier's daily token cap (kept across runs, per key)
and the per-run token or dollar budget. Checked before every request; a request that would go
over is not sent, and its stub is reported "not filled: …".
"""
from __future__ import annotations

import threading

from codestral_bot.cost import Prices
from codestral_bot.errors import ModelError
from codestral_bot.quota_store import DailyQuota

__all__ = ['Allowance', 'BudgetReached']


class BudgetReached(ModelError):
    kind = 'budget'


class Allowance:
    def __init__(self, *, daily: DailyQuota | None = None, run_tokens: int | None = None,
                 run_dollars: float | None = None, prices: Prices = Prices()) -> None:
        self.daily = daily
        self.run_tokens = run_tokens
        self.run_dollars = run_dollars
        self.prices = prices
        self._tokens = 0  # reserved or spent this run
        self._dollars = 0.0
        self._lock = threading.Lock()

    def _worst_case_dollars(self, tokens: int) -> float:
        return tokens * max(self.prices.input_per_million, self.prices.output_per_million) / 1e6

    def reserve(self, tokens: int) -> None:
        """Count ``tokens`` for a request about to go out, or raise ``BudgetReached``."""
        with self._lock:
            if self.run_tokens is not None and self._tokens + tokens > self.run_tokens:
                raise BudgetReached(f'not filled: the run\'s token budget ({self.run_tokens:,}) is spent')
            cost = self._worst_case_dollars(tokens)
            if self.run_dollars is not None and self._dollars + cost > self.run_dollars:
                raise BudgetReached(f'not filled: the run\'s budget (${self.run_dollars:g}) is spent')
            if self.daily is not None and not self.daily.reserve(tokens):
                raise BudgetReached(f'not filled: today\'s token cap ({self.daily.tpd:,.0f} tokens/day) '
                                    f'is reached for this key')
            self._tokens += tokens
            self._dollars += cost

    def settle(self, reserved: int, prompt_tokens: int, completion_tokens: int) -> None:
        """Replace a reservation with what the API counted (0 and 0 for a request that failed)."""
        actual = prompt_tokens + completion_tokens
        dollars = (prompt_tokens * self.prices.input_per_million
                   + completion_tokens * self.prices.output_per_million) / 1e6
        with self._lock:
            self._tokens += actual - reserved
            self._dollars += dollars - self._worst_case_dollars(reserved)
        if self.daily is not None and actual != reserved:
            self.daily.add(actual - reserved)
