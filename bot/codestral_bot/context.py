"""The context stage: what the model sees before (``prompt``) and after (``suffix``) a stub.

Both are cut by whole lines to a token budget, nearest lines kept: the prefix loses lines from
the top, the suffix from the bottom. When the prefix is cut, the file's import block (the body
will likely call what the file imports) and the headers of the enclosing scopes (the class a
method belongs to) are kept in front of the nearest lines. Line endings are sent as ``\\n``.
"""
from __future__ import annotations

import dataclasses
import re

from codestral_bot.records import SourceFile
from codestral_bot.records import Stub
from codestral_bot.tokens import estimate_tokens

__all__ = ['FimRequest', 'build_request']

_IMPORT = re.compile(
    r'^(import\s|from\s\S+\s+import\s|package\s|use\s|#include|using\s|const\s+\w+\s*=\s*require\()'
)
_HEADER_SHARE = 0.25  # at most this share of the prefix budget goes to the kept import block


@dataclasses.dataclass(frozen=True)
class FimRequest:
    prompt: str
    suffix: str

    @property
    def prompt_tokens(self) -> int:
        return estimate_tokens(self.prompt)

    @property
    def suffix_tokens(self) -> int:
        return estimate_tokens(self.suffix)


def _lf(text: str) -> str:
    return text.replace('\r\n', '\n')


def _keep_last_lines(lines: list[str], budget: int) -> list[str]:
    kept: list[str] = []
    used = 0
    for line in reversed(lines):
        used += estimate_tokens(line)
        if used > budget and kept:
            break
        kept.append(line)
    return kept[::-1]


def _keep_first_lines(lines: list[str], budget: int) -> list[str]:
    kept: list[str] = []
    used = 0
    for line in lines:
        used += estimate_tokens(line)
        if used > budget and kept:
            break
        kept.append(line)
    return kept


def _import_block(lines: list[str]) -> list[str]:
    """The leading imports (with the comments and blank lines among them)."""
    block: list[str] = []
    last_import = -1
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _IMPORT.match(line):
            last_import = i
        elif stripped and not stripped.startswith(('#', '//', '/*', '*', '"""', "'''")) and last_import >= 0:
            break
        block.append(line)
    return block[:last_import + 1]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(' \t'))


def _scope_headers(lines: list[str], upto: int) -> list[int]:
    """Indexes of the lines that open the scopes around line ``upto`` (class, outer function)."""
    found = []
    level = _indent(lines[upto]) if upto < len(lines) else 0
    for i in range(upto - 1, -1, -1):
        line = lines[i]
        if line.strip() and _indent(line) < level:
            found.append(i)
            level = _indent(line)
            if level == 0:
                break
    return found[::-1]


def _cut_prefix(prefix: str, budget: int) -> str:
    if estimate_tokens(prefix) <= budget:
        return prefix
    lines = prefix.splitlines(keepends=True)
    last = lines.pop() if lines and not lines[-1].endswith('\n') else ''  # the lead: always kept
    header = _import_block(lines)
    if estimate_tokens(''.join(header)) > budget * _HEADER_SHARE:
        header = []
    near = _keep_last_lines(lines[len(header):], budget - estimate_tokens(''.join(header) + last))
    first_near = len(lines) - len(near)
    scopes = [lines[i] for i in _scope_headers(lines, first_near) if i >= len(header)]
    if estimate_tokens(''.join(scopes)) > budget * _HEADER_SHARE:
        scopes = []
    near = _keep_last_lines(near, budget - estimate_tokens(''.join(header + scopes) + last))
    if header and len(header) + len(near) < len(lines):
        header = header + ['\n']  # a visible gap: the model should not continue the imports
    return ''.join(header + scopes + near) + last


def _cut_suffix(suffix: str, budget: int) -> str:
    if estimate_tokens(suffix) <= budget:
        return suffix
    return ''.join(_keep_first_lines(suffix.splitlines(keepends=True), budget))


def build_request(source: SourceFile, stub: Stub, *, prompt_tokens: int, suffix_tokens: int,
                  head: str = '') -> FimRequest:
    """``head``: snippets from other files (repo_context), placed first; the file's prefix gets the rest."""
    prompt = _lf(source.text[:stub.start] + stub.lead)
    suffix = _lf(stub.tail + source.text[stub.end:])
    budget = max(prompt_tokens - estimate_tokens(head), 1)
    return FimRequest(head + _cut_prefix(prompt, budget), _cut_suffix(suffix, suffix_tokens))
