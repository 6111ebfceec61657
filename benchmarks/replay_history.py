"""Replay a repository's history as the hook would meet it, and score the stubs found.

    python benchmarks/replay_history.py REPO [REPO ...] [--commits 500] [--out detections.tsv]
                                        [--labels benchmarks/history_labels.tsv]

REPO is a git directory (a bare mirror from the search tool's ``fetch`` works) or a clone. For each of
the newest ``--commits`` non-merge commits, a scratch clone is checked out at the commit and
``codestral-bot review --base <commit>^ --dry-run --json --no-comments`` runs in it: the change the
commit made, reviewed as a hook or CI would, with no key (nothing is sent anywhere). Every
detection is written as a TSV row (repo, commit, path, name, line, kind, language, evidence).

With ``--labels`` (rows ``repo  commit  path  name  label  reason``, label ``stub`` or ``not-stub``,
written by reading the code at that commit), it prints precision per language and false
detections per 1,000 commits replayed; an unlabelled detection is listed so it can be labelled.
"""
from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SUFFIXES = ('.py', '.pyw', '.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts', '.go', '.rs', '.java')
_ROOT = Path(__file__).resolve().parent.parent


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(['git', *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _bot_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ('CODESTRAL_API_KEY', 'MISTRAL_API_KEY', 'OPENROUTER_API_KEY', 'CODESTRAL_BOT_API_BASE')}
    env['PYTHONPATH'] = str(_ROOT / 'bot')
    env['NO_COLOR'] = '1'
    return env


def _touches_code(work: Path, commit: str) -> bool:
    names = _git(work, 'diff', '--name-only', '--no-renames', f'{commit}^', commit).splitlines()
    return any(name.endswith(_SUFFIXES) for name in names)


def _review(work: Path, commit: str, timeout: float) -> dict[str, object] | None:
    _git(work, 'checkout', '-q', '-f', commit)
    _git(work, 'clean', '-q', '-f', '-d', '-x')
    cmd = [sys.executable, '-m', 'codestral_bot', 'review', '--base', f'{commit}^', '--dry-run', '--json',
           '--no-comments', '--timeout', str(int(timeout))]
    try:
        proc = subprocess.run(cmd, cwd=work, env=_bot_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f'{commit[:12]}: review timed out', file=sys.stderr)
        return None
    if not proc.stdout.strip():
        return {}
    try:
        doc: dict[str, object] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        print(f'{commit[:12]}: not JSON (exit {proc.returncode}): {proc.stderr.strip()[:200]}', file=sys.stderr)
        return None
    return doc


def replay(repo: Path, commits: int, timeout: float, rows: list[dict[str, str]]) -> dict[str, int]:
    name = repo.resolve().parent.name if repo.name == 'repo' else repo.name
    counts = collections.Counter[str]()
    with tempfile.TemporaryDirectory(prefix='replay-') as tmp:
        work = Path(tmp) / 'work'
        subprocess.run(['git', 'clone', '-q', '--no-checkout', '--shared', str(repo), str(work)], check=True)
        listed = _git(work, 'rev-list', '--no-merges', f'--max-count={commits}', 'HEAD').split()
        for commit in reversed(listed):
            counts['commits'] += 1
            parents = _git(work, 'rev-list', '--parents', '-n', '1', commit).split()
            if len(parents) != 2 or not _touches_code(work, commit):
                continue
            counts['reviewed'] += 1
            doc = _review(work, commit, timeout)
            if doc is None:
                counts['errors'] += 1
                continue
            for stub in doc.get('stubs', []) or []:  # type: ignore[union-attr]
                rows.append({'repo': name, 'commit': commit, 'path': stub['path'], 'name': stub['name'],
                             'line': str(stub['start_line']), 'kind': stub['kind'],
                             'language': stub['language'], 'evidence': stub.get('evidence') or ''})
                counts['detections'] += 1
            counts['unparsed'] += len(doc.get('unparsed', []) or [])  # type: ignore[arg-type]
    print(f'{name}: {counts["commits"]} commits, {counts["reviewed"]} touching code, '
          f'{counts["detections"]} detections, {counts["unparsed"]} unparsed files, '
          f'{counts["errors"]} errors', file=sys.stderr)
    return dict(counts)


def _score(rows: list[dict[str, str]], labels_path: Path, commits: int) -> None:
    labels: dict[tuple[str, str, str, str], str] = {}
    with labels_path.open(newline='') as f:
        for label in csv.DictReader(f, delimiter='\t'):
            labels[(label['repo'], label['commit'], label['path'], label['name'])] = label['label']
    per_language: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for row in rows:
        verdict = labels.get((row['repo'], row['commit'], row['path'], row['name']))
        per_language[row['language']][verdict or 'unlabelled'] += 1
        if verdict is None:
            print(f'unlabelled: {row["repo"]} {row["commit"]} {row["path"]} {row["name"]} '
                  f'line {row["line"]} ({row["kind"]})', file=sys.stderr)
    print('| language | detections | unfinished (stub) | intentional (not-stub) | unlabelled | precision |')
    print('|---|---:|---:|---:|---:|---:|')
    false_total = 0
    for language, c in sorted(per_language.items()):
        labelled = c['stub'] + c['not-stub']
        precision = f'{c["stub"] / labelled:.0%}' if labelled else '—'
        false_total += c['not-stub']
        print(f'| {language} | {sum(c.values())} | {c["stub"]} | {c["not-stub"]} | {c["unlabelled"]} | {precision} |')
    if commits:
        print(f'\nfalse detections per 1,000 commits: {1000 * false_total / commits:.2f} ({false_total} in {commits})')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('repos', nargs='+', type=Path)
    parser.add_argument('--commits', type=int, default=500, help='newest non-merge commits per repository')
    parser.add_argument('--timeout', type=float, default=120, help='seconds per commit')
    parser.add_argument('--out', type=Path, help='write every detection here (TSV)')
    parser.add_argument('--labels', type=Path, help='score against these labels (TSV)')
    args = parser.parse_args()
    rows: list[dict[str, str]] = []
    total = 0
    started = time.monotonic()
    for repo in args.repos:
        total += replay(repo, args.commits, args.timeout, rows).get('commits', 0)
    print(f'{total} commits replayed in {time.monotonic() - started:.0f} s', file=sys.stderr)
    if args.out:
        with args.out.open('w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=['repo', 'commit', 'path', 'name', 'line', 'kind', 'language',
                                                   'evidence'], delimiter='\t')
            writer.writeheader()
            writer.writerows(rows)
    if args.labels:
        _score(rows, args.labels, total)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
