"""The console script: the pre-commit hook's nothing-to-do answer first, then the full CLI.

Every commit runs the hook and most hold no stub. A command line made only of the hook entries'
flags and file names is answered from one ``git diff --cached`` before argparse is imported: the
parser tree (and the gettext, locale and shutil imports building it brings) cost more than the
rest of the answer. Anything else, and any doubt, goes to ``codestral_bot.main``.
"""
from __future__ import annotations

import os
import sys

__all__ = ['main']

# The flags of the two hooks' entries in .pre-commit-hooks.yaml.
_HOOK_FLAGS = frozenset(('--hook', '--staged', '--apply', '--no-comments', '--strict'))
_REQUIRED = frozenset(('--hook', '--no-comments'))
# `pre-commit run --from-ref/--to-ref` (and pre-push) review a range of commits, not the index
_RANGE_VARIABLES = ('PRE_COMMIT_FROM_REF', 'PRE_COMMIT_ORIGIN')


def _hook_has_nothing_to_do(argv: list[str]) -> bool:
    if not argv or argv[0] != 'review':
        return False
    flags = {a for a in argv[1:] if a.startswith('-')}
    if not flags <= _HOOK_FLAGS or not _REQUIRED <= flags:
        return False
    if '--staged' not in flags and any(os.environ.get(name) for name in _RANGE_VARIABLES):
        return False
    from codestral_bot.commands._common import nothing_to_do

    try:
        return nothing_to_do([a for a in argv[1:] if not a.startswith('-')])
    except Exception:  # no git, odd names: the full run reports it properly
        return False


def main() -> int:
    if _hook_has_nothing_to_do(sys.argv[1:]):
        return 0
    from codestral_bot.main import main as full_cli

    return full_cli()
