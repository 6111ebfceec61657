"""`codestral-bot github` end to end: the fake GitHub through real PyGithub, the fake Codestral API."""
from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codestral_bot.main import main
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import FakeGitHub
from tests.fakes.github import PullFile
from tests.fakes.github import blob_sha
from tests.fakes.github_plugin import actions_env
from tests.fakes.github_plugin import client_for
from tests.fakes.github_plugin import pull_request_event
from tests.fakes.github_plugin import write_event
from tests.repo_util import cli_env
from tests.repo_util import run_cli

OWNER = 'acme'
REPO = 'widgets'
NUMBER = 7
HEAD = 'a' * 40
BASE = 'b' * 40
REVIEWS = f'/repos/{OWNER}/{REPO}/pulls/{NUMBER}/reviews'
KEY = 'test-key'

GEO_OLD = 'import math\n\n\ndef area(r):\n    return 0\n'
GEO_NEW = (
    'import math\n'                      # 1
    '\n'                                 # 2
    '\n'                                 # 3
    'def area(r) -> float:\n'            # 4
    '    """Circle area."""\n'           # 5
    '    pass\n'                         # 6  ← stub: one line
    '\n'                                 # 7
    '\n'                                 # 8
    'def scale(xs, k):\n'                # 9
    '    # TODO: scale every item\n'     # 10 ← stub: two lines
    '    return None\n'                  # 11
)
AREA_BODY = 'return math.pi * r ** 2'
SCALE_BODY = 'return [x * k for x in xs]'


# ---------------------------------------------------------------- building pull requests


def patch_of(old: str, new: str) -> str:
    """The ``patch`` GitHub shows: the unified diff's hunks, without the file header."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), n=3, lineterm=''))
    return '\n'.join(lines[2:])


def pull_file(path: str, old: str | None, new: str, *, with_patch: bool = True) -> PullFile:
    patch = patch_of(old or '', new)
    added = sum(1 for line in patch.split('\n') if line.startswith('+'))
    return PullFile(path, 'added' if old is None else 'modified', patch if with_patch else None,
                    sha=blob_sha(new.encode()), additions=added)


def add_pr(fake: FakeGitHub, files: dict[str, tuple[str | None, str]], *, no_patch: tuple[str, ...] = (),
           **options: Any) -> None:
    pull_files = [pull_file(path, old, new, with_patch=path not in no_patch) for path, (old, new) in files.items()]
    blobs = {blob_sha(new.encode()): new.encode() for _, new in files.values()}
    base = {path: old.encode() for path, (old, _) in files.items() if old is not None}
    fake.add_pull(OWNER, REPO, NUMBER, HEAD, BASE, pull_files, blobs=blobs, base_files=base, **options)


def push(fake: FakeGitHub, path: str, old: str, new: str, head: str) -> None:
    """A new commit on the PR branch: ``path`` now holds ``new``, the head moves to ``head``."""
    pull = fake.pull(OWNER, REPO, NUMBER)
    fake.add_blob(new.encode())
    pull.files[:] = [f for f in pull.files if f.filename != path] + [pull_file(path, old, new)]
    # The fake has no public way to add a commit; review POSTs check commit_id against this.
    fake._repos[f'{OWNER}/{REPO}'].commits[head] = pull.head_sha
    pull.head_sha = head


def fim_by_function(bodies: dict[str, str]) -> Callable[[dict[str, Any]], str]:
    """A FIM responder: the body for the function whose ``def`` is closest above the cursor."""
    def respond(request: dict[str, Any]) -> str:
        names = re.findall(r'def (\w+)\(', request['prompt'])
        return bodies.get(names[-1] if names else '', 'return 1')
    return respond


def finding(path: str, line: int, end_line: int | None = None, severity: str = 'warning',
            message: str = 'The result is never checked.', suggestion: str | None = None) -> dict[str, Any]:
    return {'path': path, 'line': line, 'end_line': end_line, 'severity': severity, 'message': message,
            'suggestion': suggestion}


# ---------------------------------------------------------------- running the command


@dataclasses.dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]
    seconds: float


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / 'workspace').mkdir()
    return tmp_path


@pytest.fixture
def gh_env(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
           workdir: Path) -> Callable[..., dict[str, str]]:
    """Factory: the environment of the action's step for an event on PR #7 (after add_pr)."""
    def make(action: str = 'opened', *, key: bool = True, **extra: str) -> dict[str, str]:
        event = pull_request_event(fake_github, OWNER, REPO, NUMBER, action=action)
        env = actions_env(fake_github, OWNER, REPO, write_event(workdir, event), workdir)
        env.update(GITHUB_TOKEN='ghs_test', GITHUB_WORKSPACE=str(workdir / 'workspace'),
                   CODESTRAL_BOT_API_BASE=fake_codestral.url, CODESTRAL_BOT_CACHE_DIR=str(workdir / 'cache'),
                   CODESTRAL_BOT_GITHUB_WRITE_INTERVAL='0')
        if key:
            env['CODESTRAL_API_KEY'] = KEY
        env.update(extra)
        return env
    return make


