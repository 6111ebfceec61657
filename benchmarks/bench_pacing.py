"""How close our pacer gets to the quota, next to the official ``mistralai`` SDK.

Scenarios (issue 3, "Benchmark"), each against the fake Codestral API running in its own process
(``python -m tests.fakes.codestral``) so the client's event loop and the server never share a GIL:

1. floor   — 600 FIM requests through ``MistralClient`` + ``Pacer`` (one client, ``asyncio.gather``)
             against a scaled pay-as-you-go quota (300 requests per W-second "minute", sliding window);
2. peer    — the same 600 requests through ``Mistral.fim.complete_async``, 16 at a time (an
             ``asyncio.Semaphore`` matching our concurrency cap), with the SDK's defaults (no retries)
             and with ``RetryConfig("backoff", BackoffStrategy(500, 60000, 1.5, 300000), True)``;
3. shared  — 4 processes of our client (this script in ``--worker`` mode), 150 requests each,
             started together against one quota;
4. tokens  — ~1,000-token prompts against 300 requests and 60,000 tokens per window, so the token
             budget binds first (our pacer's tpm set to the same value).

Time is scaled: a "minute" is W seconds (``--window``, default 2) on both sides. The server sends
the rate-limit headers real captures show (``x-ratelimit-*``, no Retry-After; ``--headers`` to change).
Only the quota is scaled: the server latency, this machine's speed and the SDK's backoff
(0.5 s × 1.5^n + U(0, 1) s, unscaled) are not, so against a 2-s "minute" a 1-s backoff weighs what
30 s would on the real API. Each row runs R times (``--repeats``, default 3; ``--quick`` 1),
interleaved, and reports medians. Prints one Markdown table.

    .venv/bin/python benchmarks/bench_pacing.py [--quick]

Columns: *floor* is the issue's N / rpm × W (tokens: total tokens / tpm × W). It credits no burst,
yet a sliding window lets the first window's whole budget go at once, so a makespan under the
floor is possible. *bound* is the tighter lower bound a perfect client could reach here: batch k of
a window's budget goes one window after batch k-1, and no batch goes faster than the client's own
unthrottled speed on this machine, measured first against a server without a quota (rows "0").
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codestral_bot.cost import RunStats
from codestral_bot.pacing import Limits
from codestral_bot.pacing import Pacer
from codestral_bot.pacing import limits_for
from codestral_bot.providers.mistral import MistralClient

ROOT = Path(__file__).resolve().parent.parent
KEY = 'bench-key'
MODEL = 'codestral-latest'
PAYG = limits_for('payg')
RPM = int(PAYG.rpm or 300)
CONCURRENCY = PAYG.concurrency
N_REQUESTS = 600
SHARED_PROCESSES = 4
TOKEN_QUOTA = 60_000
TOKEN_PROMPT_CHARS = 4_000  # the fake counts ceil(chars / 4): 1,000 prompt tokens
# The SDK's retrying configuration the issue names (ms): 0.5 s × 1.5^n + U(0, 1) s, 5 min in all.
SDK_BACKOFF_ARGS = (500, 60_000, 1.5, 300_000)
# Loopback only: never let an environment proxy see this traffic.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ---------------------------------------------------------------- settings and results


@dataclasses.dataclass(frozen=True)
class Settings:
    window: float
    latency: float
    repeats: int
    headers: str
    token_requests: int

    def limits(self, tpm: float | None = None) -> Limits:
        return limits_for('payg', tpm=tpm, window=self.window)


@dataclasses.dataclass
class Outcome:
    """One run of one row."""

    makespan: float
    rejected: int  # 429s the server sent
    failures: int  # requests the client gave up on
    tokens: int = 0  # what the server counted (token row)
    finishes: list[float] = dataclasses.field(default_factory=list)  # per process (shared row)


# ---------------------------------------------------------------- the fake server, in its own process


@contextlib.contextmanager
def fake_server(settings: Settings, tokens: int | None = None, quota: bool = True) -> Iterator[str]:
    cmd = [sys.executable, '-m', 'tests.fakes.codestral', '--port', '0', '--api-key', KEY,
           '--latency', str(settings.latency)]
    if quota:
        cmd += ['--quota-requests', str(RPM), '--quota-window', str(settings.window), '--quota-mode', 'sliding',
                '--quota-headers', settings.headers]
    if tokens is not None:
        cmd += ['--quota-tokens', str(tokens)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith('http://127.0.0.1:'):
            raise SystemExit(f'fake server did not start: {url!r}')
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _control(url: str, action: str) -> dict[str, Any]:
    method = 'POST' if action == 'reset' else 'GET'
    request = urllib.request.Request(f'{url}/_fake/{action}', method=method, data=b'' if method == 'POST' else None)
    with _LOCAL.open(request, timeout=10) as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


def fresh_window(url: str, settings: Settings) -> None:
    # Let the previous row's window drain, then clear the server's log and counters.
    time.sleep(settings.window + 0.5)
    _control(url, 'reset')


def rejected_429(url: str) -> int:
    return int(_control(url, 'stats')['rejected_429'])


# ---------------------------------------------------------------- the clients


def _prompt(i: int, chars: int = 0) -> str:
    head = f'def handler_{i}(event):\n    """Handle one event."""\n'
    return head + '#' * max(0, chars - len(head))


async def _timed(tasks: list[Awaitable[Any]]) -> tuple[float, int]:
    start = time.perf_counter()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    makespan = time.perf_counter() - start
    return makespan, sum(isinstance(r, BaseException) for r in results)


async def run_ours(url: str, n: int, limits: Limits, prompt_chars: int = 0) -> tuple[float, int, RunStats]:
    """Our client as the bot uses it: one pacer and one client for the whole run."""
    stats = RunStats()
    client = MistralClient(base=url, key=KEY, model=MODEL, pacer=Pacer(limits), stats=stats)
    try:
        makespan, failures = await _timed([client.fim(_prompt(i, prompt_chars), '') for i in range(n)])
    finally:
        await client.aclose()
    return makespan, failures, stats


async def run_sdk(url: str, n: int, retry: bool) -> tuple[float, int]:
    """The official SDK, ``concurrency`` requests at a time (it has no pacing of its own)."""
    import httpx2
    from mistralai.client import Mistral
    from mistralai.client.utils import BackoffStrategy
    from mistralai.client.utils import RetryConfig

    config = RetryConfig('backoff', BackoffStrategy(*SDK_BACKOFF_ARGS), True) if retry else None
    # The SDK's own default client, except that it must ignore proxy settings: loopback only.
    http = httpx2.AsyncClient(follow_redirects=True, trust_env=False)
    sdk = Mistral(api_key=KEY, server_url=url, async_client=http, retry_config=config)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        async with gate:
            await sdk.fim.complete_async(model=MODEL, prompt=_prompt(i), suffix='', max_tokens=512,
                                         temperature=0.2)

    try:
        return await _timed([one(i) for i in range(n)])
    finally:
        await http.aclose()


# ---------------------------------------------------------------- rows


def row_floor(url: str, settings: Settings) -> Outcome:
    fresh_window(url, settings)
    makespan, failures, _ = asyncio.run(run_ours(url, N_REQUESTS, settings.limits()))
    return Outcome(makespan, rejected_429(url), failures)


def row_sdk(url: str, settings: Settings, retry: bool) -> Outcome:
    fresh_window(url, settings)
    makespan, failures = asyncio.run(run_sdk(url, N_REQUESTS, retry))
    return Outcome(makespan, rejected_429(url), failures)


def row_tokens(url: str, settings: Settings) -> Outcome:
    fresh_window(url, settings)
    limits = settings.limits(tpm=TOKEN_QUOTA)
    makespan, failures, stats = asyncio.run(
        run_ours(url, settings.token_requests, limits, TOKEN_PROMPT_CHARS))
    counted = stats.prompt_tokens + stats.completion_tokens  # the server's usage figures
    return Outcome(makespan, rejected_429(url), failures, tokens=counted)


def row_shared(url: str, settings: Settings) -> Outcome:
    fresh_window(url, settings)
    per_process = N_REQUESTS // SHARED_PROCESSES
    cmd = [sys.executable, str(Path(__file__).resolve()), '--worker', url, '--window', str(settings.window),
           '--worker-requests', str(per_process)]
    workers = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(SHARED_PROCESSES)]
    # Start together: every worker has imported and built its client before anyone sends.
    for w in workers:
        assert w.stdout is not None and w.stdout.readline().strip() == 'ready'
    start_at = time.time() + 0.2
    for w in workers:
        assert w.stdin is not None
        w.stdin.write(f'{start_at}\n')
        w.stdin.close()
    reports = [_report(w) for w in workers]
    finishes = sorted(r['finish'] for r in reports)
    failures = sum(r['failures'] for r in reports)
    return Outcome(max(finishes), rejected_429(url), failures, finishes=finishes)


def _report(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if proc.wait(timeout=600) != 0 or not line:
        raise SystemExit(f'a shared-key worker failed (exit code {proc.returncode})')
    data: dict[str, Any] = json.loads(line)
    return data


def worker(url: str, window: float, n: int) -> None:
    """One bot process of the shared-key row: wait for the common start, run, report as JSON."""
    limits = limits_for('payg', window=window)
    print('ready', flush=True)
    start_at = float(sys.stdin.readline())
    time.sleep(max(0.0, start_at - time.time()))
    _, failures, stats = asyncio.run(run_ours(url, n, limits))
    # Wall clock: the only clock every process shares with the parent's start_at.
    report = {'finish': time.time() - start_at, 'failures': failures, 'rate_limited': stats.rate_limited}
    print(json.dumps(report), flush=True)


# ---------------------------------------------------------------- calibration


def row_unthrottled(url: str, settings: Settings, sdk: bool) -> Outcome:
    """The client's own speed on this machine: no quota on the server, no pacing budgets."""
    if sdk:
        makespan, failures = asyncio.run(run_sdk(url, N_REQUESTS, retry=False))
    else:
        unlimited = Limits(rpm=None, tpm=None, tpd=None, concurrency=CONCURRENCY, window=settings.window)
        makespan, failures, _ = asyncio.run(run_ours(url, N_REQUESTS, unlimited))
    return Outcome(makespan, 0, failures)


