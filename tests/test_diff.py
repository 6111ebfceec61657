from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codestral_bot.diff import parse_diff
from codestral_bot.errors import GitError
from codestral_bot.sinks.patch import unified_diff

_lines = st.lists(st.sampled_from(['a\n', 'b\n', 'c\n', 'def f():\n', '    pass\n', '\n', 'x = 1\r\n']), max_size=30)


@given(_lines, _lines)
def test_added_lines_and_hunks_match_the_new_text(old: list[str], new: list[str]) -> None:
    old_text, new_text = ''.join(old), ''.join(new)
    diff = unified_diff('m.py', old_text, new_text)
    if not diff:
        assert old_text == new_text
        return
    (change,) = parse_diff(diff.encode())
    assert change.path == 'm.py'
    assert all(1 <= n <= len(new) for n in change.added_lines)
    for start, end in change.hunks:
        assert 1 <= start <= end <= len(new)
    assert all(change.hunk_of(n) is not None for n in change.added_lines)
    # the lines not marked added are old lines, kept in order: a subsequence of the old text
    kept = iter(old)
    assert all(any(line == o for o in kept) for i, line in enumerate(new, 1) if i not in change.added_lines)


def test_a_broken_diff_is_one_clear_error() -> None:
    with pytest.raises(GitError, match='cannot read the diff'):
        parse_diff(b'--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n x\n')
