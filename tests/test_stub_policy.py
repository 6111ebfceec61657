"""The cross-language stub policy end to end: test code, stubs the base revision already had,
``codestral-bot: ignore``, ``--explain``, files that do not parse, ``max_stubs`` in ``--json``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codestral_bot.context import comment_lines
from codestral_bot.records import Stub
from codestral_bot.stubs import policy
from codestral_bot.testpaths import DEFAULT_TEST_GLOBS
from codestral_bot.testpaths import reason_if_test_code
from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import root_of
from tests.repo_util import run_cli
from tests.repo_util import write

PY_STUB = 'def total(items):\n    raise NotImplementedError\n'
GO_STUB = 'package p\n\nfunc Total(items []int) int {\n\tpanic("not implemented")\n}\n'
TS_STUB = 'export function total(items: number[]): number {\n  throw new Error("not implemented");\n}\n'
JAVA_STUB = ('public class CartTest {\n    public int total(int[] items) {\n'
             '        throw new UnsupportedOperationException("TODO");\n    }\n}\n')



def _json(repo: Any, *args: str) -> dict[str, Any]:
    result = run_cli(['review', '--staged', '--dry-run', '--json', '--no-comments', *args], root_of(repo), cli_env())
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _explain(repo: Any, *args: str) -> list[str]:
    result = run_cli(['review', '--staged', '--dry-run', '--explain', '--no-comments', *args], root_of(repo), cli_env())
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if ' — ' in line]


def _stage(repo: Any, files: dict[str, str]) -> None:
    for path, text in files.items():
        write(repo, path, text)
    repo.git.add('-A')


# ---------------------------------------------------------------- test code


TEST_FILES = {
    'tests/test_cart.py': PY_STUB,
    'pkg/cart_test.go': GO_STUB,
    'web/cart.spec.ts': TS_STUB,
    'src/test/java/CartTest.java': JAVA_STUB,
    'conftest.py': PY_STUB,
    'src/__tests__/cart.ts': TS_STUB,
    'benches/cart.rs': 'fn total() -> i64 {\n    todo!()\n}\n',
}


def test_test_code_is_not_searched_by_default(repo: Any) -> None:
    _stage(repo, {**TEST_FILES, 'src/cart.py': PY_STUB})
    doc = _json(repo)
    assert [s['path'] for s in doc['stubs']] == ['src/cart.py']
    reasons = {k['path']: k['reason'] for k in doc['skipped']}
    assert reasons == {
        'tests/test_cart.py': 'test code (tests/)', 'pkg/cart_test.go': 'test code (*_test.go)',
        'web/cart.spec.ts': 'test code (*.spec.ts)', 'src/test/java/CartTest.java': 'test code (test/)',
        'conftest.py': 'test code (conftest.py)', 'src/__tests__/cart.ts': 'test code (__tests__/)',
        'benches/cart.rs': 'test code (benches/)',
    }
    assert 'tests/test_cart.py: skipped — test code (tests/)' in _explain(repo)


def test_include_tests_and_test_globs_are_configurable(repo: Any) -> None:
    _stage(repo, {**TEST_FILES, 'qa/cart.py': PY_STUB})
    write(repo, '.codestral-bot.toml', 'include_tests = true\n')
    assert len(_json(repo)['stubs']) == len(TEST_FILES) + 1
    write(repo, '.codestral-bot.toml', 'test_globs = ["qa/**"]\n')
    doc = _json(repo)
    assert sorted(s['path'] for s in doc['stubs']) == sorted(TEST_FILES)
    assert doc['skipped'] == [{'path': 'qa/cart.py', 'line': 0, 'name': '', 'reason': 'test code (qa/)'}]


def test_a_rust_test_module_is_test_code(repo: Any) -> None:
    _stage(repo, {'src/lib.rs': 'pub fn add() -> i32 {\n    todo!()\n}\n\n#[cfg(test)]\nmod tests {\n'
                                '    #[test]\n    fn adds() {\n        todo!("write this test");\n    }\n}\n'})
    doc = _json(repo)
    assert [s['name'] for s in doc['stubs']] == ['add']
    assert doc['skipped'] == [{'path': 'src/lib.rs', 'line': 8, 'name': 'tests.adds',
                               'reason': 'a #[test] function'}]


@pytest.mark.parametrize(('path', 'reason'), [
    ('tests/a.py', 'test code (tests/)'),
    ('pkg/sub/testdata/x.go', 'test code (testdata/)'),
    ('a/fixtures/b.js', 'test code (fixtures/)'),
    ('src/test_util.py', 'test code (test_*.py)'),
    ('src/util_test.py', 'test code (*_test.py)'),
    ('src/FooTests.java', 'test code (*Tests.java)'),
    ('a/b.test.tsx', 'test code (*.test.tsx)'),
    ('benchmarks/run.py', 'test code (benchmarks/)'),
    ('src/contest.py', None),
    ('src/attestation.go', None),
    ('src/Testing.java', None),
    ('src/latest/a.ts', None),
    ('src/testsuite.py', None),
])
def test_test_conventions(path: str, reason: str | None) -> None:
    assert reason_if_test_code(path, DEFAULT_TEST_GLOBS) == reason


# ---------------------------------------------------------------- already a stub in the base revision


def test_a_stub_moved_to_another_file_is_not_this_changes(repo: Any) -> None:
    # serde e61261e: an error type used only by doc tests moved unchanged to a new file
    old = 'def helper():\n    return 1\n\n\ndef total(items):\n    raise NotImplementedError\n'
    write(repo, 'cart.py', old)
    commit_all(repo, 'old stub')
    repo.index.remove(['cart.py'], working_tree=True)
    _stage(repo, {'cart.py': 'def helper():\n    return 1\n',
                  'totals.py': 'def total(items):\n    raise NotImplementedError\n\n\n'
                               'def count(items):\n    raise NotImplementedError\n'})
    doc = _json(repo)
    assert [s['name'] for s in doc['stubs']] == ['count']
    assert doc['skipped'] == [{'path': 'totals.py', 'line': 2, 'name': 'total', 'reason': policy.MOVED}]


def test_a_stub_the_base_revision_had_is_not_this_changes(repo: Any) -> None:
    write(repo, 'cart.py', 'def total(items):\n    # kept for the plugins\n    raise NotImplementedError\n')
    commit_all(repo, 'old stub')
    # The change rewords the comment (touching the stub's lines) and adds a new stub.
    _stage(repo, {'cart.py': 'def total(items):\n    # kept for the plugin API\n    raise NotImplementedError\n\n\n'
                             'def count(items):\n    raise NotImplementedError\n'})
    doc = _json(repo)
    assert [s['name'] for s in doc['stubs']] == ['count']
    assert doc['skipped'] == [{'path': 'cart.py', 'line': 2, 'name': 'total',
                               'reason': 'already a stub in the base revision'}]
    assert _explain(repo) == [
        'cart.py:2: total: skipped — already a stub in the base revision',
        'cart.py:7: count: stub — raise NotImplementedError outside a contract',
    ]


def test_a_function_that_had_code_in_the_base_and_is_now_a_stub_counts(repo: Any) -> None:
    write(repo, 'cart.go', 'package p\n\nfunc Total(items []int) int {\n\treturn len(items)\n}\n')
    commit_all(repo)
    _stage(repo, {'cart.go': GO_STUB})
    assert [s['name'] for s in _json(repo)['stubs']] == ['Total']


def test_base_mode_compares_with_the_merge_base_and_a_rename_with_the_old_path(repo: Any) -> None:
    kept = ''.join(f'\n\ndef f{i}(x):\n    return x + {i}\n' for i in range(8))  # enough for git to see a rename
    write(repo, 'old.py', 'def total(items):\n    # TODO\n    raise NotImplementedError\n' + kept)
    commit_all(repo, 'base')
    main = repo.active_branch.name
    repo.git.checkout('-b', 'topic')
    repo.git.mv('old.py', 'new.py')
    write(repo, 'new.py', 'def total(items):\n    # TODO: sum\n    raise NotImplementedError\n\n\n'
                          'def count(items):\n    raise NotImplementedError\n' + kept)
    commit_all(repo, 'topic')
    result = run_cli(['review', '--base', main, '--dry-run', '--json', '--no-comments'], root_of(repo), cli_env())
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(s['path'], s['name']) for s in doc['stubs']] == [('new.py', 'count')]
    assert [(k['path'], k['name'], k['reason']) for k in doc['skipped']] == [
        ('new.py', 'total', 'already a stub in the base revision')]


def test_the_default_mode_compares_with_head(repo: Any) -> None:
    write(repo, 'cart.ts', TS_STUB)
    commit_all(repo)
    write(repo, 'cart.ts', TS_STUB.replace('"not implemented"', '"Not implemented"'))
    result = run_cli(['review', '--dry-run', '--json', '--no-comments'], root_of(repo), cli_env())
    doc = json.loads(result.stdout)
    assert doc['stubs'] == []
    assert [k['reason'] for k in doc['skipped']] == ['already a stub in the base revision']


# ---------------------------------------------------------------- codestral-bot: ignore


@pytest.mark.parametrize('text', [
    'def total(items):  # codestral-bot: ignore\n    """Sum."""\n    raise NotImplementedError\n',
    'def total(items):\n    """Sum."""\n    raise NotImplementedError  # codestral-bot: ignore\n',
    'def total(items):\n    # TODO: later  (codestral-bot: ignore)\n    return None\n',
    'def total(\n    items,\n):  # Codestral-Bot: Ignore\n    raise NotImplementedError\n',
])
def test_codestral_bot_ignore_in_python(repo: Any, text: str) -> None:
    _stage(repo, {'cart.py': text})
    doc = _json(repo)
    assert doc['stubs'] == []
    assert [(k['name'], k['reason']) for k in doc['skipped']] == [('total', 'codestral-bot: ignore')]


@pytest.mark.parametrize(('path', 'text'), [
    ('cart.go', 'package p\n\n// TODO: implement  codestral-bot: ignore\nfunc Total() {}\n'),
    ('cart.go', 'package p\n\nfunc Total(items []int) int { // codestral-bot: ignore\n\tpanic("not implemented")\n}\n'),
    ('cart.rs', 'fn total() -> i64 {\n    todo!() // codestral-bot: ignore\n}\n'),
    ('Cart.java', 'class Cart {\n    /* codestral-bot: ignore */ int total() {\n'
                  '        throw new UnsupportedOperationException("TODO");\n    }\n}\n'),
    ('cart.ts', 'export function total(): number {\n  // TODO: sum  codestral-bot: ignore\n  return 0;\n}\n'),
])
def test_codestral_bot_ignore_in_every_comment_syntax(repo: Any, path: str, text: str) -> None:
    _stage(repo, {path: text})
    doc = _json(repo)
    assert doc['stubs'] == []
    assert [k['reason'] for k in doc['skipped']] == ['codestral-bot: ignore']


def test_ignore_on_another_function_does_not_count(repo: Any) -> None:
    _stage(repo, {'cart.py': 'def other():  # codestral-bot: ignore\n    return 1\n\n\n'
                             'def total(items):\n    raise NotImplementedError\n'})
    assert [s['name'] for s in _json(repo)['stubs']] == ['total']


def _stub(name: str, start_line: int, end_line: int) -> Stub:
    return Stub(path='m.py', language='python', kind='pass', name=name, start=0, end=0,
                start_line=start_line, end_line=end_line, indent='    ')


def test_header_line_is_the_nearest_line_naming_the_function() -> None:
    lines = ['class Cart:', '    def total(self,', '              items):', '        """Sum of total(x)."""',
             '        pass']
    assert policy.header_line(_stub('Cart.total', 5, 5), lines) == 2
    assert policy.header_line(_stub('<anonymous>', 5, 5), lines) == 4


# ---------------------------------------------------------------- --explain and --json


def test_explain_names_the_evidence_and_json_carries_it(repo: Any) -> None:
    _stage(repo, {'cart.rs': 'fn total() -> i64 {\n    todo!()\n}\n', 'cart.py': PY_STUB})
    assert _explain(repo) == [
        'cart.py:2: total: stub — raise NotImplementedError outside a contract',
        'cart.rs:2: total: stub — body is `todo!()`',
    ]
    doc = _json(repo)
    assert [s['evidence'] for s in doc['stubs']] == ['raise NotImplementedError outside a contract', 'body is `todo!()`']
    assert [f['status'] for f in doc['fills']] == ['planned', 'planned']


def test_without_explain_nothing_is_explained(repo: Any) -> None:
    _stage(repo, {'tests/test_cart.py': PY_STUB, 'cart.py': PY_STUB})
    result = run_cli(['review', '--staged', '--dry-run', '--no-comments'], root_of(repo), cli_env())
    assert ' — ' not in result.stderr


# ---------------------------------------------------------------- files that do not parse


def test_a_file_that_does_not_parse_is_named_and_counted(repo: Any) -> None:
    _stage(repo, {'web/a.ts': 'export function f(: number {\n  throw new Error("not implemented");\n}\n',
                  'b.py': 'def f(:\n    pass\n', 'cart.py': PY_STUB})
    result = run_cli(['review', '--staged', '--dry-run', '--no-comments'], root_of(repo), cli_env())
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith('codestral-bot: warning:')]
    assert [w.split(': ')[2] for w in warnings] == ['b.py', 'web/a.ts']
    assert 'codestral-bot: warning: b.py: line 1: ' in result.stderr
    assert '1 stub found; 2 files could not be parsed; nothing sent' in result.stderr
    doc = _json(repo)
    assert [u['path'] for u in doc['unparsed']] == ['b.py', 'web/a.ts']
    assert all(u['message'].startswith('line 1') for u in doc['unparsed'])


def test_the_summary_counts_unparsed_files_after_a_run(repo: Any, fake_codestral: FakeCodestral,
                                                       tmp_path: Path) -> None:
    _stage(repo, {'b.py': 'def f(:\n    pass\n', 'cart.py': PY_STUB})
    fake_codestral.enqueue('fim', 'return sum(items)')
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    result = run_cli(['review', '--staged', '--no-comments'], root_of(repo), env)
    assert result.returncode == 1, result.stderr
    assert '1 stub found, 1 filled' in result.stderr
    assert '; 1 file could not be parsed' in result.stderr


# ---------------------------------------------------------------- max_stubs


def test_max_stubs_lists_every_stub_and_says_which_were_not_filled(repo: Any, fake_codestral: FakeCodestral,
                                                                   tmp_path: Path) -> None:
    _stage(repo, {'cart.py': ''.join(f'def f{i}():\n    raise NotImplementedError\n\n\n' for i in range(3))})
    write(repo, '.codestral-bot.toml', 'max_stubs = 1\n')
    doc = _json(repo)
    assert [s['name'] for s in doc['stubs']] == ['f0', 'f1', 'f2']
    assert [(f['status'], f['reason']) for f in doc['fills']] == [
        ('planned', None), ('failed', 'not filled: max_stubs reached (1 per run)'),
        ('failed', 'not filled: max_stubs reached (1 per run)')]
    fake_codestral.responder = lambda body: 'return 1'
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    result = run_cli(['review', '--staged', '--json', '--no-comments'], root_of(repo), env)
    doc = json.loads(result.stdout)
    assert [f['status'] for f in doc['fills']] == ['filled', 'failed', 'failed']
    assert len([r for r in fake_codestral.requests if r.endpoint == 'fim']) == 1
    assert result.returncode == 4  # cut short by a budget, as the deadline would
    text = run_cli(['review', '--staged', '--no-comments'], root_of(repo), env)
    assert 'cart.py:6: f1 and 1 other stub: not filled: max_stubs reached (1 per run)' in text.stderr
    assert '3 stubs found, 1 filled, 2 failed' in text.stderr
    assert '; 2 not sent (max_stubs)' in text.stderr
    dry = run_cli(['review', '--staged', '--dry-run', '--no-comments'], root_of(repo), cli_env())
    assert 'cart.py:6: f1 (not-implemented): not filled: max_stubs reached (1 per run)' in dry.stdout
    assert '3 stubs found; 2 not sent (max_stubs); nothing sent' in dry.stderr


# ---------------------------------------------------------------- the comment scanner


_CODE = st.text(st.sampled_from('abc xyz()=+-,.;:[]{}0123456789'), max_size=30)
_STRING = st.text(st.sampled_from('ab #/*'), max_size=8).map(lambda s: f'"{s}"')


@given(code=st.lists(st.one_of(_CODE, _STRING), max_size=4).map(''.join),
       note=st.text(st.sampled_from('TODO: fix the thing #/"\'*'), max_size=30))
def test_a_trailing_comment_is_found_whatever_the_code_and_strings_before_it(code: str, note: str) -> None:
    for language, opener in (('python', '#'), ('go', '//')):
        line = f'    {code}  {opener} {note}'
        found = comment_lines(line + '\n', language, '    ', whole_lines=True)
        expected = f'{opener} {note}'.rstrip()
        own_line = not code.strip()
        assert found == [(f'    {expected}' if not own_line else line.rstrip()) + '\n']


# ---------------------------------------------------------------- the finders' own verdicts


def test_the_finders_skipped_records_pass_through_for_the_changed_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finders that take ``skipped`` get the list; their verdicts on the change's lines reach --json."""
    import types

    from codestral_bot import stubs as stub_stage
    from codestral_bot.pipeline import Survey
    from codestral_bot.pipeline import find_targets
    from codestral_bot.records import FileChange
    from codestral_bot.records import Skipped
    from codestral_bot.sources import decode_source

    def find_stubs(path: str, text: str, skipped: list[Skipped] | None = None) -> list[Stub]:
        assert skipped is not None
        skipped += [Skipped(path, 2, 'Hook.visit', 'docstring says it does nothing'),
                    Skipped(path, 40, 'Far.away', 'abstract method')]
        return []

    monkeypatch.setattr(stub_stage, '_module', lambda language: types.SimpleNamespace(find_stubs=find_stubs))
    change = FileChange('m.go', 'm.go', 'modified', frozenset({2}), ((1, 5),))
    survey = Survey()
    assert find_targets([change], lambda path: decode_source(path, b'x\n' * 50), survey=survey) == []
    assert survey.skipped == [Skipped('m.go', 2, 'Hook.visit', 'docstring says it does nothing')]