# ---------------------------------------------------------------- floors and bounds


def floor_requests(n: int, settings: Settings) -> float:
    return n / RPM * settings.window


def tight_bound(n: int, per_window: int, rate: float, settings: Settings) -> float:
    """Batch k of ``per_window`` requests may go one window after batch k-1 went, and no batch
    goes faster than the client's unthrottled ``rate`` (requests per second) on this machine."""
    batches = math.ceil(n / per_window)
    last = n - (batches - 1) * per_window
    return max(n / rate, (batches - 1) * settings.window + last / rate)


# ---------------------------------------------------------------- table


@dataclasses.dataclass
class Row:
    scenario: str
    client: str
    outcomes: list[Outcome]
    floor: float | None
    bound: float | None
    notes: str = ''

    def median(self, name: str) -> float:
        return statistics.median(getattr(o, name) for o in self.outcomes)


def _mark(ok: bool) -> str:
    return '✓' if ok else '✗'


def _ratio(makespan: float, reference: float | None) -> tuple[str, str]:
    if reference is None:
        return '—', '—'
    return f'{reference:.2f}', f'{makespan / reference:.2f}'


def shared_notes(row: Row, settings: Settings) -> str:
    share = N_REQUESTS / row.median('makespan') / (RPM / settings.window)
    finishes = [statistics.median(o.finishes[i] for o in row.outcomes) for i in range(SHARED_PROCESSES)]
    spread = statistics.median(max(o.finishes) / min(o.finishes) for o in row.outcomes)
    listed = ' / '.join(f'{f:.2f}' for f in finishes)
    return (f'throughput {share:.0%} of quota {_mark(share >= 0.9)} (≥ 90%); finishes {listed} s; '
            f'max/min {spread:.2f} {_mark(spread <= 1.5)} (≤ 1.5)')


