"""The fake API's enforcement kinds: each counts over its own windows, as a server does."""
from __future__ import annotations

import pytest

from tests.fakes.codestral import Quota
from tests.fakes.codestral import QuotaSet
from tests.fakes.codestral import quota_kind


def test_second_sliding_counts_the_minute_per_second_and_quotes_it_per_minute() -> None:
    quota = quota_kind('second-sliding', rpm=300, minute=60.0)  # 5 per sliding second
    assert all(quota.admit(1, now=100.0 + 0.1 * i).allowed for i in range(5))
    refused = quota.admit(1, now=100.5)
    assert not refused.allowed and refused.limited_by == 'requests'
    assert quota.admit(1, now=101.01).allowed  # the first left the window
    headers = quota.response_headers(quota.admit(1, now=101.5))
    assert headers['x-ratelimit-limit-req-minute'] == '300'


def test_second_fixed_resets_on_the_second() -> None:
    quota = quota_kind('second-fixed', rpm=300, minute=60.0)
    assert isinstance(quota, Quota)
    start = quota.window_start
    assert all(quota.admit(1, now=start + 0.9 + 0.01 * i).allowed for i in range(5))
    assert not quota.admit(1, now=start + 0.99).allowed
    assert all(quota.admit(1, now=start + 1.0 + 0.01 * i).allowed for i in range(5))  # a burst at the edge passes


def test_tokens_minute_limits_only_tokens() -> None:
    quota = quota_kind('tokens-minute', tpm=1000, minute=60.0)
    assert all(quota.admit(1, now=0.01 * i).allowed for i in range(500))  # requests are not limited
    refused = quota.admit(600, now=6.0)
    assert not refused.allowed and refused.limited_by == 'tokens'


def test_no_headers_sends_none_even_on_a_429() -> None:
    quota = quota_kind('no-headers', rpm=60, minute=60.0)
    assert quota.admit(1, now=0.0).allowed
    refused = quota.admit(1, now=0.5)
    assert not refused.allowed
    reply = quota.rejection(refused)
    assert reply.status == 429
    assert not [h for h in reply.headers if 'ratelimit' in h.lower() or h.lower() == 'retry-after']


def test_a_quota_set_counts_a_request_only_when_every_quota_admits_it() -> None:
    fast = Quota(requests=2, window=1.0, headers='x-ratelimit')
    tokens = Quota(tokens=100, window=60.0, headers='x-ratelimit')
    both = QuotaSet(fast, tokens)
    assert both.admit(60, now=0.0).allowed
    refused = both.admit(60, now=0.1)  # room for requests, not for tokens
    assert not refused.allowed and refused.limited_by == 'tokens'
    assert fast.admit(1, now=0.2).allowed  # the refused request was not counted per second
    assert both.stats() == {'accepted': 1, 'rejected_429': 1}
    headers = both.response_headers(refused)
    assert headers['x-ratelimit-remaining-tokens-minute'] == '40'


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match='unknown quota kind'):
        quota_kind('hourly', rpm=1)