def test_finders_without_the_parameter_are_called_as_before() -> None:
    from codestral_bot import stubs as stub_stage

    skipped: list[Any] = []
    assert [s.name for s in stub_stage.find_stubs('m.py', PY_STUB, skipped)] == ['total']


def test_the_todo_after_a_one_line_python_body_goes_with_the_fill(repo: Any, fake_codestral: FakeCodestral,
                                                                 tmp_path: Path) -> None:
    _stage(repo, {'cart.py': 'def total(items): pass  # TODO: sum the prices\n\n\nx = 1\n'})
    fake_codestral.enqueue('fim', 'return sum(i.price for i in items)')
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    result = run_cli(['review', '--staged', '--apply', '--no-comments'], root_of(repo), env)
    assert result.returncode == 0, result.stderr
    (request,) = [r for r in fake_codestral.requests if r.endpoint == 'fim']
    assert request.json['prompt'] == 'def total(items):\n    # TODO: sum the prices\n    '
    assert request.json['suffix'] == '\n\n\nx = 1\n'
    assert (root_of(repo) / 'cart.py').read_text() == \
        'def total(items):\n    return sum(i.price for i in items)\n\n\nx = 1\n'


def test_a_change_with_only_an_unparsable_file_still_says_so(repo: Any, fake_codestral: FakeCodestral,
                                                             tmp_path: Path) -> None:
    _stage(repo, {'b.py': 'def f(:\n    pass\n'})
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    result = run_cli(['review', '--staged', '--no-comments'], root_of(repo), env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == '1 file could not be parsed'
    assert fake_codestral.requests == []


# ---------------------------------------------------------------- words that say "on purpose"


@pytest.mark.parametrize(('path', 'text', 'reason'), [
    ('cart.py', 'class Cart:\n    def total(self):\n        raise NotImplementedError  # pragma: no cover\n',
     'pragma: no cover'),
    ('cart.py', 'def total(items):\n    """Never called: only the signature matters."""\n    ...\n',
     'never called'),
    ('Cart.java', 'class Cart {\n    int total() {\n'
                  '        throw new UnsupportedOperationException("must not be called");\n    }\n}\n',
     'unsupported'),
    ('cart.ts', 'export function total(): number {\n  // unreachable: the union is exhaustive\n'
                '  throw new Error("not implemented");\n}\n', 'unreachable'),
])
def test_words_saying_the_body_is_empty_on_purpose(repo: Any, path: str, text: str, reason: str) -> None:
    _stage(repo, {path: text})
    doc = _json(repo)
    assert doc['stubs'] == []
    # the finder or the policy may be the one that says so; either way the reason names the words
    (skipped,) = doc['skipped']
    assert reason in skipped['reason'].lower()


def test_a_todo_wins_over_words_of_intent(repo: Any) -> None:
    _stage(repo, {'cart.py': 'def total(items):\n    # TODO: implement; unreachable today\n    return None\n',
                  'cart.rs': 'fn total() -> i64 {\n    todo!()\n}\n\nfn other() -> i64 {\n    unreachable!()\n}\n'})
    assert sorted(s['name'] for s in _json(repo)['stubs']) == ['total', 'total']
