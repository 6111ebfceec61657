"""The fill pipeline shared by ``review`` and ``github``: changes → stubs → requests → fills.

Reading files is the caller's (working tree, index, or the GitHub API), so it comes in as a
function. One broken file or one failed request becomes a note or a failed ``Fill``; it never
stops the others.
"""
from __future__ import annotations

import asyncio
import bisect
import dataclasses
import functools
import itertools
import logging
import re
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codestral_bot import cleanup
from codestral_bot import stubs as stub_stage
from codestral_bot.context import FimRequest
from codestral_bot.context import build_request
from codestral_bot.errors import ModelError
from codestral_bot.errors import failure_kind
from codestral_bot.globs import matches
from codestral_bot.providers.base import ModelClient
from codestral_bot.records import FileChange
from codestral_bot.records import Fill
from codestral_bot.records import Skipped
from codestral_bot.records import SourceFile
from codestral_bot.records import Stub
from codestral_bot.sources import SourceSkipped
from codestral_bot.stubs import policy
from codestral_bot.testpaths import reason_if_test_code

if TYPE_CHECKING:
    from codestral_bot.repo_context import RepoContext

__all__ = ['Planned', 'Survey', 'Target', 'Unparsed', 'fill_all', 'find_targets', 'max_stubs_reason', 'plan']

logger = logging.getLogger('codestral_bot')


@dataclasses.dataclass(frozen=True)
class Target:
    """A changed file worth looking at, its text, and the stubs its added lines touch."""

    change: FileChange
    source: SourceFile
    stubs: tuple[stub_stage.Stub, ...]


@dataclasses.dataclass(frozen=True)
class Planned:
    fill: Fill
    source: SourceFile
    request: FimRequest


@dataclasses.dataclass(frozen=True)
class Unparsed:
    """A file the stub stage could not parse: named, counted, listed in ``--json``."""

    path: str
    message: str  # 'line 179: syntax error near 'O''

    def __str__(self) -> str:
        return f'{self.path}: {self.message}'


@dataclasses.dataclass
class Survey:
    """What the stub stage saw besides the stubs to fill: what it skipped and why, what it could not parse."""

    skipped: list[Skipped] = dataclasses.field(default_factory=list)
    unparsed: list[Unparsed] = dataclasses.field(default_factory=list)


def _wanted(change: FileChange, languages: Sequence[str] | None, include: Sequence[str],
            exclude: Sequence[str]) -> bool:
    if change.status in ('deleted', 'binary') or not change.added_lines:
        return False
    language = stub_stage.language_of(change.path)
    if language is None or (languages is not None and language not in languages):
        return False
    if include and not matches(change.path, include):
        return False
    return not matches(change.path, exclude)


def _unparsed(path: str, error: Exception) -> Unparsed:
    """The finder's message without the path some finders put in front (``m.py:3: ...``)."""
    message = str(error)
    if message.startswith(f'{path}:'):
        message = message[len(path) + 1:].strip()
        message = f'line {message}' if message[:1].isdigit() else message
    return Unparsed(path, message)


def find_targets(changes: Sequence[FileChange], read: Callable[[str], SourceFile], *,
                 languages: Sequence[str] | None = None, include: Sequence[str] = (),
                 exclude: Sequence[str] = (), test_globs: Sequence[str] = (),
                 base: Callable[[str], str | None] | None = None,
                 survey: Survey | None = None, bare_pass_is_stub: bool = False,
                 grep: stub_stage.Grep | None = None) -> list[Target]:
    """The changed files holding stubs the change made, with those stubs.

    ``test_globs``: files there are test code, skipped. ``base`` reads a file (by its old path)
    in the base revision; a function that was a stub there already is skipped. What is skipped,
    and the files that do not parse, go to ``survey``. ``bare_pass_is_stub`` and ``grep`` (the
    repository look-up for contracts) are the Python finder's options.
    """
    survey = Survey() if survey is None else survey
    find = functools.partial(stub_stage.find_stubs, bare_pass_is_stub=bare_pass_is_stub, grep=grep)
    removed = _removed_lines(changes)
    targets = []
    for change in changes:
        if not _wanted(change, languages, include, exclude):
            continue
        reason = reason_if_test_code(change.path, test_globs)
        if reason is not None:
            survey.skipped.append(Skipped(change.path, 0, '', reason))
            continue
        target = _target(change, read, find, base, survey, bool(test_globs))
        target = _not_moved(target, removed, survey.skipped) if target is not None and removed else target
        if target is not None:
            targets.append(target)
    return targets


