"""The stubs stage: which stubs a change adds, in any supported language.

Every language module offers ``find_stubs(path, text, skipped=None) -> list[Stub]`` (raising
``ParseFailure`` for a file that does not parse; appending a ``Skipped`` with its reason to
``skipped``, when given, for each candidate it decided is not a stub) and ``syntax_problem(path, text, start, end) -> str | None``.
Grammars load only when a file of their language is in the change.
"""
from __future__ import annotations

import importlib
import posixpath
from collections.abc import Callable
from types import ModuleType

from codestral_bot.records import FileChange
from codestral_bot.records import Skipped
from codestral_bot.records import Stub
from codestral_bot.stubs._base import ParseFailure
from codestral_bot.stubs.contracts import Grep

__all__ = ['Grep', 'ParseFailure', 'find_stubs', 'language_of', 'syntax_problem', 'touches_added']

_BRACE_SUFFIXES = {
    '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.jsx': 'javascript',
    '.ts': 'typescript', '.tsx': 'typescript', '.mts': 'typescript', '.cts': 'typescript',
    '.go': 'go', '.rs': 'rust', '.java': 'java',
}


def language_of(path: str) -> str | None:
    name = posixpath.basename(path)
    if name.endswith('.d.ts'):
        return None
    suffix = posixpath.splitext(name)[1].lower()
    if suffix in ('.py', '.pyw'):
        return 'python'
    return _BRACE_SUFFIXES.get(suffix)


def _module(language: str) -> ModuleType:
    if language == 'python':
        return importlib.import_module('codestral_bot.stubs.python')
    return importlib.import_module('codestral_bot.stubs.treesitter')


def find_stubs(path: str, text: str, skipped: list[Skipped] | None = None, *,
               bare_pass_is_stub: bool = False, grep: Grep | None = None,
               wanted: Callable[[int, int], bool] | None = None) -> list[Stub]:
    """Every stub of the file; candidates the finder turned down go to ``skipped`` (when given).

    ``bare_pass_is_stub``, ``grep`` (the repository look-up of ``stubs.contracts``) and ``wanted``
    (which line ranges can matter) are Python's options; the other languages do not take them."""
    language = language_of(path)
    if language is None:
        return []
    if language == 'python':
        from codestral_bot.stubs import python

        return python.find_stubs(path, text, skipped, bare_pass_is_stub=bare_pass_is_stub, grep=grep,
                                 wanted=wanted)
    stubs: list[Stub] = _module(language).find_stubs(path, text, skipped)
    return stubs


def syntax_problem(stub: Stub, text: str, start: int, end: int) -> str | None:
    problem: str | None = _module(stub.language).syntax_problem(stub.path, text, start, end)
    return problem


def touches_added(stub: Stub, change: FileChange) -> bool:
    return any(line in change.added_lines for line in range(stub.start_line, stub.end_line + 1))
