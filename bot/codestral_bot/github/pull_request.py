"""A pull request read through the GitHub API: its files as ``FileChange`` records, texts at the head.

GitHub leaves ``patch`` out for binary files and very large diffs; those files are diffed here
from their base and head blobs, but review comments cannot anchor to them (GitHub only accepts
lines its patch shows), so ``PullChanges.patched`` says which files can take inline comments.
Texts come from git blobs, which work past the 1 MB where the contents API gives up.
"""
from __future__ import annotations

import base64
import dataclasses
import difflib
import itertools
import logging
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from codestral_bot.diff import parse_diff
from codestral_bot.errors import GitError
from codestral_bot.diff import whole_file_added
from codestral_bot.records import FileChange
from codestral_bot.records import SourceFile
from codestral_bot.github.client import describe
from codestral_bot.sources import MAX_BYTES
from codestral_bot.sources import SourceSkipped
from codestral_bot.sources import decode_source

__all__ = ['MAX_FILES', 'HeadReader', 'PullChanges', 'PullFile', 'list_files', 'read_changes']

logger = logging.getLogger('codestral_bot')

MAX_FILES = 3000  # GitHub lists no more files than this for one pull request
_STATUS = {'added': 'added', 'copied': 'added', 'removed': 'deleted', 'renamed': 'renamed'}


@dataclasses.dataclass(frozen=True)
class PullFile:
    """One entry of ``GET /pulls/{n}/files``."""

    path: str
    old_path: str | None
    status: str  # GitHub's: added, removed, modified, renamed, copied, changed, unchanged
    patch: str | None
    sha: str
    additions: int


@dataclasses.dataclass(frozen=True)
class PullChanges:
    changes: list[FileChange]
    patched: frozenset[str]  # files whose patch GitHub shows: the only ones comments anchor to
    patches: dict[str, str | None]  # GitHub's patch text by path (None: GitHub gave none)
    notes: list[str]


def list_files(pr: Any, changed_files: int) -> tuple[list[PullFile], list[str]]:
    files = [PullFile(f.filename, f.previous_filename, f.status, f.patch, f.sha or '', f.additions or 0)
             for f in itertools.islice(pr.get_files(), MAX_FILES)]
    notes = []
    if changed_files > len(files):
        notes.append(f'GitHub lists only the first {len(files)} of the {changed_files} changed files; '
                     'the others were not reviewed')
    return files, notes


class HeadReader:
    """File texts at the PR's head, by git blob (each fetched once)."""

    def __init__(self, repo: Any, files: Sequence[PullFile]) -> None:
        self._repo = repo
        self._shas = {f.path: f.sha for f in files}
        self._done: dict[str, SourceFile | SourceSkipped] = {}

    def read(self, path: str) -> SourceFile:
        if path not in self._done:
            self._done[path] = self._fetch(path)
        result = self._done[path]
        if isinstance(result, SourceSkipped):
            raise result
        return result

    def _fetch(self, path: str) -> SourceFile | SourceSkipped:
        try:
            raw = blob_bytes(self._repo, self._shas[path])
        except SourceSkipped as e:
            return SourceSkipped(f'{path}: {e}')
        if len(raw) > MAX_BYTES:
            return SourceSkipped(f'{path}: larger than {MAX_BYTES // 2**20} MiB, skipped')
        try:
            return decode_source(path, raw)
        except SourceSkipped as e:
            return e


def blob_bytes(repo: Any, sha: str) -> bytes:
    """A git blob's content; ``SourceSkipped`` (with GitHub's reason) when it cannot be read."""
    import requests
    from github import GithubException

    try:
        blob = repo.get_git_blob(sha)
        content, encoding = blob.content or '', blob.encoding
    except (GithubException, requests.RequestException) as e:
        raise SourceSkipped(f'cannot read it from GitHub ({describe(e)}), skipped') from None
    return content.encode() if encoding == 'utf-8' else base64.b64decode(content)


