"""Client-side pacing, backoff and deadlines for the Codestral API.

Every request of a run waits in ``Pacer.slot`` until the requests-per-window budget, the
tokens-per-window budget and the concurrency cap all allow it, so a run goes as fast as the quota
allows without provoking 429s. The budgets are a *sliding log*: a request counts against the
window from the moment it is admitted until one window after its response came back. The server
counts a request somewhere between those two moments, so in any stretch of one window the server
can never see more than the budget from us, whether it enforces a sliding or a fixed window, and
whatever the network latency. A small margin (1% of the window) absorbs clock differences.

A run may start with a burst of a whole window's budget (a commit hook with ten stubs sends them
at once); after a 429 a token bucket, emptied and refilled at the window's rate, spaces the
waiters out so the end of a pause is not a stampede, and the effective budgets shrink (AIMD:
×0.7 on a 429, +10% of the limit per window of successes), which is how several processes
sharing one key converge on their share.

A 429 is one *signal* per over-full window, not one per rejected request: a burst of 429s, and
any 429 within half a window of the last cut, cuts the rate once. Without a delay hint from the
server the pause lasts until the oldest request the API counted for us leaves the window, the
first moment the server's window can have room (processes sharing a key started their windows
together); a pause of one request interval would send the next round into the same full window,
draw more 429s and cut again and again, far below the key's real share.

Why not ``aiolimiter`` or ``limits``: ``aiolimiter.AsyncLimiter`` is a leaky bucket whose capacity
equals the rate, so it lets through up to twice the budget in one window (a full burst, then the
refill) — a sliding-window server answers that with 429s; it reads the event loop's clock (no
fake clock), cannot give tokens back when the API reports the real usage, and cannot lower its
rate after a 429. ``limits`` has a moving-window strategy, but it only answers "allowed now?"
(no waiting, no fairness between waiters), counts hits at the moment of the call and cannot
correct a hit's weight afterwards. Both would need the log above anyway, so we keep one.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import email.utils
import math
import random
import time
from collections import deque
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping

from codestral_bot.errors import ModelError
from codestral_bot.errors import UsageError

__all__ = [
    'CUSTOM_PLANS',
    'DEFAULT_PLAN',
    'NEVER_RETRY',
    'PLANS',
    'Deadline',
    'DeadlineReached',
    'Limits',
    'Pacer',
    'RateLimitInfo',
    'RetryPolicy',
    'Slot',
    'limits_for',
    'rate_limit_delay',
    'retry_delay',
]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]
# Waits shorter than this count as none: a sleep of 1e-16 s does not move a float clock.
_EPSILON = 1e-6


# ---------------------------------------------------------------- limits


@dataclasses.dataclass(frozen=True)
class Limits:
    """A quota. ``rpm`` and ``tpm`` are per ``window`` seconds (a minute, unless scaled for tests).

    ``tpd`` (tokens per UTC day) is enforced by ``quota_store.DailyQuota``, not by the pacer.
    """

    rpm: float | None  # requests per window; None = not limited
    tpm: float | None  # tokens (prompt + completion) per window; None = not limited
    tpd: float | None  # tokens per day
    concurrency: int  # requests in flight at once
    window: float = 60.0

    def __post_init__(self) -> None:
        for name in ('rpm', 'tpm', 'tpd'):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f'{name} must be positive, got {value!r}')
        if self.concurrency < 1 or not self.window > 0:
            raise ValueError('concurrency must be >= 1 and window > 0')

    def scaled(self, window: float) -> Limits:
        """The same budgets per ``window`` seconds: a "minute" of 2 s for tests and benchmarks."""
        return dataclasses.replace(self, window=window)


PLANS: Mapping[str, Limits] = {
    'free': Limits(rpm=30, tpm=100_000, tpd=2_000_000, concurrency=4),
    'payg': Limits(rpm=300, tpm=1_000_000, tpd=None, concurrency=16),
}
CUSTOM_PLANS = ('enterprise', 'custom')
DEFAULT_PLAN = 'payg'
_CUSTOM_CONCURRENCY = 16


def limits_for(
    plan: str,
    rpm: float | None = None,
    tpm: float | None = None,
    tpd: float | None = None,
    concurrency: int | None = None,
    *,
    window: float = 60.0,
) -> Limits:
    """The plan's limits with the user's overrides (``--rpm`` etc.) winning."""
    base = PLANS.get(plan)
    if base is None:
        base = _custom_base(plan, rpm, tpm)
    for flag, value in (('--rpm', rpm), ('--tpm', tpm), ('--tpd', tpd), ('--concurrency', concurrency)):
        if value is not None and not value > 0:
            raise UsageError(f'{flag} must be a positive number, got {value!r}')
    return Limits(
        rpm=base.rpm if rpm is None else rpm,
        tpm=base.tpm if tpm is None else tpm,
        tpd=base.tpd if tpd is None else tpd,
        concurrency=base.concurrency if concurrency is None else int(concurrency),
        window=window,
    )


def _custom_base(plan: str, rpm: float | None, tpm: float | None) -> Limits:
    names = ', '.join([*PLANS, *CUSTOM_PLANS])
    if plan not in CUSTOM_PLANS:
        raise UsageError(f'unknown plan {plan!r}: use one of {names}')
    if rpm is None and tpm is None:
        raise UsageError(
            f'plan {plan!r} has no built-in limits: set --rpm and --tpm (your real limits are in the '
            'x-ratelimit-limit-* headers of any API response; see the README)'
        )
    return Limits(rpm=None, tpm=None, tpd=None, concurrency=_CUSTOM_CONCURRENCY)


# ---------------------------------------------------------------- deadline


class DeadlineReached(ModelError):
    """The run's deadline (``--timeout``) came before this request could be sent or retried."""

    kind = 'deadline'

    def __init__(self, message: str = 'not filled: deadline (the run timeout was reached)') -> None:
        super().__init__(message)


