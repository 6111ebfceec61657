"""Item 4: every answer is data. Odd values in a 200 never crash the run (exit 3 blocks the hook)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Reply
from tests.repo_util import run_cli
from tests.security._util import bot_env
from tests.security._util import stub_repo


def _answer(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        'id': 'x', 'object': 'chat.completion', 'model': 'codestral-latest', 'created': 1,
        'choices': [{'index': 0, 'finish_reason': 'stop',
                     'message': {'role': 'assistant', 'content': 'return math.pi * r ** 2'}}],
        'usage': {'prompt_tokens': 5, 'completion_tokens': 3, 'total_tokens': 8},
    }
    body.update(overrides)
    return body


ODD_200 = [
    pytest.param(Reply(json=_answer(usage={'prompt_tokens': [1], 'completion_tokens': {'a': 1}})), id='usage-list'),
    pytest.param(Reply(raw=json.dumps(_answer()).replace('"prompt_tokens": 5', '"prompt_tokens": 1e999'),
                       content_type='application/json'), id='usage-1e999'),
    pytest.param(Reply(json=_answer(usage={'prompt_tokens': -4, 'completion_tokens': 10**30})), id='usage-huge'),
    pytest.param(Reply(json=_answer(usage={'prompt_tokens': 'many', 'completion_tokens': None})), id='usage-string'),
    pytest.param(Reply(json=_answer(usage=[1, 2])), id='usage-list-itself'),
    pytest.param(Reply(json=_answer(choices=None)), id='choices-null'),
    pytest.param(Reply(json=_answer(choices='abc')), id='choices-string'),
    pytest.param(Reply(json=_answer(choices=[[1]])), id='choice-list'),
    pytest.param(Reply(json=_answer(choices=[{'message': {'content': [{'text': 1}, 'x', None]}}])), id='content-junk'),
    pytest.param(Reply(json=_answer(choices=[{'message': {'content': 12}, 'finish_reason': ['stop']}])),
                 id='content-number'),
    pytest.param(Reply(json=[1, 2, 3]), id='top-level-list'),
    pytest.param(Reply(json='just a string'), id='top-level-string'),
    pytest.param(Reply(json=None, raw=b'null', content_type='application/json'), id='null'),
    pytest.param(Reply(raw='{"choices": ' + '[' * 5000 + ']' * 5000 + '}', content_type='application/json'),
                 id='deep-nesting'),
    pytest.param(Reply(raw='{"usage": {"prompt_tokens": ' + '9' * 5000 + '}}', content_type='application/json'),
                 id='huge-int-literal'),
]


@pytest.mark.parametrize('reply', ODD_200)
def test_odd_fim_answer_is_a_failed_stub_not_a_crash(tmp_path: Path, fake_codestral: FakeCodestral,
                                                     reply: Reply) -> None:
    root = stub_repo(tmp_path / 'repo')
    fake_codestral.enqueue('fim', reply)
    result = run_cli(['review', '--no-comments', '--json'], root, bot_env(tmp_path, fake_codestral))
    # 2: the only request failed (the exit-code contract); 3 would be a crash
    assert result.returncode in (0, 1, 2), result.stderr
    assert 'unexpected error' not in result.stderr
    data = json.loads(result.stdout)
    assert data['fills'][0]['status'] in ('filled', 'failed', 'rejected')


@pytest.mark.parametrize('reply', ODD_200[:5])
def test_odd_chat_answer_does_not_crash(tmp_path: Path, fake_codestral: FakeCodestral, reply: Reply) -> None:
    root = stub_repo(tmp_path / 'repo')
    fake_codestral.enqueue('chat', reply)
    result = run_cli(['review', '--no-fill'], root, bot_env(tmp_path, fake_codestral))
    assert result.returncode in (0, 1, 2), result.stderr
    assert 'unexpected error' not in result.stderr


def test_odd_stream_events_do_not_crash(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    from codestral_bot.providers.mistral import choices_of
    from codestral_bot.providers.mistral import content_text
    from codestral_bot.providers.mistral import usage_of

    assert choices_of({'choices': 'x'}) == [] and choices_of({'choices': [1, {'a': 1}]}) == [{'a': 1}]
    assert content_text([{'text': 1}, {'text': 'a'}]) == 'a' and content_text({'x': 1}) == ''
    assert usage_of({'prompt_tokens': float('inf'), 'completion_tokens': True}).prompt_tokens == 0
