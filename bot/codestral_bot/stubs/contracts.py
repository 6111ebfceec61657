"""Is a method a contract that other classes fulfil? Looked up in the repository, cheaply.

A base class whose ``raise NotImplementedError`` is overridden by a subclass declares what the
subclasses do; it is not missing code. The subclasses may live in any file, so the finder asks
a ``grep`` callable (one ``git grep -w`` per class name, bounded and cached) for the files that
name the class, and reads them with plain text scanning: no import, no parse of the whole tree.
The finder stays pure: without a ``grep`` it only looks at its own file.
"""
from __future__ import annotations

import functools
import re
import subprocess
import time
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

__all__ = ['Grep', 'bases_in', 'git_grep', 'inherited_body_in', 'overridden_in', 'subclasses_in']

# words → (path, text) of the files that contain them as whole words: 'Base' (who uses or extends
# it) or 'class Base' (where it is defined)
Grep = Callable[[str], Sequence[tuple[str, str]]]

_CLASS = re.compile(r'^([ \t]*)class\s+(\w+)\s*\(([^)]*)\)?', re.MULTILINE)


def _class_blocks(text: str, base: str) -> list[str]:
    """The source of every class in ``text`` whose bases name ``base`` (``Base``, ``mod.Base``)."""
    blocks = []
    word = re.compile(rf'(^|[\s.,(]){re.escape(base)}\s*($|[,\[)\s])')
    lines = text.splitlines()
    for match in _CLASS.finditer(text):
        if not word.search(match.group(3) or ''):
            continue
        indent = len(match.group(1).expandtabs())
        first = text.count('\n', 0, match.end())  # bases may span lines: the body starts after them
        body = []
        for line in lines[first + 1:]:
            stripped = line.strip()
            if stripped and not stripped.startswith('#') and len(line) - len(line.lstrip()) <= indent:
                break
            body.append(line)
        blocks.append('\n'.join(body))
    return blocks


def overridden_in(texts: Sequence[str], class_name: str, method: str) -> bool:
    """Some class in ``texts`` extends ``class_name`` and defines ``method`` itself (or assigns it)."""
    defines = re.compile(rf'^\s*((async\s+)?def\s+{re.escape(method)}\s*\(|{re.escape(method)}\s*[:=])', re.MULTILINE)
    return any(defines.search(block) for text in texts for block in _class_blocks(text, class_name))


_PLACEHOLDER_LINE = re.compile(r'^(pass|\.\.\.|raise NotImplementedError\b.*|return|return None|#.*)$')


def _class_body(text: str, class_name: str) -> str | None:
    match = re.search(rf'^([ \t]*)class\s+{re.escape(class_name)}\b[^\n]*', text, re.MULTILINE)
    if match is None:
        return None
    return _block_after(text, match.start(), len(match.group(1).expandtabs()))


def _block_after(text: str, start: int, indent: int) -> str:
    """The lines after the one at ``start`` that are indented deeper than ``indent``."""
    body = []
    for line in text[start:].splitlines()[1:]:
        stripped = line.strip()
        if stripped and not stripped.startswith('#') and len(line) - len(line.lstrip()) <= indent:
            if not stripped.startswith(')'):  # the end of a multi-line signature
                break
        body.append(line)
    return '\n'.join(body)


def subclasses_in(texts: Sequence[str], class_name: str) -> list[str]:
    """Names of the classes in ``texts`` that extend ``class_name``."""
    word = re.compile(rf'(^|[\s.,(]){re.escape(class_name)}\s*($|[,\[)\s])')
    return [m.group(2) for text in texts for m in _CLASS.finditer(text) if word.search(m.group(3) or '')]


def bases_in(texts: Sequence[str], class_name: str) -> list[str]:
    """The base class names (last dotted part) of ``class class_name`` in ``texts``."""
    for text in texts:
        for m in _CLASS.finditer(text):
            if m.group(2) == class_name:
                parts = [re.sub(r'\[.*', '', b.strip()).rsplit('.', 1)[-1] for b in (m.group(3) or '').split(',')]
                return [b for b in parts if b.isidentifier() and b not in ('object', 'Generic', 'Protocol')]
    return []


def inherited_body_in(texts: Sequence[str], class_name: str, method: str) -> bool | None:
    """Does ``class class_name`` in ``texts`` give ``method`` a real body (not only a docstring,
    ``pass``, ``...`` or ``raise NotImplementedError``)? None when it does not define it."""
    for text in texts:
        body = _class_body(text, class_name)
        if body is None:
            continue
        match = re.search(rf'^([ \t]*)(async\s+)?def\s+{re.escape(method)}\s*\(', body, re.MULTILINE)
        if match is None:
            continue
        code = _block_after(body, match.start(), len(match.group(1).expandtabs()))
        def_line = body[match.start():].split('\n', 1)[0]
        if not def_line.split('#', 1)[0].rstrip().endswith(':'):  # a signature over several lines
            code = code.split(':\n', 1)[-1] if ':\n' in code else ''
        code = re.sub(r'(?s)("""|\'\'\').*?\1', '', code)  # docstrings
        lines = [ln.strip() for ln in code.splitlines() if ln.strip()]
        return any(not _PLACEHOLDER_LINE.match(ln) for ln in lines)
    return None


def git_grep(root: Path, *, max_files: int = 60, max_calls: int = 100, budget: float = 2.0,
             timeout: float = 5.0) -> Grep:
    """A ``Grep`` over the repository's tracked Python files (working tree), one ``git grep`` per word.

    Bounded, since the hook runs on every commit: at most ``max_calls`` words and ``budget``
    seconds of grepping per run, ``max_files`` files read per word; past that, or when git fails,
    the answer is "nothing found" (the finder then falls back to what the file itself shows).
    """
    calls = 0
    spent = 0.0

    @functools.cache
    def grep(word: str) -> tuple[tuple[str, str], ...]:
        nonlocal calls, spent
        calls += 1
        if calls > max_calls or spent > budget or not all(part.isidentifier() for part in word.split(' ')):
            return ()
        started = time.monotonic()
        try:
            return _grep(root, word, max_files, timeout)
        finally:
            spent += time.monotonic() - started

    return grep


def _grep(root: Path, word: str, max_files: int, timeout: float) -> tuple[tuple[str, str], ...]:
    """The tracked Python files naming ``word`` (up to ``max_files``), with their text."""
    try:
        got = subprocess.run(['git', 'grep', '-l', '-w', '-F', '-I', '-e', word, '--', '*.py'],
                             cwd=root, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    found = []
    for rel in got.stdout.splitlines()[:max_files]:
        try:
            found.append((rel, (root / rel).read_text(encoding='utf-8', errors='replace')))
        except OSError:
            continue
    return tuple(found)
