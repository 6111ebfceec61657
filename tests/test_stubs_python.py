from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codestral_bot.records import Skipped
from codestral_bot.stubs import ParseFailure
from codestral_bot.stubs.contracts import git_grep
from codestral_bot.stubs.python import find_stubs
from tests.repo_util import cli_env
from tests.repo_util import make_repo
from tests.repo_util import run_cli
from tests.repo_util import write

CORPUS = Path(__file__).parent / 'corpus' / 'python'


def _found(src: str, **options: object) -> dict[str, tuple[str, str]]:
    src = textwrap.dedent(src)
    return {s.name: (s.kind, src[s.start:s.end]) for s in find_stubs('m.py', src, **options)}  # type: ignore[arg-type]


def _skipped(src: str, **options: object) -> dict[str, str]:
    skipped: list[Skipped] = []
    find_stubs('m.py', textwrap.dedent(src), skipped, **options)  # type: ignore[arg-type]
    return {s.name: s.reason for s in skipped}


# --- what counts as evidence ------------------------------------------------------------------

@pytest.mark.parametrize(('body', 'kind', 'replaced'), [
    ('    ...\n', 'ellipsis', '    ...\n'),
    ('    raise NotImplementedError\n', 'not-implemented', '    raise NotImplementedError\n'),
    ('    raise NotImplementedError("later")\n', 'not-implemented', '    raise NotImplementedError("later")\n'),
    ('    """Doc."""\n    raise NotImplementedError()\n', 'not-implemented', '    raise NotImplementedError()\n'),
    ('    pass  # TODO: implement\n', 'pass', '    pass  # TODO: implement\n'),
    ('    # TODO: implement\n    pass\n', 'pass', '    # TODO: implement\n    pass\n'),
    ('    # FIXME write it\n    return None\n', 'todo-comment', '    # FIXME write it\n    return None\n'),
    ('    return []  # TODO\n', 'todo-comment', '    return []  # TODO\n'),
    ('    # XXX handle errors - see #12\n    pass\n', 'pass', '    # XXX handle errors - see #12\n    pass\n'),
    # a logger line before the raise is part of the placeholder
    ('    logger.debug("f called")\n    raise NotImplementedError("TODO: phase 2")\n', 'not-implemented',
     '    logger.debug("f called")\n    raise NotImplementedError("TODO: phase 2")\n'),
    ('    raise RuntimeError("not implemented yet")\n', 'todo-comment', '    raise RuntimeError("not implemented yet")\n'),
])
def test_each_kind_of_evidence(body: str, kind: str, replaced: str) -> None:
    assert _found(f'def f(x):\n{body}') == {'f': (kind, replaced)}


def test_a_declared_return_type_over_an_empty_body_is_a_stub() -> None:
    src = 'def total(items: list[int]) -> int:\n    """Sum of the items."""\n'
    assert _found(src) == {'total': ('docstring-only', '')}
    assert _found('def total(items) -> int:\n    pass\n') == {'total': ('pass', '    pass\n')}


@pytest.mark.parametrize('returns', ['None', 'Optional[int]', 'int | None', 'Any', 'NoReturn', "'None'"])
def test_a_return_type_an_empty_body_satisfies_is_no_evidence(returns: str) -> None:
    assert _found(f'def f(x) -> {returns}:\n    pass\n') == {}


def test_every_stub_says_why_it_is_one() -> None:
    src = 'def a():\n    raise NotImplementedError\ndef b():\n    pass  # TODO\ndef c() -> int:\n    pass\n'
    evidence = {s.name: s.evidence for s in find_stubs('m.py', src)}
    assert evidence == {
        'a': 'raise NotImplementedError outside a contract',
        'b': 'TODO/FIXME comment in the body',
        'c': 'declared to return int but the body returns nothing',
    }


# --- bare pass: not a stub unless the project opts in -----------------------------------------

BARE = '''
class Shop:
    def checkout(self, cart):
        pass

    def describe(self):
        """Describe the shop."""
'''


