"""The small typed records that flow between the pipeline's stages.

diff → ``FileChange``; read → ``SourceFile``; stubs → ``Stub``; model client → ``Completion``;
cleanup/validation → ``Fill``; review → ``Finding``. All are frozen: a stage returns a new record
(``dataclasses.replace``) and never mutates the one it was given.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

__all__ = [
    'Completion',
    'ContextSnippet',
    'FailureKind',
    'FileChange',
    'Fill',
    'FillStatus',
    'Finding',
    'Skipped',
    'SourceFile',
    'Stub',
    'Usage',
]


@dataclasses.dataclass(frozen=True)
class FileChange:
    """One file of the diff under review, on the new side.

    ``added_lines`` and the ``hunks`` ranges are 1-based line numbers of the new file.
    ``hunks`` holds each hunk's new-side range (context and added lines), inclusive.
    """

    path: str  # repo-relative, posix separators
    old_path: str | None  # differs from ``path`` on a rename; None for an added file
    status: Literal['added', 'modified', 'renamed', 'deleted', 'binary']
    added_lines: frozenset[int]
    hunks: tuple[tuple[int, int], ...] = ()
    # new-file line number → the lines the change removed just before it (what a reviewer reads)
    removed: Mapping[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def hunk_of(self, line: int) -> tuple[int, int] | None:
        for start, end in self.hunks:
            if start <= line <= end:
                return (start, end)
        return None


@dataclasses.dataclass(frozen=True)
class SourceFile:
    """The text of a file as it is reviewed, with what is needed to write it back unchanged."""

    path: str  # repo-relative, posix separators
    text: str  # decoded; line endings kept exactly as in the file
    encoding: str  # 'utf-8' or 'utf-8-sig'
    eol: str  # the file's dominant line ending: '\n' or '\r\n'
    raw: bytes  # what was read, to refuse writing over a file that changed since


@dataclasses.dataclass(frozen=True)
class Stub:
    """A place where code is missing, found in a ``SourceFile``.

    The fill replaces ``text[start:end]`` with ``lead + body + tail``:

    - a stub whose body has lines of its own covers whole lines: ``start`` is the first body
      line's first character, ``end`` is just past the last body line's line ending;
      ``lead`` = ``indent``, ``tail`` = the file's line ending;
    - a one-line stub (``def f(): pass``, ``fn f() { todo!() }``) covers the statements only;
      ``lead`` = line ending + ``indent``, ``tail`` = '' (Python) or line ending + the closing
      brace's indentation (brace languages).

    The FIM request is ``prompt = text[:start] + lead`` and ``suffix = tail + text[end:]``, so the
    model continues exactly where the body's code goes. ``body`` is the cleaned completion with
    its later lines indented at least by ``indent``. ``start_line``..``end_line`` (1-based,
    inclusive) are the new file's lines the stub occupies: what must touch an added line and
    what a GitHub suggestion replaces.
    """

    path: str
    language: str  # 'python', 'javascript', 'typescript', 'go', 'rust', 'java'
    kind: str  # e.g. 'pass', 'ellipsis', 'not-implemented', 'docstring-only', 'todo-comment'
    name: str  # qualified name of the function: 'Cart.total'
    start: int  # character offsets into SourceFile.text
    end: int
    start_line: int
    end_line: int
    indent: str  # indentation of the body's lines, exactly as the file has it
    lead: str = ''
    tail: str = ''
    # why this is a stub, in a few words a user can check ('raise NotImplementedError outside a
    # contract', 'TODO comment over a placeholder return'): what --explain and --json show
    evidence: str = ''
    # The developer's TODO beside the function, outside ``start``..``end`` (brace languages: the
    # comment lines over its header, or the comment after its closing brace), when it asks for the
    # body: ``text[todo_span[0]:todo_span[1]]``, removed with the fill so no stale TODO is left.
    todo_span: tuple[int, int] | None = None


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A function that looked like a stub but is not one to fill, and why (``--explain``, ``--json``).

    Finders append these to the ``skipped`` list they are given; later stages (test code, already a
    stub in the base revision, ``codestral-bot: ignore``) add their own.
    """

    path: str
    line: int  # 1-based line of the function's body (or header)
    name: str  # qualified name, as ``Stub.name``
    reason: str  # a short sentence: 'abstract method', 'docstring says it does nothing', ...


@dataclasses.dataclass(frozen=True)
class ContextSnippet:
    """A definition from another file of the repository, put in a stub's prompt (``--json``, ``--explain``)."""

    path: str
    name: str
    kind: str  # 'function', 'class', 'variable', 'type'
    line: int  # 1-based line of the definition in ``path``
    tokens: int  # estimated prompt tokens it costs


@dataclasses.dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


@dataclasses.dataclass(frozen=True)
class Completion:
    """What the model returned for one request."""

    text: str
    finish_reason: str  # 'stop', 'length', 'model_length', 'error', ...
    usage: Usage = Usage()
    cached: bool = False


FillStatus = Literal[
    'planned',  # found, not sent (no key, --dry-run, --no-fill)
    'filled',  # cleaned and validated: a proposed edit
    'applied',  # written to the file
    'rejected',  # the model answered but the fill failed cleanup/validation
    'failed',  # the request failed (HTTP error, timeout, cut stream, deadline, budget)
]


# Why a request gave no usable answer. The exit code is computed from these (``outcome.py``), never
# from the text of ``reason``: rewording a message must not change what a script sees.
FailureKind = Literal[
    'deadline',  # the run's --timeout came first (exit 4)
    'budget',  # a token or dollar budget, or the daily cap, was spent (exit 4)
    'max_stubs',  # past the run's max_stubs: listed, never sent (exit 4)
    'auth',  # 401/403: the key is bad for every request (exit 2)
    'unreachable',  # no HTTP answer: connection refused, DNS, timeouts after the retries; 5xx
    'rate_limited',  # 429 after the retries ran out
    'request',  # 400/404/422: the request itself is wrong (a wrong base URL, a model not pulled)
    'incomplete',  # the answer was cut mid-way
    'model',  # any other model error
]


@dataclasses.dataclass(frozen=True)
class Fill:
    """One stub's journey through the pipeline. ``replacement`` replaces ``text[stub.start:stub.end]``.

    ``status`` 'failed' always comes with a ``failure`` kind; ``reason`` is the sentence for people.
    """

    stub: Stub
    status: FillStatus = 'planned'
    replacement: str | None = None
    reason: str = ''
    failure: FailureKind | None = None
    prompt_tokens: int = 0  # estimated before sending
    suffix_tokens: int = 0
    usage: Usage = Usage()
    context: tuple[ContextSnippet, ...] = ()  # snippets from other files at the head of the prompt


@dataclasses.dataclass(frozen=True)
class Finding:
    """A review comment from chat, anchored to new-file lines of one changed file."""

    path: str
    line: int  # the last line of the range (GitHub's ``line``)
    severity: Literal['error', 'warning', 'info']
    message: str
    start_line: int | None = None  # first line of a multi-line range
    suggestion: str | None = None  # replacement text for exactly start_line..line
