"""Parse a big Python file once, and check a fill against the one top-level block that holds it.

Parsing 5 MB of Python takes seconds, so the finder's tree is remembered (keyed by the text, the
last two files) and a fill is validated on the top-level statement around it instead of the
whole filled file. That is sound because the text outside the block is byte for byte unchanged
and the block starts and ends at real statement boundaries in column 0 (taken from the tree of
the file before the fill, never guessed from the text): the tokenizer reaches both boundaries
with nothing open (no bracket, string, continuation or indentation), so the file parses exactly
when the block parses on its own. A fill that leaves something open (an unclosed triple-quoted
string, a bracket) makes the block fail on its own, so it is refused even when later text would
have closed it.
"""
from __future__ import annotations

import ast
import bisect
import dataclasses
import gc
from collections import OrderedDict

__all__ = ['Block', 'narrow', 'parse', 'parse_remembered', 'remembered']

_TREES: OrderedDict[str, ast.Module] = OrderedDict()
_BIG = 256 * 1024  # characters: below this a parse is quick enough as it is
_KEEP = 2  # the file and its base revision: what one stub's finding and validation need


def parse(source: str | bytes, filename: str = '<unknown>') -> ast.Module:
    """``ast.parse``; a big file's tree is kept out of the cyclic garbage collector.

    5 MB of Python make millions of nodes, and every collection their allocation triggers walks
    all of them, during the parse and long after (half the parse time, and seconds more in the
    code that runs next). Trees hold no reference cycles (a node never points at its parent), so
    reference counting frees them all the same: the collector is paused while parsing and the
    new objects are moved to its permanent generation (``gc.freeze``)."""
    if len(source) < _BIG:
        return ast.parse(source, filename=filename)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source, filename=filename)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def parse_remembered(text: str, filename: str) -> ast.Module:
    """``parse``, keeping the tree for ``remembered`` (callers must not change it)."""
    tree = _TREES.get(text)
    if tree is None:
        tree = parse(text, filename)
        _TREES[text] = tree
        while len(_TREES) > _KEEP:
            _TREES.popitem(last=False)
    else:
        _TREES.move_to_end(text)
    return tree


def remembered(text: str) -> ast.Module | None:
    return _TREES.get(text)


@dataclasses.dataclass(frozen=True)
class Block:
    """The top-level statement around a fill: ``old_text[start:old_end]`` before,
    ``new_text[start:new_end]`` after; ``lines`` lines of the file come before it."""

    start: int
    old_end: int
    new_end: int
    lines: int
    old: str
    new: str
    tree: ast.Module  # the whole file before the fill
    index: int  # of the block's statement in ``tree.body``


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, 'decorator_list', None) or []
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _line_breaks_are_plain(text: str) -> bool:
    """Only ``\\n`` or ``\\r\\n``: then counting ``\\n`` counts the lines ``ast`` counts."""
    return text.count('\r') == text.count('\r\n')


def _line_start(text: str, line: int, anchor: int = 0, anchor_line: int = 1) -> int:
    """Offset of the start of 1-based ``line``, walking from ``anchor`` (the start of
    ``anchor_line``): blocks are short, so this stays near the stub instead of counting from 0."""
    at = anchor
    for _ in range(line - anchor_line):
        at = text.index('\n', at) + 1
    for _ in range(anchor_line - line):
        at = text.rfind('\n', 0, at - 1) + 1  # -1 + 1: the first line
    return at


def narrow(old_text: str, new_text: str, start: int, old_end: int, new_end: int) -> Block | None:
    """The block around ``old_text[start:old_end]`` (replaced by ``new_text[start:new_end]``), or
    None when it cannot be proven a real boundary (then the caller checks the whole file)."""
    tree = _TREES.get(old_text)
    if tree is None or not tree.body or not _line_breaks_are_plain(old_text) \
            or not _line_breaks_are_plain(new_text[start:new_end]):
        return None
    line = old_text.count('\n', 0, start) + 1
    here = old_text.rfind('\n', 0, start) + 1  # the start of that line
    index = bisect.bisect_right(tree.body, line, key=_first_line) - 1
    if index < 0:
        return None
    stmt = tree.body[index]
    if stmt.col_offset != 0:
        return None
    lines_before = _block_first_line(old_text, tree, index, here, line) - 1
    if lines_before < 0:
        return None
    begin = _line_start(old_text, lines_before + 1, here, line)
    end = len(old_text)
    if index + 1 < len(tree.body):
        after = tree.body[index + 1]
        after_line = _first_line(after)
        if after.col_offset != 0 or after_line <= (stmt.end_lineno or stmt.lineno):
            return None
        end = _line_start(old_text, after_line, here, line)
    if not begin <= start <= old_end <= end:
        return None
    delta = new_end - old_end
    if end < len(old_text) and new_text[end + delta - 1:end + delta] != '\n':
        return None  # the fill would join the next statement's line
    block = Block(begin, end, end + delta, lines_before, old_text[begin:end], new_text[begin:end + delta],
                  tree, index)
    return block if _parses_alone(block, stmt) else None


def _block_first_line(text: str, tree: ast.Module, index: int, here: int, line: int) -> int:
    """The line after the previous statement (so the comments above the block are in it), or -1
    when that boundary is not clean (a ``;``, a line ending in ``\\`` or starting with ``#``)."""
    if index == 0:
        return 1
    prev_end = tree.body[index - 1].end_lineno or tree.body[index - 1].lineno
    if prev_end >= _first_line(tree.body[index]):
        return -1
    at = _line_start(text, prev_end, here, line)
    stop = text.find('\n', at)
    last = text[at:stop if stop != -1 else len(text)].rstrip('\r')
    if last.endswith('\\') or last.lstrip().startswith('#'):
        return -1
    return prev_end + 1


def _parses_alone(block: Block, stmt: ast.stmt) -> bool:
    """The block before the fill parses on its own into the statement the tree has: the boundaries
    are what they claim."""
    try:
        body = parse(block.old).body
    except (SyntaxError, ValueError):
        return False
    return len(body) == 1 and type(body[0]) is type(stmt)
