"""Review stage, part 1: which files are reviewed and how their hunks are packed into requests.

Each hunk is rendered with new-file line numbers so the model can anchor findings, plus a few
lines of surrounding context. Hunks are packed into chunks that fit a token budget. A hunk larger
than the budget (a new 3,000-line file) is split into parts at definition or blank-line
boundaries, each part repeating the last few lines of the one before, so every added line is
reviewed and every request stays under budget; a line that cannot fit even alone is counted and
named in a note, never silently dropped.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from collections.abc import Sequence

from codestral_bot.globs import DEFAULT_EXCLUDE
from codestral_bot.globs import matches as is_excluded
from codestral_bot.records import FileChange
from codestral_bot.records import SourceFile
from codestral_bot.tokens import estimate_tokens

__all__ = [
    'ABSURD_FACTOR',
    'CONTEXT_LINES',
    'DEFAULT_EXCLUDE',
    'Chunk',
    'ChunkPlan',
    'HunkView',
    'RemovedLines',
    'is_excluded',
    'plan_chunks',
    'split_lines',
]

CONTEXT_LINES = 3  # surrounding lines shown outside each hunk, marked '~'
ABSURD_FACTOR = 4  # kept for importers; hunks over the budget are now split, not truncated
OVERLAP_LINES = 3  # lines a part of a split hunk repeats from the part before it
# A line where a definition starts (Python, JS/TS, Go, Rust, Java): the best place to split a hunk.
_DEFINITION = re.compile(
    r'\s*(?:@|(?:async\s+)?def\s|class\s|func\s|fn\s|function\b|(?:export\s+)?(?:default\s+)?(?:async\s+)?function\b|'
    r'(?:pub(?:\([\w:]+\))?\s+)?(?:fn|struct|enum|impl|trait|mod|type)\s|'
    r'(?:public|private|protected|static|final|abstract|interface|export|const|let|var)\s)')
MAX_LINE_CHARS = 400  # minified or generated lines say nothing more past this

# Per file: new-file line number → the removed lines that stood just before it.
RemovedLines = Mapping[int, Sequence[str]]


@dataclasses.dataclass(frozen=True)
class HunkView:
    """A hunk as sent: ``start..end`` are the new-side lines shown (all of them unless truncated)."""

    path: str
    start: int
    end: int
    full_end: int  # the hunk's real last line; > end when truncated


@dataclasses.dataclass(frozen=True)
class Chunk:
    index: int  # 1-based, in request order
    text: str  # the rendered diff: data for the model, never instructions
    hunks: tuple[HunkView, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.path for h in self.hunks))

    def label(self) -> str:
        paths = self.paths
        shown = ', '.join(paths[:2]) + (f' and {len(paths) - 2} more' if len(paths) > 2 else '')
        return f'chunk {self.index} ({shown})'


@dataclasses.dataclass(frozen=True)
class ChunkPlan:
    chunks: tuple[Chunk, ...]
    notes: tuple[str, ...]


# ---------------------------------------------------------------- rendering

def split_lines(text: str) -> list[str]:
    """The file's lines without their endings (str.splitlines would also split on \\f, \\x1c...)."""
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return [line.removesuffix('\r') for line in lines]


@dataclasses.dataclass(frozen=True)
class _FileView:
    change: FileChange
    lines: tuple[str, ...]
    removed: RemovedLines
    hunks: tuple[tuple[int, int], ...]  # clipped to the file, sorted

    def context_end(self, idx: int) -> int:
        # Surrounding lines after a hunk stop before the next hunk, so no line is shown twice.
        limit = self.hunks[idx + 1][0] - 1 if idx + 1 < len(self.hunks) else len(self.lines)
        return min(self.hunks[idx][1] + CONTEXT_LINES, limit)


