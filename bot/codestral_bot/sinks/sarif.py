"""Review findings as a SARIF 2.1.0 log, for GitHub code scanning and IDEs.

One run, one rule ('codestral-bot/review'); each finding is a result whose level says how bad
it is. A suggestion becomes a ``fix`` replacing the finding's whole lines.
"""
from __future__ import annotations

import contextlib
import json
import os
import pathlib
import tempfile
import urllib.parse
from collections.abc import Sequence
from typing import Any

from codestral_bot.errors import FatalError
from codestral_bot.records import Finding
from codestral_bot.sinks.base import Record
from codestral_bot.sinks.base import RunReport

__all__ = ['RULE_ID', 'SARIF_SCHEMA_URI', 'SarifSink', 'sarif_log', 'write_sarif']

SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json'
RULE_ID = 'codestral-bot/review'
SRCROOT = '%SRCROOT%'
_LEVELS = {'error': 'error', 'warning': 'warning', 'info': 'note'}


def _rule() -> dict[str, Any]:
    return {
        'id': RULE_ID,
        'name': 'CodestralReview',
        'shortDescription': {'text': 'Review comment from Codestral'},
        'fullDescription': {'text': 'A problem in changed lines, found by a Codestral code review.'},
        'defaultConfiguration': {'level': 'warning'},
    }


def _artifact(path: str) -> dict[str, Any]:
    # Relative posix path as a URI reference: spaces, '#', '%' and such must be escaped.
    return {'uri': urllib.parse.quote(path.lstrip('/'), safe='/'), 'uriBaseId': SRCROOT}


def _region(f: Finding) -> dict[str, Any]:
    return {'startLine': f.start_line or f.line, 'endLine': f.line}


def _fix(f: Finding, suggestion: str) -> dict[str, Any]:
    # Lines without columns cover the lines' text, not their ending, so the replacement goes in
    # without a trailing newline; a deletion runs to column 1 of the next line to take the
    # ending too.
    deleted = _region(f)
    if suggestion == '':
        deleted = {'startLine': deleted['startLine'], 'startColumn': 1, 'endLine': f.line + 1, 'endColumn': 1}
    return {
        'description': {'text': 'Suggested change'},
        'artifactChanges': [{
            'artifactLocation': _artifact(f.path),
            'replacements': [{'deletedRegion': deleted, 'insertedContent': {'text': suggestion}}],
        }],
    }


def _result(f: Finding) -> dict[str, Any]:
    result: dict[str, Any] = {
        'ruleId': RULE_ID,
        'ruleIndex': 0,
        'level': _LEVELS[f.severity],
        'message': {'text': f.message},
        'locations': [{'physicalLocation': {'artifactLocation': _artifact(f.path), 'region': _region(f)}}],
    }
    if f.suggestion is not None:
        result['fixes'] = [_fix(f, f.suggestion)]
    return result


def sarif_log(findings: Sequence[Finding], tool_version: str) -> dict[str, Any]:
    driver = {'name': 'codestral-bot', 'version': tool_version, 'rules': [_rule()]}
    run = {
        'tool': {'driver': driver},
        'originalUriBaseIds': {SRCROOT: {'description': {'text': 'The root of the repository.'}}},
        'results': [_result(f) for f in findings],
    }
    return {'$schema': SARIF_SCHEMA_URI, 'version': '2.1.0', 'runs': [run]}


def write_sarif(path: pathlib.Path, findings: Sequence[Finding], tool_version: str) -> None:
    """Write the log atomically: readers see the old file or the whole new one, never half."""
    data = json.dumps(sarif_log(findings, tool_version), indent=2, ensure_ascii=False) + '\n'
    directory = path.parent if str(path.parent) else pathlib.Path('.')
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f'.{path.name}.', suffix='.tmp')
    except OSError as e:
        raise FatalError(f'cannot write SARIF file {path}: {e.strerror}') from e
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes it private; a report is for everyone
        with os.fdopen(fd, 'w', encoding='utf-8') as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise FatalError(f'cannot write SARIF file {path}: {e.strerror}') from e


class SarifSink:
    """``--sarif FILE``: written on every run, also with no key or ``--dry-run`` (an upload step needs it)."""

    def __init__(self, path: pathlib.Path, tool_version: str) -> None:
        self.path = path
        self.tool_version = tool_version
        self.findings: list[Finding] = []

    def emit(self, record: Record) -> None:
        if isinstance(record, Finding):
            self.findings.append(record)

    def finish(self, report: RunReport) -> None:
        write_sarif(self.path, self.findings, self.tool_version)
