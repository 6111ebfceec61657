"""The cleanup/validation stage: a raw completion → the replacement for a stub, or a reason why not.

Peers' filters worth having for whole bodies (fim-practice.md): strip Markdown fences, stop where
the completion starts repeating the suffix, stop once it dedents out of the body's scope, refuse
degenerate answers (a line repeated in a loop, an answer far past ``max_tokens``) rather than trim
them into a fill. Then the filled file must parse and the function must no longer be a stub.
"""
from __future__ import annotations

import dataclasses
import re

from codestral_bot import stubs as stub_stage
from codestral_bot.containment import escape_problem
from codestral_bot.edits import fill_spans
from codestral_bot.records import Completion
from codestral_bot.records import Fill
from codestral_bot.records import SourceFile
from codestral_bot.records import Stub
from codestral_bot.stubs import python_block
from codestral_bot.tokens import estimate_tokens

__all__ = ['apply_fills', 'clean_body', 'finish_fill']

_FENCE = re.compile(r'^\s*(```|~~~)')
_OVERLONG = 4  # × max_tokens, in estimated tokens: no tokenizer packs that many characters a token


class Rejected(Exception):
    pass


def _strip_fences(lines: list[str]) -> list[str]:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not _FENCE.match(lines[first]):
        return lines
    lines = lines[first + 1:]
    close = next((i for i, line in enumerate(lines) if _FENCE.match(line)), None)
    return lines if close is None else lines[:close]


def _indent_width(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(' '))


def _cut_at_dedent(lines: list[str], indent: str) -> list[str]:
    """Tabby's limitScopeByIndentation: a line left of the body's indent has left the function."""
    floor = _indent_width(indent)
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() and _indent_width(line) < floor:
            return lines[:i]
    return lines


def _cut_suffix_echo(lines: list[str], suffix: str) -> list[str]:
    """Stop where the model starts writing what already follows the stub."""
    following = next((line.strip() for line in suffix.splitlines() if line.strip()), '')
    if len(following) < 4:  # `}` or `end` are too common to mean an echo
        return lines
    for i, line in enumerate(lines):
        if line.strip() == following:
            return lines[:i]
    return lines


def _refuse_repetition(lines: list[str]) -> list[str]:
    """A line repeated 3× in a row is a model stuck in a loop: what came before it is no fill either."""
    for i in range(len(lines) - 2):
        line = lines[i].strip()
        if len(line) > 3 and line == lines[i + 1].strip() == lines[i + 2].strip():
            run = next((j for j in range(i, len(lines)) if lines[j].strip() != line), len(lines)) - i
            shown = line if len(line) <= 40 else line[:37] + '...'
            raise Rejected(f'degenerate answer: the line {shown!r} repeats {run} times (refused, not trimmed)')
    return lines


def _refuse_overlong(text: str, max_tokens: int | None) -> None:
    """An answer far longer than ``max_tokens`` allows did not come from a model honouring it."""
    if max_tokens is not None and estimate_tokens(text) > _OVERLONG * max_tokens:
        raise Rejected(f'degenerate answer: {len(text):,} characters, far more than max_tokens '
                       f'({max_tokens}) allows (refused, not trimmed)')


