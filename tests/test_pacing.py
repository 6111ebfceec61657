"""Plans, the GCRA and the pacer. Time is virtual: no test sleeps for real.

``run`` drives a coroutine on an event loop whose clock jumps straight to the next timer, so
``asyncio.sleep`` and the pacer's waits take no wall time and every run is deterministic; the
pacer gets ``clock=loop.time``. ``QuotaServer`` enforces a quota the way servers do, counting
requests when they arrive over its own window (a second or a minute, sliding or fixed), not the
pacer's: a fake sharing the pacer's window would prove nothing.
"""
from __future__ import annotations

import asyncio
import itertools
import math
import random
import selectors
from pathlib import Path
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import pytest

from codestral_bot import config as config_module
from codestral_bot.errors import ModelAuthError
from codestral_bot.errors import ModelError
from codestral_bot.errors import UsageError
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
from codestral_bot.pacing.gcra import Gcra

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


# ---------------------------------------------------------------- a server's quota


class QuotaServer:
    """Counts a request when it arrives: ``requests`` and/or ``tokens`` per ``window`` seconds,
    sliding (t-W, t] or fixed [kW, (k+1)W). ``hints``: 'retry-after', 'x-ratelimit' (limit and
    remaining on every answer, quoted per ``report_window``) or 'none'."""

    def __init__(self, requests: int | None, tokens: int | None = None, window: float = 1.0, *,
                 fixed: bool = False, hints: str = 'none', report_window: float | None = None) -> None:
        self.requests, self.tokens, self.window = requests, tokens, window
        self.fixed = fixed
        self.hints = hints
        self.report = (report_window or window) / window
        self.accepted: list[tuple[float, float]] = []
        self.rejected = 0

    def _in_window(self, t: float) -> list[tuple[float, float]]:
        w = self.window
        if self.fixed:
            return [a for a in self.accepted if math.floor(a[0] / w) == math.floor(t / w)]
        return [a for a in self.accepted if a[0] > t - w]

    def handle(self, tokens: float) -> tuple[int, dict[str, str]]:
        t = now()
        window = self._in_window(t)
        over_requests = self.requests is not None and len(window) + 1 > self.requests
        over_tokens = self.tokens is not None and sum(k for _, k in window) + tokens > self.tokens
        if over_requests or over_tokens:
            self.rejected += 1
            return 429, self._headers(t, window, refused=True)
        self.accepted.append((t, tokens))
        return 200, self._headers(t, [*window, (t, tokens)], refused=False)

    def _headers(self, t: float, window: list[tuple[float, float]], *, refused: bool) -> dict[str, str]:
        free_at = (math.floor(t / self.window) + 1) * self.window if self.fixed else window[0][0] + self.window
        if self.hints == 'retry-after' and refused:
            return {'Retry-After': f'{free_at - t:.3f}'}
        if self.hints == 'x-ratelimit' and self.requests is not None:
            left = self.requests - len(window)
            return {'x-ratelimit-limit-req-minute': str(round(self.requests * self.report)),
                    'x-ratelimit-remaining-req-minute': str(round(max(0, left) * self.report))}
        return {}

    def max_in_any(self, span: float) -> int:
        """The most requests that arrived within any ``span`` seconds (a sliding counter's view)."""
        times = sorted(t for t, _ in self.accepted)
        return max((sum(1 for u in times if t <= u < t + span) for t in times), default=0)


async def send(pacer: Pacer, server: QuotaServer, tokens: float, rng: random.Random, *,
               estimate: float | None = None, latency: float = 0.02, jitter: float = 0.01) -> int:
    """What the model client (``providers._http.Transport``) does for one request, in the same
    order: settle inside the slot, report the answer after it. ``jitter``: how much the way to
    the server varies; ``latency``: the model's work and the way back. Returns the attempts."""
    attempt = 0
    while True:
        attempt += 1
        async with pacer.slot(int(estimate or tokens)) as slot:
            await asyncio.sleep(rng.uniform(0, jitter))  # on the way to the server
            status, headers = server.handle(tokens)
            await asyncio.sleep(rng.uniform(0, latency))  # the model's work and the way back
            if status == 200:
                slot.settle(int(tokens))
                pacer.on_headers(RateLimitInfo.from_headers(headers))
        if status == 200:
            pacer.on_success()
            return attempt
        pacer.on_rate_limited(rate_limit_delay(headers, 0.0), sent_at=slot.sent_at)
        delay = retry_delay(pacer.retry_policy(POLICY), attempt, status, headers, rng, now=0.0)
        assert delay is not None, 'ran out of retries'
        await pacer.backoff(delay)


