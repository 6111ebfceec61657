"""``codestral-bot demo``: a throw-away repository with a stub in its change, reviewed as a user would.

A newcomer's first command should show something real, with or without a key: without one the
review lists the request it would send; with one (or with the fake API of this checkout) it shows
the proposed fill as a diff.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from codestral_bot.errors import GitError
from codestral_bot.output import err

__all__ = ['demo_command']

BASE = '''"""Shapes."""
import math


def circle_perimeter(r: float) -> float:
    return 2 * math.pi * r
'''
CHANGE = BASE + '''

def circle_area(r: float) -> float:
    """The area of a circle of radius r."""
    pass
'''


def demo_command(args: argparse.Namespace) -> int:
    root = Path(tempfile.mkdtemp(prefix='codestral-bot-demo-'))
    _make_repo(root)
    err(f'codestral-bot demo: a repository at {root} whose change adds a stub, circle_area():')
    err(f'$ cd {root} && codestral-bot review {" ".join(args.review_args)}'.rstrip())
    code = subprocess.call([sys.executable, '-m', 'codestral_bot', 'review', *args.review_args], cwd=root)
    err('')
    err('On your own repository: cd into it, change some code, then run `codestral-bot review` '
        '(`--apply` writes the fills, `--staged` reviews what you are about to commit).')
    # 1 (edits proposed) and 4 (cut short) are what a review shows, not a failure of the demo
    return 0 if code in (0, 1, 4) else code


def _make_repo(root: Path) -> None:
    (root / 'shapes.py').write_text(BASE, encoding='utf-8')
    _git(root, ['init', '-q'])
    _git(root, ['add', 'shapes.py'])
    _git(root, ['-c', 'user.name=demo', '-c', 'user.email=demo@example.invalid', '-c', 'commit.gpgsign=false',
                'commit', '-qm', 'shapes'])
    (root / 'shapes.py').write_text(CHANGE, encoding='utf-8')


def _git(root: Path, argv: Sequence[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}
    try:
        subprocess.run(['git', *argv], cwd=root, env=env, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise GitError(f'the demo needs git to build its repository ({e})') from None