def _match_indent_style(lines: list[str], indent: str) -> list[str]:
    if '\t' not in indent:
        return lines
    out = []
    for line in lines:
        body = line.lstrip(' ')
        spaces = len(line) - len(body)
        out.append('\t' * (spaces // 4) + ' ' * (spaces % 4) + body)
    return out


def clean_body(text: str, stub: Stub, suffix: str) -> str:
    """The completion as the body to put between ``stub.lead`` and ``stub.tail`` (``\\n`` line ends)."""
    lines = text.replace('\r\n', '\n').split('\n')
    lines = _strip_fences(lines)
    while lines and not lines[0].strip():
        lines = lines[1:]
    if lines:
        lines[0] = lines[0].lstrip(' \t')  # the lead already holds the indentation
    lines = _match_indent_style(lines, stub.indent)
    lines = _cut_at_dedent(lines, stub.indent)
    lines = _cut_suffix_echo(lines, suffix)
    lines = _refuse_repetition(lines)
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return '\n'.join(lines)


def replacement_for(stub: Stub, body: str, eol: str) -> str:
    return stub.lead + body.replace('\n', eol) + stub.tail


def _check(fill: Fill, source: SourceFile, body: str) -> str:
    if not body.strip():
        raise Rejected('the model returned an empty fill')
    stub = fill.stub
    replacement = replacement_for(stub, body, source.eol)
    new_text = source.text[:stub.start] + replacement + source.text[stub.end:]
    new_end = stub.start + len(replacement)
    block = python_block.narrow(source.text, new_text, stub.start, stub.end, new_end) \
        if stub.language == 'python' else None
    if block is not None:
        _check_block(stub, block, new_end)
        return replacement
    problem = stub_stage.syntax_problem(stub, new_text, stub.start, stub.start + len(replacement))
    if problem:
        raise Rejected(problem)
    escape = escape_problem(stub, source.text, new_text, stub.start, stub.start + len(replacement))
    if escape:
        raise Rejected(escape)
    if _still_a_stub(stub, *_without_todo(stub, new_text, new_end)):
        raise Rejected('the fill is still a stub')
    return replacement


def _without_todo(stub: Stub, new_text: str, new_end: int) -> tuple[str, int]:
    """The filled text without the TODO beside the stub (it leaves with the fill), and where the
    stub starts in it. The fill is checked with the TODO still in place: removing whole comment
    lines changes neither the syntax nor the declarations."""
    if stub.todo_span is None:
        return new_text, stub.start
    start, end = stub.todo_span
    if start >= stub.end:  # `} // TODO`: after the filled body
        start, end = start - stub.end + new_end, end - stub.end + new_end
        return new_text[:start] + new_text[end:], stub.start
    return new_text[:start] + new_text[end:], stub.start - (end - start)


def _check_block(stub: Stub, block: python_block.Block, new_end: int) -> None:
    """``_check``'s three checks on the top-level block holding a Python stub (a big file is
    parsed once, by the finder): the rest of the file is unchanged text between real statement
    boundaries, so it proves nothing new (see ``python_block``)."""
    from codestral_bot.stubs import python

    inner = dataclasses.replace(stub, start=stub.start - block.start, end=stub.end - block.start)
    problem = python.syntax_problem(stub.path, block.new, inner.start, new_end - block.start, block.lines)
    if problem:
        raise Rejected(problem)
    escape = escape_problem(inner, block.old, block.new, inner.start, new_end - block.start)
    if escape:
        raise Rejected(escape)
    if python.still_a_stub_in_block(stub.path, block, stub.name, stub.start):
        raise Rejected('the fill is still a stub')


def _still_a_stub(stub: Stub, new_text: str, start: int) -> bool:
    try:
        # a fill that is only `pass` is still a stub, whatever the project counts as one
        again = stub_stage.find_stubs(stub.path, new_text, bare_pass_is_stub=True)
    except stub_stage.ParseFailure:
        return False
    return any(s.name == stub.name and s.start == start for s in again)


def finish_fill(fill: Fill, source: SourceFile, completion: Completion, suffix: str,
                max_tokens: int | None = None) -> Fill:
    """Turn the model's answer into a validated replacement, or a rejection with its reason."""
    usage = fill.usage if completion.cached else fill.usage + completion.usage
    if completion.finish_reason in ('length', 'model_length'):
        return dataclasses.replace(fill, status='rejected', usage=usage,
                                   reason='incomplete: the model stopped at max_tokens (raise --max-tokens)')
    try:
        _refuse_overlong(completion.text, max_tokens)
        replacement = _check(fill, source, clean_body(completion.text, fill.stub, suffix))
    except Rejected as e:
        return dataclasses.replace(fill, status='rejected', reason=str(e), usage=usage)
    return dataclasses.replace(fill, status='filled', replacement=replacement, reason='', usage=usage)


def apply_fills(text: str, fills: list[Fill]) -> str:
    """The text with every filled stub replaced (and the TODO beside it removed); everything else
    byte for byte as it was. Of overlapping stubs (nested one-liners) the first is kept."""
    out = []
    pos = 0
    for span in fill_spans(fills):
        out += [text[pos:span.start], span.text]
        pos = span.end
    out.append(text[pos:])
    return ''.join(out)
