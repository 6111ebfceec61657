"""What a review run leaves behind: the diff on stdout, --json, --patch, --sarif, --apply, the exit code."""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codestral_bot import __version__
from codestral_bot.cleanup import apply_fills
from codestral_bot.config import Config
from codestral_bot.output import err
from codestral_bot.output import out
from codestral_bot.records import Fill
from codestral_bot.records import Finding
from codestral_bot.records import SourceFile
from codestral_bot.sinks.patch import unified_diff
from codestral_bot.sinks.patch import write_patch
from codestral_bot.sinks.terminal import print_diff
from codestral_bot.sources import SourceSkipped
from codestral_bot.sources import write_source
from codestral_bot.stubs.policy import describe

__all__ = ['edits', 'explain', 'fill_json', 'stub_json', 'exit_code', 'findings_of', 'maybe_apply', 'print_json',
           'print_text', 'survey_json', 'unparsed_note', 'write_files']

logger = logging.getLogger('codestral_bot')


@dataclasses.dataclass(frozen=True)
class Edit:
    source: SourceFile
    new_text: str
    diff: str


def stub_json(fill: Fill) -> dict[str, Any]:
    s = fill.stub
    return {'path': s.path, 'name': s.name, 'kind': s.kind, 'language': s.language,
            'start_line': s.start_line, 'end_line': s.end_line, 'evidence': describe(s)}


def survey_json(survey: Any) -> dict[str, Any]:
    """``skipped``: candidates not filled and why (line 0, name '': the whole file);
    ``unparsed``: files the bot could not parse. ``survey`` is a ``pipeline.Survey`` or None."""
    skipped = getattr(survey, 'skipped', None) or []
    unparsed = getattr(survey, 'unparsed', None) or []
    return {'skipped': [{'path': k.path, 'line': k.line, 'name': k.name, 'reason': k.reason} for k in skipped],
            'unparsed': [{'path': u.path, 'message': u.message} for u in unparsed]}


def explain(targets: Sequence[Any], survey: Any) -> None:
    """``--explain``: one neutral line per stub (its evidence) and per skipped candidate (why)."""
    lines: list[tuple[str, int, str]] = []
    for target in targets:
        for s in target.stubs:
            lines.append((s.path, s.start_line, f'{s.path}:{s.start_line}: {s.name}: stub — {describe(s)}'))
    for k in getattr(survey, 'skipped', None) or []:
        where = f'{k.path}:{k.line}: {k.name}' if k.name else k.path
        lines.append((k.path, k.line, f'{where}: skipped — {k.reason}'))
    for _, _, line in sorted(lines, key=lambda item: (item[0], item[1])):
        err(line)


def unparsed_note(survey: Any, fills: Sequence[Fill] = ()) -> str:
    """'; 2 not sent (max_stubs); 1 file could not be parsed' for the end-of-run summary, or ''."""
    note = ''
    over = sum(1 for f in fills if f.status == 'failed' and 'max_stubs reached' in f.reason)
    if over:
        note += f'; {over} not sent (max_stubs)'
    count = len(getattr(survey, 'unparsed', None) or [])
    if count:
        note += f'; {count} file{"" if count == 1 else "s"} could not be parsed'
    return note


def fill_json(fill: Fill) -> dict[str, Any]:
    return {**stub_json(fill), 'status': fill.status, 'reason': fill.reason or None,
            'replacement': fill.replacement, 'prompt_tokens_estimate': fill.prompt_tokens,
            'suffix_tokens_estimate': fill.suffix_tokens,
            'usage': {'prompt_tokens': fill.usage.prompt_tokens,
                      'completion_tokens': fill.usage.completion_tokens}}


def edits(sources: Mapping[str, SourceFile], fills: Sequence[Fill]) -> list[Edit]:
    by_path: dict[str, list[Fill]] = {}
    for fill in fills:
        if fill.status == 'filled':
            by_path.setdefault(fill.stub.path, []).append(fill)
    result = []
    for path, file_fills in by_path.items():
        source = sources[path]
        new_text = apply_fills(source.text, file_fills)
        result.append(Edit(source, new_text, unified_diff(path, source.text, new_text)))
    return result


