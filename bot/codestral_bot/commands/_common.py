"""What ``review`` and ``github`` share before any model is asked: the stub prefilter and the flags
that override the configuration. Standard library only: the hook's fast path imports this.
"""
from __future__ import annotations

import re

TYPE_CHECKING = False  # not `typing`'s: the fast path does not import it (mypy reads the name)
if TYPE_CHECKING:
    import argparse

__all__ = ['CLI_KEYS', 'cli_overrides', 'nothing_to_do', 'paths_in_diff', 'stub_hint']

# A header that may declare a result: `) int`, `) -> u32`, `): number =>`, Go's `) (int, error)`,
# Java's `List<T> get()` (not `void`, `new`, `func`/`function`/`fn` without a result), up to
# its `{` and a comment after it. Possessive runs that stop at every bracket keep it linear.
_TYPED_HEADER = (
    rb'[^\n]*?(?:\)[^;{}()\n\w]*+\w[^;{}()\n]*+|\)[ \t]*+\([^;{}()\n]*+\)[ \t]*+'
    rb'|[\w>\]](?<!\bvoid)(?<!\bnew)(?<!\bfunc)(?<!\bfunction)(?<!\bfn)(?<!\belse)'
    rb'[ \t]++\w++[ \t]*+\([^()\n]*+\)[^;{}()\n]*+)'
    rb'\{[ \t]*+(?:/\*[^\n]*?\*/[ \t]*)?'
)
_EOL = rb'(?://[^\n]*|/\*[^\n]*)?\r?\n'
_COMMENT_LINE = rb'[ \t]*(?://|/\*|\*)[^\n]*\n'
_CLOSE = rb'(?:[+ ]' + _COMMENT_LINE + rb'|-[^\n]*\n)*+[+ ][ \t]*\}'  # comment lines (or removed ones), `}`
# Words an added line must hold for any language's stub finder to find something there. The hook
# checks this on the raw diff before importing anything heavy: most commits hold no stub.
_STUB_WORDS = re.compile(
    rb'^\+.*(\bpass\b|\.\.\.|NotImplemented|TODO|FIXME|todo!|unimplemented!|panic\(|'
    rb'Unsupported|throw|"""|\'\'\')'
    rb'|^Binary files ',  # git (or .gitattributes) called a file binary: look at it with --text
    re.MULTILINE,
)
# An empty or comment-only body under a header that may declare a result (type evidence): an added
# header, or a kept one over an added comment; matched at the start of a line that opens a body.
# Compiled on first use: compiling it costs the hook's fast path a millisecond, most diffs never ask.
_EMPTY = rb'(?:\}|' + _EOL + _CLOSE + rb')'
_TYPED_EMPTY_BODY = (rb'\+' + _TYPED_HEADER + _EMPTY
                     + rb'| ' + _TYPED_HEADER + _EOL + rb'(?:-[^\n]*\n)*+\+' + _COMMENT_LINE + _CLOSE
                     # parameters wrapped over lines: `int b) {` closes a parenthesis it did not open
                     + rb'|\+[ \t]*+[^\n(){};]*+\)[^\n(){};]*+\{[ \t]*+' + _EMPTY)
# Allman style: a header line (`_allman_header`) then `{` alone over an empty body, matched from the `{`
_ALLMAN_EMPTY_BODY = rb'\+[ \t]*+\{[ \t]*+' + _EMPTY
_NOT_A_HEADER = re.compile(rb'(?:if|for|foreach|while|switch|catch|else|do|try|synchronized|using|lock)\b')
_ALLMAN_BRACE = re.compile(rb'\+[ \t]*\{')
_OPENS_BODY = re.compile(rb'\{[ \t]*(?:\}|//|/\*|\r?\n)')  # a `{` nothing but `}`, a comment or the end follows


def stub_hint(diff: bytes) -> bool:
    """Whether the diff may hold a stub: a stub word on an added line, or a typed empty body.

    The typed header's pattern runs only from the lines that open a body (found first, at C
    speed): a diff without such a line, most Python ones, costs one more scan for a brace.
    """
    if _STUB_WORDS.search(diff):
        return True
    checked = -1
    for brace in _OPENS_BODY.finditer(diff):
        start = diff.rfind(b'\n', 0, brace.start()) + 1
        if start != checked and re.compile(_TYPED_EMPTY_BODY).match(diff, start):  # re caches it
            return True
        if start != checked and start and _ALLMAN_BRACE.fullmatch(diff, start, brace.start() + 1):
            header = diff[diff.rfind(b'\n', 0, start - 1) + 1:start - 1]
            if _allman_header(header) and re.compile(_ALLMAN_EMPTY_BODY).match(diff, start):
                return True
        checked = start
    return False


def _allman_header(line: bytes) -> bool:
    """``+    int add(int a, int b)``: an added line ending its parameters, not ``if (…)`` nor ``void``
    (string tests, not a pattern: a long line of parentheses stays linear)."""
    body = line.rstrip(b'\r')[1:].strip()
    close = body.rfind(b')')
    if not line.startswith(b'+') or close < 0 or any(c in body for c in b';{}') or b'(' in body[close:]:
        return False
    return not _NOT_A_HEADER.match(body) and not re.search(rb'\b(?:void|new)\b', body[:body.find(b'(')])


CLI_KEYS = (
    'provider', 'fim_provider', 'chat_provider', 'model', 'api_base', 'plan', 'rps', 'rpm', 'tpm', 'tpd',
    'concurrency', 'prompt_tokens', 'suffix_tokens', 'max_tokens', 'temperature', 'stop',
    'budget_tokens', 'budget_dollars', 'timeout', 'fail_on',
)


def cli_overrides(args: argparse.Namespace) -> dict[str, object]:
    values: dict[str, object] = {k: getattr(args, k, None) for k in CLI_KEYS}
    if getattr(args, 'no_cache', False):
        values['cache'] = False
    if getattr(args, 'no_comments', False):
        values['comments'] = False
    if getattr(args, 'no_fill', False):
        values['fill'] = False
    return {k: v for k, v in values.items() if v is not None}


_HEADER = re.compile(rb'^(?:diff --git |rename to |\+\+\+ b/)(.*)$', re.MULTILINE)


def paths_in_diff(diff: bytes) -> set[str]:
    """Every new-side path the diff names, also a pure rename or a mode change (no +++ line)."""
    paths = set()
    for match in _HEADER.finditer(diff):
        text = match.group(1).decode('utf-8', 'surrogateescape')
        if match.group(0).startswith(b'diff --git '):
            half = text[2:2 + (len(text) - 5) // 2]  # 'a/P b/P' when the path did not change
            if text != f'a/{half} b/{half}':
                continue
            text = half
        paths.add(text)
    return paths


def nothing_to_do(paths: list[str]) -> bool:
    """Whether the hook has nothing to fill in ``paths``, from one git call: their staged diff holds
    no line that could be a stub, and names every one of them (a file pre-commit passes that the
    index does not change, as with ``--all-files``, is reviewed whole by the full run). False when
    git fails too (not a repository, a path outside it): the full run says why."""
    from codestral_bot import git

    staged = git.staged_diff_here(paths)
    if staged is None or stub_hint(staged):
        return False
    return set(paths) <= paths_in_diff(staged)
