"""The text a fill replaces in a braced body, following the span conventions of ``records.Stub``."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_classify import braces
from codestral_bot.stubs.ts_text import SourceText

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['Span', 'body_span']


@dataclasses.dataclass(frozen=True)
class Span:
    start: int
    end: int
    start_line: int
    end_line: int
    indent: str
    lead: str
    tail: str


def _last_row(node: Node) -> int:
    """The row of the node's last character (a node may end just past a newline)."""
    row, column = node.end_point
    return row - 1 if column == 0 and row > node.start_point.row else row


def body_span(
    source: SourceText, body: Node, items: list[Node], eol: str, unit: Callable[[], str],
) -> Span:
    """Whole lines when the items have lines of their own; else everything between the braces.

    ``unit`` gives one indentation level of the file; it is only asked for (a scan of the file)
    when the body shares a line with a brace.
    """
    opening, closing = braces(body)
    own_lines = items and items[0].start_point.row > opening.end_point.row
    if own_lines and _last_row(items[-1]) < closing.start_point.row:
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
        end_line=_last_row(items[-1]) + 1,
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
    rows = (items[0].start_point.row, _last_row(items[-1])) if items else (
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