def _outputs(path: str) -> dict[str, str]:
    lines = Path(path).read_text(encoding='utf-8').splitlines()
    return dict(line.split('=', 1) for line in lines)


def _clear_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(('GITHUB_', 'CODESTRAL_', 'MISTRAL_', 'RUNNER_')) or name in ('GH_TOKEN',):
            monkeypatch.delenv(name)


@pytest.fixture
def run_github(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """In-process: ``main(['github', *flags])`` with exactly ``env`` as the Actions environment."""
    def run(env: dict[str, str], *flags: str) -> Run:
        with monkeypatch.context() as m:
            _clear_env(m)
            for name, value in env.items():
                m.setenv(name, value)
            summary_before = Path(env['GITHUB_STEP_SUMMARY']).read_text(encoding='utf-8')
            Path(env['GITHUB_OUTPUT']).write_text('', encoding='utf-8')
            start = time.monotonic()
            try:
                code = main(['github', *flags])
            except SystemExit as e:
                code = int(e.code or 0)
            seconds = time.monotonic() - start
        captured = capsys.readouterr()
        summary = Path(env['GITHUB_STEP_SUMMARY']).read_text(encoding='utf-8')[len(summary_before):]
        return Run(code, captured.out, captured.err, summary, _outputs(env['GITHUB_OUTPUT']), seconds)
    return run


def reviews(fake: FakeGitHub) -> list[Any]:
    return fake.pull(OWNER, REPO, NUMBER).reviews


def comments(fake: FakeGitHub) -> list[Any]:
    return fake.pull(OWNER, REPO, NUMBER).review_comments


def posted_payload(fake: FakeGitHub) -> dict[str, Any]:
    (post,) = fake.calls('POST', REVIEWS)
    assert isinstance(post.json, dict)
    return post.json


def suggestion_of(body: str) -> str:
    found = re.search(r'^(`{3,})suggestion\n(.*?)\n?\1$', body, re.MULTILINE | re.DOTALL)
    assert found, body
    return found.group(2)


@pytest.fixture
def geo_pr(fake_github: FakeGitHub, fake_codestral: FakeCodestral) -> FakeGitHub:
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)})
    fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
    return fake_github


# ---------------------------------------------------------------- opened


def test_opened_posts_one_review_with_exact_suggestions(geo_pr: FakeGitHub, gh_env: Callable[..., dict[str, str]],
                                                         workdir: Path) -> None:
    env = gh_env()
    result = run_cli(['github', '--mode', 'suggest'], workdir, cli_env(**env))
    assert result.returncode == 0, result.stderr
    payload = posted_payload(geo_pr)
    assert payload['event'] == 'COMMENT'
    assert payload['commit_id'] == HEAD  # the PR's head, never GITHUB_SHA (the merge commit)
    by_line = {c['line']: c for c in payload['comments']}
    assert set(by_line) == {6, 11}
    area, scale = by_line[6], by_line[11]
    assert (area['path'], area['side']) == ('geo.py', 'RIGHT')
    assert 'start_line' not in area and 'start_side' not in area
    assert suggestion_of(area['body']) == f'    {AREA_BODY}'
    assert (scale['start_line'], scale['line'], scale['start_side'], scale['side']) == (10, 11, 'RIGHT', 'RIGHT')
    assert suggestion_of(scale['body']) == f'    {SCALE_BODY}'
    for comment in payload['comments']:
        assert re.search(r'<!-- codestral-bot:fp=[0-9a-f]{64} -->$', comment['body'])
    assert [r.state for r in reviews(geo_pr)] == ['COMMENTED']
    assert len(comments(geo_pr)) == 2
    assert 'posted a review with 2 inline comment(s)' in result.stderr