def base_text(repo: Any, f: PullFile, base_sha: str) -> str | None:
    """The file before the change (at the PR's base), or None when it cannot be had."""
    import requests
    from github import GithubException

    try:
        found = repo.get_contents(f.old_path or f.path, ref=base_sha)
        if isinstance(found, list):
            return None
        return decode_source(f.path, blob_bytes(repo, found.sha)).text
    except (GithubException, requests.RequestException, SourceSkipped):
        return None


def read_changes(files: Sequence[PullFile], reader: HeadReader,
                 base: Callable[[PullFile], str | None]) -> PullChanges:
    changes, patched, notes = [], set(), []
    for f in files:
        if f.status in ('removed', 'unchanged'):
            continue
        change = _from_patch(f) if f.patch is not None else None
        if change is not None:
            patched.add(f.path)
        elif f.additions:
            change, note = _from_blobs(f, reader, base)
            notes += [note] if note else []
        if change is None:
            continue
        changes.append(change)
    return PullChanges(changes, frozenset(patched), {f.path: f.patch for f in files}, notes)


def _from_patch(f: PullFile) -> FileChange | None:
    # A placeholder name in the header: the real one (which may hold a newline or a quote, from
    # whoever wrote the pull request) is put back below, never parsed.
    source = '/dev/null' if f.status == 'added' else 'a/file'
    patch = f.patch or ''
    text = f'--- {source}\n+++ b/file\n{patch}' + ('' if patch.endswith('\n') else '\n')
    try:
        parsed = parse_diff(text.encode('utf-8', 'surrogateescape')) if patch else []
    except GitError as e:  # parse_diff reports a bad diff as GitError
        logger.debug('%s: patch does not parse (%s); diffing the blobs instead', f.path, e)
        return None
    change = parsed[0] if parsed else FileChange(f.path, None, 'modified', frozenset())
    return dataclasses.replace(change, path=f.path, old_path=_old_path(f),
                               status=_STATUS.get(f.status, 'modified'))  # type: ignore[arg-type]


def _old_path(f: PullFile) -> str | None:
    return None if f.status == 'added' else (f.old_path or f.path)


def _from_blobs(f: PullFile, reader: HeadReader,
                base: Callable[[PullFile], str | None]) -> tuple[FileChange | None, str | None]:
    """GitHub gave no patch: diff the blobs (an added file is all added lines)."""
    try:
        new = reader.read(f.path).text
    except SourceSkipped:
        return FileChange(f.path, _old_path(f), 'binary', frozenset()), None
    if f.status in ('added', 'copied'):
        return dataclasses.replace(whole_file_added(f.path, len(_lines(new))), old_path=_old_path(f)), None
    old = base(f)
    if old is None:
        return None, f'{f.path}: GitHub shows no diff and the base version cannot be read; skipped'
    return diff_texts(f.path, _old_path(f), _STATUS.get(f.status, 'modified'), old, new), None


def _lines(text: str) -> list[str]:
    # Lines as git numbers them: split on \n only; a final newline ends the last line.
    lines = text.split('\n')
    return lines[:-1] if lines and lines[-1] == '' else lines


def diff_texts(path: str, old_path: str | None, status: str, old: str, new: str) -> FileChange:
    """A ``FileChange`` as ``git diff -U3`` would give it, computed with difflib."""
    matcher = difflib.SequenceMatcher(None, _lines(old), _lines(new), autojunk=False)
    added: set[int] = set()
    hunks = []
    for group in matcher.get_grouped_opcodes(3):
        for tag, _, _, j1, j2 in group:
            if tag in ('replace', 'insert'):
                added.update(range(j1 + 1, j2 + 1))
        first, last = group[0][3], group[-1][4]
        if last > first:
            hunks.append((first + 1, last))
    return FileChange(path, old_path, status, frozenset(added), tuple(hunks))  # type: ignore[arg-type]
