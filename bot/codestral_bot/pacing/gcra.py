"""GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp).

Admission is evenly spaced at ``rate`` units per second; ``burst`` units may go at once after a
quiet spell, never more. Units are requests for the request bucket and tokens for the token
bucket; a request's units may be corrected after the fact (``give_back``) when the API reports
what it really counted. Pure arithmetic on the caller's clock: no sleeping, no asyncio.

In any stretch of ``t`` seconds a GCRA admits at most ``burst + rate·t`` units, so a server
counting over any window, a second or a minute, sliding or fixed, never sees more than the
rate plus one burst; the pacer keeps both well inside the limits (see ``pacer.py``).
"""
from __future__ import annotations

__all__ = ['Gcra']


class Gcra:
    def __init__(self, rate: float, burst: float, now: float) -> None:
        if not rate > 0 or not burst > 0:
            raise ValueError('rate and burst must be positive')
        self.rate = rate
        self.burst = burst
        self.tat = now  # theoretical arrival time: when the bucket is full again

    def wait(self, cost: float, now: float) -> float:
        """Seconds until ``cost`` units may go. A cost bigger than the burst goes when the bucket
        is full, and the excess is paid afterwards (the next request waits for it)."""
        tat = max(self.tat, now)
        return max(0.0, tat + (min(cost, self.burst) - self.burst) / self.rate - now)

    def take(self, cost: float, now: float) -> None:
        self.tat = max(self.tat, now) + cost / self.rate

    def give_back(self, units: float) -> None:
        """Correct an admission: positive ``units`` were over-counted, negative under-counted."""
        self.tat -= units / self.rate

    def hold_until(self, when: float) -> None:
        """No credit before ``when``: after a pause the restart is spaced, not a burst."""
        self.tat = max(self.tat, when)

    def set_rate(self, rate: float, now: float) -> None:
        """Change the rate, keeping the units already owed (they are paid at the new rate)."""
        owed = max(0.0, self.tat - now) * self.rate
        self.rate = rate
        self.tat = now + owed / rate