def test_opened_writes_outputs_and_the_job_summary(geo_pr: FakeGitHub, gh_env: Callable[..., dict[str, str]],
                                                    run_github: Callable[..., Run]) -> None:
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert run.outputs == {'stubs': '2', 'suggestions': '2', 'comments': '0', 'posted': '2'}
    assert '| Stubs found | Filled | Suggested | Review comments | Posted | Skipped | Tokens | Cost |' in run.summary
    row = re.search(r'^\| 2 \| 2 \| 2 \| 0 \| 2 \| 0 \| ([\d,]+) \| \$(\d+\.\d{4}) \|$', run.summary, re.MULTILINE)
    assert row and int(row.group(1).replace(',', '')) > 0
    assert f'/pull/{NUMBER}#pullrequestreview-' in run.summary
    assert '::warning' not in run.stdout  # posted: no annotations to repeat it


@pytest.mark.parametrize('fake_github', ['/api/v3'], indirect=True)
def test_enterprise_server_api_url_is_used(geo_pr: FakeGitHub, gh_env: Callable[..., dict[str, str]],
                                           run_github: Callable[..., Run]) -> None:
    assert geo_pr.url.endswith('/api/v3')
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert len(reviews(geo_pr)) == 1


# ---------------------------------------------------------------- re-runs


def test_synchronize_rerun_posts_only_what_is_new(geo_pr: FakeGitHub, fake_codestral: FakeCodestral,
                                                  gh_env: Callable[..., dict[str, str]],
                                                  run_github: Callable[..., Run]) -> None:
    first = run_github(gh_env(), '--mode', 'suggest')
    assert first.code == 0, first.stderr
    assert fake_codestral.count('fim') == 2

    # Same push again (a re-run): nothing is posted, nothing is even sent to the model.
    again = run_github(gh_env('synchronize'), '--mode', 'suggest')
    assert again.code == 0, again.stderr
    assert len(geo_pr.calls('POST', REVIEWS)) == 1
    assert fake_codestral.count('fim') == 2
    assert 'nothing new to post' in again.stderr and '2 skipped' in again.stderr
    assert again.outputs['posted'] == '0'
    assert '2 suggestion(s) or comment(s) already on the pull request were skipped' in again.summary

    # A push that moves every line down and adds a stub: only the new stub is posted.
    moved = '# Geometry helpers.\n\n' + GEO_NEW + '\n\ndef perimeter(r):\n    ...\n'
    push(geo_pr, 'geo.py', GEO_OLD, moved, 'c' * 40)
    fake_codestral.responder = fim_by_function({'perimeter': 'return 2 * math.pi * r'})
    third = run_github(gh_env('synchronize'), '--mode', 'suggest')
    assert third.code == 0, third.stderr
    payload = geo_pr.calls('POST', REVIEWS)[-1].json
    assert payload['commit_id'] == 'c' * 40
    assert [(c['line'], suggestion_of(c['body'])) for c in payload['comments']] == [
        (17, '    return 2 * math.pi * r')]
    assert fake_codestral.count('fim') == 3
    assert third.outputs == {'stubs': '3', 'suggestions': '1', 'comments': '0', 'posted': '1'}
    assert '2 skipped' in third.stderr
    assert len(comments(geo_pr)) == 3


def test_stale_pending_review_of_the_bot_is_deleted_first(geo_pr: FakeGitHub, gh_env: Callable[..., dict[str, str]],
                                                         run_github: Callable[..., Run]) -> None:
    pr = client_for(geo_pr).get_repo(f'{OWNER}/{REPO}').get_pull(NUMBER)
    stale = pr.create_review(body='draft\n<!-- codestral-bot:review -->')  # no event: stays PENDING
    assert stale.state == 'PENDING'
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert [r.method for r in geo_pr.writes()] == ['POST', 'DELETE', 'POST']
    assert [r.state for r in reviews(geo_pr)] == ['COMMENTED']


# ---------------------------------------------------------------- anchors


# Not a stub before the change (a function already a stub at the base is not this PR's to fill).
FAR_OLD = 'def f():\n    # TODO: write this\n' + ''.join(f'    # note {i}\n' for i in range(8)) + '    return 1\n'
FAR_NEW = FAR_OLD.replace('return 1', 'return None')