def _removed_lines(changes: Sequence[FileChange]) -> frozenset[str]:
    return frozenset(line.strip() for change in changes for lines in change.removed.values()
                     for line in lines if line.strip())


def _not_moved(target: Target, removed: frozenset[str], skipped: list[Skipped]) -> Target | None:
    """A stub whose every line, header to body, the same change removed elsewhere was moved (to
    another file, or out of a string), not written: it was a stub before this change."""
    lines = target.source.text.split('\n')
    kept = []
    for stub in target.stubs:
        header = policy.header_line(stub, lines)
        own = [line.strip() for line in lines[header - 1:stub.end_line] if line.strip()]
        if own and all(line in removed for line in own):
            skipped.append(Skipped(stub.path, stub.start_line, stub.name, policy.MOVED))
        else:
            kept.append(stub)
    return dataclasses.replace(target, stubs=tuple(kept)) if kept else None


def _target(change: FileChange, read: Callable[[str], SourceFile], find: Callable[..., list[Stub]],
            base: Callable[[str], str | None] | None, survey: Survey, skip_tests: bool) -> Target | None:
    turned_down: list[Skipped] = []
    try:
        source = read(change.path)
        found = find(change.path, source.text, turned_down, wanted=_in_hunks(change))
    except SourceSkipped as e:
        logger.warning('%s', e if str(e).startswith(change.path) else f'{change.path}: {e}')
        return None
    except stub_stage.ParseFailure as e:
        survey.unparsed.append(_unparsed(change.path, e))
        logger.warning('%s', survey.unparsed[-1])
        return None
    survey.skipped += [s for s in turned_down if change.hunk_of(s.line) is not None]
    lines = source.text.split('\n')
    touched = [_with_trailing_comment(s, source.text) for s in found if _touched(s, change, lines)]
    kept = _apply_policy(change, source.text, lines, touched, base, survey.skipped, skip_tests) if touched else []
    return Target(change, source, tuple(kept)) if kept else None


def _in_hunks(change: FileChange) -> Callable[[int, int], bool] | None:
    """Whether lines ``first``..``last`` overlap a hunk (or an added line) of the change: a
    function elsewhere can neither be touched by it nor have its skip reported (both are looked
    for there)."""
    if not change.hunks:
        return None
    ranges = sorted([*change.hunks, *((line, line) for line in change.added_lines)])
    starts = [start for start, _ in ranges]
    reach = list(itertools.accumulate((end for _, end in ranges), max))  # furthest end so far

    def wanted(first: int, last: int) -> bool:
        i = bisect.bisect_right(starts, last) - 1  # the ranges starting by ``last``
        return i >= 0 and reach[i] >= first

    return wanted


_TRAILING_COMMENT = re.compile(r'[ \t]*#[^\r\n]*')


def _with_trailing_comment(stub: Stub, text: str) -> Stub:
    """``def f(): pass  # TODO: x``: the comment after a one-line body is part of what the fill
    replaces, so it reaches the model as the instruction and leaves the file with the fill."""
    if stub.language != 'python' or stub.tail:
        return stub
    comment = _TRAILING_COMMENT.match(text, stub.end)
    return dataclasses.replace(stub, end=comment.end()) if comment and comment.end() > stub.end else stub


def _touched(stub: Stub, change: FileChange, lines: list[str]) -> bool:
    """The change added a line of the function, from its header to the end of its stub body.

    The header counts: git may align a new function's ``raise NotImplementedError`` with the same
    line of an older function, leaving only the new header as added. A stub the base revision
    already had is skipped afterwards, so a renamed parameter does not make an old stub new.
    """
    if stub_stage.touches_added(stub, change):
        return True
    header = policy.header_line(stub, lines)
    return any(line in change.added_lines for line in range(header, stub.start_line))


def _apply_policy(change: FileChange, text: str, lines: list[str], stubs: list[Stub],
                  base: Callable[[str], str | None] | None, skipped: list[Skipped],
                  skip_tests: bool) -> list[Stub]:
    rust = skip_tests and change.path.endswith('.rs')
    test_mods = policy.rust_test_modules(text) if rust else frozenset()
    kept = []
    for stub in stubs:
        reason = policy.ignore_reason(stub, lines) or policy.intent_reason(stub, lines)
        if reason is None and test_mods and policy.in_rust_test_module(stub, test_mods):
            reason = 'test code (#[cfg(test)] module)'
        if reason is None:
            kept.append(stub)
        else:
            skipped.append(Skipped(stub.path, stub.start_line, stub.name, reason))
    return _new_stubs(change, kept, base, skipped) if kept else kept