def print_table(rows: list[Row], settings: Settings) -> None:
    print('| scenario | client | makespan (s) | floor (s) | makespan / floor | bound (s) | makespan / bound '
          '| 429s | failures | notes |')
    print('|---|---|---:|---:|---:|---:|---:|---:|---:|---|')
    for row in rows:
        makespan = row.median('makespan')
        floor, by_floor = _ratio(makespan, row.floor)
        bound, by_bound = _ratio(makespan, row.bound)
        notes = shared_notes(row, settings) if row.scenario.startswith('3') else row.notes
        print(f'| {row.scenario} | {row.client} | {makespan:.2f} | {floor} | {by_floor} | {bound} | {by_bound} | '
              f'{row.median("rejected"):.0f} | {row.median("failures"):.0f} | {notes} |')


# ---------------------------------------------------------------- main


ROWS = ('raw_ours', 'raw_sdk', 'ours', 'sdk', 'sdk_retry', 'shared', 'tokens')


def run_all(settings: Settings) -> dict[str, list[Outcome]]:
    results: dict[str, list[Outcome]] = {k: [] for k in ROWS}
    with (fake_server(settings) as url, fake_server(settings, tokens=TOKEN_QUOTA) as token_url,
          fake_server(settings, quota=False) as free_url):
        # Repetitions interleave the rows, so a noisy moment on the machine hits all of them alike.
        for _ in range(settings.repeats):
            results['raw_ours'].append(row_unthrottled(free_url, settings, sdk=False))
            results['raw_sdk'].append(row_unthrottled(free_url, settings, sdk=True))
            results['ours'].append(row_floor(url, settings))
            results['sdk'].append(row_sdk(url, settings, retry=False))
            results['sdk_retry'].append(row_sdk(url, settings, retry=True))
            results['shared'].append(row_shared(url, settings))
            results['tokens'].append(row_tokens(token_url, settings))
    return results


