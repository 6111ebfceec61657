"""The context stage: what the model sees before (``prompt``) and after (``suffix``) a stub.

The developer's TODO is the most precise instruction the model can get: the comments inside the
stub's span (``# TODO: handle kwargs``, a multi-line ``/* … */``, the ``// TODO`` over a zero
return, the comment trailing ``pass  # TODO: implement``) end the prompt, as whole comment lines
at the body's indentation, and the fill replaces them with the placeholder, so the filled file no
longer holds the TODO. A TODO over a brace-language header (``Stub.todo_span``) stays where it is,
kept with the lines below it (docs, attributes, the header) at the prompt's end; the fill removes
it. A perfect model's answer (the original body) gives back the original file.

Both sides are cut by whole lines to a token budget, nearest lines kept: the prefix loses lines
from the top, the suffix from the bottom; the TODO lines are never cut. When the prefix is cut,
the file's import block (the body will likely call what the file imports) and the headers of the
enclosing scopes (the class a method belongs to) are kept in front of the nearest lines. Line
endings are sent as ``\\n``.
"""
from __future__ import annotations

import dataclasses
import re

from codestral_bot.records import SourceFile
from codestral_bot.records import Stub
from codestral_bot.tokens import estimate_tokens

__all__ = ['FimRequest', 'build_request', 'comment_lines']

_IMPORT = re.compile(
    r'^(import\s|from\s\S+\s+import\s|package\s|use\s|#include|using\s|const\s+\w+\s*=\s*require\()'
)
# The first import must come within this many lines (after a licence header, a docstring).
_IMPORTS_WITHIN = 500
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
        if last_import < 0 and i >= _IMPORTS_WITHIN:
            break  # no import near the top: the file has no import block (and a 5 MB prefix is not scanned)
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
    found: list[int] = []
    level = _indent(lines[upto]) if upto < len(lines) else 0
    if level == 0:
        return found  # nothing is shallower (and the walk up would cross the whole file)
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


# Comment openers by language; '--' is kept for languages that use it (none bundled yet).
_LINE_COMMENT = {'python': ('#',), 'lua': ('--',), 'sql': ('--',)}
_BRACE_COMMENT = ('//', '/*')
# The IDE's own line, not the developer's: no instruction in it.
_AUTO_GENERATED = re.compile(r'Auto-generated (?:method|constructor) stub')


def _comment_start(line: str, openers: tuple[str, ...]) -> int:
    """Where a comment starts in ``line`` outside string and character literals, or -1."""
    quote = ''
    i = 0
    while i < len(line):
        char = line[i]
        if quote:
            if char == '\\':
                i += 1
            elif char == quote:
                quote = ''
        elif char in '"\'`':
            quote = char
        elif any(line.startswith(opener, i) for opener in openers):
            return i
        i += 1
    return -1


def comment_lines(span: str, language: str, indent: str, *, whole_lines: bool) -> list[str]:
    """The comments in a stub's span, each as a line ending in ``\\n``, in order.

    A comment on a line of its own is kept as the file has it (``whole_lines``: the span covers
    whole lines); a comment after code (``pass  # TODO``) or inside a one-line body gets a line
    of its own at ``indent``. Block comments (``/* … */``) keep their continuation lines.
    """
    openers = _LINE_COMMENT.get(language, _BRACE_COMMENT)
    found: list[str] = []
    in_block = False
    for line in span.splitlines():
        if in_block:
            found.append(line if whole_lines else indent + line.strip())
            in_block = '*/' not in line
            continue
        start = _comment_start(line, openers)
        if start < 0:
            continue
        comment = line[start:].rstrip()
        own_line = whole_lines and not line[:start].strip()
        found.append(line.rstrip() if own_line else indent + comment)
        in_block = comment.startswith('/*') and '*/' not in comment[2:]
    return [f'{line}\n' for line in found if not _AUTO_GENERATED.search(line)]


def _instruction(source: SourceFile, stub: Stub) -> str:
    """What ends the prompt after the code before the stub: its comment lines, then the indent."""
    span = _lf(source.text[stub.start:stub.end])
    whole_lines = stub.lead == stub.indent
    comments = comment_lines(span, stub.language, stub.indent, whole_lines=whole_lines) if span.strip() else []
    if not comments:
        return _lf(stub.lead)
    line_break = _lf(stub.lead[:len(stub.lead) - len(stub.indent)] if stub.lead.endswith(stub.indent) else stub.lead)
    return line_break + ''.join(comments) + stub.indent


def build_request(source: SourceFile, stub: Stub, *, prompt_tokens: int, suffix_tokens: int,
                  head: str = '') -> FimRequest:
    """``head``: snippets from other files (repo_context), placed first; the file's prefix gets the rest."""
    # A TODO over the header is pinned with the lines down to the body (docs, attributes, header).
    todo = stub.todo_span
    keep = todo[0] if todo is not None and todo[1] <= stub.start else stub.start
    prefix = _lf(source.text[:keep])
    pinned = _lf(source.text[keep:stub.start]) + _instruction(source, stub)  # never cut: the model continues from it
    room = max(1, prompt_tokens - estimate_tokens(head) - estimate_tokens(pinned))
    suffix = _lf(stub.tail + source.text[stub.end:])
    return FimRequest(head + _cut_prefix(prefix, room) + pinned, _cut_suffix(suffix, suffix_tokens))
