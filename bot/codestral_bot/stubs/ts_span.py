"""The text a fill replaces in a braced body, following the span conventions of ``records.Stub``."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_classify import braces
from codestral_bot.stubs.ts_classify import last_row
from codestral_bot.stubs.ts_intent import comment_lines
from codestral_bot.stubs.ts_intent import todo_line
from codestral_bot.stubs.ts_text import SourceText

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['Span', 'body_span', 'todo_removal']


@dataclasses.dataclass(frozen=True)
class Span:
    start: int
    end: int
    start_line: int
    end_line: int
    indent: str
    lead: str
    tail: str


def body_span(
    source: SourceText, body: Node, items: list[Node], eol: str, unit: Callable[[], str],
) -> Span:
    """Whole lines when the items have lines of their own; else everything between the braces.

    ``unit`` gives one indentation level of the file; it is only asked for (a scan of the file)
    when the body shares a line with a brace.
    """
    opening, closing = braces(body)
    own_lines = items and items[0].start_point.row > opening.end_point.row
    if own_lines and last_row(items[-1]) < closing.start_point.row:
        return _line_span(source, items, eol)
    return _inline_span(source, opening, closing, items, eol, unit)


def _line_span(source: SourceText, items: list[Node], eol: str) -> Span:
    first = source.char(items[0].start_byte)
    last = source.char(items[-1].end_byte) - 1
    indent = source.indent_at(first)
    return Span(
        start=source.line_start(first),
        end=source.line_end(last),
        start_line=items[0].start_point.row + 1,
        end_line=last_row(items[-1]) + 1,
        indent=indent,
        lead=indent,
        tail=eol,
    )


def _inline_span(
    source: SourceText, opening: Node, closing: Node, items: list[Node], eol: str,
    unit: Callable[[], str],
) -> Span:
    close_at = source.char(closing.start_byte)
    closing_indent = source.indent_at(close_at)
    first = source.char(items[0].start_byte) if items else -1
    # An item alone at the start of its line shows the body's indent; otherwise one level deeper.
    indent = source.indent_at(first) if items and source.first_on_line(first) else closing_indent + unit()
    rows = (items[0].start_point.row, last_row(items[-1])) if items else (
        opening.start_point.row, closing.start_point.row)
    return Span(
        start=source.char(opening.end_byte),
        end=close_at,
        start_line=rows[0] + 1,
        end_line=rows[1] + 1,
        indent=indent,
        lead=eol + indent,
        tail=eol + closing_indent,
    )


def todo_removal(source: SourceText, comment: Node, body: Node) -> tuple[int, int] | None:
    """What the fill removes of the TODO comment beside a function (``Stub.todo_span``), or None.

    The TODO is the paragraph starting at its marker line (up to a blank comment line, an ``@tag``
    or the comment's end). A comment that holds nothing else goes whole: its lines when it is
    above the header, or, when it trails the closing brace (``} // TODO: implement``), the comment
    and the blanks before it. A TODO paragraph on middle lines of a longer doc comment
    (``/** Adds. * TODO: implement * @return */``) goes alone, the rest stays. A TODO sharing a
    delimiter line with other text (``/** TODO: implement. Adds.`` over more lines) is left alone:
    no whole line of it is the TODO's own. So is a comment with code after it on its line.
    """
    start, end = source.char(comment.start_byte), source.char(comment.end_byte)
    text = source.text[start:end].rstrip('\r\n')  # a line comment node may hold its line ending
    end = start + len(text)
    lines = text.split('\n')
    texts = [''.join(comment_lines(line.rstrip('\r'))) for line in lines]
    paragraph = _todo_paragraph(texts)
    if paragraph is None or source.text[end:source.line_end(end)].strip():
        return None
    first, last = paragraph
    whole = not any(line for i, line in enumerate(texts) if not first <= i <= last)
    if comment.start_byte >= braces(body)[1].end_byte:  # after the closing brace, on its line
        before = source.text[source.line_start(start):start]
        return (start - len(before) + len(before.rstrip(' \t')), end) if whole and len(lines) == 1 else None
    if not source.first_on_line(start):
        return None
    if whole:
        return source.line_start(start), source.line_end(end)
    if 0 < first and last < len(lines) - 1:
        offsets = [start]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        return offsets[first], offsets[last + 1]
    return None


def _todo_paragraph(texts: list[str]) -> tuple[int, int] | None:
    """The first and last line of the TODO's paragraph in a comment's delimiter-free lines."""
    first = next((i for i, line in enumerate(texts) if todo_line(line) is not None), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(texts) and texts[last + 1] and not texts[last + 1].startswith('@'):
        last += 1
    return first, last