def build_rows(results: dict[str, list[Outcome]], settings: Settings) -> list[Row]:
    def rate(key: str) -> float:
        return N_REQUESTS / statistics.median(o.makespan for o in results[key])

    ours, sdk = rate('raw_ours'), rate('raw_sdk')
    floor = floor_requests(N_REQUESTS, settings)
    tokens = statistics.median(o.tokens for o in results['tokens'])
    token_floor = tokens / TOKEN_QUOTA * settings.window
    per_window = min(RPM, int(TOKEN_QUOTA // (tokens / settings.token_requests)))
    backoff = f'BackoffStrategy{SDK_BACKOFF_ARGS}, retry_connection_errors=True'
    return [
        Row('0 no quota', 'codestral-bot, unpaced', results['raw_ours'], None, None,
            f'calibration: {ours:.0f} req/s on this machine (the bound column uses it)'),
        Row('0 no quota', 'mistralai SDK', results['raw_sdk'], None, None,
            f'calibration: {sdk:.0f} req/s; Semaphore({CONCURRENCY})'),
        Row('1 floor', 'codestral-bot', results['ours'], floor, tight_bound(N_REQUESTS, RPM, ours, settings),
            'target makespan/floor ≤ 1.05, 0 429s'),
        Row('2 peer', 'mistralai SDK, defaults (no retries)', results['sdk'], floor,
            tight_bound(N_REQUESTS, RPM, sdk, settings), f'Semaphore({CONCURRENCY}); failures = requests that raised'),
        Row('2 peer', 'mistralai SDK, RetryConfig backoff', results['sdk_retry'], floor,
            tight_bound(N_REQUESTS, RPM, sdk, settings), f'Semaphore({CONCURRENCY}); {backoff}'),
        Row('3 shared key', f'codestral-bot × {SHARED_PROCESSES} processes', results['shared'], floor,
            tight_bound(N_REQUESTS, RPM, ours, settings)),
        Row('4 token limit', 'codestral-bot', results['tokens'], token_floor,
            tight_bound(settings.token_requests, per_window, ours, settings),
            f'{settings.token_requests} requests of ~{tokens / settings.token_requests:,.0f} tokens; quota {RPM} req + '
            f'{TOKEN_QUOTA:,} tokens / window; floor = tokens / tpm × W'),
    ]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument('--quick', action='store_true', help='one repetition instead of three')
    p.add_argument('--repeats', type=int, default=None)
    p.add_argument('--window', type=float, default=2.0, help='seconds standing for a minute')
    p.add_argument('--latency', type=float, default=0.03, help="the fake server's latency, seconds")
    p.add_argument('--headers', default='x-ratelimit', help='rate-limit header families the fake sends')
    p.add_argument('--token-requests', type=int, default=300)
    # Internal: one process of the shared-key row.
    p.add_argument('--worker', metavar='URL', help=argparse.SUPPRESS)
    p.add_argument('--worker-requests', type=int, default=N_REQUESTS // SHARED_PROCESSES, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        worker(args.worker, args.window, args.worker_requests)
        return
    repeats = args.repeats or (1 if args.quick else 3)
    settings = Settings(args.window, args.latency, repeats, args.headers, args.token_requests)
    command = shlex.join([os.path.relpath(sys.executable, Path.cwd()), *sys.argv])
    print(f'command: `{command}`  ')
    print(f'nproc: {len(os.sched_getaffinity(0))}; Python {sys.version.split()[0]}; window W = {settings.window:g} s '
          f'(= 1 minute); server latency {settings.latency * 1000:.0f} ms; quota {RPM} req / W, sliding; '
          f'headers: {settings.headers}; concurrency {CONCURRENCY}; medians of {repeats} run(s)\n')
    started = time.perf_counter()
    rows = build_rows(run_all(settings), settings)
    print_table(rows, settings)
    print(f'\n(total benchmark time {time.perf_counter() - started:.0f} s)')


if __name__ == '__main__':
    main()
