"""Proposed edits as a (coloured on a TTY) unified diff on stdout; rejections as notes on stderr."""
from __future__ import annotations

import sys
from typing import TextIO

from codestral_bot.output import clean
from codestral_bot.output import paint

__all__ = ['print_diff']


def _colour_of(line: str) -> str | None:
    if line.startswith(('+++', '---', 'diff --git')):
        return 'bold'
    if line.startswith('@@'):
        return 'cyan'
    if line.startswith('+'):
        return 'green'
    if line.startswith('-'):
        return 'red'
    return None


def print_diff(diff: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    for line in diff.splitlines(keepends=True):
        colour = _colour_of(line)
        body = line.rstrip('\n')
        end = line[len(body):]
        if body.endswith('\r'):  # a CRLF file's line ending is not a control to escape
            body, end = body[:-1], '\r' + end
        body = clean(body)
        stream.write((paint(body, colour, stream) if colour else body) + end)
    stream.flush()
