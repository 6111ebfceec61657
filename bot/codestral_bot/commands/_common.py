"""What ``review`` and ``github`` share before any model is asked: the stub prefilter and the flags
that override the configuration. Standard library only: the hook's fast path imports this.
"""
from __future__ import annotations

import argparse
import re

__all__ = ['CLI_KEYS', 'STUB_HINT', 'cli_overrides']

# Words an added line must hold for any language's stub finder to find something there. The hook
# checks this on the raw diff before importing anything heavy: most commits hold no stub.
STUB_HINT = re.compile(
    rb'^\+.*(\bpass\b|\.\.\.|NotImplemented|TODO|FIXME|todo!|unimplemented!|panic\(|'
    rb'Unsupported|throw|"""|\'\'\')', re.MULTILINE,
)

CLI_KEYS = (
    'provider', 'fim_provider', 'chat_provider', 'model', 'api_base', 'plan', 'rps', 'rpm', 'tpm', 'tpd',
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
