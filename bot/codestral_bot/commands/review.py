"""``codestral-bot review``: the change → stubs → fills (+ review comments) → diff, patch or edits.

The pre-commit hook runs this on every commit, and most commits hold no stub: the module imports
only what the fast path needs (git and a regex); the pipeline, config and HTTP come in after.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import NamedTuple

from codestral_bot import git
from codestral_bot.commands._common import stub_hint
from codestral_bot.commands._common import paths_in_diff
from codestral_bot.errors import UsageError

if TYPE_CHECKING:
    from codestral_bot.config import Config
    from codestral_bot.jobs import Job
    from codestral_bot.options import RunOptions
    from codestral_bot.pipeline import Planned
    from codestral_bot.pipeline import Survey
    from codestral_bot.records import FileChange
    from codestral_bot.repo_context import RepoContext
    from codestral_bot.sources import Reader

__all__ = ['review']


def _pathspec(root: Path, paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        rel = os.path.relpath(os.path.abspath(p), root)
        if rel.startswith('..'):
            raise UsageError(f'{p}: outside the repository at {root}')
        out.append(Path(rel).as_posix())
    return out


class _Scope(NamedTuple):
    """What this run reviews: which diff, and which files the hook was given whole.

    A NamedTuple, not a dataclass: ``dataclasses`` imports ``inspect`` (~20 ms) on the hook's fast path.
    """

    mode: git.DiffMode
    base: str | None
    staged: bool  # read files from the index
    whole: tuple[str, ...] = ()  # files pre-commit named that the staged diff does not change


def _scope(args: argparse.Namespace, env: Mapping[str, str]) -> _Scope:
    if args.base:
        return _Scope('base', args.base, False)
    if args.staged:
        return _Scope('staged', None, True)
    if args.hook:
        # `pre-commit run --from-ref A --to-ref B` (and pre-push): the commits in that range
        from_ref = env.get('PRE_COMMIT_FROM_REF') or env.get('PRE_COMMIT_ORIGIN')
        if from_ref and (env.get('PRE_COMMIT_TO_REF') or env.get('PRE_COMMIT_SOURCE')):
            return _Scope('base', from_ref, False)
        return _Scope('staged', None, True)
    return _Scope('worktree', None, False)


def _hook_whole_files(args: argparse.Namespace, scope: _Scope, paths: list[str], diff: bytes) -> _Scope:
    """A file pre-commit names that the index does not change (``--all-files``, ``--files``) is
    reviewed whole: the user asked for it, and the staged diff would silently skip it."""
    if not (args.hook and scope.mode == 'staged' and paths):
        return scope
    in_diff = paths_in_diff(diff)
    return scope._replace(whole=tuple(p for p in paths if p not in in_diff))


def _whole_file_hint(root: Path, scope: _Scope) -> bool:
    if not scope.whole:
        return False
    from codestral_bot.sources import Reader
    from codestral_bot.sources import SourceSkipped

    with Reader(root, staged=True) as read:
        for path in scope.whole:
            try:
                raw = read.raw(path)
            except SourceSkipped:
                continue
            if stub_hint(b'\n'.join(b'+' + line for line in raw.splitlines())):
                return True
    return False


def _changes(root: Path, scope: _Scope, paths: list[str], diff: bytes,
             read: Reader) -> tuple[bytes, list[FileChange]]:
    from codestral_bot.diff import parse_diff

    changes, shown = _reveal_binary(root, scope, parse_diff(diff) if diff else [], read)
    diff += shown
    whole = list(scope.whole)
    if scope.mode == 'worktree':
        whole += git.untracked_files(root, paths)
    return diff + _whole_files(whole, read, changes), changes


def _reveal_binary(root: Path, scope: _Scope, changes: list[FileChange],
                   read: Reader) -> tuple[list[FileChange], bytes]:
    """Files git (or a hostile ``.gitattributes``: ``-diff``, ``binary``) called binary are diffed
    again with ``--text`` when they are text under the size cap: attributes cannot hide code."""
    from codestral_bot.diff import parse_diff
    from codestral_bot.sources import SourceSkipped

    hidden = []
    for change in changes:
        if change.status != 'binary':
            continue
        try:
            raw = read.raw(change.path)
        except SourceSkipped:
            continue
        if b'\0' not in raw[:8192]:
            hidden.append(change.path)
    if not hidden:
        return changes, b''
    text = git.diff_text_of(root, scope.mode, scope.base, hidden)
    shown = {c.path: c for c in parse_diff(text)}
    return [shown.get(c.path, c) if c.status == 'binary' else c for c in changes], text


def _whole_files(paths: list[str], read: Reader, changes: list[FileChange]) -> bytes:
    """Untracked files, and files the hook was given whole, as wholly added changes; their text
    joins the diff for the stub hint.

    Each is read under the size cap (a 200 MB log costs a stat, not 200 MB) and never through a
    symlink; the ones that cannot be read are named once here and left out.
    """
    import logging

    from codestral_bot.diff import whole_file_added
    from codestral_bot.sources import SourceSkipped

    added = []
    for path in paths:
        try:
            text = read.raw(path)
        except SourceSkipped as e:
            logging.getLogger('codestral_bot').warning('%s', e)
            continue
        lines = text.split(b'\n')  # lines as git counts them: only \n ends one
        if lines[-1] == b'':
            lines.pop()
        changes.append(whole_file_added(path, len(lines)))
        added.append(b'\n'.join(b'+' + line for line in lines))
    return b''.join(b'\n' + a for a in added)


def _deadline(config: Config, args: argparse.Namespace) -> float | None:
    if config.timeout is not None:
        return config.timeout
    if args.hook:
        return 30.0
    return None if args.base else 60.0


def review(args: argparse.Namespace) -> int:
    root = git.repo_root()
    paths = _pathspec(root, args.paths)
    scope = _scope(args, os.environ)
    diff = git.diff_text(root, scope.mode, scope.base, paths)
    scope = _hook_whole_files(args, scope, paths, diff)
    if args.no_comments and not args.json and not args.sarif and _nothing_to_fill(root, args, scope, paths, diff):
        return 0  # the fast path: nothing here could be a stub, and no review or document was asked for
    from codestral_bot.logs import logging_handler

    with logging_handler(args.verbose):
        return _review(args, root, scope, paths, diff)


def _nothing_to_fill(root: Path, args: argparse.Namespace, scope: _Scope, paths: list[str], diff: bytes) -> bool:
    if scope.mode == 'base' and not args.hook:
        return False
    if stub_hint(diff) or _whole_file_hint(root, scope):
        return False
    return not (scope.mode == 'worktree' and git.untracked_files(root, paths))


def _review(args: argparse.Namespace, root: Path, scope: _Scope, paths: list[str], diff: bytes) -> int:
    from codestral_bot.commands._common import cli_overrides
    from codestral_bot.config import load_config
    from codestral_bot.options import RunOptions
    from codestral_bot.sources import Reader

    config, _ = load_config(root, cli_overrides(args))
    options = RunOptions.from_args(args, config)
    with Reader(root, staged=scope.staged, max_bytes=config.max_file_bytes) as read:
        diff, changes = _changes(root, scope, paths, diff, read)
        return _fill_and_review(args, _Run(root, scope, config, options, read), changes, diff)


class _Run(NamedTuple):
    """What the rest of a review needs, built once: where, what, with which settings, read how."""

    root: Path
    scope: _Scope
    config: Config
    options: RunOptions
    read: Reader


def _fill_and_review(args: argparse.Namespace, run: _Run, changes: list[FileChange], diff: bytes) -> int:
    from codestral_bot.commands import _run
    from codestral_bot.jobs import Job
    from codestral_bot.pipeline import Survey
    from codestral_bot.pipeline import find_targets
    from codestral_bot.pipeline import plan
    from codestral_bot.providers import resolve_endpoint
    from codestral_bot.stubs.contracts import git_grep
    from codestral_bot.testpaths import test_globs_of

    config, options, root, read = run.config, run.options, run.root, run.read
    chat = resolve_endpoint(config, os.environ, role='chat') if config.comments else None
    wants_comments = chat is not None and bool(chat.key or not chat.needs_key)
    if not wants_comments and not stub_hint(diff):
        return _run.finish(options, root, [], None)
    survey = Survey()
    targets = find_targets(changes, read, languages=config.languages, include=config.include,
                           exclude=config.exclude, test_globs=test_globs_of(config),
                           base=_base_reader(root, run.scope.base), survey=survey,
                           bare_pass_is_stub=config.bare_pass_is_stub, grep=git_grep(root)) if config.fill else []
    planned = plan(targets, prompt_tokens=config.prompt_tokens, suffix_tokens=config.suffix_tokens,
                   max_stubs=config.max_stubs, repo=_repo_context(root, config, read) if targets else None)
    # The FIM endpoint only when there is something to fill: OpenRouter refuses fills, not reviews.
    endpoint = resolve_endpoint(config, os.environ) if planned or chat is None else chat
    if args.hook and not args.dry_run and endpoint.needs_key and not endpoint.key:
        return _hook_without_key(options, planned)
    if args.dry_run or (endpoint.needs_key and not endpoint.key):
        return _run.show_plan(options, root, planned, endpoint, survey)
    if not planned and not wants_comments:
        return _run.finish(options, root, [], None, survey)
    job = Job(config, endpoint, planned, changes, read, _deadline(config, args))
    return _send(options, root, job, survey)


def _send(options: RunOptions, root: Path, job: Job, survey: Survey) -> int:
    import asyncio

    from codestral_bot.commands import _run

    run = asyncio.run(_run.run_model(job, progress=options.progress))
    return _run.finish(options, root, job.planned, run, survey)


def _hook_without_key(options: RunOptions, planned: list[Planned]) -> int:
    import logging

    logger = logging.getLogger('codestral_bot')
    if planned:
        end = 'the commit is blocked (--strict)' if options.gate.strict else 'the commit proceeds'
        logger.warning('no API key (set CODESTRAL_API_KEY or MISTRAL_API_KEY): %d stub(s) not filled; %s',
                       len(planned), end)
    return 2 if options.gate.strict and planned else 0


def _base_reader(root: Path, base: str | None) -> Callable[[str], str | None]:
    """A file's text in the base revision (HEAD, or the merge base with ``base``), read on demand."""
    import functools

    @functools.cache
    def revision() -> str:
        return git.merge_base(root, base) if base else 'HEAD'

    def read(path: str) -> str | None:
        from codestral_bot.sources import SourceSkipped
        from codestral_bot.sources import decode_source

        raw = git.read_blob_at(root, revision(), path)
        try:
            return None if raw is None else decode_source(path, raw).text
        except SourceSkipped:
            return None

    return read


def _repo_context(root: Path, config: Config, read: Reader) -> RepoContext | None:
    """Definitions from other files, read from the revision under review (one `git ls-files` a run)."""
    if config.context_share <= 0:
        return None
    from codestral_bot.repo_context import RepoContext
    from codestral_bot.symbols import SymbolIndex

    return RepoContext(SymbolIndex(git.repo_files(root, staged=read.staged), read), config.context_share)
