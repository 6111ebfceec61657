"""The GitHub sink's parts: anchors, suggestion text, fingerprints, bodies, Actions files, the client, action.yml."""
from __future__ import annotations

import difflib
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from github import GithubException
from github import RateLimitExceededException

from codestral_bot.diff import parse_diff
from codestral_bot.records import FileChange
from codestral_bot.records import Fill
from codestral_bot.records import Finding
from codestral_bot.github import actions
from codestral_bot.github.review import BODY_LIMIT
from codestral_bot.github.review import ReviewPlan
from codestral_bot.github.review import plan_review
from codestral_bot.github.review import review_body
from codestral_bot.github.client import describe
from codestral_bot.github.client import make_github
from codestral_bot.github.items import Item
from codestral_bot.github.items import anchor_problem
from codestral_bot.github.items import comment_body
from codestral_bot.github.items import comment_payload
from codestral_bot.github.items import distinct
from codestral_bot.github.items import fence_for
from codestral_bot.github.items import finding_item
from codestral_bot.github.items import fingerprints_in
from codestral_bot.github.items import suggested_lines
from codestral_bot.github.items import suggestion_item
from codestral_bot.github.pull_request import diff_texts
from codestral_bot.sources import decode_source
from codestral_bot.stubs import find_stubs
from tests.fakes.github import FakeGitHub
from tests.fakes.github import PullFile

ACTION = Path(__file__).resolve().parent.parent / 'action' / 'action.yml'
CHANGE = FileChange('m.py', 'm.py', 'modified', frozenset({5, 6, 20}), ((2, 8), (17, 22)))


def only_stub(path: str, text: str) -> Any:
    (stub,) = find_stubs(path, text, bare_pass_is_stub=True)
    return stub


def fill_of(path: str, text: str, body: str) -> tuple[Fill, Any]:
    """A filled stub whose replacement is ``lead + body + tail`` (body lines '\\n'-joined)."""
    source = decode_source(path, text.encode())
    stub = only_stub(path, text)
    replacement = stub.lead + body.replace('\n', source.eol) + stub.tail
    return Fill(stub=stub, status='filled', replacement=replacement), source


# ---------------------------------------------------------------- suggestion text


def test_whole_line_stub_suggests_exactly_its_lines() -> None:
    text = 'def f(x):\n    # TODO: double it\n    return None\n\nY = 1\n'
    fill, source = fill_of('m.py', text, 'return 2 * x')
    assert (fill.stub.start_line, fill.stub.end_line) == (2, 3)
    assert suggested_lines(source.text, fill.stub, fill.replacement or '') == '    return 2 * x'


def test_one_line_stub_becomes_the_line_with_its_new_body() -> None:
    text = 'import os\ndef f(): pass\nZ = 2\n'
    fill, source = fill_of('m.py', text, 'return os.sep\n    x = 1')
    assert (fill.stub.start_line, fill.stub.end_line) == (2, 2)
    assert suggested_lines(source.text, fill.stub, fill.replacement or '') == 'def f():\n    return os.sep\n    x = 1'


def test_last_line_without_newline_and_crlf_files() -> None:
    fill, source = fill_of('m.py', 'def f():\n    pass', 'return 1')
    assert suggested_lines(source.text, fill.stub, fill.replacement or '') == '    return 1'
    fill, source = fill_of('m.py', 'def f():\r\n    pass\r\nX = 1\r\n', 'a = 1\n    return a')
    assert suggested_lines(source.text, fill.stub, fill.replacement or '') == '    a = 1\n    return a'


def test_stub_offsets_outside_its_lines_give_no_suggestion() -> None:
    fill, source = fill_of('m.py', 'def f():\n    pass\n', 'return 1')
    wrong = fill.stub.__class__(**{**fill.stub.__dict__, 'start_line': 1, 'end_line': 1})
    assert suggested_lines(source.text, wrong, fill.replacement or '') is None
    item = suggestion_item(Fill(stub=wrong, status='filled', replacement=fill.replacement), source,
                           FileChange('m.py', None, 'added', frozenset({1, 2}), ((1, 2),)), True)
    assert item.problem == "the fill does not map onto the stub's lines"


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fence_for('plain') == '```'
    assert fence_for('doc = """```py\nx\n```"""') == '````'
    assert fence_for('a ````` b') == '``````'
    item = Item('suggestion', 'm.py', 2, 2, 'warning', 'T', 'f' * 64, 's = "```"')
    assert '````suggestion\ns = "```"\n````' in comment_body(item)


