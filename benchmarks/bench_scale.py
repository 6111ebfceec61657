"""Issue 15's rows at 1×, 4× and 16× their size: big files, many files, a huge untracked log, a long review.

Each row times fresh `codestral-bot` processes next to a baseline measured in the same run and on
the same repository (`git diff` of the same change, `python -c pass`), medians over --runs repeats,
peak memory from `/usr/bin/time -v`. The fake Codestral API (`tests.fakes.codestral`, no latency)
answers fills and reviews, so the times are the bot's own. Prints Markdown tables.

    python benchmarks/bench_scale.py [--runs 3] [--only big,many,log,review,render] [--before DIR]

Rows:
- big:    one Python file of 7,500 / 30,000 / 120,000 functions (16× ≈ 4.6 MB), one stub added, filled,
          written as a patch (`review --no-comments --patch`); `max_file_bytes` raised to let it in.
- many:   188 / 750 / 3,001 new files staged, one stub, `review --staged --dry-run --no-comments`.
- log:    one stub beside an untracked log of 12.5 / 50 / 200 MB, `review --dry-run --no-comments`.
- review: a new file of 750 / 3,000 / 12,000 lines, `review --no-fill`: requests, the largest
          request against the 6,000-token budget, and the added lines that reached the model.
- render: the output diff alone, in-process: the span renderer against difflib over the whole file
          (the previous implementation), on the `big` files.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'bot'))

from _common import ROOT  # noqa: E402
from _common import bot_command  # noqa: E402
from _common import bot_env  # noqa: E402
from _common import fake_api  # noqa: E402
from _common import git  # noqa: E402
from _common import init_repo  # noqa: E402
from _common import medians  # noqa: E402
from _common import mib  # noqa: E402
from _common import ms  # noqa: E402

SCALES = (1, 4, 16)
STUB = 'def stub(x: int) -> int:\n    """Return x doubled."""\n    pass\n\n\n'
PASS = [sys.executable, '-c', 'pass']


def _module(n: int, offset: int = 0) -> str:
    return ''.join(f'def f{i}(x):\n    return x + {i}\n\n\n' for i in range(offset, offset + n))


def _row(case: str, scale: int, size: str, base_name: str, base: tuple[float, int, float],
         bot: tuple[float, int, float], note: str = '') -> str:
    return (f'| {case} | {scale}× | {size} | {base_name} {ms(base[0])} | {ms(bot[0])} | {ms(bot[2])} | '
            f'{bot[0] / base[0]:.1f}× | {mib(bot[1])} | {note} |')


def bench_big(work: Path, runs: int) -> list[str]:
    rows = []
    with fake_api() as url:
        env = bot_env(url, work / 'cache')
        for scale in SCALES:
            root = work / f'big{scale}'
            init_repo(root)
            n = 7_500 * scale
            text = _module(n)
            (root / 'big.py').write_text(text)
            (root / '.codestral-bot.toml').write_text('max_file_bytes = 10_000_000\ncache = false\n')
            git(root, 'add', '-A')
            git(root, 'commit', '-qm', 'big')
            at = text.index(f'def f{n // 2}(x)')
            (root / 'big.py').write_text(text[:at] + STUB + text[at:])
            cmds = {'git diff': ['git', 'diff'],
                    'bot': [*bot_command(), 'review', '--no-comments', '--patch', str(work / 'p.diff')]}
            got = medians(_with_before(cmds), root, env, runs)
            size = f'{n:,} functions, {len(text) / 1e6:.1f} MB'
            rows.append(_row('5 MB file, one stub, filled', scale, size, 'git diff', got['git diff'], got['bot'],
                             _before_note(got)))
    return rows


def _before(cmd: list[str]) -> list[str]:
    """The same command run by the revision given with --before (its ``bot`` folder)."""
    return ['env', f'PYTHONPATH={BEFORE[0]}', sys.executable, '-m', 'codestral_bot', *cmd[len(bot_command()):]]


BEFORE: list[str] = []  # --before: the bot/ folder of an older revision, for a "before" column


def _with_before(cmds: dict[str, list[str]]) -> dict[str, list[str]]:
    return {**cmds, 'before': _before(cmds['bot'])} if BEFORE else cmds


def _before_note(got: dict[str, tuple[float, int, float]]) -> str:
    if 'before' not in got:
        return ''
    return f'before: {ms(got["before"][0])}, {mib(got["before"][1])}'


def bench_many(work: Path, runs: int) -> list[str]:
    rows = []
    env = bot_env()
    for scale in SCALES:
        root = work / f'many{scale}'
        init_repo(root)
        count = 3_000 * scale // 16
        for i in range(count):
            (root / f'pkg{i // 100}').mkdir(exist_ok=True)
            (root / f'pkg{i // 100}' / f'm{i}.py').write_text(_module(5, i * 5))
        (root / 'stub.py').write_text(STUB)
        git(root, 'add', '-A')
        cmds = {'git diff --cached': ['git', 'diff', '--cached'],
                'bot': [*bot_command(), 'review', '--staged', '--dry-run', '--no-comments']}
        got = medians(_with_before(cmds), root, env, runs)
        rows.append(_row('new files staged, one stub, --dry-run', scale, f'{count + 1:,} files',
                         'git diff --cached', got['git diff --cached'], got['bot'], _before_note(got)))
    return rows


def bench_log(work: Path, runs: int) -> list[str]:
    rows = []
    env = bot_env()
    for scale in SCALES:
        root = work / f'log{scale}'
        init_repo(root)
        (root / 'stub.py').write_text(STUB)
        cmds = {'no log': [*bot_command(), 'review', '--dry-run', '--no-comments']}
        without = medians(cmds, root, env, runs)['no log']
        size = 12_500_000 * scale
        with open(root / 'server.log', 'wb') as f:  # real bytes, so reading it would cost memory
            line = b'2026-11-28 05:00:00 INFO request served in 12 ms\n'
            f.write(line * (size // len(line)))
        got = medians(_with_before({'python -c pass': PASS, 'bot': cmds['no log']}), root, env, runs)
        note = '; '.join(filter(None, [f'peak without the log: {mib(without[1])}', _before_note(got)]))
        rows.append(_row('untracked log beside one stub, --dry-run', scale, f'{size / 1e6:.1f} MB log',
                         'python -c pass', got['python -c pass'], got['bot'], note))
    return rows


def _requests(url: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(f'{url}/_fake/requests') as r:
        data = json.load(r)
    return data if isinstance(data, list) else data.get('requests', [])


def bench_review(work: Path, runs: int) -> list[str]:
    rows = []
    for scale in SCALES:
        root = work / f'review{scale}'
        init_repo(root)
        body = ''.join(f'def g{i}(x):\n    y = x * {i}\n    return y + {i}\n\n' for i in range(750 * scale // 4 + 1))
        lines = body.count('\n')
        (root / 'new.py').write_text(body)
        cmd = [*bot_command(), 'review', '--no-fill']
        for label, run in (('', cmd), (' (before)', _before(cmd) if BEFORE else None)):
            if run is not None:
                rows.append(_review_row(work, root, run, f'{scale}×{label}', lines))
    return rows


def _review_row(work: Path, root: Path, cmd: list[str], scale: str, lines: int) -> str:
    from codestral_bot.tokens import estimate_tokens

    with fake_api('--text', '{"findings": []}') as url:
        env = bot_env(url, work / 'cache')
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=root, env=env, capture_output=True)
        elapsed = time.perf_counter() - start
        chats = [r for r in _requests(url) if 'messages' in json.dumps(r)]
    users = [_user_text(r) for r in chats]
    seen = {int(m.group(1)) for u in users for m in re.finditer(r'^\s*(\d+) \+ ', u, re.MULTILINE)}
    biggest = max((estimate_tokens(u) for u in users), default=0)
    return (f'| new file, review comments | {scale} | {lines:,} lines | {len(users)} requests | '
            f'largest {biggest:,} tokens (budget 6,000) | {len(seen & set(range(1, lines + 1))):,} of '
            f'{lines:,} added lines sent | {ms(elapsed)} | exit {result.returncode} |')


def _user_text(request: dict[str, object]) -> str:
    text = json.dumps(request)
    body = request.get('json') if isinstance(request.get('json'), dict) else request.get('body', request)
    if isinstance(body, dict):
        messages = body.get('messages') or []
        return '\n'.join(str(m.get('content', '')) for m in messages if isinstance(m, dict) and m.get('role') == 'user')
    return text


def bench_render(work: Path, limit: float) -> list[str]:
    rows = []
    for scale in SCALES:
        n = 7_500 * scale
        text = _module(n)
        at = text.index(f'def f{n // 2}(x)')
        old = text[:at] + STUB + text[at:]
        body_at = old.index('    pass\n', at)
        rows.append(f'| output diff alone | {scale}× | {n:,} functions, {len(old) / 1e6:.1f} MB | '
                    f'{_time_render("span", old, body_at, limit)} | {_time_render("difflib", old, body_at, limit)} |')
    return rows


_RENDER = '''
import sys, time
sys.path.insert(0, {bot!r})
from codestral_bot.edits import Span, span_diff
from codestral_bot.records import SourceFile
from codestral_bot.sinks.patch import unified_diff
old = open({path!r}).read()
at = {at}
new = old[:at] + '    return x * 2\\n' + old[at + 9:]
t = time.perf_counter()
if {kind!r} == 'span':
    span_diff(SourceFile('big.py', old, 'utf-8', '\\n', b''), [Span(at, at + 9, '    return x * 2\\n')])
else:
    unified_diff('big.py', old, new)
print(time.perf_counter() - t)
'''


def _time_render(kind: str, old: str, at: int, limit: float) -> str:
    with tempfile.NamedTemporaryFile('w', suffix='.py', delete=False) as f:
        f.write(old)
    code = _RENDER.format(bot=str(ROOT / 'bot'), path=f.name, at=at, kind=kind)
    try:
        out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return f'> {limit:.0f} s (stopped)'
    finally:
        Path(f.name).unlink()
    return ms(float(out.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--only', default='big,many,log,review,render')
    parser.add_argument('--difflib-limit', type=float, default=120.0, help='seconds before difflib is stopped')
    parser.add_argument('--before', type=Path, help="an older revision's bot/ folder (git archive REV bot | tar -x)")
    args = parser.parse_args()
    if args.before:
        BEFORE.append(str(args.before.resolve()))
    wanted = set(args.only.split(','))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        print('| case | scale | input | baseline (wall) | codestral-bot (wall) | (CPU) | wall ratio | peak RSS | notes |')
        print('|---|---|---|---:|---:|---:|---:|---:|---|')
        for name, bench in (('big', bench_big), ('many', bench_many), ('log', bench_log)):
            if name in wanted:
                for row in bench(work, args.runs):
                    print(row, flush=True)
        if 'review' in wanted:
            print('\n| case | scale | input | requests | largest request | coverage | wall | exit |')
            print('|---|---|---|---:|---:|---:|---:|---|')
            for row in bench_review(work, args.runs):
                print(row, flush=True)
        if 'render' in wanted:
            print('\n| case | scale | input | span renderer | difflib (before) |')
            print('|---|---|---|---:|---:|')
            for row in bench_render(work, args.difflib_limit):
                print(row, flush=True)
    print(f'\n(total benchmark time {time.perf_counter() - started:.0f} s)')


if __name__ == '__main__':
    main()
