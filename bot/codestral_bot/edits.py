"""Proposed edits → a unified diff, built from the edit spans themselves (issue 15).

Every fill replaces ``text[start:end]`` of a file the bot already holds, so the diff needs no
diffing: each span grows to whole lines, gets three lines of context on each side, and spans
whose context touches merge into one hunk, as ``git diff -U3`` would group them. The work is
proportional to the size of the edits and their context, not to the size of the file: a 5 MB file
with one fill costs what a 5 KB one does (difflib over the whole file took minutes).

Lines are what git calls lines (only ``\\n`` ends one; ``\\r`` is content), a missing final newline
gets git's ``\\ No newline at end of file``, and names are quoted as git quotes them, so
``git apply`` takes the result.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from collections.abc import Sequence

from codestral_bot.diff import quote_path
from codestral_bot.records import Fill
from codestral_bot.records import SourceFile

__all__ = ['Span', 'fill_spans', 'span_diff']

CONTEXT = 3
_NO_EOL = '\\ No newline at end of file\n'


@dataclasses.dataclass(frozen=True)
class Span:
    """Replace ``text[start:end]`` with ``text``."""

    start: int
    end: int
    text: str


@dataclasses.dataclass
class _Hunk:
    lo: int  # offset of the first line shown (context included)
    hi: int  # offset just past the last line shown
    line: int  # 1-based old line number of ``lo``
    pieces: list[tuple[int, int, str]]  # (old start, old end, new text) of each whole-line span


def fill_spans(fills: Iterable[Fill]) -> list[Span]:
    """The spans of the filled stubs, in file order: each fill's body and the TODO beside it that
    goes with it (``Stub.todo_span``). A fill overlapping an earlier one (nested one-liners) is
    dropped whole; ``cleanup.apply_fills`` applies these spans."""
    kept: list[list[Span]] = []
    for fill in sorted((f for f in fills if f.replacement is not None), key=lambda f: _spans(f)[0].start):
        spans = _spans(fill)
        if kept and spans[0].start < max(span.end for span in kept[-1]):
            continue
        kept.append(spans)
    return sorted((span for spans in kept for span in spans), key=lambda span: span.start)


def _spans(fill: Fill) -> list[Span]:
    stub = fill.stub
    body = Span(stub.start, stub.end, fill.replacement or '')
    if stub.todo_span is None:
        return [body]
    return sorted([body, Span(*stub.todo_span, '')], key=lambda span: span.start)


def _line_start(text: str, pos: int) -> int:
    return text.rfind('\n', 0, pos) + 1


def _next_line(text: str, pos: int) -> int:
    nl = text.find('\n', pos)
    return len(text) if nl == -1 else nl + 1


def _grown(text: str, span: Span) -> tuple[int, int]:
    lo = _line_start(text, span.start)
    hi = span.end if span.end == lo or text[span.end - 1:span.end] == '\n' else _next_line(text, span.end)
    return lo, hi


def _whole_lines(text: str, lo: int, hi: int, spans: Sequence[Span]) -> tuple[int, int, str]:
    """Spans sharing lines, grown to whole old lines, and what those lines become."""
    parts, pos = [], lo
    for span in spans:
        parts += [text[pos:span.start], span.text]
        pos = span.end
    new = ''.join(parts) + text[pos:hi]
    # A replacement without a final newline runs into the next line: that line changes too.
    while new and not new.endswith('\n') and hi < len(text):
        nxt = _next_line(text, hi)
        new += text[hi:nxt]
        hi = nxt
    return lo, hi, new


def _pieces(text: str, spans: Sequence[Span]) -> list[tuple[int, int, str]]:
    """One piece per run of spans whose lines touch (two one-line stubs on a line are one piece)."""
    pieces: list[tuple[int, int, str]] = []
    group: list[Span] = []
    piece = (0, 0, '')
    for span in spans:
        s_lo, s_hi = _grown(text, span)
        if group and s_lo < piece[1]:
            group.append(span)
            piece = _whole_lines(text, piece[0], max(piece[1], s_hi), group)
            continue
        if group:
            pieces.append(piece)
        group = [span]
        piece = _whole_lines(text, s_lo, s_hi, group)
    return pieces + ([piece] if group else [])


def _context_before(text: str, pos: int) -> int:
    for _ in range(CONTEXT):
        if pos == 0:
            break
        pos = _line_start(text, pos - 1)
    return pos


def _context_after(text: str, pos: int) -> int:
    for _ in range(CONTEXT):
        if pos >= len(text):
            break
        pos = _next_line(text, pos)
    return pos


def _hunks(text: str, spans: Sequence[Span]) -> list[_Hunk]:
    hunks: list[_Hunk] = []
    counted, line = 0, 1  # line numbers counted incrementally: each stretch of text once
    for lo, hi, new in _pieces(text, spans):
        start = _context_before(text, lo)
        if hunks and start <= hunks[-1].hi:
            hunks[-1].hi = max(hunks[-1].hi, _context_after(text, hi))
            hunks[-1].pieces.append((lo, hi, new))
            continue
        line += text.count('\n', counted, start)
        counted = start
        hunks.append(_Hunk(start, _context_after(text, hi), line, [(lo, hi, new)]))
    return hunks


def _split(text: str) -> list[str]:
    parts = text.split('\n')
    lines = [p + '\n' for p in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def _marked(mark: str, lines: Sequence[str]) -> list[str]:
    return [f'{mark}{line}' if line.endswith('\n') else f'{mark}{line}\n{_NO_EOL}' for line in lines]


def _range(line: int, count: int) -> str:
    # git's form: ",1" is left out, and an empty side names the line before it
    if count == 0:
        return f'{line - 1},0'
    return f'{line}' if count == 1 else f'{line},{count}'


def _render(text: str, hunk: _Hunk, shift: int, bom: str) -> tuple[list[str], int]:
    body: list[str] = []
    old_count = new_count = 0
    pos = hunk.lo
    for lo, hi, new in hunk.pieces:
        context = _split(text[pos:lo])
        old, new_lines = _split(text[lo:hi]), _split(new)
        body += _marked(' ', context) + _marked('-', old) + _marked('+', new_lines)
        old_count += len(context) + len(old)
        new_count += len(context) + len(new_lines)
        pos = hi
    after = _split(text[pos:hunk.hi])
    body += _marked(' ', after)
    old_count += len(after)
    new_count += len(after)
    if bom and hunk.lo == 0:  # the file's first line starts with the BOM the decoder took off
        body[0] = body[0][0] + bom + body[0][1:]
        if new_count and body[0][0] == '-':
            first_new = next(i for i, line in enumerate(body) if line[0] in '+ ')
            body[first_new] = body[first_new][0] + bom + body[first_new][1:]
    header = f'@@ -{_range(hunk.line, old_count)} +{_range(hunk.line + shift, new_count)} @@\n'
    return [header, *body], new_count - old_count


def span_diff(source: SourceFile, spans: Sequence[Span]) -> str:
    """``source`` with ``spans`` applied, as a unified diff ('' when nothing changes)."""
    text = source.text
    changed = [s for s in spans if text[s.start:s.end] != s.text]
    if not changed:
        return ''
    name = source.path
    out = [f'diff --git {quote_path("a/" + name)} {quote_path("b/" + name)}\n',
           f'--- {_header_name("a/" + name)}\n', f'+++ {_header_name("b/" + name)}\n']
    shift = 0
    bom = '\ufeff' if source.encoding == 'utf-8-sig' else ''
    hunks = [h for h in _hunks(text, changed) if _after(text, h) != text[h.lo:h.hi]]
    if not hunks:  # touching spans that undo each other (a line break added, then taken away)
        return ''
    for hunk in hunks:
        lines, delta = _render(text, hunk, shift, bom)
        out += lines
        shift += delta
    return ''.join(out)


def _after(text: str, hunk: _Hunk) -> str:
    """The hunk's stretch of ``text`` with its pieces applied."""
    out, pos = [], hunk.lo
    for lo, hi, new in hunk.pieces:
        out += [text[pos:lo], new]
        pos = hi
    return ''.join(out) + text[pos:hunk.hi]


def _header_name(name: str) -> str:
    quoted = quote_path(name)
    return quoted + '\t' if quoted == name and ' ' in name else quoted  # git's tab after a space
