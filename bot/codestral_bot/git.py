"""Every git call the bot makes: the root, the diff under review, and file contents.

Plain subprocesses, no GitPython: the diff is on the hook's hot path, and GitPython re-read the
whole index for every file it was asked for (66 of 68 s on a 3,001-file change). The index is
listed once (``git ls-files -s -z``) and blobs stream through one ``git cat-file --batch``.

Names travel NUL-separated (``-z``) wherever git offers it; the diff's own headers are C-quoted by
git and unquoted by ``diff.parse_diff``. ``.gitattributes`` cannot hide a file's text: diffs are
taken with ``--no-textconv --no-ext-diff`` and files git calls binary are diffed again with
``--text`` (``diff_text_of``), blobs are read raw.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Sequence

from codestral_bot.errors import GitError
from codestral_bot.util import cmd_output
from codestral_bot.util import no_git_env

# `typing`, `pathlib` and `subprocess` cost the hook's fast path ~10 ms of imports it never uses; mypy reads
# any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from pathlib import Path
    from typing import IO
    from typing import Literal

    DiffMode = Literal['worktree', 'staged', 'base']

__all__ = [
    'BlobReader',
    'BlobTooLarge',
    'IndexEntry',
    'diff_text',
    'diff_text_of',
    'head_commit',
    'index_entries',
    'literal',
    'merge_base',
    'read_blob_at',
    'repo_files',
    'staged_diff_here',
    'repo_root',
    'untracked_files',
]

# Configuration that would change the diff's shape; set on the command line so it always wins.
_CONFIG = (
    '-c', 'core.quotepath=off', '-c', 'diff.suppressBlankEmpty=false', '-c', 'diff.noprefix=false',
)
# Flags that make `git diff` output the same whatever the user's configuration says.
_DIFF_FLAGS = (
    '--no-ext-diff', '--no-color', '--no-textconv', '--find-renames',
    '--src-prefix=a/', '--dst-prefix=b/', '--unified=3', '--no-relative',
)
MODE_SYMLINK = 0o120000
MODE_GITLINK = 0o160000


def _git(*args: str, cwd: str | Path) -> bytes:
    _, out, _ = cmd_output(('git', *_CONFIG, *args), cwd=str(cwd))
    return out


def literal(path: str) -> str:
    """A pathspec matching exactly ``path`` (no glob, whatever characters the name holds)."""
    return f':(literal){path}'


def repo_root(cwd: str | Path = '.') -> Path:
    code, out, _ = cmd_output(('git', 'rev-parse', '--show-toplevel'), cwd=str(cwd), check=False)
    if code != 0:
        raise GitError(f'{os.path.abspath(cwd)} is not inside a git repository (run `git init` or cd into one)')
    from pathlib import Path

    return Path(os.fsdecode(out.rstrip(b'\n')))


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


def _against(root: Path, mode: DiffMode, base: str | None) -> tuple[str, ...]:
    if mode == 'staged':
        # With no commit yet, `--cached` alone compares with the empty tree: one git call, not two.
        return ('--cached',)
    if mode == 'base':
        assert base is not None
        return (_base_commit(root, base),)
    return ('HEAD' if _has_head(root) else _empty_tree(root),)


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
    return _git('diff', *_DIFF_FLAGS, *_against(root, mode, base), '--', *paths, cwd=root)


def staged_diff_here(paths: Sequence[str]) -> bytes | None:
    """The staged diff of ``paths`` (relative to the current folder, as pre-commit passes them),
    in one git call and without first asking for the root; None when git fails (not a
    repository, a path outside it, no git): the caller's slow path says why."""
    args = ('git', *_CONFIG, 'diff', *_DIFF_FLAGS, '--cached', '--', *paths)
    if not hasattr(os, 'posix_spawnp'):
        code, out, _ = cmd_output(args, check=False)
        return out if code == 0 else None
    try:
        code, out = _spawn_read(args)
    except OSError:
        return None
    return out if code == 0 else None


def _spawn_read(args: Sequence[str]) -> tuple[int, bytes]:
    """Run and read stdout with posix_spawn and a pipe: importing ``subprocess`` (signal,
    threading, selectors, locale) would cost the hook's fast path more than git itself."""
    read_end, write_end = os.pipe()
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        pid = os.posix_spawnp(args[0], list(args), no_git_env(), file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, write_end, 1),
            (os.POSIX_SPAWN_DUP2, devnull, 2)])
    except OSError:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
        os.close(devnull)
    with open(read_end, 'rb') as pipe:
        out = pipe.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out


