"""Proposed edits as a (coloured on a TTY) unified diff on stdout; rejections as notes on stderr."""
from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from codestral_bot.outcome import Gate
from codestral_bot.output import clean
from codestral_bot.output import err
from codestral_bot.output import out
from codestral_bot.output import paint
from codestral_bot.records import Fill
from codestral_bot.records import Finding
from codestral_bot.sinks.base import Buffered
from codestral_bot.sinks.base import RunReport

__all__ = ['TerminalSink', 'print_diff']

logger = logging.getLogger('codestral_bot')


def _colour_of(line: str) -> str | None:
    if line.startswith(('+++', '---', 'diff --git')):
        return 'bold'
    if line.startswith('@@'):
        return 'cyan'
    if line.startswith('+'):
        return 'green'
    if line.startswith('-'):
        return 'red'
    return None


def print_diff(diff: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    for line in diff.splitlines(keepends=True):
        colour = _colour_of(line)
        body = line.rstrip('\n')
        end = line[len(body):]
        if body.endswith('\r'):  # a CRLF file's line ending is not a control to escape
            body, end = body[:-1], '\r' + end
        body = clean(body)
        stream.write((paint(body, colour, stream) if colour else body) + end)
    stream.flush()


class TerminalSink(Buffered):
    """The diff on stdout, review comments, and on stderr what went wrong and what it cost.

    Under the hook, trouble reaching the model is ONE warning line (the README's promise), never a
    line per stub.
    """

    def __init__(self, gate: Gate) -> None:
        super().__init__()
        self.gate = gate

    def finish(self, report: RunReport) -> None:
        fills = [report.final(f) for f in self.fills]
        if not report.sent:
            _print_plan(fills, report)
            return
        if not any(f.status == 'applied' for f in fills):
            for edit in report.edits:
                print_diff(edit.diff)
        self._print_findings(report)
        if self.gate.hook:
            _hook_warning(fills, report, self.gate.strict)
        else:
            _report_problems(fills)
        if fills or self.findings or (report.stats is not None and report.stats.requests):
            err(_summary(fills, self.findings, report) + _survey_note(fills, report))
        elif note := _survey_note(fills, report):
            err(note[2:])  # no stub, no finding: only the files that could not be parsed

    def _print_findings(self, report: RunReport) -> None:
        if report.comments is None:
            return
        from codestral_bot.comments import format_finding

        for finding in self.findings:
            source = report.sources.get(finding.path)
            out(format_finding(finding, source.text.splitlines() if source else None))
        if not self.gate.hook:  # the hook says one line, below
            for note in report.comments.notes:
                logger.warning('%s', note)


def _print_plan(fills: Sequence[Fill], report: RunReport) -> None:
    for fill in fills:
        s = fill.stub
        if fill.status != 'planned':  # past max_stubs: listed, never sent
            out(f'{s.path}:{s.start_line}: {s.name} ({s.kind}): {fill.reason}')
            continue
        out(f'{s.path}:{s.start_line}: {s.name} ({s.kind}): would send a FIM request '
            f'(prompt ≈{fill.prompt_tokens} tokens, suffix ≈{fill.suffix_tokens} tokens)')
    note = _survey_note(fills, report)
    if not fills:
        if note:
            err(note[2:])
        return
    noun = 'stub' if len(fills) == 1 else 'stubs'
    err(f'{len(fills)} {noun} found{note}; nothing sent (to {report.endpoint}).')
    if report.key_missing:
        err('To fill them, set an API key: export CODESTRAL_API_KEY=… (or MISTRAL_API_KEY=…).')


def _survey_note(fills: Sequence[Fill], report: RunReport) -> str:
    """'; 2 not sent (max_stubs); 1 file could not be parsed' for the summary line, or ''."""
    note = ''
    over = sum(1 for f in fills if f.failure == 'max_stubs')
    if over:
        note += f'; {over} not sent (max_stubs)'
    count = len(report.survey.unparsed) if report.survey is not None else 0
    if count:
        note += f'; {count} file{"" if count == 1 else "s"} could not be parsed'
    return note


def _report_problems(fills: Sequence[Fill]) -> None:
    """One line per distinct problem: a server that is down is one line, not one per stub."""
    groups: dict[tuple[str, str], list[Fill]] = {}
    for fill in fills:
        if fill.status in ('rejected', 'failed'):
            groups.setdefault((fill.status, fill.reason), []).append(fill)
    for (status, reason), group in groups.items():
        s = group[0].stub
        where = f'{s.path}:{s.start_line}: {s.name}'
        if len(group) > 1:
            where += f' and {len(group) - 1} other stub{"s" if len(group) > 2 else ""}'
        if reason.startswith('not filled:'):
            err(f'{where}: {reason}')
        else:
            err(f'{where}: {"not filled" if status == "failed" else "fill rejected"}: {reason}')


def _hook_warning(fills: Sequence[Fill], report: RunReport, strict: bool) -> None:
    failed = [f for f in fills if f.status == 'failed']
    review_failed = len(report.comments.failures) if report.comments is not None else 0
    if not failed and not review_failed:
        return
    what = [f'{len(failed)} stub(s) not filled'] if failed else []
    if review_failed:
        what.append(f'{review_failed} review request(s) failed')
    reason = failed[0].reason if failed else report.comments.notes[-1] if report.comments and report.comments.notes else ''
    end = 'the commit is blocked (--strict)' if strict else 'the commit proceeds'
    logger.warning('%s (%s); %s', ', '.join(what), reason, end)


def _summary(fills: Sequence[Fill], findings: Sequence[Finding], report: RunReport) -> str:
    counts: dict[str, int] = {}
    for fill in fills:
        counts[fill.status] = counts.get(fill.status, 0) + 1
    parts = [f'{len(fills)} stub{"" if len(fills) == 1 else "s"} found']
    parts += [f'{n} {status}' for status, n in counts.items()]
    if report.comments is not None:
        parts.append(f'{len(findings)} review comment{"" if len(findings) == 1 else "s"}')
    line = ', '.join(parts)
    if report.stats is not None and report.prices is not None:
        line += f'; {report.stats.summary_line(report.prices)}'
    return line
