from __future__ import annotations

from pathlib import Path

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


@given(st.text(min_size=1))
def test_quoted_names_round_trip(name: str) -> None:
    from codestral_bot.diff import quote_path
    from codestral_bot.diff import unquote_path

    quoted = quote_path(name)
    assert unquote_path(quoted.encode('utf-8', 'surrogateescape')) == name
    assert quoted == name or (quoted.startswith('"') and quoted.isascii())


def test_content_that_looks_like_headers_stays_content(tmp_path: Path) -> None:
    import subprocess

    from tests.repo_util import cli_env

    old = 'keep\n-- old\n++ old\ndiff --git a/x b/x\n'
    new = 'keep\n-- new\n++ new\ndiff --git a/y b/y\n@@ -1 +1 @@\n'
    (tmp_path / 'a').write_text(old)
    (tmp_path / 'b').write_text(new)
    diff = subprocess.run(['git', 'diff', '--no-index', '--src-prefix=a/', '--dst-prefix=b/', 'a', 'b'],
                          cwd=tmp_path, capture_output=True, env=cli_env()).stdout
    (change,) = parse_diff(diff)
    assert change.added_lines == frozenset({2, 3, 4, 5})
    assert change.removed == {2: ('-- old', '++ old', 'diff --git a/x b/x')}


def test_renames_mode_changes_and_empty_files(tmp_path: Path) -> None:
    diff = (b'diff --git "a/old\\tname.py" "b/new\\tname.py"\nsimilarity index 90%\n'
            b'rename from "old\\tname.py"\nrename to "new\\tname.py"\n'
            b'diff --git a/run me.sh b/run me.sh\nold mode 100644\nnew mode 100755\n'
            b'diff --git a/empty.py b/empty.py\nnew file mode 100644\nindex 0000000..e69de29\n'
            b'diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n+++ /dev/null\n'
            b'@@ -1 +0,0 @@\n-x\n')
    changes = parse_diff(diff)
    assert [(c.path, c.old_path, c.status) for c in changes] == [
        ('new\tname.py', 'old\tname.py', 'renamed'),
        ('run me.sh', 'run me.sh', 'modified'),
        ('empty.py', None, 'added'),
        ('gone.py', 'gone.py', 'deleted'),
    ]
