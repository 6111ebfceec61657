"""How close our pacer gets to the quota on servers that enforce it differently, next to the
official ``mistralai`` SDK (issue 14, "Benchmark").

The same 600 FIM requests go to four fake Codestral servers (``python -m tests.fakes.codestral
--quota-kind …``, each in its own process so client and server never share a GIL), one per
enforcement kind:

1. minute-sliding — 300 requests per sliding "minute" (pay-as-you-go);
2. second-sliding — the same average counted per sliding second (as Mistral counts requests),
   the headers still quoting 300 per minute;
3. tokens-minute  — only tokens are limited, per sliding minute, and they bind first;
4. no-headers     — as 2, and the server sends no rate-limit header at all, not even on a 429.

Clients: codestral-bot (``MistralClient`` + ``Pacer``, one per run, the payg plan) and the SDK
(``Mistral.fim.complete_async``, 16 at a time like our concurrency cap, with
``RetryConfig("backoff", BackoffStrategy(500, 60000, 1.5, 300000), True)``: without retries it
simply fails the rejected requests). Then 4 processes of our client share one key (150 requests
each, started together) on kind 2.

Time is scaled: a "minute" is W seconds (``--window``, default 6: ×10) on both sides, so a run
of 600 requests spans two minutes' worth of quota. The per-second kinds count over a real second
(``--second``), as the API does: network and scheduling jitter do not scale, and on a window of
0.1 s a few milliseconds of it would say more about this machine's load than about pacing. The
server latency, this machine's speed and the SDK's backoff (0.5 s × 1.5^n + U(0, 1) s) are not
scaled either. Each row runs R times (``--repeats``, default 3),
interleaved, and reports medians.

    .venv/bin/python benchmarks/bench_pacing.py [--repeats 3] [--window 6]

*floor* = what the quota allows at best, spaced evenly: N / rate (requests), or total tokens /
token rate (kind 3). *rejected* = 429s the server sent / requests. Targets: makespan ≤ 1.1 ×
floor and ≤ 1% rejected on every kind; the 4 sharing processes finish within 1.2× of each other.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from codestral_bot.cost import RunStats
from codestral_bot.pacing import Limits
from codestral_bot.pacing import Pacer
from codestral_bot.pacing import limits_for
from codestral_bot.providers.mistral import MistralClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fake_api  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KEY = 'bench-key'
MODEL = 'codestral-latest'
N_REQUESTS = 600
RPM = 300  # pay-as-you-go
CONCURRENCY = limits_for('payg').concurrency
SHARED_PROCESSES = 4
KINDS = ('minute-sliding', 'second-sliding', 'tokens-minute', 'no-headers')
SHARED_KIND = 'second-sliding'
# Kind 3: ~200-token prompts, a token quota that binds before the request rate (our rps is raised
# to 4× the plan's for that kind so only tokens bind; the server limits nothing else).
TOKEN_PROMPT_CHARS = 800
TOKEN_QUOTA = 50_000
TOKEN_RPS = 20.0
# The SDK's retrying configuration (ms): 0.5 s × 1.5^n + U(0, 1) s, 5 min in all.
SDK_BACKOFF_ARGS = (500, 60_000, 1.5, 300_000)
# Loopback only: never let an environment proxy see this traffic.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclasses.dataclass(frozen=True)
class Settings:
    window: float
    second: float
    latency: float
    repeats: int
    only: tuple[str, ...] = (*KINDS, 'shared')

    def limits(self, kind: str) -> Limits:
        if kind == 'tokens-minute':
            return limits_for('payg', rps=TOKEN_RPS, tpm=TOKEN_QUOTA, window=self.window)
        return limits_for('payg', window=self.window)


@dataclasses.dataclass
class Outcome:
    """One run of one row."""

    makespan: float
    rejected: int  # 429s the server sent
    failures: int  # requests the client gave up on
    tokens: int = 0  # what the server counted (our client's usage figures)
    finishes: list[float] = dataclasses.field(default_factory=list)  # per process (shared row)


# ---------------------------------------------------------------- the fake servers, in their own processes


def fake_server(kind: str | None, settings: Settings) -> contextlib.AbstractContextManager[str]:
    args = ['--latency', str(settings.latency), '--quota-window', str(settings.window)]
    if kind == 'tokens-minute':
        args += ['--quota-kind', kind, '--quota-tokens', str(TOKEN_QUOTA), '--quota-headers', 'x-ratelimit']
    elif kind is not None:
        args += ['--quota-kind', kind, '--quota-requests', str(RPM), '--quota-headers', 'x-ratelimit',
                 '--quota-second', str(settings.second)]
    return fake_api(*args)  # KEY is the key it accepts


def _control(url: str, action: str) -> dict[str, Any]:
    method = 'POST' if action == 'reset' else 'GET'
    request = urllib.request.Request(f'{url}/_fake/{action}', method=method, data=b'' if method == 'POST' else None)
    with _LOCAL.open(request, timeout=10) as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


def fresh(url: str) -> None:
    time.sleep(0.3)  # the previous row's last answers are out; then an empty log and counters
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


async def run_sdk(url: str, n: int, prompt_chars: int = 0) -> tuple[float, int]:
    """The official SDK with its backoff retries, ``CONCURRENCY`` requests at a time (it has no pacing)."""
    import httpx2
    from mistralai.client import Mistral
    from mistralai.client.utils import BackoffStrategy
    from mistralai.client.utils import RetryConfig

    config = RetryConfig('backoff', BackoffStrategy(*SDK_BACKOFF_ARGS), True)
    # The SDK's own default client, except that it must ignore proxy settings: loopback only.
    http = httpx2.AsyncClient(follow_redirects=True, trust_env=False)
    sdk = Mistral(api_key=KEY, server_url=url, async_client=http, retry_config=config)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        async with gate:
            await sdk.fim.complete_async(model=MODEL, prompt=_prompt(i, prompt_chars), suffix='',
                                         max_tokens=512, temperature=0.2)

    try:
        return await _timed([one(i) for i in range(n)])
    finally:
        await http.aclose()


def _chars(kind: str) -> int:
    return TOKEN_PROMPT_CHARS if kind == 'tokens-minute' else 0


def row_ours(url: str, kind: str, settings: Settings) -> Outcome:
    fresh(url)
    makespan, failures, stats = asyncio.run(run_ours(url, N_REQUESTS, settings.limits(kind), _chars(kind)))
    return Outcome(makespan, rejected_429(url), failures, tokens=stats.prompt_tokens + stats.completion_tokens)


def row_sdk(url: str, kind: str) -> Outcome:
    fresh(url)
    makespan, failures = asyncio.run(run_sdk(url, N_REQUESTS, _chars(kind)))
    return Outcome(makespan, rejected_429(url), failures)


def row_shared(url: str, settings: Settings) -> Outcome:
    fresh(url)
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


# ---------------------------------------------------------------- table


def floor(kind: str, settings: Settings, tokens: float) -> float:
    if kind == 'tokens-minute':
        return tokens / TOKEN_QUOTA * settings.window
    return N_REQUESTS / RPM * settings.window


@dataclasses.dataclass
class Row:
    kind: str
    client: str
    outcomes: list[Outcome]
    floor: float
    notes: str = ''

    def median(self, name: str) -> float:
        return statistics.median(getattr(o, name) for o in self.outcomes)


def _mark(ok: bool) -> str:
    return '✓' if ok else '✗'


def _cells(row: Row, ours: bool) -> str:
    makespan = row.median('makespan')
    ratio = makespan / row.floor
    share = row.median('rejected') / N_REQUESTS
    marks = f' {_mark(ratio <= 1.1)}' if ours else ''
    share_mark = f' {_mark(share <= 0.01)}' if ours else ''
    return (f'{makespan:.2f} | {row.floor:.2f} | {ratio:.2f}{marks} | {row.median("rejected"):.0f} '
            f'({share:.1%}){share_mark} | {row.median("failures"):.0f}')


def shared_notes(row: Row) -> str:
    finishes = [statistics.median(o.finishes[i] for o in row.outcomes) for i in range(SHARED_PROCESSES)]
    spread = statistics.median(max(o.finishes) / min(o.finishes) for o in row.outcomes)
    listed = ' / '.join(f'{f:.2f}' for f in finishes)
    return f'finishes {listed} s; max/min {spread:.2f} {_mark(spread <= 1.2)} (≤ 1.2)'


def print_table(rows: list[Row]) -> None:
    print('| server kind | client | makespan (s) | floor (s) | makespan / floor | 429s (share) | failures | notes |')
    print('|---|---|---:|---:|---:|---:|---:|---|')
    for row in rows:
        ours = row.client.startswith('codestral-bot') and 'processes' not in row.client  # the targets' rows
        notes = shared_notes(row) if 'processes' in row.client else row.notes
        print(f'| {row.kind} | {row.client} | {_cells(row, ours)} | {notes} |')


# ---------------------------------------------------------------- main


def run_all(settings: Settings) -> dict[str, list[Outcome]]:
    results: dict[str, list[Outcome]] = {}
    with contextlib.ExitStack() as stack:
        kinds = [k for k in KINDS if k in settings.only or (k == SHARED_KIND and 'shared' in settings.only)]
        urls = {kind: stack.enter_context(fake_server(kind, settings)) for kind in kinds}
        # Repetitions interleave the rows, so a noisy moment on the machine hits all of them alike.
        for _ in range(settings.repeats):
            for kind, url in urls.items():
                if kind not in settings.only:
                    continue
                results.setdefault(f'ours {kind}', []).append(row_ours(url, kind, settings))
                results.setdefault(f'sdk {kind}', []).append(row_sdk(url, kind))
            if 'shared' in settings.only:
                results.setdefault('shared', []).append(row_shared(urls[SHARED_KIND], settings))
    return results


def build_rows(results: dict[str, list[Outcome]], settings: Settings) -> list[Row]:
    rows = []
    sdk = f'mistralai SDK, Semaphore({CONCURRENCY}), RetryConfig backoff'
    for kind in KINDS:
        if kind not in settings.only:
            continue
        tokens = statistics.median(o.tokens for o in results[f'ours {kind}'])
        kind_floor = floor(kind, settings, tokens)
        note = (f'~{tokens / N_REQUESTS:.0f} tokens/request; {TOKEN_QUOTA:,} tokens / minute'
                if kind == 'tokens-minute' else f'{RPM} req / minute')
        rows.append(Row(kind, 'codestral-bot', results[f'ours {kind}'], kind_floor, note))
        rows.append(Row(kind, sdk, results[f'sdk {kind}'], kind_floor))
    if 'shared' in settings.only:
        rows.append(Row(SHARED_KIND, f'codestral-bot × {SHARED_PROCESSES} processes, one key', results['shared'],
                        floor(SHARED_KIND, settings, 0)))
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--window', type=float, default=6.0, help='seconds standing for a minute')
    p.add_argument('--second', type=float, default=1.0, help="the per-second kinds' window, seconds (not scaled)")
    p.add_argument('--latency', type=float, default=0.03, help="the fake server's latency, seconds")
    p.add_argument('--only', default=','.join((*KINDS, 'shared')), help='comma-separated rows: kinds and/or shared')
    # Internal: one process of the shared-key row.
    p.add_argument('--worker', metavar='URL', help=argparse.SUPPRESS)
    p.add_argument('--worker-requests', type=int, default=N_REQUESTS // SHARED_PROCESSES, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        worker(args.worker, args.window, args.worker_requests)
        return
    settings = Settings(args.window, args.second, args.latency, args.repeats, tuple(args.only.split(',')))
    command = shlex.join([os.path.relpath(sys.executable, Path.cwd()), *sys.argv])
    print(f'command: `{command}`  ')
    print(f'nproc: {len(os.sched_getaffinity(0))}; Python {sys.version.split()[0]}; minute = {settings.window:g} s, '
          f'per-second kinds count over {settings.second:g} s; server latency {settings.latency * 1000:.0f} ms; '
          f'{N_REQUESTS} requests per row; medians of {settings.repeats} run(s)\n')
    started = time.perf_counter()
    rows = build_rows(run_all(settings), settings)
    print_table(rows)
    print(f'\n(total benchmark time {time.perf_counter() - started:.0f} s)')


if __name__ == '__main__':
    main()
