"""`codestral-bot review` end to end: real git repos, the CLI as a subprocess, the fake API over HTTP."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Reply
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import root_of
from tests.repo_util import run_cli
from tests.repo_util import write

KEY = 'test-key'
STUB = 'import math\n\n\ndef area(r) -> int:\n    """Circle area."""\n    pass\n'
FILLED = 'import math\n\n\ndef area(r) -> int:\n    """Circle area."""\n    return math.pi * r ** 2\n'


def _env(fake: FakeCodestral, **extra: str) -> dict[str, str]:
    return cli_env(CODESTRAL_API_KEY=KEY, CODESTRAL_BOT_API_BASE=fake.url,
                   CODESTRAL_BOT_CACHE_DIR=extra.pop('cache', ''), **extra)


@pytest.fixture
def repo(tmp_path: Path):  # type: ignore[no-untyped-def]
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'README.md', 'hello\n')
    commit_all(repo, 'init')
    return repo


@pytest.fixture
def env(fake_codestral: FakeCodestral, tmp_path: Path) -> dict[str, str]:
    return _env(fake_codestral, cache=str(tmp_path / 'cache'))



def test_fills_a_python_stub_and_prints_the_diff(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB)
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    result = run_cli(['review'], root_of(repo), env)
    assert result.returncode == 1, result.stderr
    assert '+    return math.pi * r ** 2' in result.stdout
    assert '-    pass' in result.stdout
    assert (root_of(repo) / 'geo.py').read_text() == STUB  # nothing written without --apply
    (request,) = [r for r in fake_codestral.requests if r.endpoint == 'fim']
    assert request.json['prompt'].endswith('"""Circle area."""\n    ')
    assert request.json['suffix'] == '\n'
    assert request.json['model'] == 'codestral-latest'
    assert {k.lower(): v for k, v in request.headers.items()}['authorization'] == f'Bearer {KEY}'


def test_apply_writes_the_fill_and_keeps_mode(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    path = write(repo, 'geo.py', STUB)
    os.chmod(path, 0o755)
    write(repo, 'other.py', 'def untouched() -> int:\n    pass\n')
    commit_all(repo)
    path.write_text(STUB + '\n\ndef perimeter(r):\n    raise NotImplementedError\n')
    fake_codestral.enqueue('fim', 'return 2 * math.pi * r')
    result = run_cli(['review', '--apply'], root_of(repo), env)
    assert result.returncode == 0, result.stderr
    assert path.read_text().endswith('def perimeter(r):\n    return 2 * math.pi * r\n')
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    # the old stub on an unchanged line is not the bot's business
    assert 'pass' in path.read_text()
    assert (root_of(repo) / 'other.py').read_text() == 'def untouched() -> int:\n    pass\n'
    assert len([r for r in fake_codestral.requests if r.endpoint == 'fim']) == 1


def test_staged_reads_the_index_not_the_working_file(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    path = write(repo, 'geo.py', STUB)
    repo.git.add('geo.py')
    path.write_text(STUB + '\n# unstaged note\n')
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2')
    result = run_cli(['review', '--staged', '--json'], root_of(repo), env)
    doc = json.loads(result.stdout)
    assert [f['status'] for f in doc['fills']] == ['filled']
    (request,) = [r for r in fake_codestral.requests if r.endpoint == 'fim']
    assert 'unstaged note' not in request.json['suffix']


def test_default_mode_sees_unstaged_and_untracked_but_staged_does_not(repo, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'new.py', 'def f():\n    ...\n')
    no_key = cli_env()
    assert 'new.py:2: f' in run_cli(['review'], root_of(repo), no_key).stdout
    assert run_cli(['review', '--staged'], root_of(repo), no_key).stdout == ''


def test_base_reviews_everything_since_the_merge_base(repo, env) -> None:  # type: ignore[no-untyped-def]
    repo.git.checkout('-b', 'feature')
    write(repo, 'a.py', 'def a() -> int:\n    pass\n')
    commit_all(repo, 'a')
    write(repo, 'b.py', 'def b() -> int:\n    pass\n')
    commit_all(repo, 'b')
    result = run_cli(['review', '--base', 'master' if 'master' in repo.heads else 'main'], root_of(repo), cli_env())
    assert 'a.py:2: a' in result.stdout and 'b.py:2: b' in result.stdout
    bad = run_cli(['review', '--base', 'nope'], root_of(repo), cli_env())
    assert bad.returncode == 2
    assert bad.stderr.strip() == 'codestral-bot: error: --base nope: no such branch, tag or commit'


def test_works_in_an_empty_repo_and_from_a_subfolder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'empty')
    write(repo, 'pkg/mod.py', 'def f():\n    raise NotImplementedError\n')
    repo.git.add('-A')
    result = run_cli(['review', '--staged'], root_of(repo) / 'pkg', cli_env())
    assert result.returncode == 0
    assert 'pkg/mod.py:2: f (not-implemented)' in result.stdout
    assert 'CODESTRAL_API_KEY' in result.stderr


def test_renames_deletions_binary_and_non_utf8(repo, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'old.py', 'def keep():\n    return 1\n')
    write(repo, 'gone.py', 'def g() -> int:\n    pass\n')
    commit_all(repo)
    repo.git.mv('old.py', 'new.py')
    write(repo, 'new.py', 'def keep():\n    return 1\n\n\ndef added() -> int:\n    pass\n')
    repo.git.rm('gone.py')
    write(repo, 'blob.bin', b'\x00\x01\x02')
    write(repo, 'latin.py', 'def f():\n    s = "caf\xe9"\n    pass\n'.encode('latin-1'))
    repo.git.add('-A')
    result = run_cli(['review', '--staged'], root_of(repo), cli_env())
    assert 'new.py:6: added' in result.stdout
    assert 'gone.py' not in result.stdout and 'blob.bin' not in result.stdout
    assert 'latin.py: not UTF-8' in result.stderr
    assert 'Traceback' not in result.stderr


def test_crlf_file_round_trip(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    path = write(repo, 'win.py', STUB.replace('\n', '\r\n').encode())
    fake_codestral.enqueue('fim', 'if r < 0:\n        raise ValueError(r)\n    return math.pi * r ** 2')
    result = run_cli(['review', '--apply'], root_of(repo), env)
    assert result.returncode == 0, result.stderr
    expected = FILLED.replace('    return', '    if r < 0:\n        raise ValueError(r)\n    return')
    assert path.read_bytes() == expected.replace('\n', '\r\n').encode()


def test_file_without_final_newline_and_bom(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    path = write(repo, 'bom.py', b'\xef\xbb\xbf' + STUB.rstrip('\n').encode())
    fake_codestral.enqueue('fim', 'return 1')
    assert run_cli(['review', '--apply'], root_of(repo), env).returncode == 0
    assert path.read_bytes() == b'\xef\xbb\xbf' + STUB.replace('pass\n', 'return 1').encode()


def test_patch_file_applies_with_git_apply(repo, fake_codestral, env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB)
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2')
    patch = tmp_path / 'fills.patch'
    result = run_cli(['review', '--patch', str(patch)], root_of(repo), env)
    assert result.returncode == 1
    subprocess.run(['git', 'apply', str(patch)], cwd=root_of(repo), check=True)
    assert (root_of(repo) / 'geo.py').read_text() == FILLED


def test_a_fill_that_fails_validation_is_not_written(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    path = write(repo, 'geo.py', STUB)
    fake_codestral.enqueue('fim', 'return (math.pi * r ** 2')
    result = run_cli(['review', '--apply'], root_of(repo), env)
    assert result.returncode == 0
    assert path.read_text() == STUB
    assert 'geo.py:6: area: fill rejected: the filled file does not parse' in result.stderr


def test_refuses_to_write_a_file_that_changed_meanwhile(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    path = write(repo, 'geo.py', STUB)
    fake_codestral.enqueue('fim', Reply(text='return 1', delay=1.5))
    proc = subprocess.Popen([sys.executable, '-m', 'codestral_bot', 'review', '--apply'], cwd=root_of(repo), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not fake_codestral.requests:
        import time
        time.sleep(0.05)
    path.write_text(STUB + '# my newer work\n')
    _, stderr = proc.communicate(timeout=60)
    assert path.read_text() == STUB + '# my newer work\n'
    assert 'geo.py: changed since it was read, not written' in stderr


def test_untouched_files_stay_byte_identical(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    body = 'x = 1\r\n\tmixed = "\xe9"  \n'
    write(repo, 'geo.py', body + STUB)
    fake_codestral.enqueue('fim', 'return 0')
    run_cli(['review', '--apply'], root_of(repo), env)
    assert (root_of(repo) / 'geo.py').read_bytes().startswith(body.encode())


def test_no_key_prints_the_plan_and_exits_0(repo) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB)
    result = run_cli(['review'], root_of(repo), cli_env())
    assert result.returncode == 0
    assert 'geo.py:6: area (pass): would send a FIM request (prompt ≈' in result.stdout
    assert 'export CODESTRAL_API_KEY' in result.stderr


def test_dry_run_with_a_key_sends_nothing(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB)
    result = run_cli(['review', '--dry-run'], root_of(repo), env)
    assert result.returncode == 0
    assert fake_codestral.requests == []


def test_no_fill_skips_filling(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB)
    result = run_cli(['review', '--no-fill', '--no-comments'], root_of(repo), env)
    assert result.returncode == 0
    assert [r for r in fake_codestral.requests if r.endpoint == 'fim'] == []


def test_401_is_one_clear_line_and_the_key_never_shows(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB + '\n\ndef two() -> int:\n    pass\n')
    env = {**env, 'CODESTRAL_API_KEY': 'sk-secret-123'}
    result = run_cli(['review', '--no-comments'], root_of(repo), env)
    assert result.returncode == 2
    assert result.stderr.count('the API key was rejected') == 1
    assert 'Traceback' not in result.stderr
    assert 'sk-secret-123' not in result.stdout + result.stderr
    assert len(fake_codestral.requests) <= 2  # no retries of a 401


@pytest.mark.parametrize('failure', [Reply.rate_limited(retry_after=0.2), Reply.server_error(), Reply.bad_gateway()])
def test_transient_failure_then_success(repo, fake_codestral, env, failure: Reply) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB)
    fake_codestral.enqueue('fim', failure, 'return math.pi * r ** 2')
    result = run_cli(['review', '--no-comments', '--json'], root_of(repo), env)
    doc = json.loads(result.stdout)
    assert [f['status'] for f in doc['fills']] == ['filled'], result.stderr
    assert len([r for r in fake_codestral.requests if r.endpoint == 'fim']) == 2


def test_422_shows_the_api_message_and_is_not_retried(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB)
    fake_codestral.enqueue('fim', Reply.validation_error())
    result = run_cli(['review', '--no-comments'], root_of(repo), env)
    assert 'request rejected (HTTP 422: n: Extra inputs are not permitted)' in result.stderr
    assert len(fake_codestral.requests) == 1


def test_timeout_is_a_failed_stub_not_a_crash(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB + '\n\ndef two() -> int:\n    pass\n')
    fake_codestral.enqueue('fim', Reply(hang=True), Reply(hang=True), Reply(hang=True), Reply(hang=True))
    fake_codestral.responder = lambda body: 'return 2'
    result = run_cli(['review', '--no-comments', '--timeout', '3', '--json'], root_of(repo), env)
    doc = json.loads(result.stdout)
    statuses = sorted(f['status'] for f in doc['fills'])
    assert 'failed' in statuses
    assert any('deadline' in (f['reason'] or '') for f in doc['fills'])
    assert result.returncode == 4  # cut short, said before 'edits proposed'
    assert 'Traceback' not in result.stderr


def test_one_failed_stub_does_not_stop_the_others(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB + '\n\ndef two() -> int:\n    pass\n')
    fake_codestral.responder = lambda body: 'return 2' if 'def two' in body['prompt'] else 'return ('
    result = run_cli(['review', '--no-comments', '--json'], root_of(repo), env)
    doc = json.loads(result.stdout)
    assert sorted(f['status'] for f in doc['fills']) == ['filled', 'rejected']


def test_cut_stream_is_never_a_fill(repo, fake_codestral, env) -> None:  # type: ignore[no-untyped-def]
    from codestral_bot.errors import ModelIncomplete
    from codestral_bot.providers.mistral import MistralClient
    import asyncio

    fake_codestral.enqueue('fim', *[Reply(text='return math.pi * r ** 2', cut_after_chunks=2)] * 4)

    async def go() -> None:
        client = MistralClient(base=fake_codestral.url, key=KEY, model='codestral-latest')
        try:
            with pytest.raises(ModelIncomplete):
                await client.fim('def f():\n    ', '\n', on_text=lambda piece: None)
        finally:
            await client.aclose()

    asyncio.run(go())


def test_plain_http_to_a_remote_host_is_refused(repo) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'geo.py', STUB)
    env = cli_env(CODESTRAL_API_KEY='sk-abc', CODESTRAL_BOT_API_BASE='http://example.invalid')
    result = run_cli(['review'], root_of(repo), env)
    assert result.returncode == 2
    assert 'refusing to send the API key over plain http to example.invalid' in result.stderr
    assert 'sk-abc' not in result.stderr


def test_help_and_version() -> None:
    assert run_cli(['--version'], '.').stdout.startswith('codestral-bot ')
    help_text = run_cli(['review', '--help'], '.').stdout
    assert '--staged' in help_text and 'exit codes' in help_text


def test_not_a_repository_is_one_line(tmp_path: Path) -> None:
    result = run_cli(['review'], tmp_path, cli_env())
    assert result.returncode == 2
    assert result.stderr.count('\n') == 1 and 'not inside a git repository' in result.stderr


@pytest.mark.parametrize('reply', [
    Reply.unauthorized(), Reply.validation_error(wrapped=True), Reply.server_error(), Reply.bad_gateway(),
    Reply.invalid_model('x'), Reply(text='return (', finish_reason='stop'), Reply(text='return 1', cut_after_chunks=1),
])
def test_the_key_never_appears_in_any_output(repo, tmp_path: Path, reply: Reply) -> None:  # type: ignore[no-untyped-def]
    secret = 'sk-Zq8-never-print-me-4242'
    write(repo, 'geo.py', STUB)
    with FakeCodestral(api_key=secret) as fake:
        fake.enqueue('fim', *[reply] * 5)
        fake.enqueue('chat', *[reply] * 5)
        env = cli_env(CODESTRAL_API_KEY=secret, CODESTRAL_BOT_API_BASE=fake.url,
                      CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'c'))
        for flags in ([], ['--json'], ['-v'], ['--apply']):
            result = run_cli(['review', '--timeout', '20', *flags], root_of(repo), env)
            assert secret not in result.stdout + result.stderr
            assert 'Traceback' not in result.stderr
