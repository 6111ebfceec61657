"""Hook start-up with nothing to do: 200 staged files without stubs, as pre-commit runs it.

Times, as fresh processes, interleaved, medians over --runs (peak memory from `/usr/bin/time -v`):

- `git diff --cached` itself and `python -c pass` (the floors);
- pre-commit-hooks' `check-added-large-files` with the 200 file names (the issue's yardstick);
- `codestral-bot review --hook --staged --apply --no-comments` with the 200 file names (what the
  codestral-fill hook runs).

Both hooks are installed, non-editable, into one throwaway venv (`pip install --no-deps`: neither
needs its dependencies on this path), so both pay the same interpreter and site start-up, as in
pre-commit's own hook environments. An editable install would add its import finder to every start.

    python benchmarks/bench_hook.py [--runs 21] [--venv DIR]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT  # noqa: E402
from _common import git  # noqa: E402
from _common import init_repo  # noqa: E402
from _common import medians  # noqa: E402
from _common import mib  # noqa: E402
from _common import ms  # noqa: E402


def _venv(path: Path) -> Path:
    python = path / 'bin' / 'python'
    if not (path / 'bin' / 'check-added-large-files').exists():
        subprocess.run([sys.executable, '-m', 'venv', str(path)], check=True)
        pip = [str(python), '-m', 'pip', 'install', '-q', '--no-deps']
        subprocess.run([*pip, 'pre-commit-hooks'], check=True)
    subprocess.run([str(python), '-m', 'pip', 'install', '-q', '--no-deps', '--force-reinstall', str(ROOT)],
                   check=True)
    return path / 'bin'


def _make_repo(root: Path) -> list[str]:
    init_repo(root)
    names = []
    for i in range(200):
        body = ''.join(f'def f{i}_{j}(x):\n    return x + {j}\n\n\n' for j in range(20))
        (root / f'mod{i:03d}.py').write_text(body)
        names.append(f'mod{i:03d}.py')
    git(root, 'add', '-A')
    return names


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=21)
    parser.add_argument('--venv', type=Path, help='reuse (or create) this venv for the two hooks')
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        bin_dir = _venv(args.venv or Path(d) / 'venv')
        root = Path(d) / 'repo'
        names = _make_repo(root)
        env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}
        env['CODESTRAL_API_KEY'] = 'not-used'  # a key present: the fast path must not depend on its absence
        cmds = {
            'git diff --cached': ['git', 'diff', '--cached'],
            'python -c pass': [str(bin_dir / 'python'), '-c', 'pass'],
            'check-added-large-files': [str(bin_dir / 'check-added-large-files'), *names],
            'codestral-bot hook': [str(bin_dir / 'codestral-bot'), 'review', '--hook', '--staged', '--apply',
                                   '--no-comments', *names],
        }
        got = medians(cmds, root, env, args.runs, ok=(0,))
    yardstick = got['check-added-large-files'][0]
    cpu_yardstick = got['check-added-large-files'][2]
    print('| 200 staged files, no stubs | median wall | vs `check-added-large-files` | median CPU | vs | peak RSS |')
    print('|---|---:|---:|---:|---:|---:|')
    for name, (seconds, kib, cpu) in got.items():
        print(f'| `{name}` | {ms(seconds)} | {seconds / yardstick:.2f}× | {ms(cpu)} | {cpu / cpu_yardstick:.2f}× | '
              f'{mib(kib)} |')
    print(f'\n(runs: {args.runs}, interleaved; total {time.perf_counter() - started:.0f} s)')


if __name__ == '__main__':
    main()
