"""OpenJDK's `java.base` staged as one change, `review --staged --dry-run` (issue 15's third row).

Copies the module's sources into a fresh repository, stages them all, and times
`codestral-bot review --staged --dry-run --no-comments` next to `git diff --cached` on the same
index: medians over --runs, peak memory from `/usr/bin/time -v`. Prints a Markdown table.

The sources are not in this repository. Get them from Debian's package (what the table used):

    apt-get update && apt-get source --download-only openjdk-17
    tar -xJf openjdk-17_*.orig.tar.xz --wildcards '*/src/java.base/*'
    python benchmarks/bench_openjdk.py --src openjdk-17-*/src/java.base [--runs 3]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bot_command  # noqa: E402
from _common import bot_env  # noqa: E402
from _common import git  # noqa: E402
from _common import init_repo  # noqa: E402
from _common import medians  # noqa: E402
from _common import mib  # noqa: E402
from _common import ms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--src', type=Path, required=True, help='the src/java.base folder of an OpenJDK tree')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--before', type=Path, help="also time an older revision's bot/ folder (git archive REV bot | tar -x)")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / 'repo'
        init_repo(root)
        shutil.copytree(args.src, root / 'java.base', symlinks=True)
        git(root, 'add', '-A')
        files = len(git(root, 'diff', '--cached', '--name-only', '-z').split(b'\0')) - 1
        java = len([p for p in (root / 'java.base').rglob('*.java')])
        review = ['review', '--staged', '--dry-run', '--no-comments']
        cmds = {'git diff --cached': ['git', 'diff', '--cached'], 'bot': [*bot_command(), *review]}
        if args.before:
            cmds['before'] = ['env', f'PYTHONPATH={args.before.resolve()}', sys.executable, '-m', 'codestral_bot', *review]
        got = medians(cmds, root, bot_env(), args.runs)
    base, bot = got['git diff --cached'], got['bot']
    print('| case | input | `git diff --cached` | codestral-bot (wall) | (CPU) | wall ratio | peak RSS |')
    print('|---|---|---:|---:|---:|---:|---:|')
    print(f'| OpenJDK java.base staged, --dry-run | {files:,} files ({java:,} .java) | {ms(base[0])} | '
          f'{ms(bot[0])} | {ms(bot[2])} | {bot[0] / base[0]:.1f}× | {mib(bot[1])} |')
    if 'before' in got:
        old = got['before']
        print(f'| the same, --before revision | | {ms(base[0])} | {ms(old[0])} | {ms(old[2])} | '
              f'{old[0] / base[0]:.1f}× | {mib(old[1])} |')
    print(f'\n(runs: {args.runs}; total benchmark time {time.perf_counter() - started:.0f} s)')


if __name__ == '__main__':
    main()
