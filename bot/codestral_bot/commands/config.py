"""``codestral-bot config``: the effective configuration and where each value came from."""
from __future__ import annotations

import argparse
import os

from codestral_bot import git
from codestral_bot.config import load_config
from codestral_bot.config import render_config
from codestral_bot.output import out

__all__ = ['SECRET_VARS', 'show_config']

SECRET_VARS = ('CODESTRAL_API_KEY', 'MISTRAL_API_KEY', 'OPENROUTER_API_KEY', 'GITHUB_TOKEN')


def show_config(args: argparse.Namespace) -> int:
    config, provenance = load_config(git.repo_root(), {})
    secrets = {name: os.environ.get(name) for name in SECRET_VARS}
    out(render_config(config, provenance, secrets).rstrip('\n'))
    return 0
