r"""The only place, with the sinks, that writes to the terminal.

Everything written here passes ``clean``: text from models, files and file names may hold
terminal controls (ESC sequences that erase lines or move the cursor, BEL, C1 codes, OSC-8
links, bidi overrides) that would hide or fake what the user reads before ``--apply``. They are
shown as escapes instead (``\x1b``, ``\u202e``); the ``\uXXXX`` form keeps JSON output valid.
A line that would read as a GitHub Actions workflow command (``::add-mask::``, ``::error ...``,
``##[set-output ...]``) gets a leading backslash: only ``github.actions`` writes real ones.
"""
from __future__ import annotations

import os
import re
import sys
from typing import TextIO

__all__ = ['clean', 'colour_enabled', 'err', 'out', 'paint']

# C0 controls but tab and newline (a carriage return only when it ends a CRLF line), DEL, C1,
# and the invisible marks that reorder or hide text (bidi controls, zero-width, line separators).
_CONTROLS = '\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff'
_UNSAFE = re.compile(f'[{_CONTROLS}]|\r(?!\n)')
_UNSAFE_LINE = re.compile(f'[{_CONTROLS}\n\r\t]')
_NAMED = {'\t': '\\t', '\n': '\\n', '\r': '\\r'}
# The runner reads a line as a command when it starts with `::` or `##[`, leading blanks aside.
_COMMAND_LINE = re.compile(r'^(?=[ \t]*(?:::|##\[))', re.MULTILINE)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    return f'\\x{ord(char):02x}' if ord(char) < 0x7f else f'\\u{ord(char):04x}'


def _scrubbed(text: str) -> str:
    # Keys are remembered by `redact` once read; before that there is nothing to scrub (and the
    # hook's fast path never imports it).
    redact = sys.modules.get('codestral_bot.redact')
    return redact.scrub(text) if redact is not None else text


def clean(text: str, *, one_line: bool = False) -> str:
    """``text`` safe for a terminal and a CI log: controls escaped visibly, no line a workflow
    command; ``one_line`` escapes line breaks too."""
    return _COMMAND_LINE.sub('\\\\', (_UNSAFE_LINE if one_line else _UNSAFE).sub(_visible, text))


_CODES = {'red': '31', 'green': '32', 'yellow': '33', 'cyan': '36', 'bold': '1', 'dim': '2'}


def colour_enabled(stream: TextIO) -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off
    if os.environ.get('NO_COLOR'):
        return False
    return stream.isatty() and os.environ.get('TERM') != 'dumb'


def paint(text: str, colour: str, stream: TextIO) -> str:
    return f'\033[{_CODES[colour]}m{text}\033[0m' if colour_enabled(stream) else text


def out(text: str = '', *, workflow_command: bool = False) -> None:
    """A line on stdout; ``workflow_command``: a command already escaped by ``github.actions``."""
    sys.stdout.write(_scrubbed(text if workflow_command else clean(text)) + '\n')


def err(text: str = '') -> None:
    sys.stderr.write(_scrubbed(clean(text)) + '\n')
