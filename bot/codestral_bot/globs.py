"""The one glob matcher, for ``include``/``exclude`` of fills and review comments alike.

``*`` and ``?`` stay within one path segment (``src/*.py`` does not match ``src/a/b.py``), ``**``
crosses them; see ``matches``.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence

__all__ = ['DEFAULT_EXCLUDE', 'first_match', 'matches']

# Lock files, vendored, minified and generated code: nothing to fill, nothing to review.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    '*.lock', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'poetry.lock', 'Cargo.lock',
    'go.sum', '*.min.js', '*.min.css', 'vendor/**', 'node_modules/**', '*.pb.go', '*_pb2.py',
    'dist/**', '*.generated.*',
)


def matches(path: str, patterns: Sequence[str]) -> bool:
    """Whether ``path`` (posix, repo-relative) matches one of the glob ``patterns``.

    ``*`` and ``?`` stay within one path segment, ``**`` crosses them. A pattern without a
    slash matches the file name at any depth (``*.lock``); one with a slash matches the path
    or any trailing part of it starting at a directory (``vendor/**`` also excludes
    ``pkg/vendor/x.go``), unless it starts with ``/``, which anchors it at the root.
    """
    return first_match(path, patterns) is not None


def first_match(path: str, patterns: Sequence[str]) -> str | None:
    """The first of ``patterns`` that ``path`` matches (as ``matches`` reads them), or None."""
    return next((pattern for pattern in patterns if _matches(path, pattern)), None)


def _matches(path: str, pattern: str) -> bool:
    if pattern.endswith('/'):
        pattern += '**'
    regex = _glob_regex(pattern.lstrip('/'))
    if '/' not in pattern:
        return regex.fullmatch(path.rsplit('/', 1)[-1]) is not None
    if pattern.startswith('/'):
        return regex.fullmatch(path) is not None
    parts = path.split('/')
    return any(regex.fullmatch('/'.join(parts[i:])) for i in range(len(parts)))


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        token, i = _glob_token(pattern, i)
        out.append(token)
    return re.compile(''.join(out))


def _glob_token(pattern: str, i: int) -> tuple[str, int]:
    if pattern.startswith('**/', i):
        return '(?:.*/)?', i + 3
    if pattern.startswith('**', i):
        return '.*', i + 2
    char = pattern[i]
    if char == '*':
        return '[^/]*', i + 1
    if char == '?':
        return '[^/]', i + 1
    close = pattern.find(']', i + 2)
    if char == '[' and close != -1:
        body = pattern[i + 1:close].replace('\\', '\\\\')
        return '[' + ('^' + body[1:] if body.startswith('!') else body) + ']', close + 1
    return re.escape(char), i + 1
