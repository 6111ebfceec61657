"""The span-based diff renderer (issue 15): right hunks, git's format, no whole-file diffing."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from codestral_bot.edits import Span
from codestral_bot.edits import span_diff
from codestral_bot.records import SourceFile
from codestral_bot.sinks.patch import unified_diff
from tests.repo_util import cli_env

_HUNK = re.compile(r'@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@')


def _source(text: str, path: str = 'm.py', encoding: str = 'utf-8') -> SourceFile:
    return SourceFile(path, text, encoding, '\n', text.encode(encoding))


def _apply_spans(text: str, spans: list[Span]) -> str:
    out, pos = [], 0
    for s in spans:
        out += [text[pos:s.start], s.text]
        pos = s.end
    return ''.join(out) + text[pos:]


def _lines(text: str) -> list[str]:
    parts = text.split('\n')
    return [p + '\n' for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _apply_patch(text: str, patch: str) -> str:
    """A strict applier: every context and removed line must match, hunk counts must add up."""
    old = _lines(text)
    body = patch.split('\n')[3:]  # past diff --git, ---, +++
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(body) and body[i]:
        m = _HUNK.match(body[i])
        assert m, body[i]
        start, count = int(m[1]), int(m[2] or 1)
        first = start - 1 if count else start
        out += old[pos:first]
        pos, seen_old, i = first, 0, i + 1
        new_part: list[str] = []
        while i < len(body) and body[i] and body[i][0] in ' -+\\':
            mark, line = body[i][0], body[i][1:] + '\n'
            if i + 1 < len(body) and body[i + 1].startswith('\\'):
                line = line[:-1]
            if mark in ' -':
                assert old[pos] == line, (old[pos], line)
                pos, seen_old = pos + 1, seen_old + 1
            if mark in ' +':
                new_part.append(line)
            i += 1
        assert seen_old == count
        out += new_part
    return ''.join(out + old[pos:])


_LINE = st.sampled_from(['a\n', 'b\n', '\n', 'def f():\n', '    pass\n', 'x = 1\r\n', 'y\x0c\n'])


@st.composite
def _case(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = ''.join(draw(st.lists(_LINE, max_size=40)))
    if draw(st.booleans()):
        text += draw(st.sampled_from(['tail', 'end\r']))  # no final newline
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        spans.append(Span(a, b, draw(st.sampled_from(['', 'new\n', 'z', '    return 1\n', 'p\nq', '\n']))))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(_case())
@example(('\n', [Span(0, 0, '\n'), Span(0, 1, '')]))  # touching spans that undo each other: no patch
@example(('a\ntail', [Span(1, 2, ''), Span(2, 2, '\n')]))
def test_the_patch_turns_the_old_text_into_the_new(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    patch = span_diff(_source(text), spans)
    new = _apply_spans(text, spans)
    if new == text:
        assert patch == ''
        return
    assert patch.startswith('diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ ')
    assert _apply_patch(text, patch) == new


def test_same_hunks_as_git_for_a_whole_line_fill() -> None:
    text = ''.join(f'line {n}\n' for n in range(1, 31))
    start = text.index('line 10\n')
    end = text.index('line 12\n')
    spans = [Span(start, end, 'fill A\nfill B\nfill C\n'), Span(text.index('line 17\n'), text.index('line 18\n'), 'x\n')]
    assert span_diff(_source(text), spans) == unified_diff('m.py', text, _apply_spans(text, spans))
    far = [Span(start, end, 'fill\n'), Span(text.index('line 27\n'), text.index('line 28\n'), 'y\n')]
    patch = span_diff(_source(text), far)
    assert patch.count('@@ -') == 2 and patch == unified_diff('m.py', text, _apply_spans(text, far))


def test_git_apply_takes_crlf_bom_and_missing_final_newline(tmp_path: Path) -> None:
    raw = '\ufeffdef f():\r\n    pass\r\n\r\ndef g():\r\n    pass'
    (tmp_path / 'm.py').write_bytes(raw.encode('utf-8'))
    text = raw[1:]  # what decode_source keeps: the BOM is the encoding's
    source = SourceFile('m.py', text, 'utf-8-sig', '\r\n', raw.encode())
    first = text.index('    pass')
    last = text.rindex('    pass')
    patch = span_diff(source, [Span(first, first + 10, '    return 1\r\n'), Span(last, len(text), '    return 2')])
    (tmp_path / 'p.diff').write_bytes(patch.encode())
    subprocess.run(['git', 'init', '-q'], cwd=tmp_path, check=True, env=cli_env())
    result = subprocess.run(['git', 'apply', 'p.diff'], cwd=tmp_path, capture_output=True, env=cli_env())
    assert result.returncode == 0, result.stderr
    assert (tmp_path / 'm.py').read_bytes() == (
        '\ufeffdef f():\r\n    return 1\r\n\r\ndef g():\r\n    return 2').encode()


def test_a_span_deep_in_a_huge_file_costs_what_it_touches() -> None:
    """Built from the span: the text is looked at around it, never diffed whole."""
    text = ''.join(f'def f{n}(x):\n    return x + {n}\n\n' for n in range(200_000))
    at = text.index('def f150000(x):\n') + len('def f150000(x):\n')
    patch = span_diff(_source(text), [Span(at, at + len('    return x + 150000\n'), '    return 0\n')])
    assert patch.splitlines()[3] == '@@ -449999,7 +449999,7 @@'
    assert patch.count('\n') == 3 + 1 + 7 + 1
