"""A Python fill is validated on the top-level block around it (``stubs.python_block``): the verdict
must be the one the whole filled file gives, and a fill that changes how later text parses must
be refused."""
from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from codestral_bot.cleanup import finish_fill
from codestral_bot.records import Completion
from codestral_bot.records import Fill
from codestral_bot.records import Skipped
from codestral_bot.sources import decode_source
from codestral_bot.stubs import python_block
from codestral_bot.stubs.python import find_stubs

SRC = '''"""A module."""
from typing import Protocol as P  # noqa


def before(x):
    return x  # """


class Shape:
    # the area, in square metres
    def area(self) -> float:
        """Area."""
        pass

    def name(self):
        return 'shape'


def scale(x: int) -> int:
    """Scale it."""
    # TODO: implement
    pass


@decorated
def after(y):
    s = """
def hidden() -> int:
    pass
"""
    return s  # )
'''

PIECES = ['return 1', 'return self.name()', '"""', "'''", '(', ')', '[', '\\', 'x = 1\nreturn x', 'pass',
          '...', 'raise NotImplementedError', '# TODO: later', 'def g(): pass', 'class C: pass',
          '\nreturn 2', '\n\ndef f2():\n    return 3', 'return """', '    return 4', 'if x:\n    return 5',
          'from typing import Protocol', '\n@decorated\ndef z(): pass', 'yield', '"""doc"""']


def _verdicts(answer: str) -> list[tuple[str, str, str | None]]:
    source = decode_source('m.py', SRC.encode())
    out = []
    for stub in find_stubs('m.py', SRC, bare_pass_is_stub=True):
        fill = finish_fill(Fill(stub=stub), source, Completion(answer, 'stop'), stub.tail + SRC[stub.end:])
        out.append((fill.status, fill.reason, fill.replacement))
    return out


def _whole_file_verdicts(answer: str) -> list[tuple[str, str, str | None]]:
    """The same checks with no tree remembered: every check on the whole file."""
    stubs = find_stubs('m.py', SRC, bare_pass_is_stub=True)
    python_block._TREES.clear()
    source = decode_source('m.py', SRC.encode())
    out = []
    for stub in stubs:
        fill = finish_fill(Fill(stub=stub), source, Completion(answer, 'stop'), stub.tail + SRC[stub.end:])
        out.append((fill.status, fill.reason, fill.replacement))
    return out


def _same(block: list[tuple[str, str, str | None]], whole: list[tuple[str, str, str | None]]) -> None:
    for (status, reason, replacement), (status2, reason2, replacement2) in zip(block, whole, strict=True):
        if status2 == 'rejected' and status == 'rejected' and 'does not parse' in reason:
            continue  # the block may name another place for the same error, never a different verdict
        assert (status, reason, replacement) == (status2, reason2, replacement2)


def test_the_block_is_used_for_each_stub() -> None:
    stubs = find_stubs('m.py', SRC, bare_pass_is_stub=True)
    assert [s.name for s in stubs] == ['Shape.area', 'scale']
    for stub in stubs:
        new = SRC[:stub.start] + '    return 1\n' + SRC[stub.end:]
        block = python_block.narrow(SRC, new, stub.start, stub.end, stub.start + len('    return 1\n'))
        assert block is not None
        assert len(ast.parse(block.old).body) == 1 and block.old in SRC


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4))
def test_the_block_gives_the_whole_files_verdict(pieces: list[str]) -> None:
    answer = '\n'.join(pieces)
    _same(_verdicts(answer), _whole_file_verdicts(answer))


def test_a_fill_that_leaves_a_string_open_for_later_text_to_close_is_refused() -> None:
    # the `# """` after `before` would close it, and the file would still parse
    for status, reason, _ in _verdicts('return """'):
        assert status == 'rejected', reason


def test_a_syntax_error_names_the_line_of_the_file() -> None:
    answer = 'x = [1 +\nreturn x'
    (area, scale) = _verdicts(answer)
    assert area[0] == scale[0] == 'rejected'
    assert (area, scale) == tuple(_whole_file_verdicts(answer))
    assert 'line 13:' in area[1] and 'line 21:' in scale[1], (area, scale)


def test_a_good_fill_is_accepted_on_its_block() -> None:
    (area, scale) = _verdicts('return 2 * x')
    assert area[0] == scale[0] == 'filled'


def test_no_block_without_the_files_tree() -> None:
    (stub, *_) = find_stubs('m.py', SRC, bare_pass_is_stub=True)
    python_block._TREES.clear()
    new = SRC[:stub.start] + '    return 1\n' + SRC[stub.end:]
    assert python_block.narrow(SRC, new, stub.start, stub.end, stub.start + len('    return 1\n')) is None


def test_a_statement_sharing_a_line_is_left_outside_the_block() -> None:
    src = 'x = 1; y = 2\ndef f() -> int:\n    pass\nz = 3; w = 4\n'
    (stub,) = find_stubs('m.py', src)
    new = src[:stub.start] + '    return 1\n' + src[stub.end:]
    block = python_block.narrow(src, new, stub.start, stub.end, stub.start + len('    return 1\n'))
    assert block is not None and block.old == 'def f() -> int:\n    pass\n'


WANTED_SRC = SRC + '''

def documented():
    """Doc."""
    # TODO: write it


class Later:
    def m(self) -> int:
        raise NotImplementedError

    def n(self):
        """Doc."""
        # FIXME
'''


@settings(max_examples=100, deadline=None)
@given(st.integers(1, WANTED_SRC.count('\n') + 1), st.integers(0, 3))
def test_looking_only_near_a_hunk_finds_what_the_hunk_would_keep(first: int, length: int) -> None:
    last = first + length
    skipped_all: list[Skipped] = []
    everything = find_stubs('m.py', WANTED_SRC, skipped_all, bare_pass_is_stub=True)
    skipped: list[Skipped] = []
    near = find_stubs('m.py', WANTED_SRC, skipped, bare_pass_is_stub=True,
                      wanted=lambda a, b: a <= last and first <= b)
    assert all(s in everything for s in near)
    assert [s for s in everything if s.start_line <= last and first <= s.end_line] == \
        [s for s in near if s.start_line <= last and first <= s.end_line]
    assert [k for k in skipped_all if first <= k.line <= last] == [k for k in skipped if first <= k.line <= last]