def test_stub_reaching_outside_the_hunk_is_listed_in_the_body(fake_github: FakeGitHub,
                                                             fake_codestral: FakeCodestral,
                                                             gh_env: Callable[..., dict[str, str]],
                                                             run_github: Callable[..., Run]) -> None:
    # The stub runs from the TODO on line 2 (context, far above) to line 11, the only added line;
    # the hunk shows lines 8-11: a suggestion for 2-11 would be refused, and would sink the review.
    add_pr(fake_github, {'far.py': (FAR_OLD, FAR_NEW), 'geo.py': (GEO_OLD, GEO_NEW)})
    fake_codestral.responder = fim_by_function({'f': 'return 42', 'area': AREA_BODY, 'scale': SCALE_BODY})
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    payload = posted_payload(fake_github)
    assert {c['path'] for c in payload['comments']} == {'geo.py'}
    body = payload['body']
    assert '`far.py:2-11`' in body and 'not inline: line 2 is outside the diff' in body
    assert 'return 42' in body
    assert len(re.findall(r'<!-- codestral-bot:fp=[0-9a-f]{64} -->', body)) == 1
    assert run.outputs['posted'] == '2'
    # Listed in the body counts as posted: a re-run does not list it again.
    again = run_github(gh_env('synchronize'), '--mode', 'suggest')
    assert len(fake_github.calls('POST', REVIEWS)) == 1
    assert '3 skipped' in again.stderr


def test_review_findings_become_inline_comments(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                                gh_env: Callable[..., dict[str, str]],
                                                run_github: Callable[..., Run]) -> None:
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)})
    fake_codestral.enqueue('chat', json.dumps({'findings': [
        finding('geo.py', 9, severity='error', message='`k` may be zero.'),
        finding('geo.py', 10, 11, message='Return the scaled list.', suggestion='    return [x * k for x in xs]'),
    ]}))
    run = run_github(gh_env(), '--mode', 'comment', '--fail-on', 'error')
    assert run.code == 1, run.stderr  # --fail-on error and an error finding
    assert fake_codestral.count('fim') == 0
    payload = posted_payload(fake_github)
    by_line = {c['line']: c for c in payload['comments']}
    assert by_line[9]['body'].startswith('🛑 **error** `k` may be zero.')
    assert 'start_line' not in by_line[9] and '```suggestion' not in by_line[9]['body']
    assert (by_line[11]['start_line'], by_line[11]['line']) == (10, 11)
    assert suggestion_of(by_line[11]['body']) == '    return [x * k for x in xs]'
    assert run.outputs == {'stubs': '0', 'suggestions': '0', 'comments': '2', 'posted': '2'}


def test_422_from_github_posts_the_items_in_the_body_instead(geo_pr: FakeGitHub,
                                                            gh_env: Callable[..., dict[str, str]],
                                                            run_github: Callable[..., Run]) -> None:
    geo_pr.inject('POST', REVIEWS, status=422, kind='custom',
                  body={'message': 'Unprocessable Entity', 'errors': ['Line could not be resolved']})
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    first, second = geo_pr.calls('POST', REVIEWS)
    assert len(first.json['comments']) == 2 and second.json['comments'] == []
    assert AREA_BODY in second.json['body'] and SCALE_BODY in second.json['body']
    assert len(reviews(geo_pr)) == 1


# ---------------------------------------------------------------- no posting possible


def test_fork_pr_goes_to_summary_and_annotations_without_posting(fake_github: FakeGitHub,
                                                                fake_codestral: FakeCodestral,
                                                                gh_env: Callable[..., dict[str, str]],
                                                                run_github: Callable[..., Run]) -> None:
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)}, head_repo_full_name='forker/widgets')
    fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert fake_github.writes() == []
    assert 'fork' in run.summary and f'    {AREA_BODY}' in run.summary and '#### `geo.py:10-11`' in run.summary
    lines = [line for line in run.stdout.splitlines() if line.startswith('::warning ')]
    assert len(lines) == 2
    assert lines[0].startswith('::warning file=geo.py,line=6,endLine=6,title=codestral-bot%3A stub filled::')
    assert '%0A' in lines[0] and AREA_BODY in lines[0]
    assert run.outputs == {'stubs': '2', 'suggestions': '2', 'comments': '0', 'posted': '0'}


def test_403_on_the_review_post_falls_back_to_the_summary(geo_pr: FakeGitHub,
                                                         gh_env: Callable[..., dict[str, str]],
                                                         run_github: Callable[..., Run]) -> None:
    geo_pr.read_only = True
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert len(geo_pr.calls('POST', REVIEWS)) == 1  # refused, not retried
    assert reviews(geo_pr) == []
    assert '403 Resource not accessible by integration' in run.summary
    assert 'pull-requests: write' in run.summary
    assert f'    {AREA_BODY}' in run.summary
    assert sum(line.startswith('::warning ') for line in run.stdout.splitlines()) == 2
    assert run.outputs['posted'] == '0'


