"""The review-comment stage: ask chat completions for findings on the changed hunks.

    changes + sources ──plan_chunks──▶ chunks ──chat (≤ MAX_CONCURRENT at once)──▶ raw findings
        ──anchor──▶ Finding (or dropped: 'unknown path', 'outside diff') ──dedupe, caps──▶ result

One chunk's failure (a request error, an answer that is not usable twice) becomes a note; the
other chunks are still reviewed. Pieces: chunks (what is sent), prompt (how it
is asked and read), validate (what is kept); run (the glue with a review run).
"""
from __future__ import annotations

import asyncio
import collections
import dataclasses
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from codestral_bot.comments.chunks import DEFAULT_EXCLUDE
from codestral_bot.comments.chunks import Chunk
from codestral_bot.comments.chunks import RemovedLines
from codestral_bot.comments.chunks import is_excluded
from codestral_bot.comments.chunks import plan_chunks
from codestral_bot.comments.chunks import split_lines
from codestral_bot.comments.prompt import SYSTEM_PROMPT
from codestral_bot.comments.prompt import MalformedOutput
from codestral_bot.comments.prompt import RawFinding
from codestral_bot.comments.prompt import build_messages
from codestral_bot.comments.prompt import json_object_format
from codestral_bot.comments.prompt import json_schema_format
from codestral_bot.comments.prompt import parse_findings
from codestral_bot.comments.prompt import user_message_overhead
from codestral_bot.comments.validate import SEVERITY_RANK
from codestral_bot.comments.validate import anchor
from codestral_bot.comments.validate import apply_caps
from codestral_bot.comments.validate import dedupe
from codestral_bot.errors import ModelAuthError
from codestral_bot.errors import ModelError
from codestral_bot.errors import ModelRejected
from codestral_bot.errors import UsageError
from codestral_bot.errors import failure_kind
from codestral_bot.providers.base import ModelClient
from codestral_bot.records import Completion
from codestral_bot.records import FailureKind
from codestral_bot.records import FileChange
from codestral_bot.records import Finding
from codestral_bot.records import SourceFile
from codestral_bot.records import Usage

__all__ = [
    'DEFAULT_EXCLUDE',
    'MAX_CONCURRENT',
    'SYSTEM_PROMPT',
    'CommentsResult',
    'fails',
    'findings_json',
    'format_finding',
    'is_excluded',
    'review_comments',
    'worst_severity',
]

MAX_CONCURRENT = 3  # chunks in flight at once; the client paces requests itself
MIN_BODY_BUDGET = 200  # tokens of diff per request, whatever budget_tokens says


@dataclasses.dataclass(frozen=True)
class CommentsResult:
    findings: tuple[Finding, ...]
    dropped: dict[str, int]  # reason ('invalid', 'outside diff', 'duplicate', 'cap', 'unknown path') → count
    notes: tuple[str, ...]  # what the user should know: chunks without comments, skipped files
    usage: Usage
    requests: int
    chunks: int = 0  # requests planned (one per chunk)
    # one kind per chunk that got no comments because its request failed: what the exit code reads
    failures: tuple[FailureKind, ...] = ()


@dataclasses.dataclass
class _Run:
    """State shared by the chunks of one run (one event loop, so no lock is needed)."""

    client: ModelClient
    total: int
    on_progress: Callable[[str], None] | None
    semaphore: asyncio.Semaphore
    use_schema: bool = True  # json_schema until the API refuses it, then json_object
    auth_error: ModelAuthError | None = None
    requests: int = 0
    usage: Usage = dataclasses.field(default_factory=Usage)
    notes: list[str] = dataclasses.field(default_factory=list)

    def progress(self, text: str) -> None:
        if self.on_progress is not None:
            self.on_progress(text)


@dataclasses.dataclass(frozen=True)
class _ChunkOutcome:
    chunk: Chunk
    raw: tuple[RawFinding, ...] = ()
    note: str | None = None  # why this chunk has no comments (the chunk not named: `_grouped`)
    failure: FailureKind | None = None
    invalid: int = 0  # findings dropped one by one as not matching the schema


