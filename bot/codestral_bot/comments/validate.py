"""Review stage, part 3: anchor the model's findings to the diff, or drop them.

A finding is only shown where it can be trusted to point: a path of the change, a range inside
one hunk that was sent. Everything else is counted, never shown as if anchored.
"""
from __future__ import annotations

import collections
import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Literal
from typing import cast

from codestral_bot.comments.chunks import Chunk
from codestral_bot.comments.prompt import RawFinding
from codestral_bot.records import Finding

__all__ = [
    'MAX_MESSAGE_CHARS',
    'SEVERITY_RANK',
    'anchor',
    'apply_caps',
    'clean_message',
    'dedupe',
]

SEVERITY_RANK = {'info': 0, 'warning': 1, 'error': 2}
MAX_MESSAGE_CHARS = 400
Severity = Literal['error', 'warning', 'info']

# A sentence ends at . ! or ? followed by space and what starts a new sentence.
_SENTENCE_BREAK = re.compile(r'(?<=[.!?])\s+(?=[A-Z`"\'(\[])')
# A line copied from our rendering ("  12 + code"): not code the file could hold.
_RENDERED_LINE = re.compile(r'^\s*\d+ [-+~ ] ')


def clean_message(text: str) -> str:
    """One line, at most two sentences and MAX_MESSAGE_CHARS characters."""
    flat = ' '.join(text.split())
    short = ' '.join(_SENTENCE_BREAK.split(flat)[:2])
    if len(short) > MAX_MESSAGE_CHARS:
        short = short[:MAX_MESSAGE_CHARS - 1].rstrip() + '…'
    return short


def _normalize_path(path: str, known: Iterable[str]) -> str:
    path = path.strip().replace('\\', '/')
    while path.startswith('./'):
        path = path[2:]
    known_set = set(known)
    if path not in known_set and path[:2] in ('a/', 'b/') and path[2:] in known_set:
        path = path[2:]  # copied from a git diff header
    return path.lstrip('/') if path.lstrip('/') in known_set else path


def _drop_reason(path: str, start: int, end: int, chunk: Chunk, change_paths: frozenset[str]) -> str | None:
    if path not in change_paths:
        return 'unknown path'
    inside = any(h.path == path and h.start <= start and end <= h.end for h in chunk.hunks)
    return None if inside else 'outside diff'


def _clean_suggestion(text: str, lines: Sequence[str], start: int, end: int) -> str | None:
    """The suggestion if it replaces exactly lines start..end with something new, else None."""
    text = text.replace('\r\n', '\n')
    text = text.removesuffix('\n')
    new = text.split('\n') if text else []
    current = list(lines[start - 1:end])
    if any(_RENDERED_LINE.match(line) for line in new) or '```' in text:
        return None
    if [line.rstrip() for line in new] == [line.rstrip() for line in current]:
        return None
    if new and current and _spills_over(new, current, lines, start, end):
        return None
    return text


def _spills_over(new: list[str], current: list[str], lines: Sequence[str], start: int, end: int) -> bool:
    # Repeating the line just outside the range would duplicate it once applied.
    before = lines[start - 2].rstrip() if start >= 2 else None
    after = lines[end].rstrip() if end < len(lines) else None
    head, tail = new[0].rstrip(), new[-1].rstrip()
    starts_early = bool(before) and head == before and head != current[0].rstrip()
    ends_late = bool(after) and tail == after and tail != current[-1].rstrip()
    return starts_early or ends_late


def anchor(
    raw: RawFinding,
    chunk: Chunk,
    change_paths: frozenset[str],
    file_lines: Mapping[str, Sequence[str]],
) -> Finding | str:
    """The anchored ``Finding``, or the reason it is dropped ('unknown path', 'outside diff')."""
    path = _normalize_path(raw.path, change_paths)
    start, end = sorted((raw.line, raw.end_line or raw.line))
    reason = _drop_reason(path, start, end, chunk, change_paths)
    if reason is not None:
        return reason
    suggestion = raw.suggestion
    if suggestion is not None:
        suggestion = _clean_suggestion(suggestion, file_lines.get(path, ()), start, end)
    return Finding(
        path=path,
        line=end,
        start_line=start if end > start else None,
        severity=cast(Severity, raw.severity),
        message=clean_message(raw.message),
        suggestion=suggestion,
    )


def _dedupe_key(f: Finding) -> tuple[str, int, int, str]:
    message = ' '.join(f.message.lower().split()).rstrip('.!')
    return (f.path, f.start_line or f.line, f.line, message)


def _better(new: Finding, old: Finding) -> bool:
    rank_new, rank_old = SEVERITY_RANK[new.severity], SEVERITY_RANK[old.severity]
    return rank_new > rank_old or (rank_new == rank_old and old.suggestion is None and new.suggestion is not None)


def dedupe(findings: Iterable[Finding]) -> tuple[list[Finding], int]:
    """Findings with the same path, range and message merged; keeps the more severe one."""
    kept: dict[tuple[str, int, int, str], Finding] = {}
    duplicates = 0
    for f in findings:
        key = _dedupe_key(f)
        if key in kept:
            duplicates += 1
            if _better(f, kept[key]):
                kept[key] = f
        else:
            kept[key] = f
    return list(kept.values()), duplicates


def apply_caps(findings: Sequence[Finding], max_per_file: int, max_total: int) -> tuple[list[Finding], int]:
    """The most severe findings within both caps (earlier first among equals); and how many went."""
    ranked = sorted(enumerate(findings), key=lambda p: (-SEVERITY_RANK[p[1].severity], p[0]))
    per_file: collections.Counter[str] = collections.Counter()
    kept: list[Finding] = []
    for _, f in ranked:
        if per_file[f.path] < max_per_file and len(kept) < max_total:
            per_file[f.path] += 1
            kept.append(f)
    kept.sort(key=lambda f: (f.path, f.start_line or f.line, f.line, -SEVERITY_RANK[f.severity]))
    return kept, len(findings) - len(kept)
