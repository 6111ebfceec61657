"""Proposed edits as a unified diff that ``git apply`` accepts (CRLF and missing final newlines kept)."""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from codestral_bot.atomic import write_atomic
from codestral_bot.sinks.base import Record
from codestral_bot.sinks.base import RunReport

__all__ = ['PatchSink', 'unified_diff', 'write_patch']

_NO_EOL = '\\ No newline at end of file\n'


def _lines(text: str) -> list[str]:
    """Lines as git sees them: only \\n ends a line (\\r and \\f are content)."""
    parts = text.split('\n')
    lines = [p + '\n' for p in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def _line(mark: str, line: str) -> str:
    return f'{mark}{line}' if line.endswith('\n') else f'{mark}{line}\n{_NO_EOL}'


def _range(start: int, length: int) -> str:
    # git's form: a range of 0 lines names the line before it
    return f'{start + 1 if length else start},{length}' if length != 1 else f'{start + 1}'


def unified_diff(path: str, old: str, new: str, context: int = 3) -> str:
    a = _lines(old)
    b = _lines(new)
    out = [f'diff --git a/{path} b/{path}\n', f'--- a/{path}\n', f'+++ b/{path}\n']
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f'@@ -{_range(i1, i2 - i1)} +{_range(j1, j2 - j1)} @@\n')
        for tag, x1, x2, y1, y2 in group:
            if tag == 'equal':
                out += [_line(' ', line) for line in a[x1:x2]]
                continue
            out += [_line('-', line) for line in a[x1:x2]]
            out += [_line('+', line) for line in b[y1:y2]]
    return ''.join(out) if len(out) > 3 else ''


def write_patch(target: Path, diffs: Iterable[str]) -> None:
    """Atomically write the patch (bytes as they are: CRLF lines stay CRLF for ``git apply``)."""
    data = ''.join(diffs).encode('utf-8', 'surrogateescape')
    write_atomic(target.resolve(), data)


class PatchSink:
    """``--patch FILE``: the proposed edits for ``git apply`` (an empty file when there are none)."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def emit(self, record: Record) -> None:
        pass  # the edits come whole, per file, in the report

    def finish(self, report: RunReport) -> None:
        write_patch(self.target, (e.diff for e in report.edits if e.source.path not in report.applied))
