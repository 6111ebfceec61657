"""What the benchmark scripts share: timing fresh processes, peak memory, throwaway repos, the fake API.

Every figure is a median over repeats, interleaved with its baseline so machine load hits both
alike; peak memory is ``/usr/bin/time -v``'s "Maximum resident set size" of the command itself.
"""
from __future__ import annotations

import contextlib
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {**{k: v for k, v in os.environ.items() if not k.startswith('GIT_')},
           'GIT_AUTHOR_NAME': 'b', 'GIT_AUTHOR_EMAIL': 'b@example.invalid',
           'GIT_COMMITTER_NAME': 'b', 'GIT_COMMITTER_EMAIL': 'b@example.invalid'}


def git(root: Path, *args: str) -> bytes:
    return subprocess.run(['git', *args], cwd=root, env=GIT_ENV, check=True, capture_output=True).stdout


def init_repo(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, 'init', '-q')
    (root / 'README.md').write_text('x\n')
    git(root, 'add', '-A')
    git(root, 'commit', '-qm', 'init')


def bot_command() -> list[str]:
    """The console script, as pre-commit runs it (``-m`` where it is not installed)."""
    script = Path(sys.executable).parent / 'codestral-bot'
    return [str(script)] if script.exists() else [sys.executable, '-m', 'codestral_bot']


def run_once(cmd: Sequence[str], cwd: Path, env: dict[str, str],
             ok: Sequence[int] = (0,)) -> tuple[float, int, float]:
    """Wall time (s), peak RSS (KiB) and CPU time (user + system, s) of one fresh run.

    CPU time is the steadier figure on a shared machine: the wall clock also counts waiting for
    a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(['/usr/bin/time', '-v', *cmd], cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in ok:
        raise SystemExit(f'{" ".join(cmd)[:200]} exited {result.returncode}: {result.stderr.decode()[-2000:]}')
    m = re.search(rb'Maximum resident set size \(kbytes\): (\d+)', result.stderr)
    # rusage, not time -v's figures: those are in 10 ms steps, too coarse for a hook
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, int(m.group(1)) if m else 0, cpu


def medians(cmds: dict[str, list[str]], cwd: Path, env: dict[str, str], runs: int,
            ok: Sequence[int] = (0, 1)) -> dict[str, tuple[float, int, float]]:
    """name → (median wall s, median peak KiB, median CPU s), the commands interleaved run by run."""
    samples: dict[str, list[tuple[float, int, float]]] = {k: [] for k in cmds}
    for name, cmd in cmds.items():  # warm the file cache once
        run_once(cmd, cwd, env, ok)
    for _ in range(runs):
        for name, cmd in cmds.items():
            samples[name].append(run_once(cmd, cwd, env, ok))
    return {k: (statistics.median(s[0] for s in v), int(statistics.median(s[1] for s in v)),
                statistics.median(s[2] for s in v)) for k, v in samples.items()}


@contextlib.contextmanager
def fake_api(*extra: str) -> Iterator[str]:
    """The fake Codestral API in its own process (no latency unless asked); yields its URL."""
    cmd = [sys.executable, '-m', 'tests.fakes.codestral', '--port', '0', '--api-key', 'bench-key', *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith('http://127.0.0.1:'):
            raise SystemExit(f'fake server did not start: {url!r}')
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bot_env(url: str | None = None, cache: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('GIT_') and k not in ('CODESTRAL_API_KEY', 'MISTRAL_API_KEY', 'CODESTRAL_BOT_API_BASE')}
    env['NO_COLOR'] = '1'
    if url is not None:
        env.update(CODESTRAL_API_KEY='bench-key', CODESTRAL_BOT_API_BASE=url)
    if cache is not None:
        env['CODESTRAL_BOT_CACHE_DIR'] = str(cache)
    return env


def ms(seconds: float) -> str:
    if seconds < 1:
        return f'{seconds * 1000:.1f} ms'
    return f'{seconds * 1000:.0f} ms' if seconds < 10 else f'{seconds:.1f} s'


def mib(kib: int) -> str:
    return f'{kib / 1024:.0f} MiB'
