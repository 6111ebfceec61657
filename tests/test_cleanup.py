from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from codestral_bot.cleanup import apply_fills
from codestral_bot.cleanup import clean_body
from codestral_bot.cleanup import finish_fill
from codestral_bot.records import Completion
from codestral_bot.records import Fill
from codestral_bot.sinks.patch import unified_diff
from codestral_bot.sources import decode_source
from codestral_bot.stubs.python import find_stubs

SRC = 'import math\n\n\ndef area(r):\n    """Circle area."""\n    pass\n\n\ndef other():\n    return 1\n'


def _fill(text: str, finish: str = 'stop', src: str = SRC, max_tokens: int | None = None) -> Fill:
    source = decode_source('m.py', src.encode())
    (stub,) = find_stubs('m.py', src, bare_pass_is_stub=True)
    suffix = stub.tail + src[stub.end:]
    return finish_fill(Fill(stub=stub), source, Completion(text, finish), suffix, max_tokens)


def test_a_good_fill_replaces_only_the_stub() -> None:
    fill = _fill('return math.pi * r ** 2\n')
    assert fill.status == 'filled'
    assert apply_fills(SRC, [fill]) == SRC.replace('    pass\n', '    return math.pi * r ** 2\n')


def test_markdown_fences_are_stripped() -> None:
    fill = _fill('```python\nreturn math.pi * r ** 2\n```\nSome prose.')
    assert fill.replacement == '    return math.pi * r ** 2\n'


def test_multi_line_body_keeps_its_indentation() -> None:
    fill = _fill('if r < 0:\n        raise ValueError(r)\n    return math.pi * r ** 2')
    assert fill.replacement == '    if r < 0:\n        raise ValueError(r)\n    return math.pi * r ** 2\n'


def test_an_echo_of_the_suffix_is_cut() -> None:
    fill = _fill('return math.pi * r ** 2\n\n\ndef other():\n    return 1\n')
    assert fill.replacement == '    return math.pi * r ** 2\n'


def test_code_past_the_function_scope_is_cut() -> None:
    fill = _fill('return 3.14 * r * r\nprint("leaked")\n')
    assert fill.replacement == '    return 3.14 * r * r\n'


def test_degenerate_repetition_is_refused_not_trimmed() -> None:
    fill = _fill('x = compute(r)\n    x = compute(r)\n    x = compute(r)\n    x = compute(r)\n    return x')
    assert fill.status == 'rejected'
    assert fill.replacement is None
    assert fill.reason == "degenerate answer: the line 'x = compute(r)' repeats 4 times (refused, not trimmed)"


def test_an_answer_far_past_max_tokens_is_refused() -> None:
    answer = ''.join(f'    total_{i} = math.pi * r ** {i}  # the {i}th power term\n' for i in range(30))
    assert _fill(answer + '    return total_1', max_tokens=512).status == 'filled'
    fill = _fill(answer + '    return total_1', max_tokens=64)
    assert fill.status == 'rejected'
    assert fill.reason.startswith('degenerate answer: 1,') and 'max_tokens (64)' in fill.reason


def test_length_cut_is_incomplete() -> None:
    fill = _fill('return math.pi *', finish='length')
    assert fill.status == 'rejected'
    assert 'max_tokens' in fill.reason


def test_a_fill_that_does_not_parse_is_rejected_with_the_reason() -> None:
    fill = _fill('return (math.pi * r ** 2')
    assert fill.status == 'rejected'
    assert 'does not parse' in fill.reason
    assert fill.replacement is None


def test_a_fill_that_is_still_a_stub_is_rejected() -> None:
    fill = _fill('pass')
    assert (fill.status, fill.reason) == ('rejected', 'the fill is still a stub')


def test_empty_fill_is_rejected() -> None:
    assert _fill('\n\n').reason == 'the model returned an empty fill'


def test_crlf_file_gets_crlf_fill() -> None:
    src = SRC.replace('\n', '\r\n')
    fill = _fill('if r < 0:\n        return 0\n    return r', src=src)
    assert fill.replacement == '    if r < 0:\r\n        return 0\r\n    return r\r\n'


def test_docstring_only_stub_inserts_after_the_docstring() -> None:
    src = 'def f():\n    """Doc."""\n\nx = 1\n'
    fill = _fill('return 1\n', src=src)
    assert apply_fills(src, [fill]) == 'def f():\n    """Doc."""\n    return 1\n\nx = 1\n'


def test_one_line_def_becomes_a_block() -> None:
    src = 'def f(): ...\nx = 1\n'
    fill = _fill('return 1', src=src)
    assert apply_fills(src, [fill]) == 'def f():\n    return 1\nx = 1\n'


def test_clean_body_converts_space_indent_to_tabs_for_tab_files() -> None:
    src = 'def f(x):\n\tpass\n'
    (stub,) = find_stubs('m.py', src, bare_pass_is_stub=True)
    assert clean_body('if x:\n        return 1\n    return 2', stub, '') == 'if x:\n\t\treturn 1\n\treturn 2'


# --- round trips: outside the stub spans, every byte stays as it was ---

_line = st.text(alphabet=st.characters(blacklist_categories=('Cs',), blacklist_characters='\r\n\x00'), max_size=30)


@st.composite
def _files_with_fills(draw: st.DrawFn) -> tuple[str, list[Fill]]:
    eol = draw(st.sampled_from(['\n', '\r\n']))
    blocks = draw(st.lists(_line, min_size=0, max_size=4))
    names = [f'f{i}' for i in range(draw(st.integers(1, 4)))]
    parts = []
    for i, name in enumerate(names):
        comment = blocks[i] if i < len(blocks) else ''
        parts.append(f'# {comment}{eol}def {name}(x):{eol}    pass{eol}')
    src = ''.join(parts)
    if draw(st.booleans()):
        src = src[:-len(eol)]  # no final newline
    bodies = draw(st.lists(st.sampled_from(['return x', 'y = x * 2\n    return y', 'return [x]']),
                           min_size=len(names), max_size=len(names)))
    source = decode_source('m.py', src.encode())
    fills = []
    for stub, body in zip(find_stubs('m.py', src, bare_pass_is_stub=True), bodies):
        fills.append(finish_fill(Fill(stub=stub), source, Completion(body, 'stop'), src[stub.end:]))
    return src, fills


@given(_files_with_fills())
def test_apply_keeps_everything_outside_the_stub_spans(case: tuple[str, list[Fill]]) -> None:
    src, fills = case
    assert all(f.status == 'filled' for f in fills)
    new = apply_fills(src, fills)
    pos_old = pos_new = 0
    for fill in sorted(fills, key=lambda f: f.stub.start):
        outside = src[pos_old:fill.stub.start]
        assert new[pos_new:pos_new + len(outside)] == outside
        pos_new += len(outside) + len(fill.replacement or '')
        pos_old = fill.stub.end
    assert new[pos_new:] == src[pos_old:]


@settings(max_examples=25, deadline=None)
@given(_files_with_fills())
def test_the_patch_applies_with_git_apply(tmp_path_factory: object, case: tuple[str, list[Fill]]) -> None:
    import tempfile

    src, fills = case
    new = apply_fills(src, fills)
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        subprocess.run(['git', 'init', '-q'], cwd=root, check=True)
        (root / 'm.py').write_bytes(src.encode())
        (root / 'p.diff').write_bytes(unified_diff('m.py', src, new).encode())
        subprocess.run(['git', 'apply', 'p.diff'], cwd=root, check=True, capture_output=True)
        assert (root / 'm.py').read_bytes() == new.encode()
