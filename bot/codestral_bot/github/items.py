"""What the bot has to say on a pull request: items anchored to the diff, fingerprinted, rendered.

An ``Item`` is a filled stub (a committable suggestion), a review finding, or a stub that was
found but not filled. Its anchor is checked the way GitHub checks it: both ends on the new side
of the SAME hunk of a file whose patch GitHub shows; one bad anchor would sink the whole review
with a 422. The fingerprint hides in every body and leaves the line numbers out (lines move
between pushes): a stub is known by its path, name, kind and text, a finding by its message.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from typing import Any
from typing import Literal

from codestral_bot.records import FileChange
from codestral_bot.records import Fill
from codestral_bot.records import Finding
from codestral_bot.records import SourceFile
from codestral_bot.records import Stub

__all__ = [
    'Item',
    'anchor_problem',
    'code_span',
    'comment_body',
    'comment_payload',
    'distinct',
    'fence_for',
    'finding_fingerprint',
    'finding_item',
    'fingerprint',
    'fingerprint_marker',
    'fingerprints_in',
    'fingerprints_of',
    'stub_fingerprint',
    'neutral_markdown',
    'stub_item',
    'suggested_lines',
    'suggestion_block',
    'suggestion_item',
    'suggestion_range',
]

_FP = re.compile(r'<!-- codestral-bot:fp=([0-9a-f]{64}) -->')
_CODE_SPAN = re.compile(r'(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)')
# GitHub links @user and @org/team after anything but a word character (not in e-mail addresses).
_MENTION = re.compile(r'(?<![\w`])@(?=[A-Za-z0-9])')
_ZWSP = '\u200b'
_ICONS = {'error': '🛑', 'warning': '⚠️', 'info': 'ℹ️'}


@dataclasses.dataclass(frozen=True)
class Item:
    kind: Literal['suggestion', 'finding', 'stub']
    path: str
    start_line: int
    line: int  # the last line (GitHub's ``line``)
    severity: Literal['error', 'warning', 'info']
    title: str  # one line of Markdown: what this is
    fingerprint: str
    suggestion: str | None = None  # the new text of lines start_line..line, '\n'-separated
    problem: str | None = None  # why it cannot be an inline comment; None: it can

    @property
    def inline(self) -> bool:
        return self.problem is None

    @property
    def where(self) -> str:
        span = f'{self.start_line}-{self.line}' if self.line > self.start_line else str(self.line)
        return f'{self.path}:{span}'


def neutral_markdown(text: str) -> str:
    """Model or file text as one line of inert Markdown: no live @mentions or team pings, no raw
    HTML (images, comments that could fake a fingerprint), no images; code spans kept as written."""
    text = ' '.join(text.split())
    parts = []
    pos = 0
    for span in _CODE_SPAN.finditer(text):
        parts += [_neutral_prose(text[pos:span.start()]), span.group()]
        pos = span.end()
    parts.append(_neutral_prose(text[pos:]))
    return ''.join(parts)


def _neutral_prose(text: str) -> str:
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('![', '!\\[')
    return _MENTION.sub('@' + _ZWSP, text)


def code_span(text: str) -> str:
    """``text`` (a path, a name) as one inline code span, whatever backticks it holds."""
    text = ' '.join(text.split())
    longest = max((len(run) for run in re.findall(r'`+', text)), default=0)
    fence = '`' * (longest + 1)
    pad = ' ' if text.startswith('`') or text.endswith('`') else ''
    return f'{fence}{pad}{text}{pad}{fence}'


def fingerprint(*parts: str) -> str:
    return hashlib.sha256('\x1f'.join(parts).encode('utf-8', 'surrogatepass')).hexdigest()


def fingerprint_marker(value: str) -> str:
    return f'<!-- codestral-bot:fp={value} -->'


def fingerprints_in(text: str | None) -> set[str]:
    return set(_FP.findall(text or ''))


def stub_fingerprint(stub: Stub, source: SourceFile) -> str:
    # The stub's own text, not the fill: a re-run's different fill of the same stub is no news.
    # With its signature line and decorators: a property's setter stub shares path, name and text
    # with its getter's, and must not pass for "already posted". Not the line number: a later push
    # that shifts the stub down does not make it new.
    text = ' '.join(source.text[stub.start:stub.end].split())
    return fingerprint(stub.path, 'stub', stub.name, stub.kind, text, *_header(source.text[:stub.start]))


def _header(before: str) -> list[str]:
    lines = [line.strip() for line in before.splitlines() if line.strip()]
    header = lines[-1:]
    for line in reversed(lines[:-1]):
        if not line.startswith('@'):
            break
        header.insert(0, line)
    return header


def finding_fingerprint(finding: Finding) -> str:
    message = ' '.join(finding.message.lower().split()).rstrip('.!')
    return fingerprint(finding.path, 'finding', message)


def anchor_problem(change: FileChange | None, patched: bool, start: int, end: int) -> str | None:
    """Why lines start..end cannot carry a review comment, or None when GitHub will accept them."""
    if change is None:
        return 'the file is not part of the pull request'
    if not patched:
        return 'GitHub shows no diff for this file'
    first, last = change.hunk_of(start), change.hunk_of(end)
    if first is None or last is None:
        outside = start if first is None else end
        return f'line {outside} is outside the diff'
    if first != last:
        return 'the lines span more than one hunk of the diff'
    return None if start <= end else 'the range is reversed'


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == '\n']
    return starts


def suggested_lines(text: str, stub: Stub, replacement: str, lines: tuple[int, int] | None = None) -> str | None:
    """The new text of exactly ``lines`` (default: the stub's, with the TODO beside it) once the fill is in.

    None when the stub's offsets do not lie inside those lines (a finder and git disagreeing
    about line breaks): a suggestion that replaced other lines would delete code.
    """
    first, last = lines or suggestion_range(text, stub)
    starts = _line_starts(text)
    if not 1 <= first <= last < len(starts) + (0 if text.endswith('\n') else 1):
        return None
    begin = starts[first - 1]
    end = starts[last] if last < len(starts) else len(text)
    edits = [(stub.start, stub.end, replacement)]
    if stub.todo_span is not None and begin <= stub.todo_span[0] and stub.todo_span[1] <= end:
        edits.append((*stub.todo_span, ''))  # the TODO that asked for the body leaves with it
    if not begin <= stub.start <= stub.end <= end:
        return None
    new, pos = '', begin
    for start, stop, piece in sorted(edits):
        new += text[pos:start] + piece
        pos = stop
    new = (new + text[pos:end]).removesuffix('\n').removesuffix('\r')
    return new.replace('\r\n', '\n')


def suggestion_range(text: str, stub: Stub) -> tuple[int, int]:
    """The lines a stub's suggestion replaces: its own and those of the TODO beside it (``Stub.todo_span``)."""
    if stub.todo_span is None:
        return stub.start_line, stub.end_line
    start, end = stub.todo_span
    return (min(stub.start_line, text.count('\n', 0, start) + 1),
            max(stub.end_line, text.count('\n', 0, max(start, end - 1)) + 1))