def test_bare_pass_and_docstring_only_bodies_are_not_stubs_by_default() -> None:
    assert _found(BARE) == {}
    assert _skipped(BARE) == {
        'Shop.checkout': 'empty body with no sign it is unfinished (set bare_pass_is_stub to fill these)',
        'Shop.describe': 'empty body with no sign it is unfinished (set bare_pass_is_stub to fill these)',
    }


def test_bare_pass_is_stub_opts_in() -> None:
    assert set(_found(BARE, bare_pass_is_stub=True)) == {'Shop.checkout', 'Shop.describe'}


@pytest.mark.parametrize('src', [
    'class V(NodeVisitor):\n    def visit_section(self, node):\n        pass\n    def depart_section(self, node):\n        pass\n',
    'class P:\n    def on_connect(self):\n        pass\n    def handle_error(self, e):\n        pass\n',
    'class NullWriter:\n    def write(self, data):\n        pass\n    def flush(self):\n        pass\n',
    'class P:\n    def on_start(self):\n        """Called at start-up; does nothing by default."""\n',
])
def test_opting_in_still_leaves_hooks_visitors_and_null_objects_alone(src: str) -> None:
    assert _found(src, bare_pass_is_stub=True) == {}


# --- contracts ---------------------------------------------------------------------------------

@pytest.mark.parametrize(('src', 'reason'), [
    ('import abc\nclass A(abc.ABC):\n    @abc.abstractmethod\n    def f(self): ...\n', 'abstract method'),
    ('from typing import overload\n@overload\ndef f(x: int) -> int: ...\n', 'typing overload'),
    ('from typing import Protocol\nclass P(Protocol):\n    def f(self) -> int: ...\n', 'typing.Protocol member'),
    ('from .compat import Protocol\nclass P(Protocol):\n    def f(self) -> int: ...\n', 'typing.Protocol member'),
    ('from zope.interface import Interface\nclass IShop(Interface):\n    def buy(item):\n        """Buy it."""\n',
     'zope Interface member'),
    ('class IShop(IBase):\n    def buy(item):\n        """Buy it."""\n', 'zope Interface member'),
    ('@hookspec(firstresult=True)\ndef pytest_thing(config) -> int:\n    """Return a thing."""\n', 'hook specification'),
    ('class PoolEvents(event.Events[Pool]):\n    def connect(self, conn, rec) -> None:\n        """Called once."""\n'
     '        # TODO: deprecate rec\n', 'event hook specification'),
    ('class Shape:\n    def area(self):\n        raise NotImplementedError("subclasses must override area()")\n',
     'abstract contract'),
    ('class Input:\n    def read(self):\n        """Return input as str. Define in subclasses."""\n        raise NotImplementedError\n',
     'abstract contract'),
    ('class Node:\n    def copy(self):\n        raise NotImplementedError\nclass Text(Node):\n    def copy(self):\n        return Text()\n',
     'abstract contract: a subclass in this file overrides it'),
    ('class Pool:\n    def _create(self):\n        return Record(self)\nclass StaticPool(Pool):\n'
     '    def _create(self):\n        raise NotImplementedError()\n', 'refuses a method its base class implements'),
    ('class L(list):\n    def __ror__(self, other):\n        raise NotImplementedError("use .union() instead")\n',
     'deliberately unsupported'),
    ('class L:\n    def reverse(self) -> NoReturn:\n        """Not supported, use reversed(mylist)"""\n'
     '        raise NotImplementedError()\n', 'deliberately unsupported'),
    ('class T:\n    def getHost(self):\n        # ITransport.getHost\n        raise NotImplementedError("Unimplemented")\n',
     'an interface member'),
    ('class R:\n    def resolve(self, name):\n        """Not implemented; raises L{NotImplementedError}."""\n'
     '        raise NotImplementedError()\n', 'documents that it raises'),
    ('class W:\n    def visit_x(self, node):\n        raise NotImplementedError(node.astext())\n', 'naming what it was given'),
])
def test_contracts_and_declarations_are_skipped_with_their_reason(src: str, reason: str) -> None:
    assert _found(src) == {}
    assert any(reason in r for r in _skipped(src).values()), _skipped(src)


