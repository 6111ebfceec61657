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
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

__all__ = ['Grep', 'git_grep', 'overridden_in']

# word → (path, text) of the files that contain it as a whole word
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
        first = text.count('\n', 0, match.start())
        body = []
        for line in lines[first + 1:]:
            stripped = line.strip()
            if stripped and not stripped.startswith('#') and len(line) - len(line.lstrip()) <= indent:
                break
            body.append(line)
        blocks.append('\n'.join(body))
    return blocks


def overridden_in(texts: Sequence[str], class_name: str, method: str) -> bool:
    """Some class in ``texts`` extends ``class_name`` and defines ``method`` itself."""
    defines = re.compile(rf'^\s*(async\s+)?def\s+{re.escape(method)}\s*\(', re.MULTILINE)
    return any(defines.search(block) for text in texts for block in _class_blocks(text, class_name))


def git_grep(root: Path, *, max_files: int = 40, max_calls: int = 200, timeout: float = 5.0) -> Grep:
    """A ``Grep`` over the repository's tracked Python files (working tree), one ``git grep`` per word.

    Bounded: at most ``max_calls`` words per run and ``max_files`` files per word are read; past
    that, or when git fails, the answer is "nothing found" (the finder then falls back to what the
    file itself shows).
    """
    calls = 0

    @functools.cache
    def grep(word: str) -> tuple[tuple[str, str], ...]:
        nonlocal calls
        calls += 1
        if calls > max_calls or not word.isidentifier():
            return ()
        try:
            got = subprocess.run(['git', 'grep', '-l', '-w', '-I', '-e', word, '--', '*.py'],
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

    return grep