def suggestion_item(fill: Fill, source: SourceFile, change: FileChange | None, patched: bool) -> Item:
    stub = fill.stub
    first, last = suggestion_range(source.text, stub)
    problem = anchor_problem(change, patched, first, last)
    if problem is not None and (first, last) != (stub.start_line, stub.end_line):
        # The TODO's line is outside the hunk: suggest the body alone rather than nothing.
        first, last = stub.start_line, stub.end_line
        problem = anchor_problem(change, patched, first, last)
    lines = suggested_lines(source.text, stub, fill.replacement or '', (first, last))
    if lines is None:
        problem = "the fill does not map onto the stub's lines"
    return Item('suggestion', stub.path, first, last, 'warning',
                f'{code_span(stub.name)} is a stub ({stub.kind}): a body for it, from Codestral.',
                stub_fingerprint(stub, source), lines, problem)


def stub_item(fill: Fill, source: SourceFile, why: str) -> Item:
    """A stub found but not filled: for the job summary and annotations, never posted inline."""
    stub = fill.stub
    return Item('stub', stub.path, stub.start_line, stub.end_line, 'info',
                f'{code_span(stub.name)} is a stub ({stub.kind}), not filled: {neutral_markdown(why)}.',
                stub_fingerprint(stub, source), None, 'not filled')


def finding_item(finding: Finding, change: FileChange | None, patched: bool) -> Item:
    start = finding.start_line or finding.line
    return Item('finding', finding.path, start, finding.line, finding.severity, neutral_markdown(finding.message),
                finding_fingerprint(finding), finding.suggestion,
                anchor_problem(change, patched, start, finding.line))


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text``."""
    longest = max((len(run) for run in re.findall(r'`+', text)), default=0)
    return '`' * max(3, longest + 1)


def _label(item: Item) -> str:
    if item.kind == 'finding':
        return f'{_ICONS[item.severity]} **{item.severity}**'
    return '💡 **codestral-bot**'


def suggestion_block(text: str, language: str = 'suggestion') -> str:
    fence = fence_for(text)
    return f'{fence}{language}\n{text}\n{fence}' if text else f'{fence}{language}\n{fence}'


def comment_body(item: Item) -> str:
    parts = [f'{_label(item)} {item.title}']
    if item.suggestion is not None:
        parts.append(suggestion_block(item.suggestion))
    parts.append(fingerprint_marker(item.fingerprint))
    return '\n\n'.join(parts)


def comment_payload(item: Item) -> dict[str, Any]:
    """One entry of a review's ``comments``: ``line`` (+ ``start_line``) on the new side."""
    payload: dict[str, Any] = {'path': item.path, 'body': comment_body(item), 'line': item.line,
                               'side': 'RIGHT'}
    if item.start_line < item.line:
        payload.update(start_line=item.start_line, start_side='RIGHT')
    return payload


def fingerprints_of(bodies: Iterable[str | None]) -> set[str]:
    found: set[str] = set()
    for body in bodies:
        found |= fingerprints_in(body)
    return found


def distinct(items: Iterable[Item]) -> list[Item]:
    """The same message twice in a file is two comments: later ones get numbered fingerprints."""
    seen: dict[str, int] = {}
    out = []
    for item in items:
        count = seen.get(item.fingerprint, 0)
        seen[item.fingerprint] = count + 1
        if count:
            item = dataclasses.replace(item, fingerprint=fingerprint(item.fingerprint, str(count)))
        out.append(item)
    return out