def test_asyncio_and_twisted_protocols_are_not_typing_protocols() -> None:
    asyncio_src = 'import asyncio\nclass Echo(asyncio.Protocol):\n    def data_received(self, data):\n        raise NotImplementedError\n'
    twisted_src = 'from twisted.internet.protocol import Protocol\nclass Echo(Protocol):\n    def dataReceived(self, data):\n        pass  # TODO\n'
    assert set(_found(asyncio_src)) == {'Echo.data_received'}
    assert set(_found(twisted_src)) == {'Echo.dataReceived'}


def test_a_bare_raise_in_a_working_class_is_a_deliberate_gap_but_a_todo_makes_it_a_stub() -> None:
    working = ('class Cursor:\n    def execute(self, q):\n        return self.run(q)\n    def close(self):\n'
               '        self.closed = True\n    def setinputsizes(self, *sizes):\n        raise NotImplementedError()\n')
    assert _found(working) == {}
    assert set(_found(working.replace('raise NotImplementedError()', 'raise NotImplementedError()  # TODO'))) == {
        'Cursor.setinputsizes'}


def test_a_todo_in_a_base_class_is_still_a_stub() -> None:
    assert _found('class BaseParser:\n    def parse(self, text):\n        pass  # TODO\n') == {
        'BaseParser.parse': ('pass', '        pass  # TODO\n')}


def test_a_subclass_elsewhere_in_the_repository_makes_a_contract(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, 'shop/base.py', 'class Store:\n    def get(self, key):\n        raise NotImplementedError\n')
    write(repo, 'shop/redis.py', 'from shop.base import Store\n\nclass RedisStore(Store):\n    def get(self, key):\n        return 1\n')
    repo.git.add('-A')
    text = (tmp_path / 'shop/base.py').read_text()
    assert find_stubs('shop/base.py', text) != []  # alone, the file shows no contract
    skipped: list[Skipped] = []
    assert find_stubs('shop/base.py', text, skipped, grep=git_grep(tmp_path)) == []
    assert [s.reason for s in skipped] == ['abstract contract: a subclass in the repository overrides it']


def test_the_finder_asks_the_grep_about_the_class_and_git_grep_answers_once(tmp_path: Path) -> None:
    asked: list[str] = []

    def grep(word: str) -> list[tuple[str, str]]:
        asked.append(word)
        return []

    src = 'class Store:\n    def get(self):\n        """Fetch it."""\n        raise NotImplementedError\n'
    assert set(_found(src, grep=grep)) == {'Store.get'}
    assert 'Store' in asked
    make_repo(tmp_path)
    cached = git_grep(tmp_path)
    assert cached('Store') is cached('Store')


# --- intent markers ------------------------------------------------------------------------------

@pytest.mark.parametrize('src', [
    'def f():  # pragma: no cover\n    raise NotImplementedError\n',
    'def f():\n    raise NotImplementedError  # pragma: no cover\n',
    'def f():\n    """Never called: only so the registry has a callable."""\n    raise NotImplementedError\n',
    'def f():\n    # unreachable\n    raise NotImplementedError\n',
    'def f():\n    """Must not be called."""\n    raise NotImplementedError\n',
    'def f() -> int:\n    """Override to handle the\n    event; does nothing\n    by default."""\n',
    'def f(x):\n    # output = None  # TODO later\n    pass\n',  # TODO inside commented-out code
    'def f(x):\n    s = "TODO"\n    return None\n',
    '# TODO: write g\ndef f(x):\n    return x\n',
    'def f():\n    x = 1  # TODO tidy\n    return x\n',
    'def f():\n    # XXX does this make any sense?\n    pass\n',
    'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    def f(): ...\n',
    'class Empty:\n    pass\n',
])
def test_not_stubs(src: str) -> None:
    assert _found(src) == {}


