"""What the words around a body say: a developer's TODO, or that the body is meant as it is.

Pure text checks over comments and messages, shared by every tree-sitter language. The verdicts they
feed are measured on real packages (``benchmarks/stub_labels/``): an explicit marker is what makes
a stub, and these words are what make one intentional.
"""
from __future__ import annotations

import re

__all__ = [
    'comment_lines',
    'intent_marker',
    'never_called',
    'says_yet',
    'says_implement',
    'todo_line',
    'unsupported_by_design',
]

# Comment delimiters at the start of a comment's line: `//`, `/*`, `*`, `/**`, `///`, `//!`.
_DELIMITERS = re.compile(r'^\s*(?:/{2,}!?|/\*+!?|\*+(?!/))?\s*')
# A marker is the first word of a comment line (`// TODO: parse`, `* @todo`, `// FIXME(ann)`),
# never a word in a sentence or in commented-out code (`// x = y; // TODO`).
_MARK = re.compile(r'^@?(?:TODO|FIXME|XXX)\b|^(?i:todo|fixme)\b(?!\.\w)')
# A TODO that asks for the body to be written, not for a change to working code.
_IMPLEMENT = re.compile(
    r'\bimplement(?!ed)|not[\s_-]*(?:yet[\s_-]*)?(?:implemented|supported yet|done)|\bstub\b|\bunfinished\b'
    r'|\bwrite (?:this|me|it)\b|^\W*(?:todo|fixme|xxx)\W*$',
    re.IGNORECASE,
)
# Words that say the body is what its author meant: unreachable code, coverage exclusions,
# null objects and default hooks, contracts for subclasses, documented always-throwing methods.
# Not words about the class ("immutable", "read-only"): a method of such a class can be a stub too.
_INTENT = re.compile(
    r'never (?:be )?(?:called|invoked|used|reached|happen)|\bunreachable\b|not reachable'
    r'|must not be (?:called|invoked|used)|should not be (?:called|invoked|reached)'
    r'|should never|istanbul ignore|c8 ignore|v8 ignore|\bno-?op\b|does nothing|do nothing'
    r'|intentionally|on purpose|by design|deliberately|\boverride (?:to|this|in|it)\b|\boverridden\b'
    r'|subclass(?:es)? (?:must|should|can|may|need to|have to)|implemented by (?:sub|derived|concrete)'
    r'|@abstract\b|\babstract method|@implSpec|always throws|optional operation|not supported',
    re.IGNORECASE,
)
# A message that names why the operation is unsupported or what to use instead.
_REASON = re.compile(
    r'\binstead\b|\buse \w|read[- ]only|immutable|unmodifiable|not supported(?! yet)|\bunsupported\b'
    r'|\bcannot\b|\bcan\'t\b|\bnever\b|not (?:yet )?implemented (?:for|on|by|in|with) '
    r'|\b(?:if|unless|when)\b.*\bnot implemented',
    re.IGNORECASE,
)
# The intent markers that outweigh even a TODO: the body is never run.
_NEVER_RUN = re.compile(
    r'never (?:be )?(?:called|invoked|reached)|\bunreachable\b|must not be (?:called|invoked)'
    r'|istanbul ignore|c8 ignore|v8 ignore',
    re.IGNORECASE,
)
_YET = re.compile(r'\byet\b|\btodo\b|\bfixme\b', re.IGNORECASE)


def comment_lines(comment: str) -> list[str]:
    """The lines of a comment without their delimiters."""
    lines = [_DELIMITERS.sub('', line, count=1) for line in comment.splitlines()]
    return [line.removesuffix('*/').strip() for line in lines]


def todo_line(comment: str) -> str | None:
    """The comment's line that starts with a TODO/FIXME/XXX marker, or None."""
    return next((line for line in comment_lines(comment) if _MARK.search(line)), None)


def says_implement(todo: str) -> bool:
    """A TODO that asks for the code to be written: "TODO: implement", "TODO", "FIXME: stub"."""
    return bool(_IMPLEMENT.search(todo))


def intent_marker(text: str) -> str | None:
    """The words saying a body is meant as it is ("never called", "no-op", "@abstract"), or None."""
    match = _INTENT.search(text)
    return match.group(0) if match else None


def unsupported_by_design(message: str) -> bool:
    """A 'not implemented' message that names a reason or an alternative, without a "yet"."""
    return bool(_REASON.search(message)) and not _YET.search(message)


def never_called(text: str) -> str | None:
    """Words saying the body never runs ("unreachable", "c8 ignore"), or None."""
    match = _NEVER_RUN.search(text)
    return match.group(0) if match else None


def says_yet(text: str) -> bool:
    """A message that promises more: "not implemented yet", "TODO"."""
    return bool(_YET.search(text))
