"""The fill pipeline shared by ``review`` and ``github``: changes → stubs → requests → fills.

Reading files is the caller's (working tree, index, or the GitHub API), so it comes in as a
function. One broken file or one failed request becomes a note or a failed ``Fill``; it never
stops the others.
"""
from __future__ import annotations

import asyncio
import dataclasses
import fnmatch
import logging
from collections.abc import Callable
from collections.abc import Sequence

from codestral_bot import cleanup
from codestral_bot import stubs as stub_stage
from codestral_bot.context import FimRequest
from codestral_bot.context import build_request
from codestral_bot.errors import ModelError
from codestral_bot.providers.base import ModelClient
from codestral_bot.records import FileChange
from codestral_bot.records import Fill
from codestral_bot.records import SourceFile
from codestral_bot.sources import SourceSkipped

__all__ = ['Planned', 'Target', 'fill_all', 'find_targets', 'matches_any', 'plan']

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


def matches_any(path: str, globs: Sequence[str]) -> bool:
    """fnmatch on the posix path; ``dir/**`` also matches the folder's files at any depth."""
    for glob in globs:
        if fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(path.rsplit('/', 1)[-1], glob):
            return True
        if glob.endswith('/**') and (path.startswith(glob[:-2]) or f'/{glob[:-2]}' in f'/{path}'):
            return True
    return False


def _wanted(change: FileChange, languages: Sequence[str] | None, include: Sequence[str],
            exclude: Sequence[str]) -> bool:
    if change.status in ('deleted', 'binary') or not change.added_lines:
        return False
    language = stub_stage.language_of(change.path)
    if language is None or (languages is not None and language not in languages):
        return False
    if include and not matches_any(change.path, include):
        return False
    return not matches_any(change.path, exclude)


def find_targets(changes: Sequence[FileChange], read: Callable[[str], SourceFile], *,
                 languages: Sequence[str] | None = None, include: Sequence[str] = (),
                 exclude: Sequence[str] = (), bare_pass_is_stub: bool = False,
                 grep: stub_stage.Grep | None = None) -> list[Target]:
    targets = []
    for change in changes:
        if not _wanted(change, languages, include, exclude):
            continue
        try:
            source = read(change.path)
            found = stub_stage.find_stubs(change.path, source.text, bare_pass_is_stub=bare_pass_is_stub, grep=grep)
        except (SourceSkipped, stub_stage.ParseFailure) as e:
            logger.warning('%s', e if ': ' in str(e) else f'{change.path}: {e}')
            continue
        touched = tuple(s for s in found if stub_stage.touches_added(s, change))
        if touched:
            targets.append(Target(change, source, touched))
    return targets


def plan(targets: Sequence[Target], *, prompt_tokens: int, suffix_tokens: int,
         max_stubs: int | None = None) -> list[Planned]:
    planned = []
    for target in targets:
        for stub in target.stubs:
            request = build_request(target.source, stub, prompt_tokens=prompt_tokens,
                                    suffix_tokens=suffix_tokens)
            fill = Fill(stub=stub, prompt_tokens=request.prompt_tokens, suffix_tokens=request.suffix_tokens)
            planned.append(Planned(fill, target.source, request))
    if max_stubs is not None and len(planned) > max_stubs:
        logger.warning('%d stubs found; filling the first %d (max_stubs)', len(planned), max_stubs)
        planned = planned[:max_stubs]
    return planned


async def _fill_one(client: ModelClient, item: Planned,
                    on_text: Callable[[Fill, str], None] | None) -> Fill:
    callback = None if on_text is None else (lambda piece: on_text(item.fill, piece))
    try:
        completion = await client.fim(item.request.prompt, item.request.suffix, on_text=callback)
    except ModelError as e:
        return dataclasses.replace(item.fill, status='failed', reason=str(e))
    return cleanup.finish_fill(item.fill, item.source, completion, item.request.suffix)


async def fill_all(client: ModelClient, planned: Sequence[Planned], *, deadline: float | None = None,
                   on_text: Callable[[Fill, str], None] | None = None,
                   on_done: Callable[[Fill], None] | None = None) -> list[Fill]:
    """Fill every planned stub concurrently (the client paces); unfinished at the deadline → failed."""
    tasks = [asyncio.ensure_future(_fill_one(client, item, on_text)) for item in planned]
    if on_done is not None:
        for task in tasks:
            task.add_done_callback(lambda t: on_done(t.result()) if not t.cancelled() and not t.exception() else None)
    if tasks:
        await asyncio.wait(tasks, timeout=deadline)
    return [_result(task, item) for task, item in zip(tasks, planned, strict=True)]


def _result(task: asyncio.Future[Fill], item: Planned) -> Fill:
    if not task.done():
        task.cancel()
        return dataclasses.replace(item.fill, status='failed', reason='not filled: deadline reached')
    error = task.exception()
    if isinstance(error, ModelError):
        return dataclasses.replace(item.fill, status='failed', reason=str(error))
    if error is not None:
        raise error
    return task.result()