def maybe_apply(args: argparse.Namespace, root: Path, sources: Mapping[str, SourceFile],
                edit_list: Sequence[Edit], fills: list[Fill]) -> list[Fill]:
    if not getattr(args, 'apply', False):
        return fills
    written = set()
    for edit in edit_list:
        try:
            write_source(root, edit.source, edit.new_text)
            written.add(edit.source.path)
        except SourceSkipped as e:
            logger.warning('%s', e)
    return [dataclasses.replace(f, status='applied') if f.status == 'filled' and f.stub.path in written
            else f for f in fills]


def findings_of(outcome: Any) -> tuple[Finding, ...]:
    comments = getattr(outcome, 'comments', None)
    return tuple(getattr(comments, 'findings', ()) or ())


def print_text(sources: Mapping[str, SourceFile], edit_list: Sequence[Edit], fills: Sequence[Fill],
               outcome: Any) -> None:
    applied = any(f.status == 'applied' for f in fills)
    if not applied:
        for edit in edit_list:
            print_diff(edit.diff)
    comments = getattr(outcome, 'comments', None)
    if comments is None:
        return
    from codestral_bot.comments import format_finding

    for finding in comments.findings:
        source = sources.get(finding.path) or comments_sources(outcome).get(finding.path)
        out(format_finding(finding, source.text.splitlines() if source else None))
    for note in comments.notes:
        logger.warning('%s', note)


def comments_sources(outcome: Any) -> Mapping[str, SourceFile]:
    return getattr(outcome, 'comment_sources', None) or {}


def _json_doc(fills: Sequence[Fill], outcome: Any, edit_list: Sequence[Edit],
              survey: Any = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        'version': __version__,
        'stubs': [stub_json(f) for f in fills],
        'fills': [fill_json(f) for f in fills],
        'patch': ''.join(e.diff for e in edit_list),
        **survey_json(survey),
    }
    stats = getattr(outcome, 'stats', None)
    if stats is not None:
        doc['usage'] = stats.as_json(outcome.prices)
    comments = getattr(outcome, 'comments', None)
    if comments is not None:
        from codestral_bot.comments import findings_json

        doc['comments'] = findings_json(comments)
    return doc


def print_json(args: argparse.Namespace, fills: Sequence[Fill], outcome: Any, edit_list: Sequence[Edit],
               survey: Any = None) -> None:
    out(json.dumps(_json_doc(fills, outcome, edit_list, survey), indent=2))


def write_files(args: argparse.Namespace, edit_list: Sequence[Edit], outcome: Any) -> None:
    if getattr(args, 'patch', None):
        write_patch(Path(args.patch), (e.diff for e in edit_list))
    if getattr(args, 'sarif', None):
        from codestral_bot.sinks.sarif import write_sarif

        write_sarif(Path(args.sarif), findings_of(outcome), __version__)


def _hook_exit_code(args: argparse.Namespace, fills: Sequence[Fill], matched: bool) -> int:
    """A hook never blocks a commit by surprise: trouble reaching the model is a warning."""
    failed = [f for f in fills if f.status == 'failed']
    if failed:
        logger.warning('%d stub(s) not filled (%s); the commit proceeds', len(failed), failed[0].reason)
    if failed and args.strict:
        return 2
    if any(f.status == 'applied' for f in fills):
        return 1  # pre-commit: "files were modified by this hook"
    return 1 if matched else 0


def exit_code(args: argparse.Namespace, fills: Sequence[Fill], edit_list: Sequence[Edit],
              outcome: Any, config: Config | None) -> int:
    matched = _fail_on_matched(outcome, config)
    if getattr(args, 'hook', False):
        return _hook_exit_code(args, fills, matched)
    if getattr(outcome, 'auth_error', None):
        return 2
    if matched:
        return 1
    # "not filled: …" is what the deadline and the budgets say (a failed request says what failed):
    # a run cut short says so first, even when it also proposes edits
    if any(f.status == 'failed' and f.reason.startswith('not filled:') for f in fills):
        return 4
    if any(f.status == 'filled' for f in fills):
        return 1
    return 0


def _fail_on_matched(outcome: Any, config: Config | None) -> bool:
    fail_on = config.fail_on if config is not None else None
    if not fail_on:
        return False
    from codestral_bot.comments import fails

    return bool(fails(list(findings_of(outcome)), fail_on))
