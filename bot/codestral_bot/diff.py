"""Unified diff text (``git diff``) → ``FileChange`` records with new-side line numbers.

A small parser of our own, linear in the size of the diff: hunks are read by the line counts
their headers declare (so a content line reading ``--- x`` or ``diff --git`` is still content),
and names are taken as git writes them, C-quoted when they hold a tab, a newline, a quote, a
backslash or another control character (``quote_path`` is the inverse, for the patches we write).
"""
from __future__ import annotations

import dataclasses
import os
import re

from codestral_bot.errors import GitError
from codestral_bot.records import FileChange

__all__ = ['DiffParseError', 'parse_diff', 'quote_path', 'unquote_path', 'whole_file_added']

_HUNK = re.compile(rb'^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@')
_ESCAPES = {ord('a'): 7, ord('b'): 8, ord('t'): 9, ord('n'): 10, ord('v'): 11, ord('f'): 12, ord('r'): 13,
            ord('"'): 34, ord('\\'): 92}
_QUOTE = {v: b'\\' + bytes([k]) for k, v in _ESCAPES.items()}


class DiffParseError(GitError):
    pass


def unquote_path(raw: bytes) -> str:
    """A name as git printed it: ``"a\\tb"`` (C-quoted, octal bytes) or bare."""
    if not raw.startswith(b'"'):
        return os.fsdecode(raw)
    if len(raw) < 2 or not raw.endswith(b'"'):
        raise DiffParseError(f'cannot read the diff git produced: unterminated name {raw[:80]!r}')
    out = bytearray()
    body = raw[1:-1]
    i = 0
    while i < len(body):
        c = body[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
        elif body[i + 1:i + 2].isdigit():
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        else:
            out.append(_ESCAPES.get(body[i + 1], body[i + 1] if i + 1 < len(body) else 0x5C))
            i += 2
    return os.fsdecode(bytes(out))


def quote_path(name: str) -> str:
    """``name`` as git writes it in a diff header (core.quotePath's default): quoted when needed."""
    raw = os.fsencode(name)
    if not any(b < 0x20 or b in (0x22, 0x5C) or b >= 0x7F for b in raw):
        return name
    out = bytearray(b'"')
    for b in raw:
        if b in _QUOTE:
            out += _QUOTE[b]
        elif b < 0x20 or b >= 0x7F:
            out += b'\\%03o' % b
        else:
            out.append(b)
    return (out + b'"').decode('ascii')


def _name(raw: bytes) -> str | None:
    """A ``---``/``+++`` name without its ``a/``/``b/`` prefix; None for /dev/null."""
    if raw.startswith(b'"'):
        name = unquote_path(raw)
    else:
        name = os.fsdecode(raw.removesuffix(b'\t'))  # git adds a tab after a name with a space
    if name == '/dev/null':
        return None
    return name[2:] if name[:2] in ('a/', 'b/') else name


def _header_names(rest: bytes) -> tuple[str | None, str | None]:
    """The names of ``diff --git a/X b/Y``, for a file with no ---/+++ lines (mode change, empty file)."""
    if rest.startswith(b'"'):
        end = _closing_quote(rest)
        return _name(rest[:end + 1]), _name(rest[end + 2:])
    if rest.endswith(b'"'):
        start = rest.rindex(b' "')
        return _name(rest[:start]), _name(rest[start + 1:])
    half = (len(rest) - 1) // 2  # "a/NAME b/NAME": the same name twice when nothing is renamed
    return _name(rest[:half]), _name(rest[half + 1:])


def _closing_quote(text: bytes) -> int:
    i = 1
    while i < len(text):
        if text[i] == 0x5C:
            i += 2
        elif text[i] == 0x22:
            return i
        else:
            i += 1
    raise DiffParseError(f'cannot read the diff git produced: unterminated name {text[:80]!r}')


@dataclasses.dataclass
class _File:
    old: str | None = None
    new: str | None = None
    status: str = 'modified'
    added: set[int] = dataclasses.field(default_factory=set)
    hunks: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    removed: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def change(self) -> FileChange:
        path = self.new or self.old or ''
        status = self.status
        if status == 'modified' and self.old is None:
            status = 'added'
        elif status == 'modified' and self.new is None:
            status = 'deleted'
        elif status == 'modified' and self.old != self.new:
            status = 'renamed'
        old_path = None if status == 'added' else self.old
        return FileChange(path=path, old_path=old_path, status=status,  # type: ignore[arg-type]
                          added_lines=frozenset(self.added), hunks=tuple(self.hunks), removed=self.removed)


_EXTENDED = {
    b'new file mode ': 'added', b'deleted file mode ': 'deleted', b'Binary files ': 'binary',
    b'GIT binary patch': 'binary',
}


class _Parser:
    def __init__(self, lines: list[bytes]) -> None:
        self.lines = lines
        self.i = 0
        self.files: list[_File] = []

    def run(self) -> list[FileChange]:
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.startswith(b'diff --git '):
                self._git_header(line)
            elif line.startswith(b'--- ') and self.i + 1 < len(self.lines) \
                    and self.lines[self.i + 1].startswith(b'+++ '):
                self._names(line, self.lines[self.i + 1])
            elif line.startswith(b'@@ '):
                self._hunk(line)
                continue
            else:
                self._extended(line)
            self.i += 1
        return [f.change() for f in self.files]

    def _git_header(self, line: bytes) -> None:
        old, new = _header_names(line[len(b'diff --git '):])
        self.files.append(_File(old=old, new=new))

    def _names(self, minus: bytes, plus: bytes) -> None:
        if not self.files or self.files[-1].hunks or self.files[-1].added:
            self.files.append(_File())  # a bare ---/+++ diff, without `diff --git` lines
        f = self.files[-1]
        f.old, f.new = _name(minus[4:]), _name(plus[4:])
        self.i += 1

    def _extended(self, line: bytes) -> None:
        if not self.files:
            return
        f = self.files[-1]
        for prefix, status in _EXTENDED.items():
            if line.startswith(prefix):
                f.status = 'binary' if status == 'binary' or f.status == 'binary' else status
        if line.startswith(b'rename from '):
            f.old = unquote_path(line[len(b'rename from '):])
        elif line.startswith(b'rename to '):
            f.new = unquote_path(line[len(b'rename to '):])
        if f.status == 'added':
            f.old = None
        elif f.status == 'deleted':
            f.new = None

    def _hunk(self, header: bytes) -> None:
        m = _HUNK.match(header)
        if m is None or not self.files:
            raise DiffParseError(f'cannot read the diff git produced: bad hunk header {header[:80]!r}')
        f = self.files[-1]
        old_left = int(m[2]) if m[2] is not None else 1
        new_left = int(m[4]) if m[4] is not None else 1
        start = new_line = int(m[3])
        if new_left == 0:
            new_line = start + 1  # an empty new side names the line before it
        pending: list[str] = []
        self.i += 1
        while old_left > 0 or new_left > 0:
            if self.i >= len(self.lines):
                raise DiffParseError(f'cannot read the diff git produced: a hunk of {f.new or f.old} ends early')
            line = self.lines[self.i]
            mark = line[:1]
            if mark == b'+':
                f.added.add(new_line)
                new_line, new_left = new_line + 1, new_left - 1
            elif mark == b'-':
                pending.append(line[1:].rstrip(b'\r').decode('utf-8', 'surrogateescape'))
                old_left -= 1
            elif mark in (b' ', b''):
                new_line, new_left, old_left = new_line + 1, new_left - 1, old_left - 1
            elif mark != b'\\':
                raise DiffParseError(f'cannot read the diff git produced: unexpected line in a hunk of '
                                     f'{f.new or f.old}: {line[:80]!r}')
            if mark != b'-' and mark != b'\\' and pending:
                f.removed[new_line - 1] = tuple(pending)
                pending = []
            self.i += 1
        if new_left < 0 or old_left < 0:
            raise DiffParseError(f'cannot read the diff git produced: a hunk of {f.new or f.old} is longer than its header')
        while self.i < len(self.lines) and self.lines[self.i].startswith(b'\\'):
            self.i += 1
        if pending:
            f.removed[new_line] = tuple(pending)
        if int(m[4] if m[4] is not None else 1) > 0:
            f.hunks.append((start, new_line - 1))


def parse_diff(diff: bytes) -> list[FileChange]:
    """Parse ``git diff`` output (or bare ``---``/``+++`` patches). Content need not be UTF-8."""
    lines = diff.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    return _Parser(lines).run()


def whole_file_added(path: str, line_count: int) -> FileChange:
    """An untracked file: every line is added."""
    lines = frozenset(range(1, line_count + 1))
    hunks = ((1, line_count),) if line_count else ()
    return FileChange(path=path, old_path=None, status='added', added_lines=lines, hunks=hunks)
