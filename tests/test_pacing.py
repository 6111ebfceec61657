"""Pacer, header parsing and retry policy. Time is virtual: no test sleeps for real.

``run`` drives a coroutine on an event loop whose clock jumps straight to the next timer, so
``asyncio.sleep`` and the pacer's waits take no wall time and every run is deterministic; the
pacer gets ``clock=loop.time``. ``QuotaServer`` enforces a quota the way the real API does
(counted when a request arrives, sliding or fixed window) and answers 429 with headers.
"""
from __future__ import annotations

import asyncio
import datetime
import email.utils
import itertools
import math
import random
import selectors
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from codestral_bot.errors import ModelAuthError
from codestral_bot.errors import ModelError
from codestral_bot.errors import UsageError
from codestral_bot.pacing import NEVER_RETRY
from codestral_bot.pacing import PLANS
from codestral_bot.pacing import Deadline
from codestral_bot.pacing import DeadlineReached
from codestral_bot.pacing import Limits
from codestral_bot.pacing import Pacer
from codestral_bot.pacing import RateLimitInfo
from codestral_bot.pacing import RetryPolicy
from codestral_bot.pacing import limits_for
from codestral_bot.pacing import rate_limit_delay
from codestral_bot.pacing import retry_delay

# ---------------------------------------------------------------- virtual time


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0