def test_empty_suggestion_deletes_the_range() -> None:
    item = Item('finding', 'm.py', 5, 6, 'info', 'Dead code.', 'e' * 64, '')
    assert '```suggestion\n```' in comment_body(item)


# ---------------------------------------------------------------- anchors


@pytest.mark.parametrize(('start', 'end', 'problem'), [
    (5, 6, None),
    (2, 8, None),
    (20, 20, None),
    (1, 5, 'line 1 is outside the diff'),
    (8, 9, 'line 9 is outside the diff'),
    (12, 12, 'line 12 is outside the diff'),
    (6, 20, 'the lines span more than one hunk of the diff'),
])
def test_anchors_must_lie_in_one_hunk(start: int, end: int, problem: str | None) -> None:
    assert anchor_problem(CHANGE, True, start, end) == problem


def test_files_without_a_patch_or_outside_the_pr_take_no_inline_comment() -> None:
    assert anchor_problem(CHANGE, False, 5, 5) == 'GitHub shows no diff for this file'
    assert anchor_problem(None, True, 5, 5) == 'the file is not part of the pull request'


def test_payload_single_line_and_range() -> None:
    single = comment_payload(Item('suggestion', 'm.py', 5, 5, 'warning', 'T', 'a' * 64, 'x'))
    assert single['line'] == 5 and single['side'] == 'RIGHT'
    assert 'start_line' not in single and 'start_side' not in single and 'position' not in single
    ranged = comment_payload(Item('suggestion', 'm.py', 5, 6, 'warning', 'T', 'a' * 64, 'x'))
    assert (ranged['start_line'], ranged['start_side'], ranged['line'], ranged['side']) == (5, 'RIGHT', 6, 'RIGHT')


def test_finding_items_keep_the_findings_range() -> None:
    finding = Finding('m.py', 6, 'error', 'Off by one.', start_line=5, suggestion='    i += 1')
    item = finding_item(finding, CHANGE, True)
    assert (item.start_line, item.line, item.inline, item.suggestion) == (5, 6, True, '    i += 1')
    assert not finding_item(Finding('m.py', 12, 'info', 'Far away.'), CHANGE, True).inline


# ---------------------------------------------------------------- fingerprints


def test_fingerprints_ignore_line_numbers_and_fills() -> None:
    text = 'def f(x):\n    pass\n'
    one, source = fill_of('m.py', text, 'return x')
    moved, moved_source = fill_of('m.py', '# header\n\n' + text, 'return x + 0')
    change = FileChange('m.py', None, 'added', frozenset(range(1, 5)), ((1, 4),))
    a = suggestion_item(one, source, change, True)
    b = suggestion_item(moved, moved_source, change, True)
    assert a.line != b.line and a.fingerprint == b.fingerprint
    other, other_source = fill_of('n.py', text, 'return x')
    assert suggestion_item(other, other_source, change, True).fingerprint != a.fingerprint
    assert fingerprints_in(comment_body(a)) == {a.fingerprint}


def test_findings_fingerprint_on_the_message_and_repeats_are_numbered() -> None:
    f1 = finding_item(Finding('m.py', 5, 'warning', 'Unchecked result.'), CHANGE, True)
    f2 = finding_item(Finding('m.py', 20, 'warning', 'unchecked   result'), CHANGE, True)
    assert f1.fingerprint == f2.fingerprint
    first, second = distinct([f1, f2])
    assert first.fingerprint == f1.fingerprint and second.fingerprint != f1.fingerprint
    assert distinct([f1, f2]) == [first, second]  # stable: a re-run numbers them the same


# ---------------------------------------------------------------- the review's plan and body


def _items(n: int, *, kind: str = 'finding', inline: bool = True, severity: str = 'info') -> list[Item]:
    return [Item(kind, 'm.py', i + 1, i + 1, severity, f'Item {i}.', f'{kind[0]}{severity[0]}{i:062x}',  # type: ignore[arg-type]
                 'x = 1' if kind == 'suggestion' else None, None if inline else 'line 1 is outside the diff')
            for i in range(n)]


def test_plan_caps_inline_comments_and_ranks_suggestions_first() -> None:
    infos = _items(20)
    errors = _items(5, severity='error')
    suggestions = _items(10, kind='suggestion', severity='warning')
    outside = _items(2, inline=False, severity='error')
    plan = plan_review([*infos, *outside, *errors, *suggestions], frozenset({infos[0].fingerprint}), 12)
    assert plan.inline == [*suggestions, *errors[:2]]
    assert len(plan.listed) == 3 + 2 + 19 and plan.skipped == 1
    assert not plan_review(_items(3), frozenset(i.fingerprint for i in _items(3)), 30).inline


