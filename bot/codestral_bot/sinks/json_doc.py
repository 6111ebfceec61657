"""``--json``: always exactly one JSON document on stdout, whatever the run found (or did not)."""
from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING
from typing import Any

from codestral_bot import __version__
from codestral_bot.output import out
from codestral_bot.records import Fill
from codestral_bot.sinks.base import Buffered
from codestral_bot.sinks.base import RunReport

if TYPE_CHECKING:
    from codestral_bot.pipeline import Survey

__all__ = ['JsonSink', 'fill_json', 'stub_json', 'survey_json']


def stub_json(fill: Fill) -> dict[str, Any]:
    from codestral_bot.stubs.policy import describe

    s = fill.stub
    return {'path': s.path, 'name': s.name, 'kind': s.kind, 'language': s.language,
            'start_line': s.start_line, 'end_line': s.end_line, 'evidence': describe(s)}


def survey_json(survey: Survey | None) -> dict[str, Any]:
    """``skipped``: candidates not filled and why (line 0, name '': the whole file);
    ``unparsed``: files the bot could not parse."""
    skipped = survey.skipped if survey is not None else []
    unparsed = survey.unparsed if survey is not None else []
    return {'skipped': [dataclasses.asdict(k) for k in skipped],
            'unparsed': [{'path': u.path, 'message': u.message} for u in unparsed]}


def fill_json(fill: Fill) -> dict[str, Any]:
    return {**stub_json(fill), 'status': fill.status, 'reason': fill.reason or None,
            'failure': fill.failure, 'replacement': fill.replacement,
            'prompt_tokens_estimate': fill.prompt_tokens, 'suffix_tokens_estimate': fill.suffix_tokens,
            'usage': {'prompt_tokens': fill.usage.prompt_tokens,
                      'completion_tokens': fill.usage.completion_tokens},
            'context': [dataclasses.asdict(c) for c in fill.context]}


class JsonSink(Buffered):
    def finish(self, report: RunReport) -> None:
        out(json.dumps(self._doc(report), indent=2))

    def _doc(self, report: RunReport) -> dict[str, Any]:
        fills = [report.final(f) for f in self.fills]
        doc: dict[str, Any] = {'version': __version__}
        if not report.sent:
            doc.update(dry_run=True, endpoint=report.endpoint)
        doc.update(stubs=[stub_json(f) for f in fills], fills=[fill_json(f) for f in fills],
                   patch=''.join(e.diff for e in report.edits), **survey_json(report.survey))
        if report.stats is not None and report.prices is not None:
            doc['usage'] = report.stats.as_json(report.prices)
        if report.comments is not None:
            c = report.comments
            doc['comments'] = {'findings': [dataclasses.asdict(f) for f in self.findings],
                               'dropped': dict(c.dropped), 'notes': list(c.notes),
                               'failures': list(c.failures), 'usage': dataclasses.asdict(c.usage),
                               'requests': c.requests}
        return doc
