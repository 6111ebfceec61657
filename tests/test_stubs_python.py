from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codestral_bot.stubs import ParseFailure
from codestral_bot.stubs.python import find_stubs


def _found(src: str) -> dict[str, tuple[str, str]]:
    src = textwrap.dedent(src)
    return {s.name: (s.kind, src[s.start:s.end]) for s in find_stubs('m.py', src)}


@pytest.mark.parametrize(('body', 'kind', 'replaced'), [
    ('    pass\n', 'pass', '    pass\n'),
    ('    ...\n', 'ellipsis', '    ...\n'),
    ('    raise NotImplementedError\n', 'not-implemented', '    raise NotImplementedError\n'),
    ('    raise NotImplementedError("later")\n', 'not-implemented', '    raise NotImplementedError("later")\n'),
    ('    """Doc."""\n', 'docstring-only', ''),
    ('    """Doc."""\n    pass\n', 'pass', '    pass\n'),
    ('    """Doc."""\n    raise NotImplementedError()\n', 'not-implemented', '    raise NotImplementedError()\n'),
    ('    pass  # TODO: implement\n', 'pass', '    pass  # TODO: implement\n'),
    ('    # TODO: implement\n    pass\n', 'pass', '    # TODO: implement\n    pass\n'),
    ('    # FIXME write it\n    return None\n', 'todo-comment', '    # FIXME write it\n    return None\n'),
    ('    return []  # TODO\n', 'todo-comment', '    return []  # TODO\n'),
])
def test_each_stub_kind(body: str, kind: str, replaced: str) -> None:
    assert _found(f'def f(x):\n{body}') == {'f': (kind, replaced)}


@pytest.mark.parametrize('src', [
    'def f(x):\n    return x + 1\n',
    'def f(x):\n    s = "TODO"\n    return None\n',  # TODO in a string, not a comment
    'def f(x):\n    return None\n',  # a real None-returning function without a TODO
    '# TODO: write g\ndef f(x):\n    return x\n',  # a note above a finished function
    'import abc\nclass A(abc.ABC):\n    @abc.abstractmethod\n    def f(self): ...\n',
    'from typing import overload\n@overload\ndef f(x: int) -> int: ...\n',
    'from typing import Protocol\nclass P(Protocol):\n    def f(self) -> int: ...\n',
    'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    def f(): ...\n',
    'class Empty:\n    pass\n',
    'try:\n    import x\nexcept ImportError:\n    pass\n',
    'def f():\n    x = 1  # TODO tidy\n    return x\n',
    # the "subclasses implement this" contract of a base class is not missing code
    'import abc\nclass Store(abc.ABC):\n    def get(self, key):\n        raise NotImplementedError\n',
    'class BaseParser:\n    def parse(self, text):\n        raise NotImplementedError\n',
    'class Shape:\n    def area(self):\n        raise NotImplementedError("subclasses must override area()")\n',
    # empty by design, as its docstring says
    'class Plugin:\n    def on_start(self):\n        """Called at start-up; does nothing by default."""\n        pass\n',
    'def noop(*args):\n    """A no-op callback."""\n',
])
def test_not_stubs(src: str) -> None:
    assert _found(src) == {}


def test_a_base_class_still_has_todo_stubs() -> None:
    assert _found('class BaseParser:\n    def parse(self, text):\n        pass  # TODO\n') == {
        'BaseParser.parse': ('pass', '        pass  # TODO\n')}


def test_pyi_files_are_never_stubs() -> None:
    assert find_stubs('m.pyi', 'def f(): ...\n') == []


def test_methods_nested_and_async_get_qualified_names() -> None:
    src = 'class Cart:\n    async def total(self):\n        pass\n    def outer(self):\n        def inner():\n            ...\n        return inner\n'
    assert set(_found(src)) == {'Cart.total', 'Cart.outer.inner'}


def test_one_line_def_gets_a_new_line_lead() -> None:
    src = 'class A:\n    def f(self): pass\n'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == ' pass'
    assert stub.lead == '\n        '
    assert stub.tail == ''


def test_crlf_offsets_address_the_exact_text() -> None:
    src = 'import os\r\n\r\ndef f():\r\n    """Doc."""\r\n    pass\r\n'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == '    pass\r\n'
    assert stub.tail == '\r\n'
    assert (stub.start_line, stub.end_line) == (5, 5)


def test_last_line_without_newline_gets_no_tail() -> None:
    src = 'def f():\n    pass'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == '    pass'
    assert stub.tail == ''


def test_tabs_are_kept() -> None:
    src = 'def f():\n\tpass\n'
    (stub,) = find_stubs('m.py', src)
    assert stub.indent == '\t'


def test_unicode_before_the_stub_keeps_offsets_in_characters() -> None:
    src = 'def f(): return "héllo"\ndef g(x="é"): pass\n'
    (stub,) = find_stubs('m.py', src)
    assert src[stub.start:stub.end] == ' pass'


def test_syntax_error_is_a_parse_failure_with_the_line() -> None:
    with pytest.raises(ParseFailure, match=r'm.py:1: syntax error'):
        find_stubs('m.py', 'def f(:\n  pass\n')


@given(st.text(max_size=200))
def test_never_raises_anything_but_parse_failure(text: str) -> None:
    try:
        find_stubs('m.py', text)
    except ParseFailure:
        pass
