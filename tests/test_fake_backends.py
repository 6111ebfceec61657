from __future__ import annotations

# The fake Ollama and OpenRouter servers, driven by raw httpx.

import json
from typing import Any

import httpx
import pytest

from tests.fakes.codestral import Reply
from tests.fakes.codestral import estimate_tokens
from tests.fakes.ollama import FakeOllama
from tests.fakes.ollama import full_model_name
from tests.fakes.ollama import runner_error
from tests.fakes.openrouter import FakeOpenRouter
from tests.fakes.openrouter import insufficient_credits
from tests.fakes.openrouter import provider_error
from tests.fakes.openrouter import rate_limited

# One client for the module: building one loads the CA bundle (~70 ms).
HTTP = httpx.Client(timeout=10.0)
AUTH = {'Authorization': 'Bearer test-key'}


def ndjson(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def generate(fake: FakeOllama, **body: Any) -> httpx.Response:
    return HTTP.post(f'{fake.url}/api/generate', json={'model': 'codestral:22b', 'prompt': 'def f():\n    ', **body})


def or_chat(fake: FakeOpenRouter, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
    payload = {'model': 'mistralai/codestral-2508', 'messages': [{'role': 'user', 'content': 'review x = 1'}],
               **body}
    return HTTP.post(f'{fake.url}/api/v1/chat/completions', json=payload, headers=AUTH if headers is None else headers)


def sse_data(text: str) -> list[str]:
    return [block[len('data: '):] for block in text.split('\n\n') if block.startswith('data: ')]


# ---------------------------------------------------------------- Ollama

def test_ollama_root_tags_version(fake_ollama: FakeOllama) -> None:
    root = HTTP.get(fake_ollama.url + '/')
    assert root.status_code == 200 and root.text == 'Ollama is running'
    names = [m['name'] for m in HTTP.get(f'{fake_ollama.url}/api/tags').json()['models']]
    assert 'codestral:22b' in names and 'llama3:latest' in names
    assert HTTP.get(f'{fake_ollama.url}/api/version').json() == {'version': '0.6.8'}


def test_ollama_generate_non_stream(fake_ollama: FakeOllama) -> None:
    fake_ollama.enqueue('generate', 'return 42')
    res = generate(fake_ollama, suffix='\n', stream=False)
    data = res.json()
    assert res.headers['content-type'] == 'application/json'
    assert data['response'] == 'return 42'
    assert data['done'] is True and data['done_reason'] == 'stop'
    assert data['model'] == 'codestral:22b'
    assert data['prompt_eval_count'] == estimate_tokens('def f():\n    \n')
    assert data['eval_count'] == estimate_tokens('return 42')
    assert data['created_at'].endswith('Z')
    assert fake_ollama.last('generate').json['suffix'] == '\n'


def test_ollama_generate_streams_by_default(fake_ollama: FakeOllama) -> None:
    fake_ollama.enqueue('generate', 'return a + b')
    res = generate(fake_ollama, suffix='\n')
    assert res.headers['content-type'] == 'application/x-ndjson'
    lines = ndjson(res.text)
    assert len(lines) > 2
    assert all(line['done'] is False for line in lines[:-1])
    assert ''.join(line['response'] for line in lines) == 'return a + b'
    last = lines[-1]
    assert last['done'] is True and last['response'] == '' and last['done_reason'] == 'stop'
    assert last['eval_count'] == estimate_tokens('return a + b')


def test_ollama_num_predict_and_stop(fake_ollama: FakeOllama) -> None:
    fake_ollama.enqueue('generate', 'z' * 80, 'return 1\n\nprint(2)')
    capped = generate(fake_ollama, stream=False, options={'num_predict': 4, 'temperature': 0}).json()
    assert capped['done_reason'] == 'length' and capped['eval_count'] == 4
    stopped = generate(fake_ollama, stream=False, options={'stop': ['\n\n']}).json()
    assert stopped['response'] == 'return 1' and stopped['done_reason'] == 'stop'


def test_ollama_chat(fake_ollama: FakeOllama) -> None:
    fake_ollama.enqueue('chat', 'Fine.', 'Also fine.')
    body = {'model': 'llama3', 'messages': [{'role': 'user', 'content': 'review'}]}
    plain = HTTP.post(f'{fake_ollama.url}/api/chat', json={**body, 'stream': False}).json()
    assert plain['message'] == {'role': 'assistant', 'content': 'Fine.'} and plain['done'] is True
    lines = ndjson(HTTP.post(f'{fake_ollama.url}/api/chat', json=body).text)
    assert ''.join(line['message']['content'] for line in lines) == 'Also fine.'
    assert lines[-1]['done'] is True and lines[-1]['message']['content'] == ''


def test_ollama_non_fim_model_refuses_suffix(fake_ollama: FakeOllama) -> None:
    res = HTTP.post(f'{fake_ollama.url}/api/generate', json={'model': 'llama3', 'prompt': 'a', 'suffix': 'b'})
    assert res.status_code == 400
    assert res.json() == {'error': 'registry.ollama.ai/library/llama3:latest does not support insert'}
    without_suffix = HTTP.post(f'{fake_ollama.url}/api/generate', json={'model': 'llama3', 'prompt': 'a',
                                                                        'stream': False})
    assert without_suffix.status_code == 200


def test_ollama_unknown_model_and_bad_bodies(fake_ollama: FakeOllama) -> None:
    missing = HTTP.post(f'{fake_ollama.url}/api/generate', json={'model': 'x', 'prompt': 'a'})
    assert missing.status_code == 404
    assert missing.json() == {'error': 'model "x" not found, try pulling it first'}
    assert HTTP.post(f'{fake_ollama.url}/api/generate', json={'prompt': 'a'}).json() == {'error': 'model is required'}
    assert HTTP.post(f'{fake_ollama.url}/api/generate', content=b'').status_code == 400
    typed = HTTP.post(f'{fake_ollama.url}/api/generate', json={'model': 'codestral:22b', 'stream': 'no'})
    assert typed.status_code == 400 and 'cannot unmarshal' in typed.json()['error']
    assert HTTP.get(f'{fake_ollama.url}/api/nothing').status_code == 404


def test_ollama_model_names() -> None:
    assert full_model_name('llama3') == 'registry.ollama.ai/library/llama3:latest'
    assert full_model_name('me/coder:7b') == 'registry.ollama.ai/me/coder:7b'


def test_ollama_scripted_error_cut_and_responder(fake_ollama: FakeOllama) -> None:
    fake_ollama.enqueue('generate', runner_error(), Reply(text='q' * 40, cut_after_chunks=2))
    assert generate(fake_ollama).status_code == 500
    with pytest.raises(httpx.RemoteProtocolError):
        generate(fake_ollama)
    fake_ollama.responder = lambda body: body['prompt'][::-1]
    assert generate(fake_ollama, prompt='abc', stream=False).json()['response'] == 'cba'
    assert fake_ollama.count('generate') == 3 and fake_ollama.requests[0].status == 500


def test_ollama_configured_models() -> None:
    with FakeOllama(models={'tiny-coder:1b': True}) as fake:
        names = [m['name'] for m in HTTP.get(f'{fake.url}/api/tags').json()['models']]
        ok = HTTP.post(f'{fake.url}/api/generate', json={'model': 'tiny-coder:1b', 'prompt': 'a', 'suffix': 'b',
                                                         'stream': False})
    assert names == ['tiny-coder:1b'] and ok.status_code == 200


# ---------------------------------------------------------------- OpenRouter

def test_openrouter_chat_json(fake_openrouter: FakeOpenRouter) -> None:
    fake_openrouter.enqueue('chat', 'Looks good.')
    res = or_chat(fake_openrouter, temperature=0.1, max_tokens=100)
    data = res.json()
    assert data['id'].startswith('gen-')
    assert data['object'] == 'chat.completion'
    assert data['model'] == 'mistralai/codestral-2508'
    choice = data['choices'][0]
    assert choice['index'] == 0 and choice['finish_reason'] == 'stop'
    assert choice['message']['role'] == 'assistant' and choice['message']['content'] == 'Looks good.'
    usage = data['usage']
    assert usage['prompt_tokens'] == estimate_tokens('review x = 1')
    assert usage['total_tokens'] == usage['prompt_tokens'] + usage['completion_tokens']
    assert fake_openrouter.last('chat').headers['authorization'] == 'Bearer test-key'


def test_openrouter_chat_sse(fake_openrouter: FakeOpenRouter) -> None:
    fake_openrouter.enqueue('chat', 'Rename x to count.')
    res = or_chat(fake_openrouter, stream=True)
    assert res.headers['content-type'].startswith('text/event-stream')
    assert res.text.startswith(': OPENROUTER PROCESSING\n\n')
    events = sse_data(res.text)
    assert events[-1] == '[DONE]'
    chunks = [json.loads(e) for e in events[:-1]]
    content = ''.join(c['choices'][0]['delta']['content'] for c in chunks if c['choices'])
    assert content == 'Rename x to count.'
    finishes = [c['choices'][0]['finish_reason'] for c in chunks if c['choices']]
    assert finishes[-1] == 'stop' and set(finishes[:-1]) == {None}
    assert chunks[-1]['choices'] == [] and chunks[-1]['usage']['completion_tokens'] == estimate_tokens(content)


def test_openrouter_max_tokens_and_stop(fake_openrouter: FakeOpenRouter) -> None:
    fake_openrouter.enqueue('chat', 'w' * 50, 'one. two.')
    capped = or_chat(fake_openrouter, max_tokens=2).json()['choices'][0]
    assert capped['finish_reason'] == 'length' and capped['message']['content'] == 'w' * 8
    stopped = or_chat(fake_openrouter, stop=['. ']).json()['choices'][0]
    assert stopped['message']['content'] == 'one'


def test_openrouter_auth_errors(fake_openrouter: FakeOpenRouter) -> None:
    missing = or_chat(fake_openrouter, headers={})
    assert missing.status_code == 401
    assert missing.json() == {'error': {'code': 401, 'message': 'No auth credentials found'}}
    wrong = or_chat(fake_openrouter, headers={'Authorization': 'Bearer nope'})
    assert wrong.status_code == 401 and wrong.json()['error']['code'] == 401


@pytest.mark.parametrize('reply, status', [
    (insufficient_credits(), 402), (rate_limited(), 429), (provider_error(), 502),
])
def test_openrouter_scripted_errors(fake_openrouter: FakeOpenRouter, reply: Reply, status: int) -> None:
    fake_openrouter.enqueue('chat', reply)
    res = or_chat(fake_openrouter)
    assert res.status_code == status
    assert res.json()['error']['code'] == status and res.json()['error']['message']


def test_openrouter_bad_requests(fake_openrouter: FakeOpenRouter) -> None:
    unknown = or_chat(fake_openrouter, model='nobody/model')
    assert unknown.status_code == 400 and 'not a valid model ID' in unknown.json()['error']['message']
    no_messages = or_chat(fake_openrouter, messages=[])
    assert no_messages.status_code == 400


def test_openrouter_models_list(fake_openrouter: FakeOpenRouter) -> None:
    data = HTTP.get(f'{fake_openrouter.url}/api/v1/models').json()['data']
    ids = [m['id'] for m in data]
    assert 'mistralai/codestral-2508' in ids
    assert all('pricing' in m and 'context_length' in m for m in data)


def test_openrouter_cut_stream(fake_openrouter: FakeOpenRouter) -> None:
    fake_openrouter.enqueue('chat', Reply(text='v' * 40, cut_after_chunks=3))
    with pytest.raises(httpx.RemoteProtocolError):
        or_chat(fake_openrouter, stream=True)