def test_stubs_that_were_not_filled_are_never_posted() -> None:
    stub = Item('stub', 'm.py', 5, 5, 'info', '`f` is a stub, not filled.', 'c' * 64, None, 'not filled')
    assert plan_review([stub], frozenset(), 30).empty


def test_review_body_stays_under_githubs_limit() -> None:
    big = [Item('suggestion', 'm.py', i, i, 'warning', f'Stub {i}.', f'{i:064x}', 'y = 2\n' * 200, 'far')
           for i in range(200)]
    body = review_body(ReviewPlan([], big, 0), 'run1')
    assert len(body) < BODY_LIMIT
    assert re.search(r'… and \d+ more, not shown', body)
    assert body.endswith('<!-- codestral-bot:review -->\n<!-- codestral-bot:run=run1 -->')
    shown = fingerprints_in(body)
    assert 0 < len(shown) < 200  # what is cut is not marked as posted: a re-run lists it


# ---------------------------------------------------------------- Actions: annotations, outputs, summary


def test_annotation_escapes_data_and_properties() -> None:
    item = Item('finding', 'dir,a:b/100%.py', 3, 4, 'warning', 'Rate is 100%,\r\nnot: 50%.', 'd' * 64, None)
    line = actions.annotation(item)
    assert line == ('::warning file=dir%2Ca%3Ab/100%25.py,line=3,endLine=4,title=codestral-bot%3A warning'
                    '::Rate is 100%25,%0D%0Anot: 50%25.')
    assert '\n' not in line


def test_outputs_are_appended_as_name_value_lines(tmp_path: Path) -> None:
    path = tmp_path / 'out'
    path.write_text('earlier=1\n', encoding='utf-8')
    actions.write_outputs(str(path), actions.Tally(stubs=3, suggested=2, comments=1, posted=2).outputs())
    assert path.read_text(encoding='utf-8') == 'earlier=1\nstubs=3\nsuggestions=2\ncomments=1\nposted=2\n'


def test_summary_stays_under_one_mebibyte(tmp_path: Path) -> None:
    items = [Item('suggestion', 'm.py', i, i, 'warning', f'Stub {i}.', f'{i:064x}', 'z = 3\n' * 2000)
             for i in range(200)]
    text = actions.summary_markdown(actions.Tally(stubs=200), ['A note.'], items)
    assert len(text.encode()) < actions.SUMMARY_LIMIT
    assert re.search(r'… and \d+ more, not shown', text)
    path = tmp_path / 'summary.md'
    path.write_bytes(b'x' * (actions.SUMMARY_LIMIT - 1000))  # earlier steps wrote most of it
    actions.write_summary(str(path), text)
    assert path.stat().st_size < actions.SUMMARY_LIMIT
    assert path.read_bytes().endswith(b'(cut: the step summary is limited to 1 MiB)\n')


# ---------------------------------------------------------------- reading patches and blobs


def test_blob_diff_matches_the_unified_diff_hunks() -> None:
    old = ''.join(f'line {i}\n' for i in range(1, 40))
    new = old.replace('line 5\n', 'line 5\nnew a\n').replace('line 30\n', 'changed 30\n')
    mine = diff_texts('m.txt', 'm.txt', 'modified', old, new)
    text = ''.join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), 'a/m.txt', 'b/m.txt'))
    (theirs,) = parse_diff(text.encode())
    assert (mine.added_lines, mine.hunks) == (theirs.added_lines, theirs.hunks)


# ---------------------------------------------------------------- the PyGithub client


