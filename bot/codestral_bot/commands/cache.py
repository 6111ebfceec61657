"""``codestral-bot cache stats|clear``."""
from __future__ import annotations

import argparse

from codestral_bot.output import out

__all__ = ['cache_command']


def cache_command(args: argparse.Namespace) -> int:
    from codestral_bot.cache import CompletionCache

    with CompletionCache() as cache:
        if args.action == 'clear':
            out(f'removed {cache.clear()} cached completions')
            return 0
        for name, value in cache.stats().items():
            out(f'{name}: {value}')
    return 0
