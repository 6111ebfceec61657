"""Item 3: keys are checked on start and never shown, in any escaped form."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from codestral_bot.redact import forms_of
from codestral_bot.redact import scrub
from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Reply
from tests.repo_util import run_cli
from tests.security._util import bot_env
from tests.security._util import stub_repo

ODD_KEY = 'sk-ab/cd+ef=gh"ij\\kl%mn'


def test_trailing_newline_is_stripped_and_the_fill_works(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    fake_codestral.enqueue('fim', 'return math.pi * r ** 2\n')
    env = bot_env(tmp_path, fake_codestral, CODESTRAL_API_KEY='test-key\n')
    result = run_cli(['review', '--no-comments', '--json'], root, env)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)['fills'][0]['status'] == 'filled'


@pytest.mark.parametrize(('key', 'what'), [
    ('test\x1b[2Jkey', 'control character'),
    ('test-key\x7f', 'control character'),
    ('tëst-key', 'non-ASCII'),
    ('test key', 'space'),
])
def test_bad_key_is_one_line_exit_2_not_shown(tmp_path: Path, fake_codestral: FakeCodestral,
                                              key: str, what: str) -> None:
    root = stub_repo(tmp_path / 'repo')
    result = run_cli(['review', '--no-comments'], root, bot_env(tmp_path, fake_codestral, CODESTRAL_API_KEY=key))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and 'CODESTRAL_API_KEY' in lines[0] and what in lines[0]
    assert 'test' not in result.stderr.replace('CODESTRAL', '')
    assert fake_codestral.requests == []


def test_bad_github_token_is_one_line(tmp_path: Path) -> None:
    event = tmp_path / 'event.json'
    event.write_text(json.dumps({'action': 'opened', 'pull_request': {'number': 1, 'head': {'sha': 'a' * 40}, 'base': {'sha': 'b' * 40}},
                                 'repository': {'full_name': 'o/r'}}))
    env = bot_env(tmp_path, GITHUB_TOKEN='ghp_sécret', GITHUB_EVENT_PATH=str(event),
                  GITHUB_EVENT_NAME='pull_request', GITHUB_REPOSITORY='o/r', GITHUB_API_URL='http://127.0.0.1:9')
    result = run_cli(['github'], tmp_path, env)
    assert result.returncode == 2, result.stderr
    assert 'sécret' not in result.stderr and 'GITHUB_TOKEN' in result.stderr


def test_every_escaped_form_is_scrubbed() -> None:
    message = (f'plain {ODD_KEY} repr {ODD_KEY!r} json {json.dumps(ODD_KEY)} url {quote(ODD_KEY, safe="")} '
               f'bytes {ODD_KEY.encode()!r} header b"Bearer {ODD_KEY}"')
    cleaned = scrub(message, ODD_KEY)
    for form in forms_of(ODD_KEY):
        assert form not in cleaned
    assert 'sk-ab' not in cleaned


def test_server_echoing_the_key_is_scrubbed_everywhere(tmp_path: Path) -> None:
    echo = f'key {ODD_KEY!r} / {json.dumps(ODD_KEY)} / {quote(ODD_KEY, safe="")} is not allowed'
    with FakeCodestral(api_key=ODD_KEY) as fake:
        fake.enqueue('fim', Reply(status=400, json={'message': echo}), Reply(status=400, json={'message': echo}))
        root = stub_repo(tmp_path / 'repo')
        env = bot_env(tmp_path, fake, CODESTRAL_API_KEY=ODD_KEY + '\n')
        text = run_cli(['review', '--no-comments'], root, env)
        js = run_cli(['review', '--no-comments', '--json'], root, env)
    for result in (text, js):
        seen = result.stdout + result.stderr
        assert 'sk-ab' not in seen, seen
        assert 'request rejected' in seen


def test_url_password_masked(tmp_path: Path) -> None:
    root = stub_repo(tmp_path / 'repo')
    env = bot_env(tmp_path, CODESTRAL_BOT_API_BASE='http://bob:hunter2@127.0.0.1:9/v1', OLLAMA_HOST='127.0.0.1:9')
    for args in (['config'], ['providers'], ['review', '--dry-run', '--json', '--no-comments'],
                 ['review', '--dry-run', '--no-comments']):
        result = run_cli(args, root, env)
        assert 'hunter2' not in result.stdout + result.stderr, args
        assert result.returncode == 0, result.stderr


def test_every_printed_line_and_the_job_summary_are_scrubbed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from codestral_bot.output import err
    from codestral_bot.output import out
    from codestral_bot.redact import remember
    from codestral_bot.github.actions import write_summary

    key = 'sk-only-in-this-test/+"=x'
    remember(key)
    out(f'stdout {key!r} {quote(key, safe="")}')
    err(f'stderr {json.dumps(key)}')
    summary = tmp_path / 'summary.md'
    write_summary(str(summary), f'> Failed: {key.encode()!r}')
    captured = capsys.readouterr()
    for text in (captured.out, captured.err, summary.read_text()):
        assert 'only-in-this-test' not in text and '***' in text
