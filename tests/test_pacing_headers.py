"""Rate-limit headers and the retry policy: pure functions, no clock."""
from __future__ import annotations

import datetime
import email.utils
import random

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from codestral_bot.pacing import NEVER_RETRY
from codestral_bot.pacing import RateLimitInfo
from codestral_bot.pacing import RetryPolicy
from codestral_bot.pacing import rate_limit_delay
from codestral_bot.pacing import retry_delay

POLICY = RetryPolicy()

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
    assert retry_delay(POLICY, 1, 429, {'Retry-After': _http_date(NOW + 9)}, rng, now=NOW) == pytest.approx(9)
    assert retry_delay(POLICY, 1, 429, {'Retry-After': str(86_400)}, rng, now=NOW) is None


def test_429_without_headers_backs_off_briefly_with_full_jitter() -> None:
    # From one request interval (0.2 s at 5/s), doubling, never past the cap: no window-long stall.
    policy = RetryPolicy(base=0.2, cap=4.0)
    rng = random.Random(1)
    first = [retry_delay(policy, 1, 429, {}, rng) for _ in range(200)]
    third = [retry_delay(policy, 3, 429, {}, rng) for _ in range(200)]
    late = [retry_delay(policy, 9, 429, {}, rng) for _ in range(200)]
    assert all(d is not None and 0 <= d <= 0.2 for d in first)
    assert all(d is not None and 0 <= d <= 0.8 for d in third)
    assert all(d is not None and d <= 4.0 for d in late) and max(late) > 2.0  # type: ignore[operator]
    assert len(set(third)) == 200  # jittered, not a fixed sleep
    assert retry_delay(policy, policy.max_429_attempts, 429, {}, rng) is None


@given(
    attempt=st.integers(min_value=1, max_value=200),
    status=st.sampled_from([None, 408, 429, 500, 502, 503, 504]),
    base=st.floats(min_value=0.001, max_value=10),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=300)
def test_backoff_without_headers_is_bounded_by_cap(
    attempt: int, status: int | None, base: float, seed: int,
) -> None:
    policy = RetryPolicy(max_attempts=1000, max_429_attempts=1000, base=base)
    delay = retry_delay(policy, attempt, status, None, random.Random(seed))
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