def test_pyi_files_are_never_stubs() -> None:
    assert find_stubs('m.pyi', 'def f(): ...\n') == []


# --- spans -------------------------------------------------------------------------------------

def test_the_span_covers_the_comment_head_of_the_body() -> None:
    src = ('def f(x) -> int:\n    # TODO: real estimate\n    # if x:\n    #     return 200\n\n'
           '    # cannot handle it yet\n    return None\n')
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == src[src.index('    # TODO'):]
    assert (stub.start_line, stub.end_line) == (2, 7)


def test_comment_lines_under_a_docstring_only_body_are_replaced() -> None:
    src = 'def f(x) -> int:\n    """Doc."""\n    # TODO: compute it\n\ndef g():\n    return 1\n'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == '    # TODO: compute it\n'
    assert (stub.start_line, stub.end_line, stub.lead, stub.tail) == (3, 3, '    ', '\n')


def test_methods_nested_and_async_get_qualified_names() -> None:
    src = 'class Cart:\n    async def total(self):\n        ...\n    def outer(self):\n        def inner():\n            ...\n        return inner\n'
    assert set(_found(src)) == {'Cart.total', 'Cart.outer.inner'}


def test_one_line_def_gets_a_new_line_lead() -> None:
    src = 'class A:\n    def f(self): raise NotImplementedError\n'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == ' raise NotImplementedError'
    assert stub.lead == '\n        '
    assert stub.tail == ''


def test_crlf_offsets_address_the_exact_text() -> None:
    src = 'import os\r\n\r\ndef f():\r\n    """Doc."""\r\n    pass  # TODO\r\n'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == '    pass  # TODO\r\n'
    assert stub.tail == '\r\n'
    assert (stub.start_line, stub.end_line) == (5, 5)


def test_last_line_without_newline_gets_no_tail() -> None:
    src = 'def f():\n    raise NotImplementedError'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == '    raise NotImplementedError'
    assert stub.tail == ''


def test_tabs_are_kept() -> None:
    src = 'def f():\n\t...\n'
    (stub,) = find_stubs('m.py', src)
    assert stub.indent == '\t'


def test_unicode_before_the_stub_keeps_offsets_in_characters() -> None:
    src = 'def f(): return "héllo"\ndef g(x="é"): ...\n'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == ' ...'


def test_syntax_error_is_a_parse_failure_with_the_line() -> None:
    with pytest.raises(ParseFailure, match=r'm.py:1: syntax error'):
        find_stubs('m.py', 'def f(:\n  pass\n')


@given(st.text(max_size=200), st.booleans())
def test_never_raises_anything_but_parse_failure(text: str, bare: bool) -> None:
    try:
        find_stubs('m.py', text, [], bare_pass_is_stub=bare)
    except ParseFailure:
        pass


# --- the labelled corpus of real code (format: tests/corpus/README.md) --------------------------

Key = tuple[str, str, str, int, int]


def _expected() -> set[Key]:
    labels = json.loads((CORPUS / 'expected.json').read_text(encoding='utf-8'))
    files = sorted(p.name for p in CORPUS.glob('*.py'))
    assert sorted(labels) == files, 'every corpus file needs a label'
    return {(name, e['name'], e['kind'], *e['lines']) for name, entries in labels.items() for e in entries}


def _actual() -> set[Key]:
    found = set()
    for path in sorted(CORPUS.glob('*.py')):
        text = path.read_text(encoding='utf-8')
        for s in find_stubs(f'src/{path.name}', text):
            found.add((path.name, s.name, s.kind, s.start_line, s.end_line))
    return found


def test_the_real_code_corpus_scores_100_percent() -> None:
    expected, actual = _expected(), _actual()
    positives = {k[0] for k in expected}
    assert len(positives) >= 10 and len(list(CORPUS.glob('*.py'))) - len(positives) >= 10
    assert actual - expected == set(), 'false positives'
    assert expected - actual == set(), 'false negatives'


