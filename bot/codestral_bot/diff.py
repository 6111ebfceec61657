"""Unified diff text → ``FileChange`` records (new-side line numbers), through unidiff."""
from __future__ import annotations

import io

from codestral_bot.errors import GitError
from codestral_bot.records import FileChange

__all__ = ['parse_diff', 'whole_file_added']


def _strip_prefix(name: str | None) -> str | None:
    if name is None or name == '/dev/null':
        return None
    return name[2:] if name[:2] in ('a/', 'b/') else name


def _file_change(patched: object) -> FileChange:
    from unidiff import PatchedFile

    assert isinstance(patched, PatchedFile)
    path = _strip_prefix(patched.target_file) or _strip_prefix(patched.source_file) or patched.path
    old_path = None if patched.is_added_file else _strip_prefix(patched.source_file)
    if patched.is_binary_file:
        status = 'binary'
    elif patched.is_removed_file:
        status = 'deleted'
    elif patched.is_added_file:
        status = 'added'
    elif patched.is_rename:
        status = 'renamed'
    else:
        status = 'modified'
    added = frozenset(
        line.target_line_no for hunk in patched for line in hunk
        if line.is_added and line.target_line_no is not None
    )
    hunks = tuple(
        (hunk.target_start, hunk.target_start + hunk.target_length - 1)
        for hunk in patched if hunk.target_length > 0
    )
    return FileChange(path=path, old_path=old_path, status=status, added_lines=added, hunks=hunks,  # type: ignore[arg-type]
                      removed=_removed_lines(patched))


def _removed_lines(patched: object) -> dict[int, tuple[str, ...]]:
    """Removed lines keyed by the new-file line they stood before (past a hunk: its end + 1)."""
    removed: dict[int, tuple[str, ...]] = {}
    for hunk in patched:  # type: ignore[attr-defined]
        pending: list[str] = []
        next_line = hunk.target_start
        for line in hunk:
            if line.is_removed:
                pending.append(line.value.rstrip('\r\n'))
            elif line.target_line_no is not None:
                if pending:
                    removed[line.target_line_no] = tuple(pending)
                    pending = []
                next_line = line.target_line_no + 1
        if pending:
            removed[next_line] = tuple(pending)
    return removed


def parse_diff(diff: bytes) -> list[FileChange]:
    """Parse ``git diff`` output. Content bytes that are not UTF-8 only matter to line counts here."""
    from unidiff import PatchSet
    from unidiff import UnidiffParseError

    text = diff.decode('utf-8', 'surrogateescape')
    try:
        return [_file_change(patched) for patched in PatchSet(io.StringIO(text))]
    except UnidiffParseError as e:
        raise GitError(f'cannot read the diff git produced: {e}') from None


def whole_file_added(path: str, line_count: int) -> FileChange:
    """An untracked file: every line is added."""
    lines = frozenset(range(1, line_count + 1))
    hunks = ((1, line_count),) if line_count else ()
    return FileChange(path=path, old_path=None, status='added', added_lines=lines, hunks=hunks)
