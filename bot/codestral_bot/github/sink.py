"""The GitHub pull request as a ``Sink``: fills and findings in, one COMMENT review out.

``emit`` turns each record into an ``Item`` anchored to the PR's diff; ``finish`` posts one review
(``github.review``), then writes the job summary, the step outputs and, when nothing could be
posted (a fork, a dry run, a refused POST, no key), the results as annotations.
"""
from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codestral_bot.output import err
from codestral_bot.records import FileChange
from codestral_bot.records import Fill
from codestral_bot.records import Finding
from codestral_bot.records import SourceFile
from codestral_bot.github import actions
from codestral_bot.sinks.base import Record
from codestral_bot.sinks.base import RunReport
from codestral_bot.github.review import OnThePR
from codestral_bot.github.review import Posted
from codestral_bot.github.review import PostFailed
from codestral_bot.github.review import plan_review
from codestral_bot.github.review import post_review
from codestral_bot.github.client import write_interval
from codestral_bot.github.items import Item
from codestral_bot.github.items import distinct
from codestral_bot.github.items import finding_item
from codestral_bot.github.items import stub_item
from codestral_bot.github.items import suggestion_item

if TYPE_CHECKING:
    from github.Commit import Commit
    from github.PullRequest import PullRequest

__all__ = ['NO_KEY', 'PullRequestReview', 'ReviewTarget']

logger = logging.getLogger('codestral_bot')

NO_KEY = 'no API key: set the `api-key` input (CODESTRAL_API_KEY or MISTRAL_API_KEY) to fill stubs'


@dataclasses.dataclass(frozen=True)
class ReviewTarget:
    """Where the review goes and what may be posted there."""

    pr: PullRequest
    commit: Commit
    changes: Mapping[str, FileChange]
    patched: frozenset[str]  # files whose patch GitHub shows: only those take inline comments
    read: Callable[[str], SourceFile]
    on_pr: OnThePR  # what earlier runs posted
    blocked: str | None  # why nothing may be posted (fork, dry run); None: posting is allowed
    max_comments: int
    has_key: bool
    found: int  # stubs found on the PR
    already: int  # of them, already suggested by an earlier run: not filled again
    notes: tuple[str, ...] = ()  # from reading the PR
    env: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class _Posting:
    posted: Posted | None
    skipped: int  # items already on the PR
    failure: str | None  # why nothing was posted though posting was allowed


class PullRequestReview:
    def __init__(self, target: ReviewTarget) -> None:
        self.target = target
        self.items: list[Item] = []
        self.fills: list[Fill] = []
        self.findings: list[Finding] = []

    def emit(self, record: Record) -> None:
        t = self.target
        if isinstance(record, Finding):
            self.findings.append(record)
            self.items.append(finding_item(record, t.changes.get(record.path), record.path in t.patched))
            return
        self.fills.append(record)
        path = record.stub.path
        source = t.read(path)  # read (and kept) when the stub was found
        if record.status == 'filled':
            self.items.append(suggestion_item(record, source, t.changes.get(path), path in t.patched))
            return
        why = 'no API key' if not t.has_key else (record.reason or record.status)
        if record.status in ('rejected', 'failed'):
            logger.warning('%s:%d: %s: not filled: %s', path, record.stub.start_line, record.stub.name, why)
        self.items.append(stub_item(record, source, why))

    def finish(self, report: RunReport) -> None:
        items = distinct(self.items)
        posting = self._post(items)
        fallback = self._fallback(posting)
        tally = self._tally(report, items, posting)
        notes = self._notes(report, posting, fallback)
        if fallback is not None:
            details = [i for i in items if i.fingerprint not in self.target.on_pr.fingerprints]
            actions.write_annotations(details)
        else:
            details = [i for i in items if i.kind == 'stub']
        link = posting.posted.url if posting.posted else None
        env = self.target.env
        actions.write_summary(env.get('GITHUB_STEP_SUMMARY'), actions.summary_markdown(tally, notes, details, link))
        actions.write_outputs(env.get('GITHUB_OUTPUT'), tally.outputs())
        _say(tally, posting, fallback, notes)

    def _post(self, items: Sequence[Item]) -> _Posting:
        t = self.target
        if t.blocked is not None:
            return _Posting(None, 0, None)
        review = plan_review(items, t.on_pr.fingerprints, t.max_comments)
        if review.empty:
            return _Posting(None, review.skipped, None)
        try:
            posted = post_review(t.pr, t.commit, review, t.on_pr, run_id=uuid.uuid4().hex,
                                 settle=2 * write_interval(t.env))
        except PostFailed as e:
            return _Posting(None, review.skipped, f'nothing was posted: {e}{_hint(str(e))}')
        return _Posting(posted, review.skipped, None)

    def _fallback(self, posting: _Posting) -> str | None:
        """Why the results belong in the summary and annotations, or None when the PR has them."""
        if self.target.blocked is not None:
            return self.target.blocked
        if posting.failure is not None:
            return posting.failure
        return None if self.target.has_key else NO_KEY

    def _tally(self, report: RunReport, items: Sequence[Item], posting: _Posting) -> actions.Tally:
        stats, prices = report.stats, report.prices
        return actions.Tally(
            stubs=self.target.found,
            filled=sum(1 for f in self.fills if f.status == 'filled'),
            suggested=sum(1 for i in items if i.kind == 'suggestion' and i.suggestion is not None),
            comments=len(self.findings),
            posted=posting.posted.inline if posting.posted else 0,
            skipped=self.target.already + posting.skipped,
            prompt_tokens=stats.prompt_tokens if stats else 0,  # every request, FIM and chat
            completion_tokens=stats.completion_tokens if stats else 0,
            cost=stats.dollars(prices) if stats and prices else 0.0,
        )

    def _notes(self, report: RunReport, posting: _Posting, fallback: str | None) -> list[str]:
        notes = [*self.target.notes, *(report.comments.notes if report.comments else ())]
        if fallback is not None:
            notes.append(_sentence(fallback))
        if fallback != NO_KEY and not self.target.has_key:
            notes.append(_sentence(NO_KEY))
        auth = next((f.reason for f in self.fills if f.failure == 'auth'), None)
        if auth is None and report.comments is not None and 'auth' in report.comments.failures:
            auth = 'the review requests were refused'
        if auth:
            notes.append(f'The API key was rejected: {auth}')
        skipped = self.target.already + posting.skipped
        if skipped:
            notes.append(f'{skipped} suggestion(s) or comment(s) already on the pull request were skipped.')
        if posting.posted is not None and posting.posted.note:
            notes.append(_sentence(posting.posted.note))
        return notes


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + '.'


def _hint(message: str) -> str:
    if message.startswith('403') and 'not accessible' in message:
        return (' (the token cannot write: a fork, or the workflow lacks '
                '`permissions: pull-requests: write`)')
    return ''


def _say(tally: actions.Tally, posting: _Posting, fallback: str | None, notes: Sequence[str]) -> None:
    for note in notes:
        logger.info('%s', note)
    counts = (f'{tally.stubs} stub(s) found, {tally.filled} filled, {tally.comments} review comment(s), '
              f'{tally.skipped} skipped as already posted')
    if posting.posted is not None:
        where = f': {posting.posted.url}' if posting.posted.url else ''
        err(f'codestral-bot: posted a review with {posting.posted.inline} inline comment(s) and '
            f'{posting.posted.listed} in its body; {counts}{where}')
    elif fallback is not None:
        err(f'codestral-bot: nothing posted; {counts}; the results are in the job summary')
    else:
        err(f'codestral-bot: nothing new to post; {counts}')
