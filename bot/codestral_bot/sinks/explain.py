"""``--explain``: why each stub is one, and what went into its prompt, one line each on stderr."""
from __future__ import annotations

from codestral_bot.output import err
from codestral_bot.records import Fill
from codestral_bot.sinks.base import Record
from codestral_bot.sinks.base import RunReport

__all__ = ['ExplainSink', 'context_lines']


def context_lines(fill: Fill) -> list[str]:
    """One line per definition from another file that went into the stub's prompt."""
    s = fill.stub
    return [f'{s.path}:{s.start_line}: {s.name}: context: {c.path}:{c.line} {c.name} ({c.kind}, '
            f'≈{c.tokens} tokens)' for c in fill.context]


class ExplainSink:
    def __init__(self) -> None:
        self.fills: list[Fill] = []

    def emit(self, record: Record) -> None:
        if isinstance(record, Fill):
            self.fills.append(record)

    def finish(self, report: RunReport) -> None:
        for fill in self.fills:
            for line in context_lines(fill):
                err(line)
