"""What the stub stage skips on top of each language's finder, the same way in every language.

- words saying the body is empty on purpose (``pragma: no cover``, "never called", "must not be
  called", "unreachable") between the header and the end of the body, unless a TODO is there too;
- ``codestral-bot: ignore`` in a comment from the function's header line to the end of its stub
  body (or on a TODO line right above the header), like ``# noqa``;
- a function that was already a stub in the base revision: this change did not leave it
  unfinished (a reformatted comment or a renamed parameter re-detects it);
- Rust's ``#[cfg(test)] mod tests``: test code inside a source file.

Each check returns the reason of a ``Skipped`` record, or None to keep the stub.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from codestral_bot.records import Stub

__all__ = [
    'ALREADY_A_STUB',
    'IGNORED',
    'describe',
    'header_line',
    'ignore_reason',
    'in_rust_test_module',
    'intent_reason',
    'rust_test_modules',
    'stub_names',
]

IGNORED = 'codestral-bot: ignore'
ALREADY_A_STUB = 'already a stub in the base revision'
MOVED = 'moved, not written: the same change removed these lines elsewhere'
# Words saying a body is empty on purpose, in a comment, docstring or message (issue 17: 82 false
# detections in commit history carried one). `unreachable!()` is Rust's macro, not the word.
_INTENT = re.compile(
    r'pragma:?\s*no\s*cover|\b(?:never|must not|should not|should never|must never)\s+be\s+called\b'
    r'|\bnever called\b|\bunreachable\b(?!!)',
    re.IGNORECASE,
)
_IGNORE = re.compile(r'codestral-bot:\s*ignore\b', re.IGNORECASE)
_TODO = re.compile(r'\b(TODO|FIXME|XXX)\b')
_HEADER_SEARCH = 60  # lines above a body searched for its header (signature + docstring)
# `#[cfg(test)]` (and any further attributes), then `mod tests {`
_RUST_TEST_MOD = re.compile(
    r'#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+([A-Za-z_]\w*)\s*\{'
)

# Why a stub is one, when its finder did not say (``Stub.evidence`` empty): by its kind.
_EVIDENCE = {
    'pass': 'a bare pass body',
    'ellipsis': 'a ... body',
    'not-implemented': 'raise NotImplementedError outside a contract',
    'docstring-only': 'a body with only a docstring',
    'todo-comment': 'a TODO comment in the body',
    'empty-todo': 'an empty body marked by a TODO comment',
    'todo-zero-return': 'a TODO comment over a placeholder return',
    'throw-not-implemented': 'throws a "not implemented" error',
    'panic-not-implemented': 'panics with "not implemented"',
    'todo-macro': 'todo!()',
    'unimplemented-macro': 'unimplemented!()',
    'unsupported-operation': 'throws UnsupportedOperationException',
    'eclipse-auto-generated': "the IDE's 'Auto-generated method stub' TODO",
}


def describe(stub: Stub) -> str:
    """The evidence that made ``stub`` a stub, in words a user can check."""
    return stub.evidence or _EVIDENCE.get(stub.kind, stub.kind)


def header_line(stub: Stub, lines: list[str]) -> int:
    """The 1-based line of the function's header: the nearest line above the body naming it."""
    short = stub.name.rsplit('.', 1)[-1]
    first = min(stub.start_line, len(lines))
    if short.startswith('<'):  # an anonymous function: the line above its body
        return max(1, first - 1)
    name = re.escape(short)
    # A definition keyword first (a docstring may say `total(x)`), then any `total(`, `total =`.
    for pattern in (rf'\b(def|fn|func|function)\b.*\b{name}\b', rf'\b{name}\b\s*[(<=:]'):
        named = re.compile(pattern)
        for number in range(first, max(0, first - _HEADER_SEARCH), -1):
            if named.search(lines[number - 1]):
                return number
    return max(1, first - 1)


def ignore_reason(stub: Stub, lines: list[str]) -> str | None:
    """``IGNORED`` when the header, the body or the TODO above the header says so."""
    header = header_line(stub, lines)
    numbers: Iterable[int] = range(header, min(stub.end_line, len(lines)) + 1)
    if header > 1 and _TODO.search(lines[header - 2]):
        numbers = range(header - 1, min(stub.end_line, len(lines)) + 1)
    return IGNORED if any(_IGNORE.search(lines[n - 1]) for n in numbers) else None


def intent_reason(stub: Stub, lines: list[str]) -> str | None:
    """'marked intentional (pragma: no cover)' when the function says its body is empty on purpose.

    Searched from the header line to the end of the stub body; a TODO/FIXME there wins (the
    developer says it is unfinished, whatever else the function says).
    """
    region = lines[header_line(stub, lines) - 1:min(stub.end_line, len(lines))]
    if any(_TODO.search(line) for line in region):
        return None
    found = next((m for m in map(_INTENT.search, region) if m), None)
    return None if found is None else f'marked intentional ({" ".join(found.group(0).split())})'


def stub_names(stubs: Iterable[Stub]) -> frozenset[str]:
    return frozenset(stub.name for stub in stubs)


def rust_test_modules(text: str) -> frozenset[str]:
    """Names of the modules a Rust file compiles only for tests (``#[cfg(test)] mod tests``)."""
    if '#[cfg(test)]' not in text:
        return frozenset()
    return frozenset(m.group(1) for m in _RUST_TEST_MOD.finditer(text))


def in_rust_test_module(stub: Stub, modules: frozenset[str]) -> bool:
    return any(part in modules for part in stub.name.split('.')[:-1])
