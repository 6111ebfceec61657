"""``codestral-bot review``: the change → stubs → fills (+ review comments) → diff, patch or edits.

The pre-commit hook runs this on every commit, and most commits hold no stub: the module imports
only what the fast path needs (git and a regex); the pipeline, config and HTTP come in after.
"""
from __future__ import annotations

import os
import re

from codestral_bot import git
from codestral_bot.errors import UsageError

TYPE_CHECKING = False  # not `typing`'s: the fast path does not import it (mypy reads the name)
if TYPE_CHECKING:
    import argparse
    from pathlib import Path
    from typing import Any

    from codestral_bot.config import Config
    from codestral_bot.sources import Reader
    from codestral_bot.pipeline import Planned
    from codestral_bot.records import FileChange

__all__ = ['review']

# Words an added line must hold for any language's stub finder to find something there. The hook
# checks this on the raw diff before importing anything heavy: most commits hold no stub.
_STUB_HINT = re.compile(
    rb'^\+.*(\bpass\b|\.\.\.|NotImplemented|TODO|FIXME|todo!|unimplemented!|panic\(|'
    rb'Unsupported|throw|"""|\'\'\')'
    rb'|^Binary files ',  # git (or .gitattributes) called a file binary: look at it with --text
    re.MULTILINE,
)

CLI_KEYS = (
    'provider', 'fim_provider', 'chat_provider', 'model', 'api_base', 'plan', 'rpm', 'tpm', 'tpd',
    'concurrency', 'prompt_tokens', 'suffix_tokens', 'max_tokens', 'temperature', 'stop',
    'budget_tokens', 'budget_dollars', 'timeout', 'fail_on',
)


def cli_overrides(args: argparse.Namespace) -> dict[str, object]:
    values: dict[str, object] = {k: getattr(args, k, None) for k in CLI_KEYS}
    if getattr(args, 'no_cache', False):
        values['cache'] = False
    if getattr(args, 'no_comments', False):
        values['comments'] = False
    if getattr(args, 'no_fill', False):
        values['fill'] = False
    return {k: v for k, v in values.items() if v is not None}


def _pathspec(root: Path, paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        rel = os.path.relpath(os.path.abspath(p), root)
        if rel.startswith('..'):
            raise UsageError(f'{p}: outside the repository at {root}')
        out.append(rel.replace(os.sep, '/'))
    return out


def _diff(root: Path, args: argparse.Namespace, paths: list[str]) -> bytes:
    mode: git.DiffMode = 'staged' if args.staged else 'base' if args.base else 'worktree'
    return git.diff_text(root, mode, args.base, paths)


def _changes(root: Path, args: argparse.Namespace, paths: list[str], diff: bytes,
             read: Reader) -> tuple[bytes, list[FileChange]]:
    from codestral_bot.diff import parse_diff

    changes, shown = _reveal_binary(root, args, parse_diff(diff) if diff else [], read)
    diff += shown
    if not args.staged and not args.base and not args.hook:
        diff += _untracked(root, paths, read, changes)
    return diff, changes


def _reveal_binary(root: Path, args: argparse.Namespace, changes: list[FileChange],
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
    mode: git.DiffMode = 'staged' if args.staged else 'base' if args.base else 'worktree'
    text = git.diff_text_of(root, mode, args.base, hidden)
    shown = {c.path: c for c in parse_diff(text)}
    return [shown.get(c.path, c) if c.status == 'binary' else c for c in changes], text


def _untracked(root: Path, paths: list[str], read: Reader, changes: list[FileChange]) -> bytes:
    """Untracked files as wholly added changes; their text joins the diff for the stub hint.

    Each is read under the size cap (a 200 MB log costs a stat, not 200 MB) and never through a
    symlink; the ones that cannot be read are named once here and left out.
    """
    import logging

    from codestral_bot.diff import whole_file_added
    from codestral_bot.sources import SourceSkipped

    added = []
    for path in git.untracked_files(root, paths):
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


def nothing_to_do(paths: list[str]) -> bool:
    """Whether the staged diff of ``paths`` holds no line that could be a stub: one git call.
    False when git fails too (not a repository, a path outside it): the full run says why."""
    staged = git.staged_diff_here(paths)
    return staged is not None and not _STUB_HINT.search(staged)


def review(args: argparse.Namespace) -> int:
    staged = git.staged_diff_here(args.paths) if args.staged and args.no_comments else None
    if staged is not None and not _STUB_HINT.search(staged):
        return 0  # the hook's fast path: one git call, and nothing here could be a stub
    root = git.repo_root()
    paths = _pathspec(root, args.paths)
    diff = staged if staged is not None else _diff(root, args, paths)
    if args.no_comments and not args.base and not _STUB_HINT.search(diff) and not _has_untracked(root, args, paths):
        return 0  # nothing here could be a stub, and no review was asked for
    from codestral_bot.main import logging_handler

    with logging_handler(args.verbose):
        return _review(args, root, paths, diff)


def _has_untracked(root: Path, args: argparse.Namespace, paths: list[str]) -> bool:
    return not args.staged and not args.hook and bool(git.untracked_files(root, paths))


def _review(args: argparse.Namespace, root: Path, paths: list[str], diff: bytes) -> int:
    from codestral_bot.config import load_config
    from codestral_bot.sources import Reader

    config, _ = load_config(root, cli_overrides(args))
    with Reader(root, staged=args.staged, max_bytes=config.max_file_bytes) as read:
        return _review_with(args, root, paths, diff, config, read)


def _review_with(args: argparse.Namespace, root: Path, paths: list[str], diff: bytes, config: Config,
                 read: Reader) -> int:
    from codestral_bot.commands import _run
    from codestral_bot.pipeline import find_targets
    from codestral_bot.pipeline import plan
    from codestral_bot.providers import resolve_endpoint

    diff, changes = _changes(root, args, paths, diff, read)
    chat = resolve_endpoint(config, os.environ, role='chat') if config.comments else None
    wants_comments = chat is not None and bool(chat.key or not chat.needs_key)
    if not wants_comments and not _STUB_HINT.search(diff):
        return 0
    targets = find_targets(changes, read, languages=config.languages, include=config.include,
                           exclude=config.exclude) if config.fill else []
    planned = plan(targets, prompt_tokens=config.prompt_tokens, suffix_tokens=config.suffix_tokens,
                   max_stubs=config.max_stubs)
    # The FIM endpoint only when there is something to fill: OpenRouter refuses fills, not reviews.
    endpoint = resolve_endpoint(config, os.environ) if planned or chat is None else chat
    if args.hook and not args.dry_run and endpoint.needs_key and not endpoint.key:
        return _hook_without_key(args, planned)
    if args.dry_run or (endpoint.needs_key and not endpoint.key):
        return _run.print_plan(planned, endpoint, args)
    if not planned and not wants_comments:
        return _run.finish(args, root, [], [], None, config)
    return _run.run_and_finish(args, root, config, endpoint, planned, changes, read, targets,
                               _deadline(config, args))


def _hook_without_key(args: argparse.Namespace, planned: list[Planned]) -> int:
    import logging

    logger = logging.getLogger('codestral_bot')
    if planned:
        logger.warning('no API key (set CODESTRAL_API_KEY or MISTRAL_API_KEY): %d stub(s) not filled; '
                       'the commit proceeds', len(planned))
    return 2 if args.strict and planned else 0