def test_no_api_key_lists_the_stubs_and_sends_nothing(geo_pr: FakeGitHub, fake_codestral: FakeCodestral,
                                                      gh_env: Callable[..., dict[str, str]],
                                                      workdir: Path) -> None:
    env = gh_env(key=False)
    result = run_cli(['github'], workdir, cli_env(**env))
    assert result.returncode == 0, result.stderr
    assert 'Traceback' not in result.stderr
    assert fake_codestral.count() == 0 and geo_pr.writes() == []
    summary = Path(env['GITHUB_STEP_SUMMARY']).read_text(encoding='utf-8')
    assert 'No API key' in summary
    assert '`area` is a stub (pass), not filled: no API key.' in summary
    assert sum(line.startswith('::warning ') for line in result.stdout.splitlines()) == 2
    assert _outputs(env['GITHUB_OUTPUT']) == {'stubs': '2', 'suggestions': '0', 'comments': '0', 'posted': '0'}


# ---------------------------------------------------------------- GitHub trouble


@pytest.mark.parametrize('status', [403, 429])
def test_secondary_rate_limit_with_retry_after_waits_and_succeeds(geo_pr: FakeGitHub, status: int,
                                                                  gh_env: Callable[..., dict[str, str]],
                                                                  run_github: Callable[..., Run]) -> None:
    geo_pr.inject('POST', REVIEWS, status=status, kind='secondary_rate_limit', retry_after=1)
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert [r.status for r in geo_pr.calls('POST', REVIEWS)] == [status, 200]
    assert run.seconds >= 1.0
    assert len(reviews(geo_pr)) == 1 and run.outputs['posted'] == '2'


def test_502_after_the_review_was_created_is_not_posted_again(geo_pr: FakeGitHub,
                                                             gh_env: Callable[..., dict[str, str]],
                                                             run_github: Callable[..., Run]) -> None:
    geo_pr.inject('POST', REVIEWS, status=502, after_effect=True)
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert len(geo_pr.calls('POST', REVIEWS)) == 1
    assert len(reviews(geo_pr)) == 1 and len(comments(geo_pr)) == 2
    assert 'but the review was created' in run.stderr
    assert run.outputs['posted'] == '2'


def test_502_with_nothing_created_is_reported_not_reposted(geo_pr: FakeGitHub,
                                                          gh_env: Callable[..., dict[str, str]],
                                                          run_github: Callable[..., Run]) -> None:
    geo_pr.inject('POST', REVIEWS, status=502)
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert len(geo_pr.calls('POST', REVIEWS)) == 1 and reviews(geo_pr) == []
    assert 'no review was created' in run.summary and f'    {AREA_BODY}' in run.summary


def test_unreadable_pull_request_is_one_line_and_exit_2(geo_pr: FakeGitHub,
                                                        gh_env: Callable[..., dict[str, str]],
                                                        run_github: Callable[..., Run]) -> None:
    geo_pr.inject('GET', f'/repos/{OWNER}/{REPO}/pulls/{NUMBER}', status=404)
    run = run_github(gh_env())
    assert run.code == 2
    assert run.stderr.strip().splitlines()[-1] == (
        f'codestral-bot: error: cannot read pull request #{NUMBER} of {OWNER}/{REPO}: 404 Not Found')
    assert 'Failed: cannot read pull request' in run.summary


# ---------------------------------------------------------------- big pull requests