def _one_line(error: BaseException) -> str:
    return ' '.join(str(error).split()) or type(error).__name__


def _mentions_format(error: ModelRejected) -> bool:
    text = str(error).lower()
    return any(word in text for word in ('response_format', 'json_schema', 'schema'))


async def _call(run: _Run, messages: list[dict[str, Any]], response_format: dict[str, Any]) -> Completion:
    run.requests += 1
    completion = await run.client.chat(messages, response_format=response_format)
    run.usage = run.usage + completion.usage
    return completion


async def _send(run: _Run, chunk: Chunk, retry_reason: str | None) -> Completion:
    messages = build_messages(chunk, retry_reason)
    if not run.use_schema:
        return await _call(run, messages, json_object_format())
    try:
        return await _call(run, messages, json_schema_format())
    except ModelRejected as e:
        if not _mentions_format(e):
            raise
        if run.use_schema:
            run.use_schema = False
            run.notes.append(f'the API refused structured output ({_one_line(e)}); used json_object instead')
        return await _call(run, messages, json_object_format())


async def _ask(run: _Run, chunk: Chunk) -> tuple[list[RawFinding], int]:
    """The chunk's findings and the invalid ones dropped; one retry when the answer is unusable,
    then MalformedOutput."""
    reason: str | None = None
    for _ in range(2):
        completion = await _send(run, chunk, reason)
        try:
            return parse_findings(completion)
        except MalformedOutput as e:
            reason = e.reason
    raise MalformedOutput(reason or 'model output was unusable')


async def _review_chunk(run: _Run, chunk: Chunk) -> _ChunkOutcome:
    async with run.semaphore:
        if run.auth_error is not None:  # the key is bad for every request: do not send more
            return _ChunkOutcome(chunk, note=f'not sent: {_one_line(run.auth_error)}',
                                 failure='auth')
        run.progress(f'review {chunk.index}/{run.total}: {", ".join(chunk.paths)}')
        try:
            raw, invalid = await _ask(run, chunk)
        except ModelAuthError as e:
            run.auth_error = e
            return _ChunkOutcome(chunk, note=_one_line(e), failure='auth')
        except ModelError as e:
            return _ChunkOutcome(chunk, note=f'request failed: {_one_line(e)}',
                                 failure=failure_kind(e))
        except MalformedOutput as e:
            return _ChunkOutcome(chunk, note=e.reason, failure='model')
    run.progress(f'review {chunk.index}/{run.total}: {len(raw)} finding(s)')
    return _ChunkOutcome(chunk, raw=tuple(raw), invalid=invalid)


def _grouped(outcomes: Sequence[_ChunkOutcome]) -> list[str]:
    """One note per reason: twenty chunks failing on the same outage are one line, not twenty."""
    by_reason: dict[str, list[Chunk]] = {}
    for outcome in outcomes:
        if outcome.note:
            by_reason.setdefault(outcome.note, []).append(outcome.chunk)
    notes = []
    for reason, chunks in by_reason.items():
        if len(chunks) == 1:
            notes.append(f'no comments for {chunks[0].label()}: {reason}')
        else:
            shown = ', '.join(str(c.index) for c in chunks[:5]) + (f' and {len(chunks) - 5} more' if len(chunks) > 5 else '')
            notes.append(f'no comments for {len(chunks)} chunks ({shown}): {reason}')
    return notes


def _anchor_all(
    outcomes: Sequence[_ChunkOutcome],
    changes: Sequence[FileChange],
    sources: Mapping[str, SourceFile],
    dropped: collections.Counter[str],
) -> list[Finding]:
    change_paths = frozenset(c.path for c in changes)
    file_lines = {path: split_lines(source.text) for path, source in sources.items()}
    findings: list[Finding] = []
    for outcome in outcomes:
        dropped['invalid'] += outcome.invalid
        for raw in outcome.raw:
            result = anchor(raw, outcome.chunk, change_paths, file_lines)
            if isinstance(result, str):
                dropped[result] += 1
            else:
                findings.append(result)
    return findings