@dataclasses.dataclass(frozen=True)
class _Item:
    view: _FileView
    idx: int  # which hunk of the file
    end: int  # last line shown (the hunk's end unless truncated)
    first: int = 0  # first line shown, when this is a part of a split hunk (0: the hunk's start)
    bare: bool = False  # a part of a split hunk: no surrounding context (the overlap gives it)

    @property
    def start(self) -> int:
        return self.first or self.view.hunks[self.idx][0]

    @property
    def is_part(self) -> bool:
        return self.bare

    @property
    def full_end(self) -> int:
        return self.view.hunks[self.idx][1]


def _numbered(n: int, mark: str, text: str) -> str:
    if len(text) > MAX_LINE_CHARS:
        text = text[:MAX_LINE_CHARS] + ' [line cut]'
    return f'{n:>5} {mark} {text}' if n else f'{"":>5} {mark} {text}'


def _hunk_body(view: _FileView, start: int, end: int) -> list[str]:
    out: list[str] = []
    for n in range(start, end + 1):
        out.extend(_numbered(0, '-', text) for text in view.removed.get(n, ()))
        out.append(_numbered(n, '+' if n in view.change.added_lines else ' ', view.lines[n - 1]))
    out.extend(_numbered(0, '-', text) for text in view.removed.get(end + 1, ()))
    return out


def _shown_until(item: _Item) -> int:
    # A part of a split hunk shows no context after it.
    return item.view.context_end(item.idx) if item.end == item.full_end and not item.bare else item.end


def _render_piece(item: _Item, prev: _Item | None) -> str:
    """One hunk's text; ``prev`` (the item before it in the chunk) decides headers and context."""
    view = item.view
    same_file = prev is not None and prev.view is view
    out = [] if same_file else [f'FILE: {view.change.path}']
    shown_until = _shown_until(prev) if same_file and prev is not None else 0
    header = f'@@ new lines {item.start}-{item.end} @@'
    hunk_start = view.hunks[item.idx][0]
    if item.is_part:
        header = f'@@ new lines {item.start}-{item.end} (part of the hunk at lines {hunk_start}-{item.full_end}) @@'
    out.append(header)
    if item.start == hunk_start and not item.bare:
        first = max(1, item.start - CONTEXT_LINES, shown_until + 1)
        out.extend(_numbered(n, '~', view.lines[n - 1]) for n in range(first, item.start))
    out.extend(_hunk_body(view, item.start, item.end))
    if item.end == item.full_end and not item.bare:
        last = view.context_end(item.idx)
        out.extend(_numbered(n, '~', view.lines[n - 1]) for n in range(item.end + 1, last + 1))
    return '\n'.join(out) + '\n\n'


# ---------------------------------------------------------------- planning

def _file_view(change: FileChange, source: SourceFile, removed: RemovedLines) -> _FileView | None:
    lines = tuple(split_lines(source.text))
    hunks = sorted((s, min(e, len(lines))) for s, e in change.hunks)
    kept = tuple((s, e) for s, e in hunks if 1 <= s <= e)
    return _FileView(change, lines, removed, kept) if kept else None


def _file_views(
    changes: Sequence[FileChange],
    sources: Mapping[str, SourceFile],
    exclude: Sequence[str],
    removed_lines: Mapping[str, RemovedLines],
) -> tuple[list[_FileView], list[str]]:
    views: list[_FileView] = []
    excluded: list[str] = []
    missing: list[str] = []
    for change in changes:
        if change.status in ('deleted', 'binary') or not change.hunks:
            continue
        if is_excluded(change.path, exclude):
            excluded.append(change.path)
        elif change.path not in sources:
            missing.append(change.path)
        else:
            view = _file_view(change, sources[change.path], removed_lines.get(change.path, {}))
            if view is not None:
                views.append(view)
    notes = [f'not reviewed (excluded): {", ".join(excluded)}'] if excluded else []
    notes += [f'not reviewed (file text not available): {", ".join(missing)}'] if missing else []
    return views, notes


def _cost(item: _Item) -> int:
    return estimate_tokens(_render_piece(item, None))


