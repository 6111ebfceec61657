"""The exit code of a run, computed in one place from typed outcomes, never from message text.

    0  nothing to propose, or every edit was applied
    1  edits proposed but not applied, or --fail-on matched a finding
    2  usage, configuration or environment error: bad flags, not a repository, the API key
       rejected, no request reached a working model (every request failed), or --fail-on is set
       and the review could not run
    3  a bug in codestral-bot (``main.error_handler``: a log file is written)
    4  the run was cut short: the deadline or a budget left work undone (before 'edits proposed')

Under the pre-commit hook a model that cannot be reached never blocks a commit by surprise: it is
one warning, and exit 2 only with ``--strict``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codestral_bot.records import FailureKind
from codestral_bot.records import Fill
from codestral_bot.records import Finding

if TYPE_CHECKING:
    from codestral_bot.comments import CommentsResult

__all__ = ['CUT_SHORT', 'Gate', 'RunOutcome', 'exit_code']

CUT_SHORT: tuple[FailureKind, ...] = ('deadline', 'budget', 'max_stubs')
# what a 'failed' stub counts as an answer from the model: the request succeeded
_ANSWERED = ('filled', 'applied', 'rejected')
_SEVERITY = {'info': 0, 'warning': 1, 'error': 2}


@dataclasses.dataclass(frozen=True)
class Gate:
    """How the run's result is judged: the options that change the exit code."""

    fail_on: str | None = None  # 'error' | 'warning' | 'info'
    hook: bool = False
    strict: bool = False
    # Proposed fills left for the user are exit 1 (review); on a pull request they are posted as
    # suggestions, which is the job done (github): no reason for 1 there.
    proposals_fail: bool = True


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    """The typed facts the exit code is computed from."""

    fills: Sequence[Fill] = ()
    findings: Sequence[Finding] = ()
    review_chunks: int = 0  # review requests planned
    review_failures: Sequence[FailureKind] = ()  # one per review request that gave no comments

    @classmethod
    def of(cls, fills: Sequence[Fill], comments: CommentsResult | None) -> RunOutcome:
        if comments is None:
            return cls(fills)
        return cls(fills, comments.findings, comments.chunks, comments.failures)

    @property
    def failures(self) -> list[FailureKind]:
        kinds = [f.failure or 'model' for f in self.fills if f.status == 'failed']
        return kinds + list(self.review_failures)

    @property
    def answered(self) -> bool:
        """Whether any request got a usable answer from the model."""
        return (any(f.status in _ANSWERED for f in self.fills)
                or self.review_chunks > len(self.review_failures))

    def matched(self, fail_on: str | None) -> bool:
        if not fail_on:
            return False
        return any(_SEVERITY[f.severity] >= _SEVERITY[fail_on] for f in self.findings)


def exit_code(outcome: RunOutcome, gate: Gate) -> int:
    if gate.hook:
        return _hook_exit_code(outcome, gate)
    failures = outcome.failures
    if 'auth' in failures:
        return 2
    if failures and not outcome.answered and any(k not in CUT_SHORT for k in failures):
        return 2  # nothing reachable: every request failed, not for want of time or budget
    if outcome.matched(gate.fail_on):
        return 1
    if gate.fail_on and outcome.review_failures:
        # the gate could not look at everything: passing it would be a lie
        return 4 if all(k in CUT_SHORT for k in outcome.review_failures) else 2
    if any(k in CUT_SHORT for k in failures):
        return 4  # said before 'edits proposed': a script must know the run is incomplete
    if gate.proposals_fail and any(f.status == 'filled' for f in outcome.fills):
        return 1
    return 0


def _hook_exit_code(outcome: RunOutcome, gate: Gate) -> int:
    if outcome.failures and gate.strict:
        return 2
    if any(f.status == 'applied' for f in outcome.fills):
        return 1  # pre-commit: "files were modified by this hook"
    return 1 if outcome.matched(gate.fail_on) else 0