def _finish(findings: list[Finding], dropped: collections.Counter[str], max_per_file: int, max_total: int) -> tuple[Finding, ...]:
    unique, duplicates = dedupe(findings)
    kept, over_cap = apply_caps(unique, max_per_file, max_total)
    dropped['duplicate'] += duplicates
    dropped['cap'] += over_cap
    return tuple(kept)


async def review_comments(
    client: ModelClient,
    changes: Sequence[FileChange],
    sources: Mapping[str, SourceFile],
    *,
    budget_tokens: int = 6000,
    max_per_file: int = 10,
    max_total: int = 30,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    on_progress: Callable[[str], None] | None = None,
    removed_lines: Mapping[str, RemovedLines] | None = None,
) -> CommentsResult:
    """Review the changed hunks; never raises for a failed request or a bad answer.

    ``budget_tokens`` bounds each request's user message (the diff and its wrapper); the system
    prompt comes on top. ``removed_lines`` (path → new line number → removed text before it)
    lets the model also see what was deleted; without it only new-side lines are shown.
    """
    body_budget = max(budget_tokens - user_message_overhead(), MIN_BODY_BUDGET)
    plan = plan_chunks(changes, sources, body_budget=body_budget, exclude=exclude, removed_lines=removed_lines)
    run = _Run(client, len(plan.chunks), on_progress, asyncio.Semaphore(MAX_CONCURRENT))
    outcomes = await asyncio.gather(*(_review_chunk(run, chunk) for chunk in plan.chunks))
    dropped: collections.Counter[str] = collections.Counter()
    findings = _finish(_anchor_all(outcomes, changes, sources, dropped), dropped, max_per_file, max_total)
    notes = [*plan.notes, *run.notes, *_grouped(outcomes)]
    return CommentsResult(
        findings=findings,
        dropped={reason: n for reason, n in dropped.items() if n},
        notes=tuple(notes),
        usage=run.usage,
        requests=run.requests,
        chunks=len(plan.chunks),
        failures=tuple(o.failure for o in outcomes if o.failure is not None),
    )


# ---------------------------------------------------------------- output helpers

def _suggestion_diff(f: Finding, source_lines: Sequence[str] | None) -> list[str]:
    first = f.start_line or f.line
    count = f.line - first + 1
    old = [line.rstrip('\r\n') for line in source_lines[first - 1:f.line]] if source_lines is not None else []
    new = f.suggestion.split('\n') if f.suggestion else []
    out = [f'  @@ -{first},{count} +{first},{len(new)} @@']
    out += [f'  -{line}' for line in old]
    out += [f'  +{line}' for line in new]
    return out


def format_finding(f: Finding, source_lines: Sequence[str] | None) -> str:
    """``path:line: severity: message`` (line = first line of the range), the suggestion as a diff under it.

    ``source_lines`` are the file's lines (index 0 = line 1); without them only '+' lines show.
    """
    head = f'{f.path}:{f.start_line or f.line}: {f.severity}: {f.message}'
    if f.suggestion is None:
        return head
    return '\n'.join([head, *_suggestion_diff(f, source_lines)])


def findings_json(result: CommentsResult) -> dict[str, Any]:
    return {
        'findings': [dataclasses.asdict(f) for f in result.findings],
        'dropped': dict(result.dropped),
        'notes': list(result.notes),
        'usage': dataclasses.asdict(result.usage),
        'requests': result.requests,
    }


def worst_severity(findings: Sequence[Finding]) -> str | None:
    if not findings:
        return None
    return max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__)


def fails(findings: Sequence[Finding], fail_on: str) -> bool:
    """For ``--fail-on``: whether a finding of ``fail_on`` severity or worse exists."""
    if fail_on not in SEVERITY_RANK:
        raise UsageError(f'--fail-on takes error, warning or info, not {fail_on!r}')
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in findings)
