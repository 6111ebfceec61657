from __future__ import annotations

import asyncio
import json
import threading

import pytest

from codestral_bot.cost import Prices
from codestral_bot.cost import RunStats
from codestral_bot.records import Usage


def test_summary_line_matches_the_report_format() -> None:
    stats = RunStats()
    stats.record(requests=3, retries=1)
    stats.record_request(Usage(prompt_tokens=1234, completion_tokens=567))
    assert stats.summary_line() == (
        '4 requests, 1,234 prompt + 567 completion tokens, ≈ $0.0009, 1 retry, 0 rate-limited'
    )


def test_summary_line_singular_and_optional_parts() -> None:
    stats = RunStats(requests=1, retries=2, rate_limited=3, failures=1, cached=5)
    assert stats.summary_line() == (
        '1 request, 0 prompt + 0 completion tokens, ≈ $0.0000, 2 retries, 3 rate-limited, '
        '1 given up, 5 from cache'
    )


def test_dollars_default_and_custom_prices() -> None:
    stats = RunStats(prompt_tokens=1_000_000, completion_tokens=2_000_000)
    assert stats.dollars() == pytest.approx(0.30 + 1.80)
    assert stats.dollars(Prices(input_per_million=1.0, output_per_million=3.0)) == pytest.approx(7.0)
    assert '≈ $2.10' in stats.summary_line()


def test_as_json_is_serialisable() -> None:
    stats = RunStats(requests=2, prompt_tokens=100, completion_tokens=50, rate_limited=1)
    data = stats.as_json()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        'requests': 2, 'prompt_tokens': 100, 'completion_tokens': 50, 'retries': 0,
        'rate_limited': 1, 'failures': 0, 'cached': 0, 'dollars': pytest.approx(0.000075),
    }
    assert RunStats().as_json(Prices(1.0, 1.0))['dollars'] == 0


def test_event_helpers() -> None:
    stats = RunStats()
    stats.record_request(Usage(prompt_tokens=8, completion_tokens=91))
    stats.record_retry(rate_limited=True)
    stats.record_retry()
    stats.record_failure()
    stats.record_cache_hit()
    assert stats.snapshot() == {
        'requests': 1, 'prompt_tokens': 8, 'completion_tokens': 91, 'retries': 2,
        'rate_limited': 1, 'failures': 1, 'cached': 1,
    }


def test_recording_from_threads_loses_nothing() -> None:
    stats = RunStats()

    def worker() -> None:
        for _ in range(2000):
            stats.record(requests=1, prompt_tokens=3)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (stats.requests, stats.prompt_tokens) == (16_000, 48_000)


def test_recording_from_tasks() -> None:
    stats = RunStats()

    async def one() -> None:
        stats.record_retry()
        await asyncio.sleep(0)
        stats.record_request(Usage(10, 5))

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(100)))

    asyncio.run(main())
    assert stats.snapshot()['requests'] == 100
    assert stats.retries == 100
    assert (stats.prompt_tokens, stats.completion_tokens) == (1000, 500)
