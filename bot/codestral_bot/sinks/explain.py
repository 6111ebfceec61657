"""``--explain``: why each stub is one, why each candidate was skipped, and what went into each
prompt from other files; one neutral line each on stderr, in file and line order."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from codestral_bot.output import err
from codestral_bot.records import Fill
from codestral_bot.sinks.base import Buffered
from codestral_bot.sinks.base import RunReport

if TYPE_CHECKING:
    from codestral_bot.pipeline import Survey

__all__ = ['ExplainSink', 'context_lines', 'explain_lines']


def context_lines(fill: Fill) -> list[str]:
    """One line per definition from another file that went into the stub's prompt."""
    s = fill.stub
    return [f'{s.path}:{s.start_line}: {s.name}: context: {c.path}:{c.line} {c.name} ({c.kind}, '
            f'≈{c.tokens} tokens)' for c in fill.context]


class ExplainSink(Buffered):
    def finish(self, report: RunReport) -> None:
        for line in explain_lines(self.fills, report.survey):
            err(line)


def explain_lines(fills: Sequence[Fill], survey: Survey | None) -> list[str]:
    """Each stub's evidence and prompt context, each skipped candidate's reason, in file and line order."""
    from codestral_bot.stubs.policy import describe

    lines: list[tuple[str, int, str]] = []
    for fill in fills:
        s = fill.stub
        lines.append((s.path, s.start_line, f'{s.path}:{s.start_line}: {s.name}: stub — {describe(s)}'))
        lines += [(s.path, s.start_line, line) for line in context_lines(fill)]
    for k in survey.skipped if survey is not None else []:
        where = f'{k.path}:{k.line}: {k.name}' if k.name else k.path
        lines.append((k.path, k.line, f'{where}: skipped — {k.reason}'))
    return [line for _, _, line in sorted(lines, key=lambda item: (item[0], item[1]))]
