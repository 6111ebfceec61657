"""Reading the text under review, and writing a fill back without losing anything else.

Text is decoded with its line endings untouched (``newline=''`` semantics), so every character
offset a stub finder computes addresses the exact bytes on disk.

Nothing outside the work tree is read (issue 12): a symlink is a link, its content is the path it
names (what git stores), never the file it points to; FIFOs, devices and sockets are skipped; a
folder on the way that is a symlink leading out of the repository is refused. Every read stops at
a size cap (``max_file_bytes``), so a file the bot does not need never costs memory.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from types import TracebackType

from codestral_bot import git
from codestral_bot.records import SourceFile

__all__ = ['DEFAULT_MAX_BYTES', 'MAX_BYTES', 'Reader', 'SourceSkipped', 'decode_source', 'read_source',
           'read_worktree', 'write_source']

DEFAULT_MAX_BYTES = 1024 * 1024  # a file larger than this is not hand-written code
MAX_BYTES = DEFAULT_MAX_BYTES  # the name other modules import


class SourceSkipped(Exception):
    """The file cannot be reviewed (not text, not UTF-8, gone); the message says why."""


def decode_source(path: str, raw: bytes) -> SourceFile:
    if b'\0' in raw[:8192]:
        raise SourceSkipped(f'{path}: binary file, skipped')
    encoding = 'utf-8-sig' if raw.startswith(b'\xef\xbb\xbf') else 'utf-8'
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise SourceSkipped(f'{path}: not UTF-8 (byte {e.start}), skipped') from None
    crlf = text.count('\r\n')
    eol = '\r\n' if crlf and crlf * 2 >= text.count('\n') else '\n'
    return SourceFile(path=path, text=text, encoding=encoding, eol=eol, raw=raw)


def _too_large(path: str, size: int, cap: int) -> SourceSkipped:
    return SourceSkipped(f'{path}: {size:,} bytes, over the {cap:,}-byte limit (max_file_bytes), skipped')


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return 'a FIFO'
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return 'a device'
    if stat.S_ISSOCK(mode):
        return 'a socket'
    if stat.S_ISDIR(mode):
        return 'a folder'
    return 'not a regular file'


def _inside(root: Path, full: str) -> bool:
    # A parent folder swapped for a symlink must not lead the read out of the work tree.
    real_root = os.path.realpath(root)
    parent = os.path.realpath(os.path.dirname(full))
    return parent == real_root or parent.startswith(real_root + os.sep)


def read_worktree(root: Path, path: str, cap: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a working-tree file as git would store them, never following a link."""
    full = os.path.join(root, path)
    try:
        if not _inside(root, full):
            raise SourceSkipped(f'{path}: a folder on its path leads outside the repository, skipped')
        st = os.lstat(full)
        if stat.S_ISLNK(st.st_mode):
            return os.fsencode(os.readlink(full))  # a link's content is the path it names
        if not stat.S_ISREG(st.st_mode):
            raise SourceSkipped(f'{path}: {_kind(st.st_mode)}, skipped')
        if st.st_size > cap:
            raise _too_large(path, st.st_size, cap)
        return _read_regular(path, full, cap)
    except OSError as e:
        raise SourceSkipped(f'{path}: cannot read ({e.strerror}), skipped') from None


def _read_regular(path: str, full: str, cap: int) -> bytes:
    # O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO after lstat neither leads
    # out nor blocks; fstat then checks what was really opened.
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0)
    fd = os.open(full, flags)
    with os.fdopen(fd, 'rb') as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SourceSkipped(f'{path}: {_kind(st.st_mode)}, skipped')
        data = f.read(cap + 1)
    if len(data) > cap:
        raise _too_large(path, len(data), cap)
    return data


class Reader:
    """Reads the version under review of each file: the index blob (``staged``) or the work tree.

    The index is listed once, on the first staged read; blobs go through one ``git cat-file
    --batch`` process for the whole run. Use as a context manager (or ``close()``).
    """

    def __init__(self, root: Path, *, staged: bool, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.staged = staged
        self.max_bytes = max_bytes
        self._index: dict[str, git.IndexEntry] | None = None
        self._blobs = git.BlobReader(root)

    def __call__(self, path: str) -> SourceFile:
        return decode_source(path, self.raw(path))

    def raw(self, path: str) -> bytes:
        if not self.staged:
            return read_worktree(self.root, path, self.max_bytes)
        return self._staged(path)

    def _staged(self, path: str) -> bytes:
        if self._index is None:
            self._index = git.index_entries(self.root)
        entry = self._index.get(path)
        if entry is None:
            raise SourceSkipped(f'{path}: not in the index, skipped')
        if entry.mode == git.MODE_GITLINK:
            raise SourceSkipped(f'{path}: a submodule, skipped')
        try:
            data = self._blobs.read(entry.oid, self.max_bytes)
        except git.BlobTooLarge as e:
            raise _too_large(path, e.size, self.max_bytes) from None
        if data is None:
            raise SourceSkipped(f'{path}: its staged blob is missing, skipped')
        return data

    def close(self) -> None:
        self._blobs.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def read_source(root: Path, path: str, *, staged: bool, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
    """One file's version under review (a run reading many files keeps one ``Reader``)."""
    with Reader(root, staged=staged, max_bytes=max_bytes) as reader:
        return reader(path)


def write_source(root: Path, source: SourceFile, new_text: str) -> None:
    """Atomically replace the file with ``new_text``, keeping encoding and mode.

    Refuses (``SourceSkipped``) when the file on disk is no longer what was read: the user's
    newer work wins over our proposal. A symlink or special file is never written through.
    """
    full = root / source.path
    try:
        st = os.lstat(full)
        if not stat.S_ISREG(st.st_mode):
            what = 'a symlink' if stat.S_ISLNK(st.st_mode) else _kind(st.st_mode)
            raise SourceSkipped(f'{source.path}: {what}, not written')
        current = read_worktree(root, source.path, max(len(source.raw), st.st_size))
        mode = stat.S_IMODE(st.st_mode)
    except OSError as e:
        raise SourceSkipped(f'{source.path}: cannot read it back ({e.strerror}), not written') from None
    if current != source.raw:
        raise SourceSkipped(f'{source.path}: changed since it was read, not written')
    from codestral_bot.atomic import write_atomic

    write_atomic(full, new_text.encode(source.encoding), mode)