class _TimeTravelSelector(selectors.DefaultSelector):
    """Instead of blocking until the next timer, move the clock to it."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self._clock = clock

    def select(self, timeout: float | None = None) -> Any:
        if timeout is None:
            raise RuntimeError('deadlock: every task waits and no timer is set')
        self._clock.now += max(timeout, 0.0)
        return super().select(0)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._virtual = _Clock()
        super().__init__(_TimeTravelSelector(self._virtual))

    def time(self) -> float:
        return self._virtual.now


def run(main: Callable[[], Awaitable[Any]]) -> Any:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main())  # type: ignore[arg-type]


def now() -> float:
    return asyncio.get_running_loop().time()


def make_pacer(limits: Limits, **kwargs: Any) -> Pacer:
    return Pacer(limits, clock=now, **kwargs)


# ---------------------------------------------------------------- a quota like the API's


class QuotaServer:
    """Counts a request when it arrives; sliding window (t-W, t] or fixed windows [kW, (k+1)W)."""

    def __init__(self, limits: Limits, *, fixed: bool = False, hints: str = 'retry-after') -> None:
        self.limits = limits
        self.fixed = fixed
        self.hints = hints  # 'retry-after', 'x-ratelimit' or 'none'
        self.accepted: list[tuple[float, float]] = []
        self.rejected = 0

    def _window(self, t: float) -> list[tuple[float, float]]:
        w = self.limits.window
        if self.fixed:
            return [a for a in self.accepted if math.floor(a[0] / w) == math.floor(t / w)]
        return [a for a in self.accepted if a[0] > t - w]

    def handle(self, tokens: float) -> tuple[int, dict[str, str]]:
        t = now()
        window = self._window(t)
        over_requests = self.limits.rpm is not None and len(window) + 1 > self.limits.rpm
        over_tokens = self.limits.tpm is not None and sum(k for _, k in window) + tokens > self.limits.tpm
        if over_requests or over_tokens:
            self.rejected += 1
            return 429, self._headers(t, window)
        self.accepted.append((t, tokens))
        return 200, {}

    def _headers(self, t: float, window: list[tuple[float, float]]) -> dict[str, str]:
        w = self.limits.window
        free_at = math.floor(t / w) * w + w if self.fixed else window[0][0] + w
        if self.hints == 'retry-after':
            return {'Retry-After': f'{free_at - t:.3f}'}
        if self.hints == 'x-ratelimit':
            return {'x-ratelimit-remaining-req-minute': '0', 'x-ratelimit-reset-req-minute': f'{free_at - t:.3f}'}
        return {}

    def max_in_any_window(self) -> int:
        times = sorted(t for t, _ in self.accepted)
        w = self.limits.window
        return max((sum(1 for u in times if t <= u < t + w) for t in times), default=0)


POLICY = RetryPolicy()


async def send(
    pacer: Pacer, server: QuotaServer, tokens: float, rng: random.Random,
    *, estimate: float | None = None, latency: float = 0.02,
    cpu: asyncio.Lock | None = None, work: float = 0.0,
) -> int:
    """What the model client (``providers._http.Transport``) does for one request, in the same
    order: settle inside the slot, report success or the 429 after it. ``work`` seconds of the
    client's own CPU per request, one request at a time on ``cpu``, cap how fast a process can send.
    Returns the number of attempts."""
    attempt = 0
    while True:
        attempt += 1
        async with pacer.slot(int(estimate or tokens)) as slot:
            if cpu is not None:
                async with cpu:
                    await asyncio.sleep(work)
            await asyncio.sleep(rng.uniform(0, latency))  # on the way to the server
            status, headers = server.handle(tokens)
            await asyncio.sleep(rng.uniform(0, latency))  # the model's work and the way back
            if status == 200:
                slot.settle(int(tokens))
        if status == 200:
            pacer.on_success()
            return attempt
        pacer.on_rate_limited(rate_limit_delay(headers, 0.0), sent_at=slot.sent_at)
        delay = retry_delay(POLICY, attempt, status, headers, rng, now=0.0, min_delay=pacer.backoff_floor())
        assert delay is not None, 'ran out of retries'
        await pacer.backoff(delay)


async def send_all(
    pacer: Pacer, server: QuotaServer, n: int, tokens: float = 10, *, seed: int | None = None,
    work: float = 0.0, **kw: Any,
) -> float:
    """Sends n requests concurrently; returns the makespan."""
    rng = random.Random(n if seed is None else seed)
    cpu = asyncio.Lock() if work > 0 else None
    start = now()
    await asyncio.gather(*(send(pacer, server, tokens, rng, cpu=cpu, work=work, **kw) for _ in range(n)))
    return now() - start


# ---------------------------------------------------------------- limits


def test_plans_and_overrides() -> None:
    assert limits_for('free') == PLANS['free'] == Limits(30, 100_000, 2_000_000, 4)
    assert limits_for('payg') == Limits(300, 1_000_000, None, 16)
    assert limits_for('free', rpm=60, concurrency=2) == Limits(60, 100_000, 2_000_000, 2)
    custom = limits_for('enterprise', rpm=720, tpm=5_000_000, window=2.0)
    assert (custom.rpm, custom.tpm, custom.tpd, custom.window) == (720, 5_000_000, None, 2.0)
    assert PLANS['payg'].scaled(2.0).window == 2.0


@pytest.mark.parametrize('plan', ['enterprise', 'custom'])
def test_custom_plans_need_explicit_limits(plan: str) -> None:
    with pytest.raises(UsageError, match='--rpm'):
        limits_for(plan)


def test_bad_plan_and_values() -> None:
    with pytest.raises(UsageError, match='unknown plan'):
        limits_for('gold')
    with pytest.raises(UsageError, match='--rpm'):
        limits_for('payg', rpm=0)
    with pytest.raises(ValueError):
        Limits(rpm=-1, tpm=None, tpd=None, concurrency=1)


# ---------------------------------------------------------------- pacing against a quota


@pytest.mark.parametrize('fixed', [False, True], ids=['sliding', 'fixed'])
def test_never_exceeds_rpm_in_any_window_under_concurrency(fixed: bool) -> None:
    limits = Limits(rpm=30, tpm=None, tpd=None, concurrency=8, window=60.0)

    async def main() -> None:
        server = QuotaServer(limits, fixed=fixed)
        await send_all(make_pacer(limits), server, 200, latency=3.0)  # latencies of 0..6 s
        assert server.rejected == 0
        assert server.max_in_any_window() <= 30

    run(main)


@pytest.mark.parametrize('fixed', [False, True], ids=['sliding', 'fixed'])
@pytest.mark.parametrize('n', [600, 1800])
def test_requests_finish_near_the_floor_without_429(n: int, fixed: bool) -> None:
    limits = PLANS['payg'].scaled(2.0)

    async def main() -> None:
        server = QuotaServer(limits, fixed=fixed)
        makespan = await send_all(make_pacer(limits), server, n, latency=0.02)
        floor = n / 300 * 2.0
        assert server.rejected == 0
        assert makespan <= 1.05 * floor

    run(main)


def test_tpm_binds_with_large_prompts_and_settle_corrects_estimates() -> None:
    # 500 real tokens per request, 20 per window by tokens, 300 by requests.
    limits = Limits(rpm=300, tpm=10_000, tpd=None, concurrency=16, window=2.0)

    async def main() -> None:
        server = QuotaServer(limits)
        pacer = make_pacer(limits)
        makespan = await send_all(pacer, server, 200, tokens=500, estimate=800, latency=0.02)
        floor = 200 * 500 / 10_000 * 2.0
        assert server.rejected == 0
        assert makespan <= 1.05 * floor

    run(main)


def test_concurrency_cap_holds() -> None:
    limits = Limits(rpm=None, tpm=None, tpd=None, concurrency=3)
    peak = 0

    async def one(pacer: Pacer) -> None:
        nonlocal peak
        async with pacer.slot(1):
            peak = max(peak, pacer.in_flight)
            await asyncio.sleep(1.0)

    async def main() -> float:
        pacer = make_pacer(limits)
        start = now()
        await asyncio.gather(*(one(pacer) for _ in range(9)))
        return now() - start

    assert run(main) == pytest.approx(3.0)
    assert peak == 3


def test_settle_down_frees_tokens_at_once() -> None:
    limits = Limits(rpm=None, tpm=1000, tpd=None, concurrency=4, window=60.0)

    async def main() -> None:
        pacer = make_pacer(limits)
        admitted: list[float] = []

        async def second() -> None:
            async with pacer.slot(100):
                admitted.append(now())

        start = now()
        async with pacer.slot(1000) as slot:
            task = asyncio.create_task(second())
            await asyncio.sleep(1.0)
            assert not admitted  # the estimate fills the window
            slot.settle(100)
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            assert admitted == [start + 1.0]
        await task

    run(main)


def test_settle_up_holds_back_the_next_request() -> None:
    limits = Limits(rpm=None, tpm=1000, tpd=None, concurrency=4, window=60.0)

    async def main() -> None:
        pacer = make_pacer(limits)
        start = now()
        async with pacer.slot(100) as slot:
            await asyncio.sleep(1.0)
            slot.settle(1000)
        async with pacer.slot(100):
            # the first request stays in the log one window (plus margin) after it finished
            assert now() == pytest.approx(start + 1.0 + 60.0 * 1.01)

    run(main)


def test_a_request_bigger_than_the_budget_goes_alone() -> None:
    limits = Limits(rpm=None, tpm=1000, tpd=None, concurrency=4, window=60.0)

    async def main() -> None:
        pacer = make_pacer(limits)
        start = now()
        async with pacer.slot(5000):
            pass
        async with pacer.slot(5000):
            assert now() == pytest.approx(start + 60.0 * 1.01)

    run(main)


def test_first_come_first_served() -> None:
    limits = Limits(rpm=None, tpm=1000, tpd=None, concurrency=8, window=10.0)
    order: list[str] = []

    async def one(pacer: Pacer, name: str, cost: int) -> None:
        async with pacer.slot(cost):
            order.append(name)

    async def main() -> None:
        pacer = make_pacer(limits)
        jobs = [('big1', 900), ('big2', 900), ('small', 10), ('big3', 900)]
        await asyncio.gather(*(one(pacer, name, cost) for name, cost in jobs))

    run(main)
    assert order == ['big1', 'big2', 'small', 'big3']


def test_injected_fake_sleep_drives_the_pacer() -> None:
    class FakeClock:
        def __init__(self) -> None:
            self.now = 0.0

        def __call__(self) -> float:
            return self.now

        async def sleep(self, seconds: float) -> None:
            self.now += seconds
            await asyncio.sleep(0)

    clock = FakeClock()

    async def main() -> list[float]:
        pacer = Pacer(Limits(2, None, None, 1, window=60.0), clock=clock, sleep=clock.sleep)
        sent = []
        for _ in range(3):
            async with pacer.slot(0) as slot:
                sent.append(slot.sent_at)
        return sent

    assert asyncio.run(main()) == [0.0, 0.0, pytest.approx(60.6)]


# ---------------------------------------------------------------- AIMD


def test_rate_limited_pauses_everyone_then_releases_them_spaced_out() -> None:
    limits = Limits(rpm=60, tpm=None, tpd=None, concurrency=16, window=60.0)

    async def main() -> None:
        pacer = make_pacer(limits)
        start = now()
        pacer.on_rate_limited(10.0)
        assert pacer.factor == pytest.approx(0.7)
        sent: list[float] = []

        async def one() -> None:
            async with pacer.slot(0) as slot:
                sent.append(slot.sent_at)

        await asyncio.gather(*(one() for _ in range(5)))
        interval = 60.0 / 42  # one request per interval at the lowered rate
        assert sent[0] >= start + 10.0
        assert all(b - a >= interval - 1e-9 for a, b in itertools.pairwise(sent))

    run(main)


def test_a_burst_of_429s_from_one_window_cuts_the_rate_once() -> None:
    limits = PLANS['payg'].scaled(2.0)

    async def main() -> None:
        pacer = make_pacer(limits)
        sent = now()
        await asyncio.sleep(0.1)
        for _ in range(16):  # every request in flight when the window filled up
            pacer.on_rate_limited(0.0, sent_at=sent)
        assert pacer.factor == pytest.approx(0.7)
        await asyncio.sleep(0.5)
        # Retried at once (the server said 0 s) into the same over-full window: the same signal.
        pacer.on_rate_limited(0.0, sent_at=now())
        assert pacer.factor == pytest.approx(0.7)
        await asyncio.sleep(0.5)  # half a window after the cut: the cut rate itself is too high
        pacer.on_rate_limited(0.0, sent_at=now())
        assert pacer.factor == pytest.approx(0.49)

    run(main)


def test_429s_without_a_hint_wait_for_the_window_and_cut_once() -> None:
    limits = Limits(rpm=300, tpm=None, tpd=None, concurrency=16, window=2.0)

    async def main() -> None:
        pacer = make_pacer(limits)
        start = now()
        async with pacer.slot(0) as rejected:  # a 429 (never settled): it holds no place on the server
            await asyncio.sleep(0.05)
        async with pacer.slot(0) as counted:
            await asyncio.sleep(0.05)
            counted.settle(10)
        await asyncio.sleep(0.4)
        for _ in range(5):
            pacer.on_rate_limited(None, sent_at=rejected.sent_at)
        assert pacer.factor == pytest.approx(0.7)
        # Not one request interval (9.5 ms): until the oldest request the server counted leaves.
        free_at = start + 0.1 + 2.0 * 1.01
        assert pacer.paused_until == pytest.approx(free_at)
        async with pacer.slot(0) as retry:
            assert retry.sent_at >= free_at
        pacer.on_rate_limited(None, sent_at=start + 1.0)  # sent during the pause: the same signal
        assert pacer.factor == pytest.approx(0.7)

    run(main)


def test_429_without_a_hint_and_nothing_counted_probes_soon() -> None:
    # Nothing of ours holds the server's window (someone else fills it): no reason to wait a
    # whole window; the jittered retry backoff probes.
    limits = Limits(rpm=300, tpm=None, tpd=None, concurrency=16, window=2.0)

    async def main() -> None:
        pacer = make_pacer(limits)
        async with pacer.slot(0) as rejected:
            await asyncio.sleep(0.05)
        pacer.on_rate_limited(None, sent_at=rejected.sent_at)
        assert pacer.paused_until - now() == pytest.approx(2.0 / (300 * 0.7))

    run(main)


def test_rate_recovers_additively_and_never_above_the_limit() -> None:
    async def main() -> None:
        pacer = make_pacer(PLANS['payg'])
        pacer.on_rate_limited(0.0)
        pacer.on_rate_limited(0.0)
        low = pacer.factor
        async with pacer.slot(0):
            pass
        pacer.on_success()
        assert low < pacer.factor <= low + 0.1  # at most +recovery per success
        for _ in range(1000):
            pacer.on_success()
        assert pacer.factor == 1.0
        assert pacer.effective_rpm == 300

    run(main)


def test_factor_has_a_floor() -> None:
    async def main() -> None:
        pacer = make_pacer(PLANS['free'], min_factor=0.1)
        for _ in range(50):
            pacer.on_rate_limited(0.0)
            await asyncio.sleep(PLANS['free'].window)  # one signal per window
        assert pacer.factor == pytest.approx(0.1)
        assert pacer.effective_rpm == pytest.approx(3.0)

    run(main)


@pytest.mark.parametrize('per_process', [150, 300])
@pytest.mark.parametrize('hints', ['retry-after', 'x-ratelimit', 'none'])
def test_four_pacers_sharing_one_key_converge(hints: str, per_process: int) -> None:
    # Four processes, each believing it has the whole quota; only 429s tell them otherwise. As in
    # the benchmark they start a few ms apart and each sends as fast as its own CPU allows.
    limits = PLANS['payg'].scaled(2.0)

    async def main() -> tuple[list[float], list[float]]:
        server = QuotaServer(limits, hints=hints)
        start = now()
        pacers = [make_pacer(limits) for _ in range(4)]
        runs = (_finish_time(p, i, server, start, per_process) for i, p in enumerate(pacers))
        finish = await asyncio.gather(*runs)
        return finish, [p.factor for p in pacers]

    finish, factors = run(main)
    floor = 4 * per_process / 300 * 2.0
    assert max(finish) <= floor / 0.9  # at least 90% of the quota
    assert max(finish) / min(finish) <= 1.5  # nobody starves
    # Each window's wave of 429s was one signal: no cascade of cuts to a fraction of the share.
    assert all(0.4 < f < 1.0 for f in factors)


async def _finish_time(pacer: Pacer, index: int, server: QuotaServer, start: float, n: int) -> float:
    await asyncio.sleep(0.005 * index)
    await send_all(pacer, server, n, seed=index, latency=0.02, work=0.012)
    return now() - start


# ---------------------------------------------------------------- deadline and abort


def test_deadline_raises_at_once_when_the_budget_frees_too_late() -> None:
    async def main() -> None:
        pacer = make_pacer(Limits(1, None, None, 4, window=60.0), deadline=Deadline(5.0, now))
        start = now()
        async with pacer.slot(0):
            pass
        with pytest.raises(DeadlineReached):
            async with pacer.slot(0):
                pass
        assert now() == start  # did not wait at all

    run(main)


def test_deadline_stops_a_wait_of_unknown_length_at_the_deadline() -> None:
    async def main() -> None:
        deadline = Deadline(5.0, now)
        pacer = make_pacer(Limits(None, None, None, 1), deadline=deadline)
        start = now()

        async def holder() -> None:
            async with pacer.slot(0):
                await asyncio.sleep(100.0)

        task = asyncio.create_task(holder())
        await asyncio.sleep(0)
        with pytest.raises(DeadlineReached) as info:
            async with pacer.slot(0):
                pass
        assert now() == pytest.approx(start + 5.0)
        assert isinstance(info.value, ModelError)
        task.cancel()

    run(main)


def test_backoff_refuses_to_sleep_past_the_deadline() -> None:
    async def main() -> None:
        pacer = make_pacer(PLANS['payg'], deadline=Deadline(3.0, now))
        start = now()
        await pacer.backoff(1.0)
        with pytest.raises(DeadlineReached):
            await pacer.backoff(5.0)
        assert now() == pytest.approx(start + 1.0)

    run(main)


def test_deadline_without_limit() -> None:
    deadline = Deadline(None)
    assert deadline.remaining() == math.inf
    assert not deadline.expired
    deadline.check()


def test_abort_wakes_every_waiter_with_the_exception() -> None:
    async def main() -> None:
        pacer = make_pacer(Limits(1, None, None, 1, window=60.0))
        error = ModelAuthError('401 Unauthorized: check CODESTRAL_API_KEY', status=401)
        async with pacer.slot(0):
            pass
        waiters = [asyncio.create_task(_enter(pacer)) for _ in range(5)]
        sleeper = asyncio.create_task(pacer.backoff(30.0))
        await asyncio.sleep(1.0)
        pacer.abort(error)
        results = await asyncio.gather(*waiters, sleeper, return_exceptions=True)
        assert all(r is error for r in results)
        assert now() < 1000.0 + 2.0  # at once, not after the window
        with pytest.raises(ModelAuthError):
            await _enter(pacer)

    run(main)


async def _enter(pacer: Pacer) -> None:
    async with pacer.slot(0):
        pass


def test_cancelled_waiter_leaves_the_queue() -> None:
    async def main() -> None:
        pacer = make_pacer(Limits(None, None, None, 1))
        async with pacer.slot(0):
            task = asyncio.create_task(_enter(pacer))
            await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await asyncio.wait_for(_enter(pacer), 1.0)

    run(main)


# ---------------------------------------------------------------- headers

NOW = 1_760_000_000.0  # wall-clock "now" for HTTP dates and epoch resets


def _http_date(epoch: float) -> str:
    return email.utils.format_datetime(datetime.datetime.fromtimestamp(epoch, datetime.UTC), usegmt=True)


@pytest.mark.parametrize(
    ('headers', 'expected'),
    [
        ({'Retry-After': '3'}, 3.0),
        ({'retry-after': '1.5'}, 1.5),
        ({'Retry-After': _http_date(NOW + 42)}, 42.0),
        ({'Retry-After': _http_date(NOW - 42)}, 0.0),
        ({'Retry-After': 'soon', 'x-ratelimit-reset': '7'}, 7.0),
        ({'x-ratelimit-reset-req-minute': '12'}, 12.0),
        ({'RateLimitBySize-Reset': '20'}, 20.0),
        ({'x-ratelimit-reset': str(int(NOW) + 30)}, 30.0),
        ({'x-ratelimit-reset': str(int(NOW * 1000) + 30_000)}, 30.0),
        (
            {
                'x-ratelimit-remaining-req-minute': '12', 'x-ratelimit-reset-req-minute': '50',
                'x-ratelimit-remaining-tokens-minute': '0', 'x-ratelimit-reset-tokens-minute': '4',
            },
            4.0,
        ),
        ({'x-ratelimit-remaining-req-minute': '0'}, None),
        ({'x-ratelimitbysize-remaining-minute': '0', 'content-type': 'application/json'}, None),
        ({}, None),
    ],
)
def test_rate_limit_delay(headers: dict[str, str], expected: float | None) -> None:
    delay = rate_limit_delay(headers, NOW)
    assert delay == (None if expected is None else pytest.approx(expected, abs=1.0))


def test_rate_limit_info_newer_family() -> None:
    info = RateLimitInfo.from_headers({
        'x-ratelimit-limit-req-minute': '300',
        'x-ratelimit-remaining-req-minute': '299',
        'x-ratelimit-limit-tokens-minute': '1000000',
        'x-ratelimit-remaining-tokens-minute': '998765',
        'x-ratelimit-limit-tokens-month': '1000000000',
        'x-ratelimit-remaining-tokens-month': '999000000',
        'x-ratelimit-tokens-query-cost': '99',
        'content-type': 'application/json',
    })
    assert (info.requests_limit, info.requests_remaining) == (300, 299)
    assert (info.tokens_limit, info.tokens_remaining) == (1_000_000, 998_765)
    assert (info.tokens_limit_month, info.tokens_remaining_month) == (1_000_000_000, 999_000_000)
    assert info.query_cost == 99
    assert len(info.headers) == 7
    assert info.describe() == (
        'requests/minute: 300 (299 left); tokens/minute: 1,000,000 (998,765 left); '
        'tokens/month: 1,000,000,000 (999,000,000 left)'
    )


def test_rate_limit_info_older_family() -> None:
    info = RateLimitInfo.from_headers({
        'ratelimitbysize-limit': '500000',
        'ratelimitbysize-remaining': '499000',
        'ratelimitbysize-reset': '21',
        'ratelimitbysize-query-cost': '1000',
        'x-ratelimitbysize-limit-month': '1000000000',
        'x-ratelimitbysize-remaining-month': '999999000',
        'X-RateLimitBySize-Limit-Minute': '500000',
    })
    assert (info.tokens_limit, info.tokens_remaining, info.query_cost) == (500_000, 499_000, 1000)
    assert (info.tokens_limit_month, info.tokens_remaining_month) == (1_000_000_000, 999_999_000)
    assert info.requests_limit is None
    assert RateLimitInfo.from_headers({}).describe() == 'no rate-limit headers in the response'


# ---------------------------------------------------------------- retry policy


@pytest.mark.parametrize('status', sorted(NEVER_RETRY | {409}))
def test_never_retried(status: int) -> None:
    assert retry_delay(POLICY, 1, status, {'Retry-After': '1'}, random.Random(0)) is None


def test_429_honours_the_header_and_gives_up_on_a_monthly_cap() -> None:
    rng = random.Random(0)
    assert retry_delay(POLICY, 1, 429, {'Retry-After': '2.5'}, rng, now=NOW) == 2.5
    assert retry_delay(POLICY, 1, 429, {'Retry-After': '2.5'}, rng, now=NOW, min_delay=4.0) == 4.0
    assert retry_delay(POLICY, 1, 429, {'Retry-After': _http_date(NOW + 9)}, rng, now=NOW) == pytest.approx(9)
    assert retry_delay(POLICY, 1, 429, {'Retry-After': str(86_400)}, rng, now=NOW) is None


def test_429_without_headers_backs_off_with_jitter_from_the_pacing_floor() -> None:
    rng = random.Random(1)
    delays = [retry_delay(POLICY, 3, 429, {}, rng, min_delay=0.2) for _ in range(200)]
    assert all(d is not None and 0.2 <= d <= 0.2 + 2.0 for d in delays)
    assert len(set(delays)) == 200  # jittered, not a fixed sleep
    assert retry_delay(POLICY, POLICY.max_429_attempts, 429, {}, rng) is None


@given(
    attempt=st.integers(min_value=1, max_value=200),
    status=st.sampled_from([None, 408, 429, 500, 502, 503, 504]),
    min_delay=st.floats(min_value=0, max_value=100),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=300)
def test_backoff_without_headers_is_bounded_by_cap(
    attempt: int, status: int | None, min_delay: float, seed: int,
) -> None:
    policy = RetryPolicy(max_attempts=1000, max_429_attempts=1000)
    delay = retry_delay(policy, attempt, status, None, random.Random(seed), min_delay=min_delay)
    assert delay is not None
    assert 0 <= delay <= policy.cap
    if status != 429:
        assert delay <= policy.base * 2 ** (attempt - 1)


def test_transient_errors_get_bounded_retries() -> None:
    rng = random.Random(2)
    assert retry_delay(POLICY, 1, None, None, rng) is not None
    assert retry_delay(POLICY, 3, 503, None, rng) is not None
    assert retry_delay(POLICY, 4, 502, None, rng) is None
    assert retry_delay(POLICY, 1, 503, {'Retry-After': '500'}, rng) == POLICY.cap