class Deadline:
    """The end of a run, on ``clock``; ``seconds=None`` means no deadline."""

    def __init__(self, seconds: float | None, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self.at = None if seconds is None else clock() + seconds

    def remaining(self) -> float:
        if self.at is None:
            return math.inf
        return max(0.0, self.at - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self) -> None:
        if self.expired:
            raise DeadlineReached()


# ---------------------------------------------------------------- the pacer


@dataclasses.dataclass(eq=False)
class _Entry:
    """One admitted request in the sliding log."""

    sent_at: float
    tokens: float
    done_at: float | None = None  # None while in flight: it counts until it is done
    counted: bool = False  # the API answered it (settled): it holds a place in the server's window


@dataclasses.dataclass(eq=False)
class _Waiter:
    cost: float
    wake: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


class Slot:
    """The permission to send one request, handed out by ``Pacer.slot``."""

    def __init__(self, pacer: Pacer, entry: _Entry) -> None:
        self._pacer = pacer
        self._entry = entry

    @property
    def sent_at(self) -> float:
        """When the slot was granted, on the pacer's clock (pass it to ``on_rate_limited``)."""
        return self._entry.sent_at

    def settle(self, actual_tokens: int) -> None:
        """Replace the estimate with what the API counted (``usage.total_tokens``)."""
        self._pacer._settle(self._entry, actual_tokens)


class Pacer:
    """Paces a run's requests before they are sent; one per run (per event loop), shared by all tasks.

    Use::

        async with pacer.slot(estimated_prompt_tokens + max_tokens) as slot:
            response = await send()
        slot.settle(usage.total_tokens)

    Waiters are served first come, first served. ``decrease`` and ``recovery`` tune AIMD;
    ``cut_spacing`` is the fraction of a window after a cut during which further 429s belong to
    the same signal; ``margin`` is the fraction of a window added to each request's stay in the log.
    """

    def __init__(
        self,
        limits: Limits,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        deadline: Deadline | None = None,
        decrease: float = 0.7,
        recovery: float = 0.1,
        min_factor: float = 0.05,
        cut_spacing: float = 0.5,
        margin: float = 0.01,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._deadline = deadline
        self._decrease = decrease
        self._recovery = recovery
        self._min_factor = min_factor
        self._cut_spacing = limits.window * cut_spacing
        self._stay = limits.window * (1 + margin)
        self._factor = 1.0
        self._inflight: set[_Entry] = set()
        self._done: deque[_Entry] = deque()  # in done_at order, so in expiry order
        self._queue: deque[_Waiter] = deque()
        self._not_before = -math.inf
        self._quiet_until = -math.inf  # 429s for requests sent before this are the last cut's signal
        self._level = float(limits.rpm or 0)  # starts full: a short run goes out at once
        self._level_at = clock()
        self._aborted: BaseException | None = None
        self._sleepers: set[asyncio.Event] = set()  # backoffs that abort must cut short

    # -- public state

    @property
    def factor(self) -> float:
        """The AIMD multiplier (1.0 = the configured limits) applied to both budgets."""
        return self._factor

    @property
    def effective_rpm(self) -> float | None:
        if self.limits.rpm is None:
            return None
        return max(1.0, self.limits.rpm * self._factor)

    @property
    def effective_tpm(self) -> float | None:
        if self.limits.tpm is None:
            return None
        return max(1.0, self.limits.tpm * self._factor)

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    @property
    def paused_until(self) -> float:
        return self._not_before

    # -- slots

    @contextlib.asynccontextmanager
    async def slot(self, estimated_tokens: int = 0) -> AsyncIterator[Slot]:
        """Wait until the request may be sent. Raises ``DeadlineReached`` rather than waiting past
        the deadline, or the exception given to ``abort``."""
        entry = await self._acquire(float(max(0, estimated_tokens)))
        try:
            yield Slot(self, entry)
        finally:
            self._release(entry)

    async def _acquire(self, cost: float) -> _Entry:
        waiter = _Waiter(cost)
        self._queue.append(waiter)
        try:
            return await self._wait_turn(waiter)
        finally:
            with contextlib.suppress(ValueError):
                self._queue.remove(waiter)
            self._wake_head()

    async def _wait_turn(self, waiter: _Waiter) -> _Entry:
        while True:
            self._raise_if_aborted()
            if self._deadline is not None:
                self._deadline.check()
            waiter.wake.clear()
            now = self._clock()
            # Only the head may go: first come, first served, so big prompts do not starve.
            wait = self._wait_time(waiter.cost, now) if self._queue[0] is waiter else math.inf
            if wait <= _EPSILON:
                return self._admit(waiter.cost, now)
            await self._pause(waiter.wake, wait)

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

    def _admit(self, cost: float, now: float) -> _Entry:
        entry = _Entry(sent_at=now, tokens=cost)
        self._inflight.add(entry)
        if self.limits.rpm is not None:
            self._level = self._bucket_level(now) - 1
            self._level_at = now
        return entry

    def _release(self, entry: _Entry) -> None:
        self._inflight.discard(entry)
        entry.done_at = self._clock()
        self._done.append(entry)
        self._wake_head()

    def _settle(self, entry: _Entry, actual_tokens: int) -> None:
        entry.tokens = float(max(0, actual_tokens))
        entry.counted = True
        self._wake_head()

    def _wake_head(self) -> None:
        if self._queue:
            self._queue[0].wake.set()

    # -- budgets

    def _wait_time(self, cost: float, now: float) -> float:
        """Seconds until a request of ``cost`` tokens may go; inf = until a request finishes."""
        self._prune(now)
        if len(self._inflight) >= self.limits.concurrency:
            return math.inf
        return max(
            self._not_before - now,
            self._bucket_wait(now),
            self._request_wait(now),
            self._token_wait(cost, now),
            0.0,
        )

    def _prune(self, now: float) -> None:
        while self._done and self._expiry(self._done[0]) <= now:
            self._done.popleft()

    def _expiry(self, entry: _Entry) -> float:
        assert entry.done_at is not None
        return entry.done_at + self._stay

    def _request_wait(self, now: float) -> float:
        rpm = self.effective_rpm
        if rpm is None:
            return 0.0
        must_expire = len(self._inflight) + len(self._done) - int(rpm) + 1
        if must_expire <= 0:
            return 0.0
        if must_expire > len(self._done):
            return math.inf
        return self._expiry(self._done[must_expire - 1]) - now

    def _token_wait(self, cost: float, now: float) -> float:
        tpm = self.effective_tpm
        if tpm is None:
            return 0.0
        used = sum(e.tokens for e in self._inflight) + sum(e.tokens for e in self._done)
        # A request bigger than the whole budget goes alone, when the window is empty.
        excess = used + min(cost, tpm) - tpm
        if excess <= 0:
            return 0.0
        for entry in self._done:
            excess -= entry.tokens
            if excess <= 0:
                return self._expiry(entry) - now
        return math.inf

    def _bucket_level(self, now: float) -> float:
        rpm = self.effective_rpm or 0.0
        refilled = max(0.0, now - self._level_at) * rpm / self.limits.window
        return min(rpm, self._level + refilled)

    def _bucket_wait(self, now: float) -> float:
        rpm = self.effective_rpm
        if rpm is None:
            return 0.0
        missing = 1 - self._bucket_level(now)
        if missing <= 0:
            return 0.0
        return max(0.0, self._level_at - now) + missing * self.limits.window / rpm

    # -- feedback from the API

    def on_success(self) -> None:
        """A request succeeded: recover the rate additively, +``recovery`` per window of successes."""
        if self._factor >= 1.0:
            return
        self._prune(self._clock())
        per_window = max(1, len(self._inflight) + len(self._done))
        self._factor = min(1.0, self._factor + self._recovery / per_window)
        self._wake_head()

    def on_rate_limited(self, delay_hint: float | None, *, sent_at: float | None = None) -> None:
        """A 429: pause every waiter until the hint has passed (without one: until the window can
        have room), then release them one request interval apart, and cut the rate multiplicatively.

        Pass the slot's ``sent_at``: a 429 for a request sent before the last cut's pause and
        quiet period ended is the same signal and does not cut again (one burst is one cut).
        """
        now = self._clock()
        cut = (now if sent_at is None else sent_at) >= self._quiet_until
        if cut:
            self._factor = max(self._min_factor, self._factor * self._decrease)
        pause = self._no_hint_pause(now) if delay_hint is None else max(0.0, delay_hint)
        self._not_before = max(self._not_before, now + pause)
        if cut:
            # The requests still in flight went out at the old rate, and a retry within half a
            # window meets the same over-full window: their 429s say nothing new.
            self._quiet_until = max(self._not_before, now + self._cut_spacing)
        # An empty bucket that starts refilling when the pause ends spaces the restart out.
        self._level = 0.0
        self._level_at = self._not_before
        self._wake_head()

    def _no_hint_pause(self, now: float) -> float:
        """Until the oldest request the API counted for us leaves the window: the first moment we
        know the server's window gains room (peers sharing the key filled it alongside us)."""
        floor = self.backoff_floor()
        counted = next((e for e in self._done if e.counted), None)  # pruned by backoff_floor
        if counted is None:
            # Nothing of ours holds the window: someone else fills it; the jittered retry probes.
            return floor
        return max(floor, self._expiry(counted) - now)

    def backoff_floor(self) -> float:
        """The least time worth waiting before a retry: the current pause, one request interval,
        and until our own window has room for one more request."""
        now = self._clock()
        self._prune(now)
        rpm = self.effective_rpm
        interval = self.limits.window / rpm if rpm is not None else 0.0
        room = self._request_wait(now)
        return max(self._not_before - now, interval, room if math.isfinite(room) else 0.0)

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


# ---------------------------------------------------------------- rate-limit headers


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


# ---------------------------------------------------------------- retries

NEVER_RETRY = frozenset({400, 401, 403, 404, 422})
_RNG = random.Random()


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Attempts count the first one: ``max_attempts=4`` is the first try and three retries."""

    max_attempts: int = 4  # 5xx, 408, timeouts, connection errors
    max_429_attempts: int = 8
    base: float = 0.5  # seconds; the jitter ceiling doubles with each attempt
    cap: float = 20.0  # longest backoff we choose ourselves
    max_hint: float = 120.0  # a longer Retry-After means a daily or monthly cap: give up


def retry_delay(
    policy: RetryPolicy,
    attempt: int,
    status: int | None,
    headers: Mapping[str, str] | None,
    rng: random.Random | None = None,
    *,
    now: float | None = None,
    min_delay: float = 0.0,
) -> float | None:
    """Seconds to wait before retrying, or None: do not retry.

    ``attempt`` is the 1-based number of the attempt that just failed; ``status`` None means a
    timeout or a connection error. ``now`` is wall-clock time (default ``time.time()``).
    ``min_delay`` comes from the pacing state (``Pacer.backoff_floor()``): with no header to go
    by, a 429 waits at least until our window frees a slot, plus full jitter.
    """
    rng = rng or _RNG
    now = time.time() if now is None else now
    if status == 429:
        return _delay_429(policy, attempt, headers, rng, now, min_delay)
    if status is None or status == 408 or status >= 500:
        return _delay_transient(policy, attempt, headers, rng, now)
    return None  # 400/401/403/404/422 and any other 4xx: the request itself is wrong


def _delay_429(
    policy: RetryPolicy, attempt: int, headers: Mapping[str, str] | None,
    rng: random.Random, now: float, min_delay: float,
) -> float | None:
    if attempt >= policy.max_429_attempts:
        return None
    hint = rate_limit_delay(headers, now)
    if hint is not None:
        return None if hint > policy.max_hint else max(hint, min_delay)
    return min(policy.cap, min_delay + _full_jitter(policy, attempt, rng))


def _delay_transient(
    policy: RetryPolicy, attempt: int, headers: Mapping[str, str] | None,
    rng: random.Random, now: float,
) -> float | None:
    if attempt >= policy.max_attempts:
        return None
    hint = rate_limit_delay(headers, now)  # a 503 may say when to come back
    if hint is not None:
        return min(hint, policy.cap)
    return _full_jitter(policy, attempt, rng)


def _full_jitter(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    exponent = min(max(attempt - 1, 0), 60)  # 2**60 is far past any cap
    return rng.uniform(0.0, min(policy.cap, policy.base * 2.0**exponent))