@pytest.fixture
def pr_on(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_pull('o', 'r', 1, 'a' * 40, 'b' * 40, [PullFile('x.py', 'added', '@@ -0,0 +1 @@\n+x = 1', sha='c' * 40)])
    return fake_github


def _pull(fake: FakeGitHub) -> Any:
    gh = make_github('t', fake.url, {'CODESTRAL_BOT_GITHUB_WRITE_INTERVAL': '0'})
    pr = gh.get_repo('o/r').get_pull(1)
    assert pr.title  # the client is lazy: reading a field fetches the PR
    return pr


def test_client_never_reposts_after_a_5xx(pr_on: FakeGitHub) -> None:
    pr_on.inject('POST', '/repos/o/r/pulls/1/reviews', status=502, after_effect=True)
    with pytest.raises(GithubException) as failed:
        _pull(pr_on).create_review(body='b', event='COMMENT')
    assert failed.value.status == 502
    assert len(pr_on.calls('POST', '/repos/o/r/pulls/1/reviews')) == 1


def test_client_retries_reads_after_a_5xx(pr_on: FakeGitHub) -> None:
    pr_on.inject('GET', '/repos/o/r/pulls/1', status=502)
    assert _pull(pr_on).number == 1
    assert [r.status for r in pr_on.calls('GET', '/repos/o/r/pulls/1')] == [502, 200]


def test_client_does_not_sleep_past_the_cap(pr_on: FakeGitHub) -> None:
    pr_on.inject('GET', '/repos/o/r/pulls/1', status=403, kind='secondary_rate_limit', retry_after=3600)
    start = time.monotonic()
    with pytest.raises(RateLimitExceededException) as limited:
        _pull(pr_on)
    assert time.monotonic() - start < 10
    assert describe(limited.value) == '403 rate limited: GitHub asks to wait 3600 s, longer than the 60 s cap'


def test_writes_are_paced_by_default() -> None:
    from codestral_bot.github.client import write_interval

    assert write_interval({}) == 1.0
    assert write_interval({'CODESTRAL_BOT_GITHUB_WRITE_INTERVAL': '0'}) == 0.0


# ---------------------------------------------------------------- action.yml


def _action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding='utf-8'))
    assert isinstance(data, dict)
    return data


def test_action_is_a_composite_with_shells_and_output_values() -> None:
    action = _action()
    assert action['runs']['using'] == 'composite'
    assert set(action['inputs']) == {'api-key', 'github-token', 'mode', 'model', 'plan', 'max-comments',
                                     'fail-on', 'api-base'}
    assert action['inputs']['github-token']['default'] == '${{ github.token }}'
    assert action['inputs']['mode']['default'] == 'both'
    steps = action['runs']['steps']
    for step in steps:
        if 'run' in step:
            assert step.get('shell') == 'bash', step
            assert '${{' not in step['run'], step  # inputs reach scripts through env only
    review = next(s for s in steps if s.get('id') == 'review')
    for name in ('stubs', 'suggestions', 'comments', 'posted'):
        assert action['outputs'][name]['value'] == f'${{{{ steps.review.outputs.{name} }}}}'
    assert any(str(s.get('uses', '')).startswith('actions/setup-python@v5') for s in steps)
    assert 'codestral-bot" github' in review['run']


def test_action_passes_inputs_as_words_never_as_code(tmp_path: Path) -> None:
    step = next(s for s in _action()['runs']['steps'] if s.get('id') == 'review')
    bin_dir = tmp_path / 'codestral-bot-venv' / 'bin'
    bin_dir.mkdir(parents=True)
    fake_bot = bin_dir / 'codestral-bot'
    fake_bot.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\nprintf "key=%s\\n" "${CODESTRAL_API_KEY:-unset}"\n',
                        encoding='utf-8')
    fake_bot.chmod(0o755)
    env = {'PATH': os.environ['PATH'], 'RUNNER_TEMP': str(tmp_path), 'GITHUB_TOKEN': 't',
           'CODESTRAL_API_KEY': 'k', 'CODESTRAL_BOT_API_BASE': '', 'INPUT_MODE': 'suggest',
           'INPUT_MODEL': '$(touch pwned)', 'INPUT_PLAN': '', 'INPUT_MAX_COMMENTS': '5', 'INPUT_FAIL_ON': ''}
    result = subprocess.run(['bash', '-c', step['run']], env=env, cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    assert result.stdout.splitlines() == ['github', '--mode', 'suggest', '--model', '$(touch pwned)',
                                          '--max-comments', '5', 'key=k']
    assert not (tmp_path / 'pwned').exists()


def test_action_keys_the_pip_cache_on_its_pyproject(tmp_path: Path) -> None:
    import sys

    step = next(s for s in _action()['runs']['steps'] if s.get('id') == 'key')
    output = tmp_path / 'output'
    env = {'PATH': os.environ['PATH'], 'PYTHON': sys.executable, 'GITHUB_ACTION_PATH': str(ACTION.parent),
           'GITHUB_OUTPUT': str(output)}
    subprocess.run(['bash', '-c', step['run']], env=env, capture_output=True, text=True, check=True)
    assert re.fullmatch(r'hash=[0-9a-f]{16}\n', output.read_text(encoding='utf-8'))


def test_the_token_is_never_sent_over_plain_http_to_a_remote_host() -> None:
    import pytest

    from codestral_bot.errors import UsageError
    from codestral_bot.github.client import make_github

    with pytest.raises(UsageError, match='plain http to github.example.invalid'):
        make_github('ghp_secret', 'http://github.example.invalid/api/v3', {})
    make_github('ghp_secret', 'http://127.0.0.1:1', {})  # loopback is fine (tests, local proxies)
