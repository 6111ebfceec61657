"""Hook start-up when there is nothing to do: a staged change of 200 files without stubs.

Compares `codestral-bot review --hook --staged --apply --no-comments` (what the codestral-fill hook
runs) with `python3 -c pass`, both as fresh processes, median of N runs each, interleaved so
machine load hits both alike. Prints a Markdown table. Run it with the Python of the environment
to measure: an editable (development) install adds its import finder's cost to every start.

    python benchmarks/bench_hook.py [--runs 15]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _make_repo(root: Path) -> None:
    env = {**os.environ, 'GIT_AUTHOR_NAME': 'b', 'GIT_AUTHOR_EMAIL': 'b@example.invalid',
           'GIT_COMMITTER_NAME': 'b', 'GIT_COMMITTER_EMAIL': 'b@example.invalid'}
    subprocess.run(['git', 'init', '-q'], cwd=root, check=True)
    (root / 'README.md').write_text('x\n')
    subprocess.run(['git', 'add', '-A'], cwd=root, check=True)
    subprocess.run(['git', 'commit', '-qm', 'init'], cwd=root, check=True, env=env)
    for i in range(200):
        body = ''.join(f'def f{i}_{j}(x):\n    return x + {j}\n\n\n' for j in range(20))
        (root / f'mod{i:03d}.py').write_text(body)
    subprocess.run(['git', 'add', '-A'], cwd=root, check=True)


def _time(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f'{cmd} failed: {result.stderr.decode()}')
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=15)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}
    env['CODESTRAL_API_KEY'] = 'not-used'  # a key present: the fast path must not depend on its absence
    # the console script, as pre-commit runs it (falls back to -m where it is not installed)
    script = Path(sys.executable).parent / 'codestral-bot'
    entry = [str(script)] if script.exists() else [sys.executable, '-m', 'codestral_bot']
    hook = [*entry, 'review', '--hook', '--staged', '--apply', '--no-comments']
    baseline = [sys.executable, '-c', 'pass']
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        _make_repo(root)
        _time(hook, root, env)  # warm the file cache once
        hook_times, base_times = [], []
        for _ in range(args.runs):
            base_times.append(_time(baseline, root, env))
            hook_times.append(_time(hook, root, env))
    hook_ms = statistics.median(hook_times) * 1000
    base_ms = statistics.median(base_times) * 1000
    print(f'| staged change | runs | `python3 -c pass` | hook | ratio |')
    print(f'|---|---:|---:|---:|---:|')
    print(f'| 200 files, no stubs | {args.runs} | {base_ms:.0f} ms | {hook_ms:.0f} ms | {hook_ms / base_ms:.2f}× |')


if __name__ == '__main__':
    main()
