"""Pacing, backoff and budgets as a user sees them: the CLI against a fake API enforcing a quota."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Quota
from tests.fakes.codestral import Reply
from tests.fakes.codestral import quota_kind
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import run_cli
from tests.repo_util import write


def _stubs(n: int) -> str:
    return ''.join(f'def f{i}(x) -> int:\n    """Step {i}."""\n    pass\n\n\n' for i in range(n))


def _setup(tmp_path: Path, fake: FakeCodestral, n: int, **env: str) -> tuple[Path, dict[str, str]]:
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'README.md', 'x\n')
    commit_all(repo)
    write(repo, 'steps.py', _stubs(n))
    fake.responder = lambda body: 'return x + 1'
    return Path(repo.working_tree_dir), cli_env(
        CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake.url,
        CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'), **env)


def _run(root: Path, env: dict[str, str], *flags: str) -> dict:  # type: ignore[type-arg]
    result = run_cli(['review', '--no-comments', '--json', *flags], root, env)
    assert 'Traceback' not in result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize('headers', ['retry-after', 'none'])
def test_a_quota_smaller_than_the_run_is_waited_out(tmp_path: Path, fake_codestral: FakeCodestral,
                                                    headers: str) -> None:
    # The server allows 4 requests per 1 s window; our plan says more, so 429s come and are honoured.
    fake_codestral.quota = Quota(requests=4, window=1.0, headers=headers)
    root, env = _setup(tmp_path, fake_codestral, 8, CODESTRAL_BOT_RATE_WINDOW='1')
    doc = _run(root, env, '--rpm', '100')
    assert [f['status'] for f in doc['fills']] == ['filled'] * 8
    assert doc['usage']['rate_limited'] >= 1


def test_the_limits_the_api_reports_slow_the_run_before_any_429(tmp_path: Path,
                                                                fake_codestral: FakeCodestral) -> None:
    # The same server quoting its limit in x-ratelimit headers: the first answer tunes the pacer.
    fake_codestral.quota = Quota(requests=4, window=1.0, headers='x-ratelimit')
    root, env = _setup(tmp_path, fake_codestral, 8, CODESTRAL_BOT_RATE_WINDOW='1')
    doc = _run(root, env, '--rpm', '100')
    assert [f['status'] for f in doc['fills']] == ['filled'] * 8
    times = [round(r.time - fake_codestral.requests[0].time, 3) for r in fake_codestral.requests]
    assert fake_codestral.quota.rejected_429 == 0, times


@pytest.mark.parametrize('kind', ['second-sliding', 'second-fixed', 'no-headers'])
def test_the_issue_reproduction(tmp_path: Path, fake_codestral: FakeCodestral, kind: str) -> None:
    # Issue 14: 60 stubs, a server enforcing 20 requests per 2 s, the bot told --rpm 600 (the same
    # average). Before: 16 rejected, the last fill 64 s after the first. Time is scaled ×3 here (a
    # "minute" of 20 s): the server counts 20 per 0.67 s, the floor is 2 s.
    fake_codestral.quota = quota_kind(kind, rpm=600, minute=20.0, second=2 / 3)
    root, env = _setup(tmp_path, fake_codestral, 60, CODESTRAL_BOT_RATE_WINDOW='20')
    (root / '.codestral-bot.toml').write_text('max_stubs = 60\n')
    doc = _run(root, env, '--rpm', '600', '--no-cache')
    assert [f['status'] for f in doc['fills']] == ['filled'] * 60
    assert fake_codestral.quota.rejected_429 <= 2  # jitter on a busy machine; never a burst's worth
    times = [r.time for r in fake_codestral.requests if r.endpoint == 'fim']
    assert times[-1] - times[0] < 10.0  # generous: no window-long stall (the old pacer: 21 s scaled)


@pytest.mark.parametrize('flags', [('--rpm', '4'), ('--rps', '0.0667')], ids=['rpm', 'rps'])
def test_pacing_to_the_real_quota_sends_no_429(tmp_path: Path, fake_codestral: FakeCodestral,
                                               flags: tuple[str, str]) -> None:
    # A "minute" of 1 s: 4 per minute is 4 per second, and a "second" lasts 1/60 s.
    fake_codestral.quota = Quota(requests=4, window=1.0)
    root, env = _setup(tmp_path, fake_codestral, 8, CODESTRAL_BOT_RATE_WINDOW='1')
    doc = _run(root, env, '--plan', 'custom', *flags)
    assert [f['status'] for f in doc['fills']] == ['filled'] * 8
    assert fake_codestral.quota.rejected_429 == 0


def test_retry_after_as_http_date(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    import time
    from email.utils import formatdate

    root, env = _setup(tmp_path, fake_codestral, 1)
    when = formatdate(time.time() + 2, usegmt=True)
    fake_codestral.enqueue('fim', Reply(status=429, json={'message': 'Requests rate limit exceeded'},
                                        headers={'Retry-After': when}), 'return 1')
    start = time.monotonic()
    doc = _run(root, env)
    assert doc['fills'][0]['status'] == 'filled'
    assert doc['usage']['retries'] == 1 and doc['usage']['rate_limited'] == 1
    assert time.monotonic() - start >= 1.0  # the date was honoured, not ignored


def test_daily_cap_stops_sending_and_says_so(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root, env = _setup(tmp_path, fake_codestral, 3)
    doc = _run(root, env, '--plan', 'free', '--tpd', '100', '--max-tokens', '256')
    assert fake_codestral.count('fim') == 0
    assert {f['reason'] for f in doc['fills']} == {
        "not filled: today's token cap (100 tokens/day) is reached for this key"}


def test_daily_use_is_remembered_across_runs(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root, env = _setup(tmp_path, fake_codestral, 3)
    cap = ('--plan', 'free', '--tpd', '350', '--max-tokens', '256', '--concurrency', '1')
    fresh = _run(root, {**env, 'CODESTRAL_BOT_CACHE_DIR': str(tmp_path / 'fresh')}, *cap, '--no-cache')
    assert 'filled' in [f['status'] for f in fresh['fills']]  # 350 tokens allow a first request
    _run(root, env, '--plan', 'free', '--tpd', '5000', '--no-cache')  # spends ~100 tokens today
    fake_codestral.reset()
    fake_codestral.responder = lambda body: 'return x + 1'
    doc = _run(root, env, *cap, '--no-cache')
    assert fake_codestral.count('fim') == 0
    assert all('token cap' in f['reason'] for f in doc['fills'])


def test_run_token_budget(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root, env = _setup(tmp_path, fake_codestral, 4)
    doc = _run(root, env, '--budget-tokens', '300', '--concurrency', '1', '--max-tokens', '100')
    reasons = [f['reason'] or '' for f in doc['fills']]
    assert any("token budget (300) is spent" in r for r in reasons)
    assert fake_codestral.count('fim') < 4
    again = run_cli(['review', '--no-comments', '--budget-tokens', '300', '--concurrency', '1',
                     '--max-tokens', '100', '--no-cache'], root, env)
    assert again.returncode == 4  # the run was cut short by its budget
    assert ": not filled: the run's token budget (300) is spent" in again.stderr


def test_401_mid_run_stops_every_other_request(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root, env = _setup(tmp_path, fake_codestral, 20)
    env['CODESTRAL_API_KEY'] = 'wrong-key'
    result = run_cli(['review', '--no-comments', '--concurrency', '2'], root, env)
    assert result.returncode == 2
    assert result.stderr.count('the API key was rejected') == 1
    assert fake_codestral.count('fim') <= 2  # only those already in flight


def test_a_429_with_room_left_in_the_minute_is_retried_soon(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    # A per-second or capacity limit: the minute's counters still show room, so no window-long pause
    # (a real minute is 60 s here, and the second request follows a counted first one).
    import time

    root, env = _setup(tmp_path, fake_codestral, 2)
    per_second = Reply(status=429, json={'message': 'Requests rate limit exceeded'},
                       headers={'x-ratelimit-limit-req-minute': '300', 'x-ratelimit-remaining-req-minute': '298'})
    fake_codestral.enqueue('fim', 'return 1', per_second, 'return 2')
    start = time.monotonic()
    doc = _run(root, {**env, 'CODESTRAL_BOT_RATE_WINDOW': '60'}, '--concurrency', '1', '--timeout', '50')
    assert [f['status'] for f in doc['fills']] == ['filled', 'filled']
    assert time.monotonic() - start < 20
