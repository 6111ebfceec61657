"""The pacer: every request of a run waits in ``Pacer.slot`` until it may be sent.

Two GCRA buckets (``gcra.py``) space admissions evenly: one for requests, at the tighter of the
requests-per-second and requests-per-minute rates, one for tokens (estimated prompt tokens +
``max_tokens``, corrected by the ``usage`` the API returns). The API enforces requests per
*second* and tokens per *minute* (codestral-api.md), and other APIs enforce per-minute figures
over shorter windows, so the pacer never sends a burst a per-second counter would refuse:

* requests go one interval apart (a small tolerance absorbs the event loop waking up late);
* tokens may burst by about one second's worth (at least ``margin`` of the minute's budget, so
  a single large prompt is not held back);
* both run ``margin`` (3%) below the limits: a server counting over a window of ``s`` seconds
  then tolerates ``margin · s`` of network jitter (30 ms on a one-second window) and the burst
  fits inside a minute's budget.

The second request waits for the first answer: the first opens the connection and reaches the
server late, and its headers bring the key's real limits before the rest go.

A 429 lowers both rates for everyone (AIMD: ×``decrease``, once per signal: 429s for requests
sent before the last cut say nothing new) and recovers additively while answers succeed
(``recovery`` of the limit per window of time). That is how several processes sharing one key
converge on fair shares. A server's hint (``Retry-After``, a reset header) pauses every
waiter until then; without a hint nobody pauses: the rejected request retries after a short
jittered backoff (``retry.py``) at the lowered rate. The limits the API reports in its headers
lower the rates to them (``on_headers``), never above what the user configured.

Why not ``aiolimiter`` or ``limits``: ``aiolimiter.AsyncLimiter`` is a leaky bucket whose burst is
the whole budget (a per-second counter refuses it), it reads the event loop's clock (no fake
clock in tests), cannot correct a request's tokens afterwards and cannot change its rate after a
429. ``limits`` only answers "allowed now?" (no waiting, no fairness between waiters). A GCRA
is a dozen lines (``gcra.py``); the queue, AIMD and deadline handling would be ours anyway.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable

from codestral_bot.pacing.deadline import Clock
from codestral_bot.pacing.deadline import Deadline
from codestral_bot.pacing.deadline import DeadlineReached
from codestral_bot.pacing.gcra import Gcra
from codestral_bot.pacing.headers import RateLimitInfo
from codestral_bot.pacing.plans import Limits
from codestral_bot.pacing.retry import RetryPolicy

__all__ = ['Pacer', 'Slot']

Sleep = Callable[[float], Awaitable[object]]
# Waits shorter than this count as none: a sleep of 1e-16 s does not move a float clock.
_EPSILON = 1e-6
# A request may go up to this much early (a quarter of the jitter margin of a one-second window,
# and at most half an interval), so a late wake-up of a busy event loop is caught up, not lost.
# Real seconds, not scaled ones: how late a loop wakes does not depend on the quota.
_CATCH_UP = 0.25 * 0.03


@dataclasses.dataclass(eq=False)
class _Waiter:
    cost: float
    wake: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


class Slot:
    """The permission to send one request, handed out by ``Pacer.slot``."""

    def __init__(self, pacer: Pacer, sent_at: float, estimate: float) -> None:
        self._pacer = pacer
        self.sent_at = sent_at  # on the pacer's clock: pass it to ``on_rate_limited``
        self._counted = estimate

    def settle(self, actual_tokens: int) -> None:
        """Replace the estimate with what the API counted (``usage.total_tokens``)."""
        actual = float(max(0, actual_tokens))
        self._pacer._correct_tokens(self._counted - actual)
        self._counted = actual


class Pacer:
    """Paces a run's requests before they are sent; one per run (per event loop), shared by all tasks.

    Use::

        async with pacer.slot(estimated_prompt_tokens + max_tokens) as slot:
            response = await send()
        slot.settle(usage.total_tokens)

    Waiters are served first come, first served.
    """

    def __init__(
        self,
        limits: Limits,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        deadline: Deadline | None = None,
        margin: float = 0.03,
        decrease: float = 0.9,
        recovery: float = 0.3,
        min_factor: float = 0.05,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._deadline = deadline
        self._margin = margin
        self._decrease = decrease
        self._recovery = recovery
        self._min_factor = min_factor
        self._factor = 1.0
        self._request_ceiling = limits.request_rate  # requests/s; lowered by reported limits
        self._token_ceiling = limits.token_rate  # tokens/s
        now = clock()
        self._requests = self._bucket(self._request_ceiling, self._request_burst, now)
        self._tokens = self._bucket(self._token_ceiling, self._token_burst, now)
        self._in_flight = 0
        self._answered = False  # until the first answer, one request at a time (see _wait_time)
        self._queue: deque[_Waiter] = deque()
        self._not_before = -math.inf
        self._last_cut = -math.inf
        self._last_raise = now
        self._aborted: BaseException | None = None
        self._sleepers: set[asyncio.Event] = set()  # backoffs that abort must cut short

    def _bucket(self, ceiling: float | None, burst: Callable[[float], float], now: float) -> Gcra | None:
        if ceiling is None:
            return None
        rate = ceiling * (1 - self._margin)
        return Gcra(rate, burst(rate), now)

    def _request_burst(self, rate: float) -> float:
        return 1 + min(0.5, _CATCH_UP * rate)

    def _token_burst(self, rate: float) -> float:
        second = self.limits.window / 60
        return max(rate * second, self._margin * (self.limits.tpm or 0.0))

    # -- public state

    @property
    def factor(self) -> float:
        """The AIMD multiplier (1.0 = the configured limits) applied to both rates."""
        return self._factor

    @property
    def request_rate(self) -> float | None:
        """Requests per second the pacer admits now."""
        return None if self._requests is None else self._requests.rate

    @property
    def token_rate(self) -> float | None:
        return None if self._tokens is None else self._tokens.rate

    @property
    def effective_rpm(self) -> float | None:
        """Requests per window (per minute unless scaled) the pacer admits now."""
        rate = self.request_rate
        return None if rate is None else rate * self.limits.window

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def paused_until(self) -> float:
        return self._not_before

    @property
    def interval(self) -> float:
        """Seconds between two requests at the current rate (a second's worth when unlimited)."""
        rate = self.request_rate
        return self.limits.window / 60 if rate is None else 1 / rate

    def retry_policy(self, policy: RetryPolicy) -> RetryPolicy:
        """``policy`` with its backoff starting at one request interval and its cap in the
        pacer's time scale (a few seconds of a real minute)."""
        return dataclasses.replace(policy, base=self.interval, cap=policy.cap * self.limits.window / 60)

    # -- slots

    @contextlib.asynccontextmanager
    async def slot(self, estimated_tokens: int = 0) -> AsyncIterator[Slot]:
        """Wait until the request may be sent. Raises ``DeadlineReached`` rather than waiting past
        the deadline, or the exception given to ``abort``."""
        cost = float(max(0, estimated_tokens))
        sent_at = await self._acquire(cost)
        try:
            yield Slot(self, sent_at, cost)
        finally:
            self._in_flight -= 1
            if not self._answered:
                self._answered = True
                if self._requests is not None:  # it reached the server at the latest now
                    self._requests.hold_until(self._clock() + 1 / self._requests.rate)
            self._wake_head()

    async def _acquire(self, cost: float) -> float:
        waiter = _Waiter(cost)
        self._queue.append(waiter)
        try:
            return await self._wait_turn(waiter)
        finally:
            with contextlib.suppress(ValueError):
                self._queue.remove(waiter)
            self._wake_head()

    async def _wait_turn(self, waiter: _Waiter) -> float:
        while True:
            self._raise_if_aborted()
            if self._deadline is not None:
                self._deadline.check()
            waiter.wake.clear()
            now = self._clock()
            # Only the head may go: first come, first served, so big prompts do not starve.
            wait = self._wait_time(waiter.cost, now) if self._queue[0] is waiter else math.inf
            if wait <= _EPSILON:
                self._admit(waiter.cost, now)
                return now
            await self._pause(waiter.wake, wait)

    def _wait_time(self, cost: float, now: float) -> float:
        """Seconds until a request of ``cost`` tokens may go; inf = until a request finishes."""
        if self._in_flight >= self.limits.concurrency:
            return math.inf
        if self._in_flight and not self._answered:
            # The first request opens the connection (a TLS handshake on the real API) and
            # arrives late; the next one, sent on time, would reach a per-second counter right
            # behind it. So the next one goes an interval after the first answer, which also
            # brings the key's real limits (on_headers) before the rest go.
            return math.inf
        waits = [self._not_before - now, 0.0]
        if self._requests is not None:
            waits.append(self._requests.wait(1, now))
        if self._tokens is not None:
            waits.append(self._tokens.wait(cost, now))
        return max(waits)

    def _admit(self, cost: float, now: float) -> None:
        self._in_flight += 1
        if self._requests is not None:
            self._requests.take(1, now)
        if self._tokens is not None:
            self._tokens.take(cost, now)

    def _correct_tokens(self, over_counted: float) -> None:
        if self._tokens is not None and over_counted:
            self._tokens.give_back(over_counted)
            self._wake_head()

    async def _pause(self, wake: asyncio.Event, wait: float) -> None:
        limit = self._deadline.remaining() if self._deadline is not None else math.inf
        if math.isfinite(wait) and wait > limit:
            raise DeadlineReached()  # we know now that the budget frees up too late
        timeout = min(wait, limit)
        if math.isinf(timeout):
            await wake.wait()
        else:
            await self._race(wake, timeout)

    async def _race(self, wake: asyncio.Event, timeout: float) -> None:
        # The injected sleep (a fake clock in tests) decides when time is up, not the loop.
        woken = asyncio.ensure_future(wake.wait())
        slept = asyncio.ensure_future(self._sleep(timeout))
        try:
            await asyncio.wait((woken, slept), return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            slept.cancel()

    def _wake_head(self) -> None:
        if self._queue:
            self._queue[0].wake.set()

    # -- feedback from the API

    def on_success(self) -> None:
        """A request succeeded: recover additively, ``recovery`` of the limit per window of time
        with successes. Per unit of time, not per success: processes sharing a key then climb
        alike whatever their current rate, which is what makes AIMD converge on fair shares."""
        now = self._clock()
        elapsed = min(now - self._last_raise, self.limits.window / 60)  # an idle spell earns nothing
        self._last_raise = now
        if self._factor < 1.0 and elapsed > 0:
            self._set_factor(min(1.0, self._factor + self._recovery * elapsed / self.limits.window))

    def on_rate_limited(self, delay_hint: float | None, *, sent_at: float | None = None) -> None:
        """A 429: cut the rates (once per signal) and, with a hint from the server, pause every
        waiter until it has passed. Without a hint nobody pauses: the request's own backoff is
        short and the lowered rate spaces everyone out.

        Pass the slot's ``sent_at``: a 429 for a request sent before the last cut is part of the
        same signal (it went out at the old rate) and does not cut again.
        """
        now = self._clock()
        if (now if sent_at is None else sent_at) >= self._last_cut:
            self._last_cut = now
            self._set_factor(max(self._min_factor, self._factor * self._decrease))
        if delay_hint is not None and delay_hint > 0:
            self._not_before = max(self._not_before, now + delay_hint)
        self._hold_until(max(now, self._not_before))

    def on_headers(self, info: RateLimitInfo) -> None:
        """Adopt the limits the API reports for this key, never above the configured ones.

        ``remaining`` is not a signal: a limit counted per second but quoted per minute reads
        "0 left" whenever one second is full, which an evenly paced run does by design.
        """
        window = self.limits.window
        if info.requests_limit and self._request_ceiling is not None:
            self._request_ceiling = min(self.limits.request_rate or math.inf, info.requests_limit / window)
        if info.tokens_limit and self._token_ceiling is not None:
            self._token_ceiling = min(self.limits.token_rate or math.inf, info.tokens_limit / window)
        self._set_factor(self._factor)

    def _set_factor(self, factor: float) -> None:
        self._factor = factor
        now = self._clock()
        if self._requests is not None and self._request_ceiling is not None:
            rate = self._request_ceiling * (1 - self._margin) * factor
            self._requests.set_rate(rate, now)
            self._requests.burst = self._request_burst(rate)  # the catch-up is at most half an interval
        if self._tokens is not None and self._token_ceiling is not None:
            self._tokens.set_rate(self._token_ceiling * (1 - self._margin) * factor, now)
        self._wake_head()

    def _hold_until(self, when: float) -> None:
        for bucket in (self._requests, self._tokens):
            if bucket is not None:
                bucket.hold_until(when)
        self._wake_head()

    # -- stopping

    def abort(self, exc: BaseException) -> None:
        """Stop everything (a 401: the key is bad for every request): waiting and future ``slot``
        and ``backoff`` calls raise ``exc`` at once."""
        self._aborted = exc
        for waiter in self._queue:
            waiter.wake.set()
        for sleeper in self._sleepers:
            sleeper.set()

    @property
    def aborted(self) -> BaseException | None:
        return self._aborted

    def _raise_if_aborted(self) -> None:
        if self._aborted is not None:
            # One instance is raised in many tasks: drop the last task's traceback each time.
            raise self._aborted.with_traceback(None)

    async def backoff(self, delay: float) -> None:
        """Sleep ``delay`` seconds before a retry, unless the run is aborted or the deadline
        comes first (then raise at once, without sleeping in vain)."""
        self._raise_if_aborted()
        if self._deadline is not None and delay > self._deadline.remaining():
            raise DeadlineReached()
        if delay > 0:
            # A fresh event per call: the pacer may serve more than one event loop in its life.
            woken = asyncio.Event()
            self._sleepers.add(woken)
            try:
                await self._race(woken, delay)
            finally:
                self._sleepers.discard(woken)
        self._raise_if_aborted()
