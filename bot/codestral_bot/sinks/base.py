"""One interface for every output of a run: the terminal, --patch, --apply, --json, --sarif, a PR review.

A run emits each record (a ``Fill`` or a ``Finding``) to every sink, then calls ``finish`` once
with the run's ``RunReport``. Sinks buffer what they need and write in ``finish``. The
``ApplySink`` comes first: it records in the report which files it wrote, so the sinks after it
show those fills as 'applied' (``RunReport.final``).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Protocol

from codestral_bot.records import Fill
from codestral_bot.records import Finding
from codestral_bot.records import SourceFile

if TYPE_CHECKING:
    from codestral_bot.comments import CommentsResult
    from codestral_bot.cost import Prices
    from codestral_bot.cost import RunStats
    from codestral_bot.pipeline import Survey

__all__ = ['Buffered', 'Edit', 'Record', 'RunReport', 'Sink', 'edits_of', 'publish']

Record = Fill | Finding


class Sink(Protocol):
    def emit(self, record: Record) -> None:
        """Take one fill or finding (buffered until ``finish``)."""

    def finish(self, report: RunReport) -> None:
        """Write everything out; called once, after the last ``emit``."""


class Buffered:
    """What most sinks do with records: keep the fills and the findings apart until ``finish``."""

    def __init__(self) -> None:
        self.fills: list[Fill] = []
        self.findings: list[Finding] = []

    def emit(self, record: Record) -> None:
        if isinstance(record, Fill):
            self.fills.append(record)
        else:
            self.findings.append(record)


@dataclasses.dataclass(frozen=True)
class Edit:
    """One file's proposed new text, and the diff from what was read."""

    source: SourceFile
    new_text: str
    diff: str


@dataclasses.dataclass
class RunReport:
    """What the sinks share at ``finish``: the run's totals, beyond the records themselves."""

    sources: Mapping[str, SourceFile]  # the files the records point into
    edits: Sequence[Edit] = ()
    stats: RunStats | None = None  # None: nothing was sent
    prices: Prices | None = None
    comments: CommentsResult | None = None  # None: no review comments were asked for (or sent)
    endpoint: str | None = None  # where requests go, for "nothing sent (to …)"
    sent: bool = True  # False: no key or --dry-run, the fills are only planned
    key_missing: bool = False  # nothing was sent because no key is set (a hint says how)
    applied: set[str] = dataclasses.field(default_factory=set)  # paths ApplySink wrote
    survey: Survey | None = None  # what the stub stage skipped and why, and what it could not parse

    def final(self, fill: Fill) -> Fill:
        if fill.status == 'filled' and fill.stub.path in self.applied:
            return dataclasses.replace(fill, status='applied')
        return fill


def edits_of(sources: Mapping[str, SourceFile], fills: Iterable[Fill]) -> list[Edit]:
    from codestral_bot.cleanup import apply_fills
    from codestral_bot.edits import fill_spans
    from codestral_bot.edits import span_diff

    by_path: dict[str, list[Fill]] = {}
    for fill in fills:
        if fill.status == 'filled':
            by_path.setdefault(fill.stub.path, []).append(fill)
    result = []
    for path, file_fills in by_path.items():
        source = sources[path]
        new_text = apply_fills(source.text, file_fills)
        # the diff comes from the spans the fills replace, never from diffing whole files
        result.append(Edit(source, new_text, span_diff(source, fill_spans(file_fills))))
    return result


def publish(sinks: Sequence[Sink], records: Iterable[Record], report: RunReport) -> None:
    records = list(records)
    for sink in sinks:
        for record in records:
            sink.emit(record)
        sink.finish(report)