# --- the configuration key, end to end -----------------------------------------------------------

def test_bare_pass_is_stub_reaches_the_finder_from_the_config_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, 'README', 'x\n')
    repo.git.add('-A')
    repo.git.commit('-m', 'base')
    write(repo, 'shop.py', 'def checkout(cart):\n    pass\n')
    repo.git.add('-A')
    plain = run_cli(['review', '--staged', '--dry-run', '--json', '--no-comments'], tmp_path, cli_env())
    assert json.loads(plain.stdout or '{"stubs": []}')['stubs'] == []
    write(repo, '.codestral-bot.toml', 'bare_pass_is_stub = true\n')
    opted = run_cli(['review', '--staged', '--dry-run', '--json', '--no-comments'], tmp_path, cli_env())
    assert [s['name'] for s in json.loads(opted.stdout)['stubs']] == ['checkout'], opted.stderr


def test_weak_evidence_in_documentation_examples_is_not_enough() -> None:
    src = 'def function_with_types(param1: int) -> bool:\n    """Example function with types."""\n'
    assert find_stubs('doc/usage/example_google.py', src) == []
    assert find_stubs('src/example_google.py', src) != []
    assert find_stubs('docs/x.py', 'def f():\n    pass  # TODO\n') != []


def test_an_aliased_typing_protocol_is_still_a_protocol() -> None:
    src = 'from typing import Protocol as TypingProtocol\nclass _Client(TypingProtocol):\n    def stop(self) -> int:\n        """Stop."""\n'
    assert _found(src) == {}


def test_a_partial_mapping_refuses_its_other_dunders() -> None:
    src = ('class MatcherAdapter(Mapping[str, int]):\n    def __getitem__(self, key):\n        return 1\n'
           '    def __iter__(self):\n        raise NotImplementedError()\n')
    assert _found(src) == {}


def test_a_todo_on_a_base_default_that_subclasses_override_is_a_note() -> None:
    src = ('class PKey:\n    def get_bits(self):\n        # TODO: raise NotImplementedError instead\n        return 0\n'
           'class RSAKey(PKey):\n    def get_bits(self):\n        return self.size\n')
    assert _found(src) == {}
    assert 'subclasses override' in _skipped(src)['PKey.get_bits']


def test_type_checking_branches_are_declarations_but_their_else_runs() -> None:
    src = ('import sys\nif sys.version_info >= (3, 11) and TYPE_CHECKING:\n    def get(self, url) -> int: ...\n'
           'else:\n    def get(self, url) -> int:\n        pass  # TODO\n'
           'if not TYPE_CHECKING:\n    def put(self) -> int: ...\n')
    assert set(_found(src)) == {'get', 'put'}
    assert _found(src)['get'] == ('pass', '        pass  # TODO\n')


def test_git_grep_is_bounded_per_run(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, 'a.py', 'class Store:\n    pass\n')
    repo.git.add('-A')
    assert [p for p, _ in git_grep(tmp_path)('Store')] == ['a.py']
    assert git_grep(tmp_path, max_calls=0)('Store') == ()
    assert git_grep(tmp_path)('not an identifier!') == ()


def test_a_documented_ellipsis_returning_none_is_a_no_op_but_a_typed_one_is_a_stub() -> None:
    # click d8e987e: `_NamedTextIOWrapper.close` keeps a buffer another object owns open
    text = ('import io\n\n\nclass Wrapper(io.TextIOWrapper):\n    def close(self) -> None:\n'
            '        """Do not close the buffer: its owner does."""\n        ...\n\n\n'
            'def area(r: float) -> float:\n    """Circle area."""\n    ...\n')
    skipped: list[Skipped] = []
    assert [s.name for s in find_stubs('m.py', text, skipped)] == ['area']
    assert [(k.name, k.reason) for k in skipped] == [
        ('Wrapper.close', 'docstring over `...` in a function returning None: a documented no-op')]