def _new_stubs(change: FileChange, stubs: list[Stub], base: Callable[[str], str | None] | None,
               skipped: list[Skipped]) -> list[Stub]:
    """The stubs the change made: one base read (and parse) per file that has stubs."""
    if base is None or change.old_path is None:
        return stubs
    before = base(change.old_path)
    if before is None or not _could_be_there(stubs, before):
        return stubs
    try:
        old = policy.stub_names(stub_stage.find_stubs(change.path, before))
    except stub_stage.ParseFailure:
        return stubs
    skipped += [Skipped(s.path, s.start_line, s.name, policy.ALREADY_A_STUB) for s in stubs if s.name in old]
    return [s for s in stubs if s.name not in old]


def _could_be_there(stubs: list[Stub], before: str) -> bool:
    """Whether a function of ``stubs`` could have been a stub in the base text, which then needs
    parsing. A Python stub needs its name in the text (identifiers are NFKC-normalised: only
    checked on ASCII text); a new function's name usually is not, and parsing a 5 MB base
    takes a second."""
    if any(s.language != 'python' for s in stubs) or not before.isascii():
        return True
    return any(re.search(rf'(?<!\w){re.escape(s.name.rpartition(".")[2])}(?!\w)', before) for s in stubs)


def max_stubs_reason(max_stubs: int) -> str:
    return f'not filled: max_stubs reached ({max_stubs} per run)'


def plan(targets: Sequence[Target], *, prompt_tokens: int, suffix_tokens: int,
         max_stubs: int | None = None, repo: RepoContext | None = None) -> list[Planned]:
    """A request per stub; past ``max_stubs`` each stub is still listed, as failed with the reason, and
    costs nothing more (no context gathered). ``repo`` adds definitions from other files at the head
    of each prompt."""
    planned: list[Planned] = []
    for target in targets:
        for stub in target.stubs:
            over = max_stubs is not None and len(planned) >= max_stubs
            selection = repo.select(target.source, stub, prompt_tokens) if repo is not None and not over else None
            request = build_request(target.source, stub, prompt_tokens=prompt_tokens,
                                    suffix_tokens=suffix_tokens, head=selection.head if selection else '')
            fill = Fill(stub=stub, prompt_tokens=request.prompt_tokens, suffix_tokens=request.suffix_tokens,
                        context=selection.snippets if selection else ())
            if over:
                assert max_stubs is not None
                fill = dataclasses.replace(fill, status='failed', reason=max_stubs_reason(max_stubs),
                                           failure='max_stubs')
            planned.append(Planned(fill, target.source, request))
    if max_stubs is not None and len(planned) > max_stubs:
        logger.warning('%d stubs found; filling the first %d (max_stubs)', len(planned), max_stubs)
    return planned


async def _fill_one(client: ModelClient, item: Planned,
                    on_text: Callable[[Fill, str], None] | None, max_tokens: int | None = None) -> Fill:
    if item.fill.status != 'planned':  # past max_stubs: listed, never sent
        return item.fill
    callback = None if on_text is None else (lambda piece: on_text(item.fill, piece))
    try:
        completion = await client.fim(item.request.prompt, item.request.suffix, on_text=callback)
    except ModelError as e:
        return dataclasses.replace(item.fill, status='failed', reason=str(e), failure=failure_kind(e))
    return cleanup.finish_fill(item.fill, item.source, completion, item.request.suffix, max_tokens)


async def fill_all(client: ModelClient, planned: Sequence[Planned], *, deadline: float | None = None,
                   on_text: Callable[[Fill, str], None] | None = None,
                   on_done: Callable[[Fill], None] | None = None, max_tokens: int | None = None) -> list[Fill]:
    """Fill every planned stub concurrently (the client paces); unfinished at the deadline → failed."""
    tasks = [asyncio.ensure_future(_fill_one(client, item, on_text, max_tokens)) for item in planned]
    if on_done is not None:
        for task in tasks:
            task.add_done_callback(lambda t: on_done(t.result()) if not t.cancelled() and not t.exception() else None)
    if tasks:
        await asyncio.wait(tasks, timeout=deadline)
    return [_result(task, item) for task, item in zip(tasks, planned, strict=True)]


def _result(task: asyncio.Future[Fill], item: Planned) -> Fill:
    if not task.done():
        task.cancel()
        return dataclasses.replace(item.fill, status='failed', reason='not filled: deadline reached',
                                   failure='deadline')
    error = task.exception()
    if isinstance(error, ModelError):
        return dataclasses.replace(item.fill, status='failed', reason=str(error), failure=failure_kind(error))
    if error is not None:
        raise error
    return task.result()