def _fitting_end(item: _Item, limit: int) -> int:
    """The last line ``e`` such that the part ``item.start..e`` fits ``limit`` (start - 1: none)."""
    lo, hi = item.start - 1, item.full_end
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _cost(dataclasses.replace(item, end=mid)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _cut_at(view: _FileView, start: int, end: int) -> int:
    """Where a part from ``start`` that may reach ``end`` should stop: before a definition, else
    after a blank line, in the part's second half; else at ``end``."""
    floor = start + (end - start) // 2
    for wanted in (_DEFINITION, None):
        for line in range(end, floor - 1, -1):
            after = view.lines[line] if line < len(view.lines) else ''
            if wanted is not None and wanted.match(after):
                return line
            if wanted is None and not view.lines[line - 1].strip():
                return line
    return end


def _split(item: _Item, budget: int) -> tuple[list[_Item], list[int]]:
    """Parts of an over-budget hunk, each within budget, and the lines no part could hold."""
    parts: list[_Item] = []
    unsent: list[int] = []
    start = item.start
    while start <= item.full_end:
        probe = dataclasses.replace(item, first=start, end=start, bare=True)
        end = _fitting_end(probe, budget)
        if end < start:
            unsent.append(start)
            start += 1
            continue
        if end < item.full_end:
            end = _cut_at(item.view, start, end)
        parts.append(dataclasses.replace(probe, end=end))
        if end == item.full_end:
            break
        start = end + 1 - min(OVERLAP_LINES, (end - start) // 3)  # small parts overlap less
    return parts, unsent


def _ranges(lines: Sequence[int]) -> str:
    spans: list[list[int]] = []
    for n in lines:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ', '.join(f'{a}' if a == b else f'{a}-{b}' for a, b in spans)


def _pack(items: Sequence[_Item], budget: int) -> list[list[_Item]]:
    # Summed per-piece estimates never undercount the estimate of the joined text (ceil).
    groups: list[list[_Item]] = []
    current: list[_Item] = []
    used = 0
    for item in items:
        cost = estimate_tokens(_render_piece(item, current[-1] if current else None))
        if current and used + cost > budget:
            groups.append(current)
            current, used = [], 0
            cost = estimate_tokens(_render_piece(item, None))
        current.append(item)
        used += cost
    return groups + ([current] if current else [])


def _prepare_items(views: Sequence[_FileView], budget: int) -> tuple[list[_Item], list[str]]:
    items: list[_Item] = []
    notes: list[str] = []
    for view in views:
        unsent: list[int] = []
        for idx, (_, end) in enumerate(view.hunks):
            item = _Item(view, idx, end)
            if _cost(item) <= budget:
                items.append(item)
                continue
            parts, lost = _split(item, budget)
            items.extend(parts)
            unsent.extend(lost)
        if unsent:
            noun = 'line' if len(unsent) == 1 else 'lines'
            notes.append(f'not reviewed: {len(unsent)} {noun} of {view.change.path} too long to send '
                         f'within the request budget (lines {_ranges(unsent)})')
    return items, notes


def _make_chunk(index: int, group: Sequence[_Item]) -> tuple[Chunk, list[str]]:
    text = ''.join(_render_piece(item, group[i - 1] if i else None) for i, item in enumerate(group))
    hunks = tuple(HunkView(i.view.change.path, i.start, i.end, i.full_end) for i in group)
    return Chunk(index, text, hunks), []


def plan_chunks(
    changes: Sequence[FileChange],
    sources: Mapping[str, SourceFile],
    *,
    body_budget: int,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    removed_lines: Mapping[str, RemovedLines] | None = None,
) -> ChunkPlan:
    """Render the reviewable hunks and pack them, file by file, into chunks of ``body_budget`` tokens."""
    views, notes = _file_views(changes, sources, exclude, removed_lines or {})
    budget = max(body_budget, 1)
    chunks: list[Chunk] = []
    items, split_notes = _prepare_items(views, budget)
    notes.extend(split_notes)
    for index, group in enumerate(_pack(items, budget), start=1):
        chunk, chunk_notes = _make_chunk(index, group)
        chunks.append(chunk)
        notes.extend(chunk_notes)
    return ChunkPlan(tuple(chunks), tuple(notes))