async def send_all(pacer: Pacer, server: QuotaServer, n: int, tokens: float = 10, *, seed: int = 0,
                   **kw: Any) -> float:
    """Sends n requests concurrently; returns the makespan."""
    rng = random.Random(seed)
    start = now()
    await asyncio.gather(*(send(pacer, server, tokens, rng, **kw) for _ in range(n)))
    return now() - start


POLICY = RetryPolicy()


# ---------------------------------------------------------------- plans


def test_plans_quote_requests_per_second_as_the_api_enforces_them() -> None:
    assert limits_for('payg') == Limits(rpm=300, tpm=1_000_000, tpd=None, concurrency=16, rps=5.0)
    assert limits_for('free') == Limits(rpm=30, tpm=100_000, tpd=2_000_000, concurrency=4, rps=0.5)
    assert limits_for('payg').request_rate == 5.0
    assert limits_for('payg', window=2.0).request_rate == 150.0  # a scaled minute scales every rate


def test_rps_and_rpm_overrides_derive_each_other() -> None:
    assert limits_for('payg', rpm=600).rps == 10.0  # the issue's --rpm 600: 10 requests/s
    assert limits_for('free', rps=2).rpm == 120
    both = limits_for('payg', rps=10, rpm=300)
    assert both.request_rate == 5.0  # the tighter binds
    custom = limits_for('enterprise', rpm=720, tpm=5_000_000, window=2.0)
    assert (custom.rps, custom.rpm, custom.tpm, custom.tpd, custom.window) == (12, 720, 5_000_000, None, 2.0)


def test_config_reads_the_one_plan_table(tmp_path: Path) -> None:
    assert not hasattr(config_module, 'PLAN_LIMITS')
    config, _ = config_module.load_config(tmp_path, {}, env={})
    assert (config.rps, config.rpm, config.tpm) == (5.0, 300, 1_000_000)
    (tmp_path / '.codestral-bot.toml').write_text('plan = "free"\nrps = 2\n')
    config, source = config_module.load_config(tmp_path, {}, env={})
    assert (config.rps, config.rpm, config.tpm, config.tpd) == (2.0, 120, 100_000, 2_000_000)
    assert source['rps'] == config_module.DOTFILE


@pytest.mark.parametrize('plan', ['enterprise', 'custom'])
def test_custom_plans_need_explicit_limits(plan: str) -> None:
    with pytest.raises(UsageError, match='--rps'):
        limits_for(plan)


def test_bad_plan_and_values() -> None:
    with pytest.raises(UsageError, match='unknown plan'):
        limits_for('gold')
    with pytest.raises(UsageError, match='--rpm'):
        limits_for('payg', rpm=0)
    with pytest.raises(UsageError, match='--rps'):
        limits_for('payg', rps=-1)
    with pytest.raises(ValueError):
        Limits(rpm=-1, tpm=None, tpd=None, concurrency=1)


# ---------------------------------------------------------------- GCRA


def test_gcra_spaces_evenly_and_bursts_at_most_its_burst() -> None:
    bucket = Gcra(rate=5.0, burst=2.0, now=0.0)
    times, t = [], 10.0  # a quiet spell first: the bucket is full
    for _ in range(6):
        t += bucket.wait(1, t)
        bucket.take(1, t)
        times.append(t)
    assert times[:2] == [10.0, 10.0]  # the burst
    assert [round(b - a, 6) for a, b in itertools.pairwise(times[1:])] == [0.2] * 4


def test_gcra_corrections_and_rate_changes() -> None:
    bucket = Gcra(rate=100.0, burst=100.0, now=0.0)
    bucket.take(300, 0.0)  # bigger than the burst: goes when full, the excess is owed
    assert bucket.wait(50, 0.0) == pytest.approx(2.5)
    bucket.give_back(200)  # the API counted 100, not 300
    assert bucket.wait(50, 0.0) == pytest.approx(0.5)
    bucket.set_rate(50.0, 0.0)  # what is owed is paid at the new rate
    assert bucket.wait(50, 0.0) == pytest.approx(1.0)


# ---------------------------------------------------------------- pacing against servers


def test_the_issue_reproduction_sends_evenly_and_draws_no_429() -> None:
    # 60 stubs, a server counting 20 requests per 2 s sliding, the bot told --rpm 600 (10/s).
    # The old pacer sent the minute's budget at once: 16 rejected, 64 s for a 6 s floor.
    limits = limits_for('payg', rpm=600)

    async def main() -> float:
        server = QuotaServer(20, window=2.0)
        makespan = await send_all(Pacer(limits, clock=now), server, 60, latency=0.05)
        assert server.rejected == 0
        return makespan

    assert run(main) <= 1.1 * 6.0


