"""Reading the text under review, and writing a fill back without losing anything else.

Text is decoded with its line endings untouched (``newline=''`` semantics), so every character
offset a stub finder computes addresses the exact bytes on disk.
"""
from __future__ import annotations

import stat
from pathlib import Path

from codestral_bot import git
from codestral_bot.records import SourceFile

__all__ = ['SourceSkipped', 'decode_source', 'read_source', 'write_source']

MAX_BYTES = 2 * 1024 * 1024  # a file larger than this is not hand-written code


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


def read_source(root: Path, path: str, *, staged: bool) -> SourceFile:
    """The version under review: the index blob with ``staged``, else the working file."""
    if staged:
        raw = git.read_index_blob(root, path)
        if raw is None:
            raise SourceSkipped(f'{path}: not in the index, skipped')
    else:
        full = root / path
        try:
            if full.stat().st_size > MAX_BYTES:
                raise SourceSkipped(f'{path}: larger than {MAX_BYTES // 2**20} MiB, skipped')
            raw = full.read_bytes()
        except OSError as e:
            raise SourceSkipped(f'{path}: cannot read ({e.strerror}), skipped') from None
    return decode_source(path, raw)


def write_source(root: Path, source: SourceFile, new_text: str) -> None:
    """Atomically replace the file with ``new_text``, keeping encoding and mode.

    Refuses (``SourceSkipped``) when the file on disk is no longer what was read: the user's
    newer work wins over our proposal.
    """
    full = root / source.path
    try:
        current = full.read_bytes()
        mode = stat.S_IMODE(full.stat().st_mode)
    except OSError as e:
        raise SourceSkipped(f'{source.path}: cannot read it back ({e.strerror}), not written') from None
    if current != source.raw:
        raise SourceSkipped(f'{source.path}: changed since it was read, not written')
    from codestral_bot.atomic import write_atomic

    write_atomic(full, new_text.encode(source.encoding), mode)
