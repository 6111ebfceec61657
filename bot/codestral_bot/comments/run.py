"""Glue between a review run and the review-comment stage: its own chat client, same pacing."""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codestral_bot.jobs import Job
from codestral_bot.jobs import Spending
from codestral_bot.output import clean
from codestral_bot.providers import Endpoint
from codestral_bot.providers import make_client
from codestral_bot.records import FileChange
from codestral_bot.records import SourceFile
from codestral_bot.sources import SourceSkipped

if TYPE_CHECKING:
    from codestral_bot.comments import CommentsResult

__all__ = ['review_changes']

logger = logging.getLogger('codestral_bot')


def _all_sources(changes: Sequence[FileChange], read: Callable[[str], SourceFile],
                 known: dict[str, SourceFile]) -> dict[str, SourceFile]:
    sources = dict(known)
    for change in changes:
        if change.path in sources or change.status in ('deleted', 'binary') or not change.added_lines:
            continue
        try:
            sources[change.path] = read(change.path)
        except SourceSkipped:
            continue  # already warned about, or not text: nothing to review
    return sources


def _progress_line(text: str) -> None:
    # The same status line the fills use: overwritten, never scrolled, cleared at the end of the run.
    sys.stderr.write(f'\r\033[K{clean(text[:100], one_line=True)}')
    sys.stderr.flush()


async def review_changes(job: Job, endpoint: Endpoint, spending: Spending) -> tuple[CommentsResult, dict[str, SourceFile]]:
    """The comments result (failed 'deadline' when the deadline cut it) and the texts it was given."""
    import asyncio

    from codestral_bot.comments import CommentsResult
    from codestral_bot.comments import review_comments
    from codestral_bot.records import Usage

    config, changes, deadline = job.config, job.changes, job.deadline
    sources = _all_sources(changes, job.read, job.sources)
    client = make_client(endpoint, config, role='chat', pacer=spending.pacer, stats=spending.stats,
                         allowance=spending.allowance)
    try:
        coro = review_comments(client, changes, sources, max_per_file=config.max_comments_per_file,
                               max_total=config.max_comments, exclude=config.exclude,
                               removed_lines={c.path: c.removed for c in changes if c.removed},
                               on_progress=_progress_line if sys.stderr.isatty() else None)
        result = await asyncio.wait_for(coro, timeout=deadline)
    except TimeoutError:
        # typed, so the exit code can tell a gate cut short (4) from a gate that passed
        note = 'review comments: the deadline was reached before the model answered'
        return CommentsResult((), {}, (note,), Usage(), 0, chunks=1, failures=('deadline',)), sources
    finally:
        await client.aclose()
    return result, sources