def diff_text_of(root: Path, mode: DiffMode, base: str | None, paths: Sequence[str]) -> bytes:
    """The diff of exactly ``paths`` with ``--text``: what git (or ``.gitattributes``) called binary."""
    if not paths:
        return b''
    return _git('diff', *_DIFF_FLAGS, '--text', '--no-renames', *_against(root, mode, base), '--',
                *(literal(p) for p in paths), cwd=root)


def _zsplit(out: bytes) -> list[str]:
    return [os.fsdecode(p) for p in out.split(b'\0') if p]


def untracked_files(root: Path, paths: Sequence[str] = ()) -> list[str]:
    """New files git does not track yet and does not ignore: wholly added, for a review by hand."""
    return _zsplit(_git('ls-files', '-z', '--others', '--exclude-standard', '--', *paths, cwd=root))


def head_commit(root: Path) -> str | None:
    """The commit checked out at ``root``, or None (not a repository, no commit yet)."""
    code, out, _ = cmd_output(('git', 'rev-parse', '--verify', '--quiet', 'HEAD'), cwd=str(root), check=False)
    return out.decode().strip() if code == 0 else None


def repo_files(root: Path, *, staged: bool) -> list[str]:
    """The repository's files under review: the index's, plus untracked ones when the working tree is read."""
    extra = () if staged else ('--others', '--exclude-standard')
    out = _git('ls-files', '-z', '--cached', *extra, cwd=root)
    return list(dict.fromkeys(p for p in out.decode('utf-8', 'surrogateescape').split('\0') if p))


class IndexEntry(tuple[int, str]):
    """(mode, object id) of a staged file."""

    @property
    def mode(self) -> int:
        return self[0]

    @property
    def oid(self) -> str:
        return self[1]


def index_entries(root: Path, paths: Sequence[str] = ()) -> dict[str, IndexEntry]:
    """Every stage-0 entry of the index, read once: path → (mode, object id)."""
    entries: dict[str, IndexEntry] = {}
    out = _git('ls-files', '-z', '--stage', '--', *paths, cwd=root)
    for record in out.split(b'\0'):
        if not record:
            continue
        meta, _, name = record.partition(b'\t')
        mode, oid, stage = meta.split(b' ')
        if stage == b'0':
            entries[os.fsdecode(name)] = IndexEntry((int(mode, 8), oid.decode()))
    return entries


class BlobTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class BlobReader:
    """Blobs by object id through one long-lived ``git cat-file --batch``, each read under a cap.

    A blob over the cap is streamed past in pieces, never held: memory stays bounded by the cap.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._proc: subprocess.Popen[bytes] | None = None

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        import subprocess

        if self._proc is None:
            try:
                self._proc = subprocess.Popen(
                    ['git', 'cat-file', '--batch'], cwd=self._root, env=no_git_env(),
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError as e:
                raise GitError(f'could not run git cat-file: {e.strerror}') from e
        assert self._proc.stdin is not None and self._proc.stdout is not None
        return self._proc.stdin, self._proc.stdout

    def read(self, oid: str, cap: int) -> bytes | None:
        """The blob's bytes, None when git has no such object; ``BlobTooLarge`` past ``cap``."""
        stdin, stdout = self._pipes()
        try:
            stdin.write(oid.encode() + b'\n')
            stdin.flush()
            header = stdout.readline().split()
        except OSError as e:
            raise GitError(f'git cat-file stopped: {e.strerror}') from e
        if len(header) != 3:
            if header[-1:] == [b'missing']:
                return None
            raise GitError(f'git cat-file answered {b" ".join(header)!r} for {oid}')
        size = int(header[2])
        if size > cap:
            self._skip(stdout, size + 1)
            raise BlobTooLarge(size)
        data = stdout.read(size)
        stdout.read(1)  # the newline after every object
        return data

    @staticmethod
    def _skip(stdout: IO[bytes], count: int) -> None:
        while count > 0:
            piece = stdout.read(min(count, 1 << 20))
            if not piece:
                raise GitError('git cat-file stopped mid-object')
            count -= len(piece)

    def close(self) -> None:
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.stdout.close()
        proc.wait()
