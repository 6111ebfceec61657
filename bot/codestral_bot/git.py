"""Every git call the bot makes: the root, the diff under review, and file contents.

The diff text comes from ``git diff`` (plain subprocess: it is on the hook's hot path and must
not wait for GitPython's import); blobs and refs go through GitPython, loaded only when a file
actually needs reading from the index or a ref has to be resolved.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Literal

from codestral_bot.errors import GitError
from codestral_bot.util import cmd_output

if TYPE_CHECKING:
    import git as gitpython

__all__ = [
    'DiffMode',
    'diff_text',
    'merge_base',
    'read_blob_at',
    'read_index_blob',
    'repo_root',
    'untracked_files',
]

DiffMode = Literal['worktree', 'staged', 'base']

# Flags that make `git diff` output the same whatever the user's configuration says.
_DIFF_FLAGS = (
    '--no-ext-diff', '--no-color', '--no-textconv', '--find-renames',
    '--src-prefix=a/', '--dst-prefix=b/', '--unified=3', '--no-relative',
)


def _git(*args: str, cwd: str | Path) -> bytes:
    _, out, _ = cmd_output(('git', '-c', 'core.quotepath=off', *args), cwd=str(cwd))
    return out


def repo_root(cwd: str | Path = '.') -> Path:
    code, out, _ = cmd_output(('git', 'rev-parse', '--show-toplevel'), cwd=str(cwd), check=False)
    if code != 0:
        raise GitError(f'{os.path.abspath(cwd)} is not inside a git repository (run `git init` or cd into one)')
    return Path(out.decode().strip())


def _has_head(root: Path) -> bool:
    code, _, _ = cmd_output(('git', 'rev-parse', '--verify', '--quiet', 'HEAD'), cwd=str(root), check=False)
    return code == 0


@functools.cache
def _empty_tree(root: Path) -> str:
    # The empty tree's id depends on the repository's hash algorithm (sha1 or sha256).
    return _git('hash-object', '-t', 'tree', os.devnull, cwd=root).decode().strip()


def _base_commit(root: Path, ref: str) -> str:
    code, out, err = cmd_output(('git', 'merge-base', ref, 'HEAD'), cwd=str(root), check=False)
    if code != 0:
        code2, _, _ = cmd_output(('git', 'rev-parse', '--verify', '--quiet', f'{ref}^{{commit}}'),
                                 cwd=str(root), check=False)
        if code2 != 0:
            raise GitError(f'--base {ref}: no such branch, tag or commit')
        raise GitError(f'--base {ref}: it has no common ancestor with HEAD')
    return out.decode().strip()


def merge_base(root: Path, ref: str) -> str:
    """The commit ``--base REF`` compares with: merge-base(REF, HEAD)."""
    return _base_commit(root, ref)


def read_blob_at(root: Path, rev: str, path: str) -> bytes | None:
    """``path`` as commit ``rev`` has it; None when it has no such file (or there is no commit yet)."""
    code, out, _ = cmd_output(('git', 'cat-file', 'blob', f'{rev}:{path}'), cwd=str(root), check=False)
    return out if code == 0 else None


def diff_text(root: Path, mode: DiffMode, base: str | None = None,
              paths: Sequence[str] = ()) -> bytes:
    """The unified diff under review: worktree vs HEAD, index vs HEAD, or merge-base(base) vs worktree."""
    args = ['diff', *_DIFF_FLAGS]
    if mode == 'staged':
        # With no commit yet, `--cached` alone compares with the empty tree: one git call, not two.
        return _git(*args, '--cached', '--', *paths, cwd=root)
    if mode == 'base':
        assert base is not None
        return _git(*args, _base_commit(root, base), '--', *paths, cwd=root)
    against = 'HEAD' if _has_head(root) else _empty_tree(root)
    return _git(*args, against, '--', *paths, cwd=root)


def untracked_files(root: Path, paths: Sequence[str] = ()) -> list[str]:
    """New files git does not track yet and does not ignore: wholly added, for a review by hand."""
    out = _git('ls-files', '-z', '--others', '--exclude-standard', '--', *paths, cwd=root)
    return [p for p in out.decode('utf-8', 'surrogateescape').split('\0') if p]


@functools.cache
def _repo(root: Path) -> gitpython.Repo:
    import git as gitpython  # GitPython costs ~100 ms to import: only when a blob is needed

    return gitpython.Repo(root)


def read_index_blob(root: Path, path: str) -> bytes | None:
    """The staged content of ``path``, or None when the index has no such file."""
    try:
        repo = _repo(root)
        entry = repo.index.entries.get((path, 0))
    except Exception:  # an index GitPython cannot read (split, sparse, v4): ask git itself
        code, out, _ = cmd_output(('git', 'cat-file', 'blob', f':{path}'), cwd=str(root), check=False)
        return out if code == 0 else None
    if entry is None:
        return None
    data: bytes = repo.odb.stream(entry.binsha).read()
    return data


def index_mode(root: Path, path: str) -> int | None:
    entry = _repo(root).index.entries.get((path, 0))
    return None if entry is None else int(entry.mode)
