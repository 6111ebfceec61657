"""The only place, with the sinks, that writes to the terminal."""
from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ['colour_enabled', 'err', 'out', 'paint']

_CODES = {'red': '31', 'green': '32', 'yellow': '33', 'cyan': '36', 'bold': '1', 'dim': '2'}


def colour_enabled(stream: TextIO) -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off
    if os.environ.get('NO_COLOR'):
        return False
    return stream.isatty() and os.environ.get('TERM') != 'dumb'


def paint(text: str, colour: str, stream: TextIO) -> str:
    return f'\033[{_CODES[colour]}m{text}\033[0m' if colour_enabled(stream) else text


def out(text: str = '') -> None:
    sys.stdout.write(text + '\n')


def err(text: str = '') -> None:
    sys.stderr.write(text + '\n')