@pytest.mark.parametrize('fixed', [False, True], ids=['sliding', 'fixed'])
@pytest.mark.parametrize('window', [1.0, 60.0], ids=['per-second', 'per-minute'])
def test_no_window_of_the_same_average_sees_a_burst(window: float, fixed: bool) -> None:
    # payg: 5 requests/s. Counted per second or per minute, the server never has reason to refuse.
    async def main() -> float:
        server = QuotaServer(round(5 * window), window=window, fixed=fixed)
        makespan = await send_all(Pacer(limits_for('payg'), clock=now), server, 600, latency=0.5)
        assert server.rejected == 0
        return makespan

    assert run(main) <= 1.1 * 600 / 5


def test_tokens_are_spaced_and_settle_corrects_estimates() -> None:
    # 500 real tokens per request (estimated 800): 20 requests' worth per 2-s "minute".
    limits = Limits(rpm=3000, tpm=10_000, tpd=None, concurrency=16, window=2.0)

    async def main() -> float:
        server = QuotaServer(None, tokens=10_000, window=2.0)
        makespan = await send_all(Pacer(limits, clock=now), server, 200, tokens=500, estimate=800)
        assert server.rejected == 0
        return makespan

    assert run(main) <= 1.1 * 200 * 500 / 10_000 * 2.0


def test_a_request_bigger_than_the_token_burst_goes_when_the_bucket_is_full() -> None:
    limits = Limits(rpm=None, tpm=6000, tpd=None, concurrency=4, window=60.0)  # 100 tokens/s

    async def main() -> None:
        pacer = Pacer(limits, clock=now)
        start = now()
        async with pacer.slot(5000):
            pass
        async with pacer.slot(100) as second:  # waits out the big one's excess, at ~97 tokens/s
            assert second.sent_at - start == pytest.approx((5000 + 100 - 180) / 97, rel=0.01)

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
        pacer = Pacer(limits, clock=now)
        start = now()
        await asyncio.gather(*(one(pacer) for _ in range(9)))
        return now() - start

    assert run(main) == pytest.approx(4.0)  # the first alone (it opens the connection), then 3 at a time
    assert peak == 3


def test_the_second_request_waits_for_the_first_answer() -> None:
    # The first request opens the connection and arrives late: sent on time, the second would
    # reach a per-second counter right behind it.
    async def main() -> None:
        pacer = Pacer(limits_for('payg'), clock=now)
        sent: list[float] = []

        async def one(latency: float) -> None:
            async with pacer.slot(0) as slot:
                sent.append(slot.sent_at)
                await asyncio.sleep(latency)

        await asyncio.gather(one(0.5), one(0.0), one(0.0))
        tolerance = 0.25 * 0.03  # a late wake-up may be caught up by a quarter of the jitter margin
        assert sent[1] - sent[0] == pytest.approx(0.5 + 1 / (5 * 0.97) - tolerance)
        assert sent[2] - sent[1] == pytest.approx(1 / (5 * 0.97), abs=0.01)

    run(main)


def test_first_come_first_served() -> None:
    limits = Limits(rpm=None, tpm=1000, tpd=None, concurrency=8, window=10.0)
    order: list[str] = []

    async def one(pacer: Pacer, name: str, cost: int) -> None:
        async with pacer.slot(cost):
            order.append(name)

    async def main() -> None:
        pacer = Pacer(limits, clock=now)
        jobs = [('big1', 900), ('big2', 900), ('small', 10), ('big3', 900)]
        await asyncio.gather(*(one(pacer, name, cost) for name, cost in jobs))

    run(main)
    assert order == ['big1', 'big2', 'small', 'big3']


# ---------------------------------------------------------------- 429s, AIMD and headers


def test_a_429_without_a_hint_cuts_the_rate_once_and_pauses_nobody() -> None:
    async def main() -> None:
        pacer = Pacer(limits_for('payg'), clock=now)
        async with pacer.slot(0) as first:
            await asyncio.sleep(0.1)
        for _ in range(5):  # every request sent before the cut: one signal
            pacer.on_rate_limited(None, sent_at=first.sent_at)
        assert pacer.factor == pytest.approx(0.9)
        assert pacer.paused_until == -math.inf  # no window-long stall
        assert pacer.request_rate == pytest.approx(5 * 0.97 * 0.9)
        pacer.on_rate_limited(None, sent_at=now())  # sent after the cut, refused still: a new signal
        assert pacer.factor == pytest.approx(0.81)
        policy = pacer.retry_policy(POLICY)
        assert policy.base == pytest.approx(1 / (5 * 0.97 * 0.81))  # backoff from one interval
        assert policy.cap == POLICY.cap  # a few seconds of a real minute

    run(main)