def test_pr_with_120_files_across_pages_and_one_without_patch(fake_github: FakeGitHub,
                                                             fake_codestral: FakeCodestral,
                                                             gh_env: Callable[..., dict[str, str]],
                                                             run_github: Callable[..., Run]) -> None:
    files: dict[str, tuple[str | None, str]] = {
        f'pkg/mod_{i:03}.py': (f'X = {i}\n', f'X = {i}\nY = {i + 1}\n') for i in range(117)}
    files['pkg/mod_040.py'] = ('X = 40\n', 'X = 40\n\n\ndef forty() -> int:\n    pass\n')
    files['pkg/mod_110.py'] = ('X = 110\n', 'X = 110\n\n\ndef one_ten():\n    raise NotImplementedError\n')
    files['pkg/huge.py'] = (None, '\n'.join(f'V{i} = {i}' for i in range(50)) + '\n\n\ndef big() -> int:\n    pass\n')
    files['assets/logo.png'] = (None, '\x89PNG\r\n\x1a\n\x00\x00')
    files['notes.txt'] = (None, 'TODO: nothing to fill here\n')
    add_pr(fake_github, files, no_patch=('pkg/huge.py', 'assets/logo.png'))
    fake_codestral.responder = fim_by_function({'forty': 'return 40', 'one_ten': 'return 110', 'big': 'return 0'})
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    pages = [r.query for r in fake_github.calls('GET', f'/repos/{OWNER}/{REPO}/pulls/{NUMBER}/files')]
    assert [p.get('per_page') for p in pages] == ['100', '100'] and pages[1].get('page') == '2'
    payload = posted_payload(fake_github)
    assert sorted((c['path'], c['line']) for c in payload['comments']) == [
        ('pkg/mod_040.py', 5), ('pkg/mod_110.py', 5)]
    assert '`pkg/huge.py:54`' in payload['body'] and 'GitHub shows no diff for this file' in payload['body']
    # Each head blob is fetched once, however many stages read the file.
    blobs = [r.path for r in fake_github.calls('GET') if '/git/blobs/' in r.path]
    assert len(blobs) == len(set(blobs))
    assert run.outputs == {'stubs': '3', 'suggestions': '3', 'comments': '0', 'posted': '2'}


# ---------------------------------------------------------------- other events


def test_non_pull_request_event_exits_0_with_a_message(gh_env: Callable[..., dict[str, str]],
                                                       workdir: Path) -> None:
    event = workdir / 'push.json'
    event.write_text(json.dumps({'ref': 'refs/heads/main', 'after': HEAD, 'commits': []}), encoding='utf-8')
    env = cli_env(GITHUB_EVENT_NAME='push', GITHUB_EVENT_PATH=str(event), GITHUB_REPOSITORY=f'{OWNER}/{REPO}')
    result = run_cli(['github'], workdir, env)
    assert result.returncode == 0, result.stderr
    assert "the 'push' event is not a pull request; nothing to do." in result.stderr


def test_closed_pull_request_exits_0(fake_github: FakeGitHub, gh_env: Callable[..., dict[str, str]],
                                     run_github: Callable[..., Run]) -> None:
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)})
    run = run_github(gh_env('closed'))
    assert run.code == 0
    assert "pull request action 'closed' is not reviewed" in run.stderr
    assert fake_github.requests == []


def test_missing_event_path_is_a_usage_error(run_github: Callable[..., Run], workdir: Path) -> None:
    summary, output = workdir / 's.md', workdir / 'o.txt'
    summary.touch()
    run = run_github({'GITHUB_STEP_SUMMARY': str(summary), 'GITHUB_OUTPUT': str(output)})
    assert run.code == 2
    assert run.stderr.startswith('codestral-bot: error: GITHUB_EVENT_PATH is not set')


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A developer's real keys or a CI runner's GITHUB_* must never reach these runs.
    _clear_env(monkeypatch)
    yield


# ---------------------------------------------------------------- exit codes a workflow can trust


def test_fail_on_with_the_key_rejected_on_chat_fails_the_job(geo_pr: FakeGitHub, fake_codestral: FakeCodestral,
                                                             gh_env: Callable[..., dict[str, str]],
                                                             run_github: Callable[..., Run]) -> None:
    from tests.fakes.codestral import Reply

    fake_codestral.responder = lambda body: Reply.unauthorized()
    result = run_github(gh_env(), '--mode', 'comment', '--fail-on', 'error')
    assert result.code == 2, result.stderr
    assert 'The API key was rejected' in result.summary


def test_a_setter_stub_pushed_later_is_not_skipped_as_already_posted(
        fake_github: FakeGitHub, fake_codestral: FakeCodestral, gh_env: Callable[..., dict[str, str]],
        run_github: Callable[..., Run]) -> None:
    getter = 'class C:\n    @property\n    def value(self):\n        ...\n'
    both = getter + '\n    @value.setter\n    def value(self, v):\n        ...\n'
    add_pr(fake_github, {'c.py': (None, getter)})
    fake_codestral.responder = lambda body: 'return self._v'
    first = run_github(gh_env(), '--mode', 'suggest')
    assert first.code == 0 and len(comments(fake_github)) == 1, first.stderr
    push(fake_github, 'c.py', '', both, 'c' * 40)
    second = run_github(gh_env('synchronize'), '--mode', 'suggest')
    assert second.code == 0, second.stderr
    assert len(comments(fake_github)) == 2, second.stderr
    assert second.outputs['posted'] == '1'
