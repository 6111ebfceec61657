"""A source text as tree-sitter sees it (UTF-8 bytes) and as the pipeline sees it (``str`` offsets).

Lines end at ``'\\n'`` only, as in git and in tree-sitter's rows; a ``'\\r'`` before it is part of the
line ending.
"""
from __future__ import annotations

import bisect
import collections
import re

from codestral_bot.stubs._base import ParseFailure

__all__ = ['SourceText', 'detect_eol', 'detect_indent_unit']

_LEADING_WS = re.compile(r'[ \t]*')
_LINE_START = re.compile(r'^([ \t]*)(\S)', re.MULTILINE)
# The file's habit shows in its first lines; scanning all of a big file only costs time.
_SCAN_CHARS = 64 * 1024
# Indentation deltas seen in practice; odd ones come from alignment, not from nesting.
_UNITS = (2, 4, 8, 3)


class SourceText:
    """``text`` plus its UTF-8 encoding and the byte ↔ character offset maps between them."""

    def __init__(self, text: str) -> None:
        try:
            data = text.encode('utf-8')
        except UnicodeEncodeError as e:
            # Lone surrogates come from undecodable bytes: no grammar can read that file.
            raise ParseFailure(f'not valid UTF-8 text at character {e.start}') from None
        self.text = text
        self.data = data
        self._ascii = len(data) == len(text)
        self._byte_lines: list[int] = []
        self._char_lines: list[int] = []

    def char(self, byte: int) -> int:
        """The character offset of a byte offset (which is on a character boundary)."""
        if self._ascii:
            return byte
        if not self._byte_lines:
            self._index_lines()
        row = bisect.bisect_right(self._byte_lines, byte) - 1
        start = self._byte_lines[row]
        return self._char_lines[row] + len(self.data[start:byte].decode('utf-8', 'replace'))

    def byte(self, char: int) -> int:
        """The byte offset of a character offset."""
        if self._ascii:
            return char
        return len(self.text[:char].encode('utf-8'))

    def line_start(self, char: int) -> int:
        return self.text.rfind('\n', 0, char) + 1

    def line_end(self, char: int) -> int:
        """Just past the line ending of the line holding ``char`` (or the end of the text)."""
        newline = self.text.find('\n', char)
        return len(self.text) if newline < 0 else newline + 1

    def indent_at(self, char: int) -> str:
        """The leading blanks of the line holding ``char``."""
        start = self.line_start(char)
        match = _LEADING_WS.match(self.text, start)
        return match.group() if match else ''

    def first_on_line(self, char: int) -> bool:
        """Whether only blanks precede ``char`` on its line."""
        return not self.text[self.line_start(char):char].strip(' \t')

    def _index_lines(self) -> None:
        self._byte_lines = [0] + [m.end() for m in re.finditer(b'\n', self.data)]
        self._char_lines = [0] + [m.end() for m in re.finditer('\n', self.text)]


def detect_eol(text: str) -> str:
    """The file's dominant line ending."""
    crlf = text.count('\r\n')
    return '\r\n' if crlf > text.count('\n') - crlf else '\n'


def detect_indent_unit(text: str, default: str) -> str:
    """One level of the file's indentation: a tab, or the most common step of space indents."""
    tabs = 0
    steps: collections.Counter[int] = collections.Counter()
    previous = 0
    for blanks, first in _LINE_START.findall(text, 0, _SCAN_CHARS):
        if blanks.startswith('\t'):
            tabs += 1
            continue
        if first == '*':
            continue  # the aligned middle lines of a /** ... */ block
        width = len(blanks)
        if width > previous:
            steps[width - previous] += 1
        previous = width
    spaced = sum(steps.values())
    if tabs and tabs >= spaced:
        return '\t'
    for step, _ in steps.most_common():
        if step in _UNITS:
            return ' ' * step
    return default