def test_retry_after_pauses_everyone_then_restarts_spaced() -> None:
    async def main() -> None:
        pacer = Pacer(limits_for('payg'), clock=now)
        start = now()
        pacer.on_rate_limited(3.0)
        sent: list[float] = []

        async def one() -> None:
            async with pacer.slot(0) as slot:
                sent.append(slot.sent_at)

        await asyncio.gather(*(one() for _ in range(5)))
        assert sent[0] >= start + 3.0
        interval = 1 / (5 * 0.97 * 0.9)
        assert all(b - a >= interval * 0.99 for a, b in itertools.pairwise(sent[1:]))

    run(main)


def test_reported_limits_lower_the_pace_never_raise_it() -> None:
    async def main() -> None:
        pacer = Pacer(limits_for('payg'), clock=now)
        pacer.on_headers(RateLimitInfo.from_headers({'x-ratelimit-limit-req-minute': '120'}))
        assert pacer.request_rate == pytest.approx(2 * 0.97)
        pacer.on_headers(RateLimitInfo.from_headers({'x-ratelimit-limit-req-minute': '6000',
                                                     'x-ratelimit-limit-tokens-minute': '9000000'}))
        assert pacer.request_rate == pytest.approx(5 * 0.97)  # back to the configured 5/s, not 100/s
        assert pacer.token_rate == pytest.approx(1_000_000 / 60 * 0.97)

    run(main)


def test_a_quota_learned_from_headers_draws_no_429() -> None:
    # The user said payg (5/s); the key really has 60/min counted per second (1/s).
    async def main() -> None:
        server = QuotaServer(1, window=1.0, hints='x-ratelimit', report_window=60.0)
        await send_all(Pacer(limits_for('payg'), clock=now), server, 30, latency=0.2)
        assert server.rejected <= 1  # at most the one sent before the first answer came back

    run(main)


def test_rate_recovers_additively_per_unit_of_time_and_never_above_the_limit() -> None:
    async def main() -> None:
        pacer = Pacer(limits_for('payg'), clock=now)
        pacer.on_rate_limited(None)
        low = pacer.factor
        pacer.on_success()
        assert pacer.factor == low  # no time has passed: a burst of successes earns nothing
        await asyncio.sleep(0.5)
        pacer.on_success()
        assert pacer.factor == pytest.approx(low + 0.3 * 0.5 / 60)  # 30% of the limit per minute
        await asyncio.sleep(30.0)
        pacer.on_success()  # an idle spell counts one second at most
        assert pacer.factor == pytest.approx(low + 0.3 * 1.5 / 60)
        for _ in range(200):
            await asyncio.sleep(1.0)
            pacer.on_success()
        assert pacer.factor == 1.0
        assert pacer.effective_rpm == pytest.approx(300 * 0.97)

    run(main)


def test_factor_has_a_floor() -> None:
    async def main() -> None:
        pacer = Pacer(PLANS['free'], clock=now, min_factor=0.1)
        for _ in range(50):
            pacer.on_rate_limited(None)
            await asyncio.sleep(1.0)
        assert pacer.factor == pytest.approx(0.1)

    run(main)


@pytest.mark.parametrize('hints', ['retry-after', 'x-ratelimit', 'none'])
def test_four_pacers_sharing_one_key_finish_together(hints: str) -> None:
    # Four processes, each believing it has the whole quota; only the server tells them otherwise.
    limits = limits_for('payg', window=2.0)

    async def main() -> list[float]:
        server = QuotaServer(300, window=2.0, hints=hints)
        start = now()

        async def one(index: int) -> float:
            await asyncio.sleep(0.005 * index)
            await send_all(Pacer(limits, clock=now), server, 150, seed=index)
            return now() - start

        return list(await asyncio.gather(*(one(i) for i in range(4))))

    finish = run(main)
    assert max(finish) / min(finish) <= 1.2  # nobody starves
    assert max(finish) <= 1.5 * 600 / 300 * 2.0  # and the key's quota is used


# ---------------------------------------------------------------- deadline and abort


def test_deadline_raises_at_once_when_the_budget_frees_too_late() -> None:
    async def main() -> None:
        pacer = Pacer(Limits(1, None, None, 4, window=60.0), deadline=Deadline(5.0, now), clock=now)
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
        pacer = Pacer(Limits(None, None, None, 1), deadline=deadline, clock=now)
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
        pacer = Pacer(PLANS['payg'], deadline=Deadline(3.0, now), clock=now)
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
        pacer = Pacer(Limits(1, None, None, 1, window=60.0), clock=now)
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
        pacer = Pacer(Limits(None, None, None, 1), clock=now)
        async with pacer.slot(0):
            task = asyncio.create_task(_enter(pacer))
            await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await asyncio.wait_for(_enter(pacer), 1.0)

    run(main)
