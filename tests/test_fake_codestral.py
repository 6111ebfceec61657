from __future__ import annotations

# The fake Codestral API driven by the official SDK (so its wire format cannot drift from what
# the real API's own client accepts), then by raw httpx for what the SDK hides.

import asyncio
import email.utils
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mistralai.client import Mistral
from mistralai.client.errors import HTTPValidationError
from mistralai.client.errors import SDKError

from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Quota
from tests.fakes.codestral import Reply
from tests.fakes.codestral import estimate_tokens
from tests.fakes.codestral import shape_completion

KEY = 'test-key'
AUTH = {'Authorization': f'Bearer {KEY}'}
HEX32 = re.compile(r'^[0-9a-f]{32}$')
REPO = Path(__file__).resolve().parents[1]
# One client for the module: building one loads the CA bundle (~70 ms), and it is thread-safe.
HTTP = httpx.Client(timeout=10.0, limits=httpx.Limits(max_connections=100))


def sdk(fake: FakeCodestral, key: str = KEY) -> Mistral:
    return Mistral(api_key=key, server_url=fake.url)


def fim_body(**extra: Any) -> dict[str, Any]:
    return {'model': 'codestral-latest', 'prompt': 'def f(x):\n    ', 'suffix': '\n', **extra}


def post_fim(fake: FakeCodestral, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return HTTP.post(f'{fake.url}/v1/fim/completions', json=body, headers=AUTH if headers is None else headers)


def sse_data(text: str) -> list[str]:
    return [line[len('data: '):] for line in text.split('\n\n') if line.startswith('data: ')]


# ---------------------------------------------------------------- the official SDK as client

def test_sdk_fim_complete(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', 'return x * 2')
    res = sdk(fake_codestral).fim.complete(model='codestral-latest', prompt='def f(x):\n    ', suffix='\n')
    assert res.choices[0].message.content == 'return x * 2'
    assert res.choices[0].finish_reason == 'stop'
    assert res.model == 'codestral-2508'
    assert res.object == 'chat.completion'
    assert HEX32.match(res.id)
    assert res.usage.prompt_tokens == estimate_tokens('def f(x):\n    \n')
    assert res.usage.completion_tokens == estimate_tokens('return x * 2')
    assert res.usage.total_tokens == res.usage.prompt_tokens + res.usage.completion_tokens


def test_sdk_fim_stream(fake_codestral: FakeCodestral) -> None:
    text = 'total = sum(values)\n    return total'
    fake_codestral.enqueue('fim', text)
    events = list(sdk(fake_codestral).fim.stream(model='codestral-latest', prompt='def f(values):\n    '))
    chunks = [e.data for e in events]
    assert chunks[0].choices[0].delta.role == 'assistant'
    assert chunks[0].choices[0].delta.content == ''
    assert len(chunks) > 3
    assert ''.join(c.choices[0].delta.content or '' for c in chunks) == text
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert chunks[-1].choices[0].finish_reason == 'stop'
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == estimate_tokens(text)
    assert fake_codestral.last('fim').json['stream'] is True


def test_sdk_chat_complete(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('chat', 'Looks fine.')
    messages = [{'role': 'system', 'content': 'Review.'}, {'role': 'user', 'content': 'x = 1'}]
    res = sdk(fake_codestral).chat.complete(model='codestral-latest', messages=messages, temperature=0.2)
    assert res.choices[0].message.content == 'Looks fine.'
    assert res.usage.prompt_tokens == estimate_tokens('Review.x = 1')
    assert fake_codestral.last('chat').json['messages'] == messages


def test_sdk_chat_stream(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('chat', 'One remark: name things well.')
    stream = sdk(fake_codestral).chat.stream(model='mistral-small-latest',
                                            messages=[{'role': 'user', 'content': 'review'}])
    chunks = [e.data for e in stream]
    assert ''.join(c.choices[0].delta.content or '' for c in chunks) == 'One remark: name things well.'
    assert chunks[-1].choices[0].finish_reason == 'stop'
    assert chunks[-1].model == 'mistral-small-latest'


def test_sdk_fim_complete_async_concurrent(fake_codestral: FakeCodestral) -> None:
    fake_codestral.responder = lambda body: f"return {body['prompt'].split()[-1]!r}"

    async def run() -> list[str]:
        client = sdk(fake_codestral)
        calls = [client.fim.complete_async(model='codestral-latest', prompt=f'# {i}\nx = {i}') for i in range(20)]
        results = await asyncio.gather(*calls)
        return [r.choices[0].message.content for r in results]

    assert asyncio.run(run()) == [f"return '{i}'" for i in range(20)]
    assert fake_codestral.count('fim') == 20


@pytest.mark.parametrize('shape', ['message', 'detail'])
def test_sdk_401(shape: str) -> None:
    with FakeCodestral(auth_error_shape=shape) as fake:
        with pytest.raises(SDKError) as info:
            sdk(fake, 'wrong').fim.complete(model='codestral-latest', prompt='x')
    assert info.value.status_code == 401
    body = json.loads(info.value.body)
    if shape == 'detail':
        assert body == {'detail': 'Unauthorized'}
    else:
        assert body['message'] == 'Unauthorized'
        assert HEX32.match(body['request_id'])


def test_sdk_422_from_validation(fake_codestral: FakeCodestral) -> None:
    with pytest.raises(HTTPValidationError) as info:
        sdk(fake_codestral).fim.complete(model='codestral-latest', prompt='x', temperature=3.0)
    detail = info.value.data.detail
    assert detail is not None
    assert detail[0].type == 'less_than_equal'
    assert detail[0].loc == ['body', 'temperature']
    assert info.value.status_code == 422


@pytest.mark.parametrize('wrapped', [False, True])
def test_sdk_422_scripted_shapes(fake_codestral: FakeCodestral, wrapped: bool) -> None:
    fake_codestral.enqueue('fim', Reply.validation_error(wrapped=wrapped))
    with pytest.raises(HTTPValidationError) as info:
        sdk(fake_codestral).fim.complete(model='codestral-latest', prompt='x')
    body = json.loads(info.value.body)
    detail = body['message']['detail'] if wrapped else body['detail']
    assert detail == [{'type': 'extra_forbidden', 'loc': ['body', 'n'], 'msg': 'Extra inputs are not permitted',
                       'input': 2}]


@pytest.mark.parametrize('reply, message', [
    (Reply.rate_limited(), 'Requests rate limit exceeded'),
    (Reply.rate_limited('typed'), 'Rate limit exceeded'),
    (Reply.capacity_exceeded(), 'Service tier capacity exceeded for this model.'),
])
def test_sdk_429(fake_codestral: FakeCodestral, reply: Reply, message: str) -> None:
    fake_codestral.enqueue('chat', reply)
    with pytest.raises(SDKError) as info:
        sdk(fake_codestral).chat.complete(model='codestral-latest', messages=[{'role': 'user', 'content': 'x'}])
    assert info.value.status_code == 429
    assert json.loads(info.value.body)['message'] == message


def test_sdk_invalid_model(fake_codestral: FakeCodestral) -> None:
    with pytest.raises(SDKError) as info:
        sdk(fake_codestral).fim.complete(model='gpt-4', prompt='x')
    assert info.value.status_code == 400
    assert json.loads(info.value.body) == {'object': 'error', 'message': 'Invalid model: gpt-4',
                                           'type': 'invalid_model', 'param': None, 'code': '1500'}


# ---------------------------------------------------------------- validation, raw

def test_extra_field_is_422_exactly(fake_codestral: FakeCodestral) -> None:
    res = post_fim(fake_codestral, fim_body(n=2))
    assert res.status_code == 422
    assert res.json() == {'detail': [{'type': 'extra_forbidden', 'loc': ['body', 'n'],
                                      'msg': 'Extra inputs are not permitted', 'input': 2}]}


def test_missing_required_field(fake_codestral: FakeCodestral) -> None:
    res = post_fim(fake_codestral, {'model': 'codestral-latest'})
    assert res.status_code == 422
    assert res.json()['detail'] == [{'type': 'missing', 'loc': ['body', 'prompt'], 'msg': 'Field required',
                                     'input': {'model': 'codestral-latest'}}]


@pytest.mark.parametrize('field, value, error_type', [
    ('temperature', 1.6, 'less_than_equal'),
    ('temperature', -0.1, 'greater_than_equal'),
    ('temperature', 'hot', 'float_type'),
    ('top_p', None, 'float_type'),
    ('max_tokens', 1.5, 'int_from_float'),
    ('max_tokens', -1, 'greater_than_equal'),
    ('stream', 'yes', 'bool_type'),
    ('prompt', 42, 'string_type'),
    ('stop', 5, 'string_type'),
    ('frequency_penalty', 0.5, 'extra_forbidden'),
    ('stream_options', {'include_usage': True}, 'extra_forbidden'),
])
def test_bad_fim_fields(fake_codestral: FakeCodestral, field: str, value: Any, error_type: str) -> None:
    res = post_fim(fake_codestral, fim_body(**{field: value}))
    assert res.status_code == 422
    assert res.json()['detail'][0]['type'] == error_type
    assert res.json()['detail'][0]['loc'][:2] == ['body', field]


def test_valid_fim_fields_pass(fake_codestral: FakeCodestral) -> None:
    body = fim_body(temperature=0.0, top_p=1, max_tokens=64, min_tokens=1, stream=False, stop=['\n\n'],
                    random_seed=7, metadata={'k': 'v'}, prompt_cache_key=None)
    assert post_fim(fake_codestral, body).status_code == 200


@pytest.mark.parametrize('message, error_type', [
    ({'role': 'robot', 'content': 'x'}, 'union_tag_invalid'),
    ({'content': 'x'}, 'union_tag_not_found'),
    ({'role': 'system'}, 'missing'),
    ({'role': 'user', 'content': 'x', 'name': 'bob'}, 'extra_forbidden'),
])
def test_bad_chat_messages(fake_codestral: FakeCodestral, message: dict[str, Any], error_type: str) -> None:
    body = {'model': 'codestral-latest', 'messages': [message]}
    res = HTTP.post(f'{fake_codestral.url}/v1/chat/completions', json=body, headers=AUTH)
    assert res.status_code == 422
    assert res.json()['detail'][0]['type'] == error_type


def test_chat_json_mode_default_reply(fake_codestral: FakeCodestral) -> None:
    body = {'model': 'codestral-latest', 'messages': [{'role': 'user', 'content': 'JSON please'}],
            'response_format': {'type': 'json_object'}}
    res = HTTP.post(f'{fake_codestral.url}/v1/chat/completions', json=body, headers=AUTH)
    assert json.loads(res.json()['choices'][0]['message']['content']) == {}


def test_invalid_json_body(fake_codestral: FakeCodestral) -> None:
    res = HTTP.post(f'{fake_codestral.url}/v1/fim/completions', content=b'{"model": ', headers=AUTH)
    assert res.status_code == 422
    assert res.json()['detail'][0]['type'] == 'json_invalid'


def test_missing_key_and_unknown_path(fake_codestral: FakeCodestral) -> None:
    assert post_fim(fake_codestral, fim_body(), headers={}).status_code == 401
    assert HTTP.post(f'{fake_codestral.url}/v1/nope', json={}, headers=AUTH).status_code == 404
    assert HTTP.get(f'{fake_codestral.url}/v1/fim/completions', headers=AUTH).status_code == 405


def test_context_window_exceeded() -> None:
    with FakeCodestral(context_window=10) as fake:
        res = post_fim(fake, fim_body(prompt='x' * 100))
    assert res.status_code == 400
    assert 'too large for model' in res.json()['message']


# ---------------------------------------------------------------- errors and broken transports, raw

def test_html_502(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', Reply.bad_gateway())
    res = post_fim(fake_codestral, fim_body())
    assert res.status_code == 502
    assert res.headers['content-type'].startswith('text/html')
    assert res.text.startswith('<html>')
    with pytest.raises(json.JSONDecodeError):
        res.json()


@pytest.mark.parametrize('reply, status', [
    (Reply.server_error(), 500), (Reply.unavailable(), 503), (Reply.unavailable(html=True), 503),
    (Reply.gateway_timeout(), 504),
])
def test_server_errors(fake_codestral: FakeCodestral, reply: Reply, status: int) -> None:
    fake_codestral.enqueue('fim', reply)
    assert post_fim(fake_codestral, fim_body()).status_code == status
    assert post_fim(fake_codestral, fim_body()).status_code == 200  # the queue moved on


def test_cut_stream_has_no_done(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', Reply(text='a' * 40, cut_after_chunks=3))
    lines: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError):
        with HTTP.stream('POST', f'{fake_codestral.url}/v1/fim/completions', json=fim_body(stream=True),
                          headers=AUTH) as res:
            lines.extend(res.iter_lines())
    data = [line for line in lines if line.startswith('data: ')]
    assert len(data) == 3
    assert 'data: [DONE]' not in lines


def test_cut_plain_response(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', Reply(text='return 1', cut_after_chunks=0))
    with pytest.raises(httpx.RemoteProtocolError):
        post_fim(fake_codestral, fim_body())


def test_hang_trips_client_timeout(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', Reply(hang=True))
    with pytest.raises(httpx.ReadTimeout):
        HTTP.post(f'{fake_codestral.url}/v1/fim/completions', json=fim_body(), headers=AUTH, timeout=0.3)


def test_raw_stream_wire_format(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', 'return a + b')
    res = post_fim(fake_codestral, fim_body(stream=True))
    assert res.headers['content-type'].startswith('text/event-stream')
    assert res.text.endswith('data: [DONE]\n\n')
    events = sse_data(res.text)
    assert events[-1] == '[DONE]'
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c['object'] == 'chat.completion.chunk' and HEX32.match(c['id']) for c in chunks)
    assert chunks[0]['choices'][0]['delta'] == {'role': 'assistant', 'content': ''}
    assert 'usage' in chunks[-1] and all('usage' not in c for c in chunks[:-1])


# ---------------------------------------------------------------- max_tokens, stop

def test_max_tokens_cuts_with_length(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', 'x' * 100)
    choice = post_fim(fake_codestral, fim_body(max_tokens=5)).json()['choices'][0]
    assert choice['finish_reason'] == 'length'
    assert estimate_tokens(choice['message']['content']) == 5


def test_max_tokens_in_stream(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', 'y' * 100)
    chunks = [json.loads(e) for e in sse_data(post_fim(fake_codestral, fim_body(stream=True, max_tokens=3)).text)[:-1]]
    assert ''.join(c['choices'][0]['delta']['content'] for c in chunks) == 'y' * 12
    assert chunks[-1]['choices'][0]['finish_reason'] == 'length'
    assert chunks[-1]['usage']['completion_tokens'] == 3


@pytest.mark.parametrize('stop, expected', [
    ('\n\n', 'return 1'), (['def ', '\n\n'], 'return 1'), ('zzz', 'return 1\n\ndef g(): pass'),
])
def test_stop_strings(fake_codestral: FakeCodestral, stop: Any, expected: str) -> None:
    fake_codestral.enqueue('fim', 'return 1\n\ndef g(): pass')
    choice = post_fim(fake_codestral, fim_body(stop=stop)).json()['choices'][0]
    assert choice['message']['content'] == expected
    assert choice['finish_reason'] == 'stop'


def test_scripted_finish_reason(fake_codestral: FakeCodestral) -> None:
    fake_codestral.enqueue('fim', Reply(text='', finish_reason='model_length'))
    choice = post_fim(fake_codestral, fim_body()).json()['choices'][0]
    assert choice == {'index': 0, 'finish_reason': 'model_length',
                      'message': {'content': '', 'tool_calls': None, 'prefix': False, 'role': 'assistant'}}


@given(st.text(max_size=200), st.integers(min_value=0, max_value=60))
def test_shape_completion_never_exceeds_max_tokens(text: str, max_tokens: int) -> None:
    done = shape_completion(text, stop=None, max_tokens=max_tokens, prompt_tokens=0)
    assert text.startswith(done.text)
    assert done.completion_tokens <= max_tokens
    assert (done.finish_reason == 'length') == (estimate_tokens(text) > max_tokens)


# ---------------------------------------------------------------- quota

def quota_fake(**quota: Any) -> FakeCodestral:
    return FakeCodestral(quota=Quota(window=60.0, **quota))


def test_quota_retry_after_decimal() -> None:
    with quota_fake(requests=2, headers='retry-after') as fake:
        fake.enqueue('fim', 'one', 'two', 'three')
        ok = [post_fim(fake, fim_body()) for _ in range(2)]
        denied = post_fim(fake, fim_body())
        assert fake.pending('fim') == 1  # the 429 left the scripted reply in place
        stats = fake.stats()
    assert [r.status_code for r in ok] == [200, 200]
    assert denied.status_code == 429
    assert denied.json() == {'message': 'Requests rate limit exceeded'}
    assert 0 < float(denied.headers['retry-after']) <= 60
    assert 'x-ratelimit-remaining-req-minute' not in ok[0].headers
    assert stats['accepted'] == 2 and stats['rejected_429'] == 1


def test_quota_retry_after_http_date() -> None:
    with quota_fake(requests=1, retry_after_http_date=True) as fake:
        post_fim(fake, fim_body())
        denied = post_fim(fake, fim_body())
    assert email.utils.parsedate_to_datetime(denied.headers['retry-after']) is not None


def test_quota_x_ratelimit_headers() -> None:
    with quota_fake(requests=2, tokens=1000, headers='x-ratelimit') as fake:
        first = post_fim(fake, fim_body())
        second = post_fim(fake, fim_body())
        denied = post_fim(fake, fim_body())
    cost = first.json()['usage']['total_tokens']
    assert first.headers['x-ratelimit-limit-req-minute'] == '2'
    assert first.headers['x-ratelimit-remaining-req-minute'] == '1'
    assert second.headers['x-ratelimit-remaining-req-minute'] == '0'
    assert first.headers['x-ratelimit-limit-tokens-minute'] == '1000'
    assert first.headers['x-ratelimit-remaining-tokens-minute'] == str(1000 - cost)
    assert first.headers['x-ratelimit-tokens-query-cost'] == str(cost)
    assert denied.status_code == 429
    assert denied.headers['x-ratelimit-remaining-req-minute'] == '0'
    assert 'retry-after' not in denied.headers


def test_quota_tokens_with_ratelimitbysize() -> None:
    # Each request costs prompt (4) + completion (3) = 7 tokens; 20 tokens admit two.
    with quota_fake(tokens=20, headers='ratelimitbysize') as fake:
        results = [post_fim(fake, fim_body(prompt='abcdefghijklmn', suffix='')) for _ in range(3)]
    assert [r.status_code for r in results] == [200, 200, 429]
    assert results[0].headers['ratelimitbysize-limit'] == '20'
    assert results[0].headers['ratelimitbysize-remaining'] == '13'
    assert results[1].headers['ratelimitbysize-remaining'] == '6'
    assert float(results[2].headers['ratelimitbysize-reset']) > 0
    assert results[2].json() == {'object': 'error', 'message': 'Rate limit exceeded', 'type': 'rate_limited',
                                 'param': None, 'code': '1300'}


def test_quota_none_mode_sends_no_headers() -> None:
    with quota_fake(requests=1, headers='none') as fake:
        ok = post_fim(fake, fim_body())
        denied = post_fim(fake, fim_body())
    assert denied.status_code == 429
    for res in (ok, denied):
        assert not [h for h in res.headers if 'ratelimit' in h or h == 'retry-after']


def test_quota_sliding_window_frees_oldest() -> None:
    quota = Quota(requests=2, window=10.0)
    assert quota.admit(1, now=100.0).allowed
    assert quota.admit(1, now=104.0).allowed
    denied = quota.admit(1, now=105.0)
    assert not denied.allowed
    assert denied.retry_after == pytest.approx(5.0)
    assert quota.admit(1, now=110.5).allowed
    assert not quota.admit(1, now=111.0).allowed
    assert quota.stats() == {'accepted': 3, 'rejected_429': 2}


def test_quota_fixed_window_resets_whole() -> None:
    quota = Quota(requests=2, window=10.0, mode='fixed')
    start = quota.window_start
    assert quota.admit(1, now=start + 1).allowed
    assert quota.admit(1, now=start + 2).allowed
    denied = quota.admit(1, now=start + 3)
    assert denied.retry_after == pytest.approx(7.0)
    assert quota.admit(1, now=start + 10.5).allowed
    assert quota.admit(1, now=start + 10.6).allowed


def test_quota_tokens_retry_after_waits_for_enough() -> None:
    quota = Quota(tokens=10, window=10.0)
    assert quota.admit(4, now=0.0).allowed
    assert quota.admit(4, now=1.0).allowed
    denied = quota.admit(8, now=2.0)  # needs both earlier entries gone
    assert denied.limited_by == 'tokens'
    assert denied.retry_after == pytest.approx(9.0)


def test_quota_shared_by_concurrent_clients() -> None:
    with quota_fake(requests=30) as fake:
        statuses: list[int] = []
        lock = threading.Lock()

        def client() -> None:
            for _ in range(10):
                code = post_fim(fake, fim_body()).status_code
                with lock:
                    statuses.append(code)

        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = fake.stats()
    assert statuses.count(200) == 30 and statuses.count(429) == 30
    assert stats['accepted'] == 30 and stats['rejected_429'] == 30


# ---------------------------------------------------------------- log, scripting, concurrency

def test_request_log(fake_codestral: FakeCodestral) -> None:
    post_fim(fake_codestral, fim_body())
    HTTP.post(f'{fake_codestral.url}/v1/chat/completions', headers=AUTH,
               json={'model': 'codestral-latest', 'messages': [{'role': 'user', 'content': 'hi'}]})
    post_fim(fake_codestral, fim_body(), headers={})
    assert fake_codestral.count() == 3
    assert fake_codestral.count('fim') == 2 and fake_codestral.count('chat') == 1
    first = fake_codestral.requests[0]
    assert first.path == '/v1/fim/completions'
    assert first.headers['authorization'] == f'Bearer {KEY}'
    assert first.json == fim_body()
    assert first.status == 200
    assert fake_codestral.requests[2].status == 401
    assert first.time <= fake_codestral.requests[1].time
    fake_codestral.reset()
    assert fake_codestral.count() == 0


def test_responder_sees_the_request(fake_codestral: FakeCodestral) -> None:
    fake_codestral.responder = lambda body: Reply(text=body['prompt'].upper())
    assert post_fim(fake_codestral, fim_body(prompt='abc')).json()['choices'][0]['message']['content'] == 'ABC'


def test_many_concurrent_keepalive_clients(fake_codestral: FakeCodestral) -> None:
    # 64 in flight over one pooled keep-alive client, like the benchmark.
    fake_codestral.latency = 0.01
    errors: list[Exception] = []

    def client() -> None:
        try:
            for _ in range(5):
                post_fim(fake_codestral, fim_body()).raise_for_status()
        except Exception as e:  # collected, so the assertion below shows it
            errors.append(e)

    threads = [threading.Thread(target=client) for _ in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert fake_codestral.count('fim') == 320


# ---------------------------------------------------------------- CLI in another process

@pytest.fixture
def cli_fake() -> Iterator[tuple[subprocess.Popen[str], str]]:
    args = [sys.executable, '-m', 'tests.fakes.codestral', '--port', '0', '--quota-requests', '2',
            '--quota-window', '60', '--quota-headers', 'retry-after,x-ratelimit', '--text', 'pass']
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    try:
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()


def test_cli_runs_a_fake_in_another_process(cli_fake: tuple[subprocess.Popen[str], str]) -> None:
    proc, url = cli_fake
    assert url.startswith('http://127.0.0.1:')
    enq = HTTP.post(f'{url}/_fake/enqueue', json={'endpoint': 'fim', 'replies': ['x = 1', {'status': 503,
                                                                                          'json': {'m': 1}}]})
    assert enq.json() == {'pending': 2}
    codes = [HTTP.post(f'{url}/v1/fim/completions', json=fim_body(), headers=AUTH) for _ in range(4)]
    assert [c.status_code for c in codes] == [200, 503, 200, 429]
    assert codes[0].json()['choices'][0]['message']['content'] == 'x = 1'
    assert codes[2].json()['choices'][0]['message']['content'] == 'pass'
    assert 'x-ratelimit-remaining-req-minute' in codes[3].headers and 'retry-after' in codes[3].headers
    stats = HTTP.get(f'{url}/_fake/stats').json()
    assert stats['accepted'] == 2 and stats['rejected_429'] == 1 and stats['requests'] == 4
    proc.terminate()
    out, _ = proc.communicate()
    assert json.loads(out.strip().splitlines()[-1])['requests'] == 4
