"""Review stage, part 1: which files are reviewed and how their hunks are packed into requests.

Each hunk is rendered with new-file line numbers so the model can anchor findings, plus a few
lines of surrounding context. Hunks are packed into chunks that fit a token budget; a hunk is
never cut in half (only an absurdly large one is truncated, with a note).
"""
from __future__ import annotations

import dataclasses
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
ABSURD_FACTOR = 4  # a hunk over this many budgets is truncated rather than sent whole
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

    @property
    def start(self) -> int:
        return self.view.hunks[self.idx][0]

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
    # A truncated hunk shows no context after it.
    return item.view.context_end(item.idx) if item.end == item.full_end else item.end


def _render_piece(item: _Item, prev: _Item | None) -> str:
    """One hunk's text; ``prev`` (the item before it in the chunk) decides headers and context."""
    view = item.view
    same_file = prev is not None and prev.view is view
    out = [] if same_file else [f'FILE: {view.change.path}']
    shown_until = _shown_until(prev) if same_file and prev is not None else 0
    header = f'@@ new lines {item.start}-{item.end} @@'
    if item.end < item.full_end:
        header = f'@@ new lines {item.start}-{item.end} (hunk goes on to {item.full_end}, not shown) @@'
    out.append(header)
    first = max(1, item.start - CONTEXT_LINES, shown_until + 1)
    out.extend(_numbered(n, '~', view.lines[n - 1]) for n in range(first, item.start))
    out.extend(_hunk_body(view, item.start, item.end))
    if item.end == item.full_end:
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


def _truncate(item: _Item, limit: int) -> _Item:
    """The longest prefix of the hunk whose text fits ``limit`` tokens (at least one line)."""
    lo, hi = item.start, item.full_end
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if estimate_tokens(_render_piece(dataclasses.replace(item, end=mid), None)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return dataclasses.replace(item, end=lo)


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


def _prepare_items(views: Sequence[_FileView], budget: int) -> list[_Item]:
    items: list[_Item] = []
    for view in views:
        for idx, (_, end) in enumerate(view.hunks):
            item = _Item(view, idx, end)
            if estimate_tokens(_render_piece(item, None)) > budget * ABSURD_FACTOR:
                item = _truncate(item, budget * ABSURD_FACTOR)
            items.append(item)
    return items


def _make_chunk(index: int, group: Sequence[_Item]) -> tuple[Chunk, list[str]]:
    text = ''.join(_render_piece(item, group[i - 1] if i else None) for i, item in enumerate(group))
    hunks = tuple(HunkView(i.view.change.path, i.start, i.end, i.full_end) for i in group)
    chunk = Chunk(index, text, hunks)
    notes = [
        f'{chunk.label()}: the hunk at lines {h.start}-{h.full_end} of {h.path} is too large to '
        f'review whole; only lines {h.start}-{h.end} were sent'
        for h in hunks if h.end < h.full_end
    ]
    return chunk, notes


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
    for index, group in enumerate(_pack(_prepare_items(views, budget), budget), start=1):
        chunk, chunk_notes = _make_chunk(index, group)
        chunks.append(chunk)
        notes.extend(chunk_notes)
    return ChunkPlan(tuple(chunks), tuple(notes))
