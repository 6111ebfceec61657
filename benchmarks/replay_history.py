"""Replay repositories' history as the hook would meet it, and score the stubs found.

    python benchmarks/replay_history.py --rescore DETECTIONS [DETECTIONS ...] --labels LABELS
    python benchmarks/replay_history.py GITDIR [GITDIR ...] [--commits 500] [--jobs 1] [--minutes M]
                                        [--skip 0] [--out detections.tsv] [--labels benchmarks/history_labels.tsv]
                                        [--include-tests]

GITDIR is a git directory (a bare mirror from the search tool's ``fetch`` works) or a clone. For
each of the newest ``--commits`` non-merge commits of its HEAD, a scratch clone is checked out at
the commit and ``codestral-bot review --base <commit>^ --dry-run --json --no-comments`` runs in it,
with this checkout's ``bot/`` on PYTHONPATH: the change the commit made, reviewed as a hook or CI
would, with no key (nothing is sent anywhere). Commits that change no source file of a supported
language are counted but not reviewed (the hook finds nothing there). Every detection is written
as a TSV row (repo, commit, path, name, line, kind, language, evidence).

Per repository it prints what the stub policy removed, from the ``skipped`` list of the JSON
document (test files, stubs already in the base revision, intent markers, ``codestral-bot:
ignore``). ``--include-tests`` reviews with ``include_tests = true`` and counts the stubs found in
test code (default conventions) as removed by "test code" instead of detections, so the policy's
whole effect is seen (the default config is what the hook runs with).

With ``--labels`` (rows ``repo  commit  path  name  label  reason``, label ``stub`` or
``not-stub``, written by reading the code at that commit), it prints per language the commits
replayed, detections, precision, and false detections per 1,000 commits; an unlabelled detection
is listed so it can be labelled. ``--rescore`` scores the files earlier ``--out`` runs wrote
(several runs add up: ``--skip`` extends a replay further back) against the labels as they are now.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
_LANGUAGES = {'.py': 'Python', '.pyw': 'Python', '.js': 'TS/JS', '.mjs': 'TS/JS', '.cjs': 'TS/JS',
              '.jsx': 'TS/JS', '.ts': 'TS/JS', '.tsx': 'TS/JS', '.mts': 'TS/JS', '.cts': 'TS/JS',
              '.go': 'Go', '.rs': 'Rust', '.java': 'Java'}
_SUFFIXES = tuple(_LANGUAGES)
_FIELDS = ['repo', 'commit', 'path', 'name', 'line', 'kind', 'language', 'evidence']


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(['git', *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _bot_env() -> dict[str, str]:
    # No key and no API base: a dry run must not be able to reach anything. GIT_* from a calling
    # hook would point git at the wrong repository.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('GIT_', 'CODESTRAL_', 'MISTRAL_', 'OPENROUTER_'))}
    env['PYTHONPATH'] = str(_ROOT / 'bot')  # this checkout's code, not an installed copy
    env['NO_COLOR'] = '1'
    return env


def _repo_name(repo: Path) -> str:
    repo = repo.resolve()
    return (repo.parent.name if repo.name in ('repo', '.git') else repo.name).replace('+', '/')


def _main_language(work: Path) -> str:
    """The language most of the repository's source files at HEAD are in (groups the table)."""
    counts = collections.Counter(_LANGUAGES[Path(name).suffix] for name in
                                 _git(work, 'ls-tree', '-r', '--name-only', 'HEAD').splitlines()
                                 if Path(name).suffix in _LANGUAGES)
    return counts.most_common(1)[0][0] if counts else '?'


def _touches_code(work: Path, commit: str) -> bool:
    names = _git(work, 'diff', '--name-only', '--no-renames', f'{commit}^', commit).splitlines()
    return any(name.endswith(_SUFFIXES) for name in names)


def _review(work: Path, commit: str, timeout: float, include_tests: bool) -> dict[str, Any] | None:
    _git(work, 'checkout', '-q', '-f', '--detach', commit)
    _git(work, 'clean', '-q', '-f', '-d', '-x')
    config = work / '.codestral-bot.toml'
    if include_tests and not config.exists():  # info/exclude keeps it out of the reviewed change
        config.write_text('include_tests = true\n')
    cmd = [sys.executable, '-m', 'codestral_bot', 'review', '--base', f'{commit}^', '--dry-run', '--json',
           '--no-comments', '--timeout', str(int(timeout))]
    try:
        proc = subprocess.run(cmd, cwd=work, env=_bot_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f'{commit[:12]}: review timed out', file=sys.stderr)
        return None
    if not proc.stdout.strip():
        return {}  # older bots printed nothing when nothing could be a stub
    try:
        doc: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        print(f'{commit[:12]}: not JSON (exit {proc.returncode}): {proc.stderr.strip()[:200]}', file=sys.stderr)
        return None
    return doc


class Replay:
    """One repository's replay: counts, detections and what each policy rule removed."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.name = _repo_name(repo)
        self.language = '?'
        self.counts: collections.Counter[str] = collections.Counter()
        self.removed: collections.Counter[str] = collections.Counter()
        self.rows: list[dict[str, str]] = []

    def run(self, commits: int, skip: int, timeout: float, deadline: float, include_tests: bool) -> Replay:
        with tempfile.TemporaryDirectory(prefix='replay-') as tmp:
            work = Path(tmp) / 'work'
            subprocess.run(['git', 'clone', '-q', '--no-checkout', '--shared', str(self.repo), str(work)],
                           check=True)
            (work / '.git' / 'info' / 'exclude').write_text('.codestral-bot.toml\n')
            self.language = _main_language(work)
            listed = _git(work, 'rev-list', '--no-merges', f'--skip={skip}', f'--max-count={commits}',
                          'HEAD').split()
            for commit in listed:  # newest first, so a deadline keeps the most recent history
                if time.monotonic() > deadline:
                    self.counts['stopped at the deadline'] += 1
                    break
                self._one(work, commit, timeout, include_tests)
        c = self.counts
        print(f'{self.name}: {c["commits"]} commits, {c["reviewed"]} touching code, {c["detections"]} '
              f'detections, {c["unparsed"]} unparsed files, {c["errors"]} errors; removed by the policy: '
              f'{dict(self.removed) or "nothing"}', file=sys.stderr, flush=True)
        return self

    def _one(self, work: Path, commit: str, timeout: float, include_tests: bool) -> None:
        if len(_git(work, 'rev-list', '--parents', '-n', '1', commit).split()) != 2:
            return  # the root commit has no parent to compare with
        self.counts['commits'] += 1
        if not _touches_code(work, commit):
            return
        self.counts['reviewed'] += 1
        try:
            doc = _review(work, commit, timeout, include_tests)
        except subprocess.CalledProcessError:
            doc = None  # a blob the mirror lacks (fetch snapshots leave out the largest files)
        if doc is None:  # not replayed: left out of the commits the rates are per
            self.counts['errors'] += 1
            self.counts['commits'] -= 1
            return
        self.counts['unparsed'] += len(doc.get('unparsed', []) or [])
        for skipped in doc.get('skipped', []) or []:
            what = 'files' if not skipped.get('name') else 'stubs'
            self.removed[f'{skipped["reason"].split(" (")[0]} ({what})'] += 1
        for stub in doc.get('stubs', []) or []:
            if include_tests and _is_test_code(stub['path']):
                self.removed['test code (stubs)'] += 1
                continue
            self.rows.append({'repo': self.name, 'commit': commit, 'path': stub['path'], 'name': stub['name'],
                              'line': str(stub['start_line']), 'kind': stub['kind'],
                              'language': stub['language'], 'evidence': stub.get('evidence') or ''})
            self.counts['detections'] += 1
            print(f'detection: {self.name} {commit} {stub["path"]} {stub["name"]} line {stub["start_line"]} '
                  f'({stub["kind"]})', file=sys.stderr, flush=True)  # label while the replay goes on


def _is_test_code(path: str) -> bool:
    if str(_ROOT / 'bot') not in sys.path:
        sys.path.insert(0, str(_ROOT / 'bot'))  # this checkout's conventions, as the reviews use
    from codestral_bot.testpaths import DEFAULT_TEST_GLOBS, reason_if_test_code
    return reason_if_test_code(path, DEFAULT_TEST_GLOBS) is not None


def _labels(path: Path) -> dict[tuple[str, str, str, str], str]:
    with path.open(newline='') as f:
        return {(row['repo'], row['commit'], row['path'], row['name']): row['label']
                for row in csv.DictReader(f, delimiter='\t')}


def _score(replays: list[Replay], labels: dict[tuple[str, str, str, str], str]) -> None:
    per: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    repos: dict[str, list[str]] = collections.defaultdict(list)
    for replay in replays:
        per[replay.language]['commits'] += replay.counts['commits']
        if replay.name not in repos[replay.language]:
            repos[replay.language].append(replay.name)
        for row in replay.rows:
            verdict = labels.get((row['repo'], row['commit'], row['path'], row['name'])) or 'unlabelled'
            per[replay.language][verdict] += 1
            if verdict == 'unlabelled':
                print(f'unlabelled: {row["repo"]} {row["commit"]} {row["path"]} {row["name"]} '
                      f'line {row["line"]} ({row["kind"]})', file=sys.stderr)
    print('| language | repositories | commits replayed | detections | stub | not-stub | unlabelled | precision |')
    print('|---|---|---:|---:|---:|---:|---:|---:|')
    for language, c in sorted(per.items()):
        found = c['stub'] + c['not-stub'] + c['unlabelled']
        labelled = c['stub'] + c['not-stub']
        precision = f'{c["stub"] / labelled:.0%}' if labelled else '— (none found)'
        print(f'| {language} | {", ".join(repos[language])} | {c["commits"]:,} | {found} | {c["stub"]} | '
              f'{c["not-stub"]} | {c["unlabelled"]} | {precision} |')
    commits = sum(c['commits'] for c in per.values())
    false = sum(c['not-stub'] for c in per.values())
    if commits:
        print(f'\nfalse detections per 1,000 commits: {1000 * false / commits:.2f} ({false} in {commits:,} commits)')


def _write(replays: list[Replay], path: Path) -> None:
    """Detections to ``path``; beside it ``<path>.commits`` says how many commits each repository had."""
    for target, fields, rows in (
            (path, _FIELDS, [row for replay in replays for row in replay.rows]),
            (Path(f'{path}.commits'), ['repo', 'language', 'commits'],
             [{'repo': r.name, 'language': r.language, 'commits': str(r.counts['commits'])} for r in replays])):
        tmp = Path(f'{target}.tmp')
        with tmp.open('w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=fields, delimiter='\t', lineterminator='\n')
            writer.writeheader()
            writer.writerows(rows)
        tmp.replace(target)


def _read(path: Path) -> list[Replay]:
    """Replays written by ``--out`` (detections and their ``.commits``), to score again without replaying."""
    replays: dict[str, Replay] = {}
    with Path(f'{path}.commits').open(newline='') as f:
        for row in csv.DictReader(f, delimiter='\t'):
            replay = replays[row['repo']] = Replay(path)
            replay.name, replay.language = row['repo'], row['language']
            replay.counts['commits'] = int(row['commits'])
    with path.open(newline='') as f:
        for row in csv.DictReader(f, delimiter='\t'):
            replays[row['repo']].rows.append(row)
    return list(replays.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('repos', nargs='*', type=Path)
    parser.add_argument('--rescore', nargs='+', type=Path, default=[], metavar='DETECTIONS',
                        help='score detections written by earlier --out runs (added together) instead of replaying')
    parser.add_argument('--commits', type=int, default=500, help='newest non-merge commits per repository')
    parser.add_argument('--skip', type=int, default=0, help='leave out this many newest (to extend a replay)')
    parser.add_argument('--timeout', type=float, default=120, help='seconds per commit')
    parser.add_argument('--jobs', type=int, default=1, help='repositories replayed at once')
    parser.add_argument('--minutes', type=float, default=0, help='stop replaying after this long (0: never)')
    parser.add_argument('--include-tests', action='store_true',
                        help='find stubs in test code too and count them as removed by "test code"')
    parser.add_argument('--out', type=Path, help='write every detection here (TSV)')
    parser.add_argument('--labels', type=Path, help='score against these labels (TSV)')
    args = parser.parse_args()
    if args.rescore:
        _score([replay for path in args.rescore for replay in _read(path)],
               _labels(args.labels) if args.labels else {})
        return 0
    if not args.repos:
        parser.error('name a git directory to replay, or --rescore')
    started = time.monotonic()
    deadline = started + args.minutes * 60 if args.minutes else float('inf')
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        replays = list(pool.map(lambda repo: Replay(repo).run(args.commits, args.skip, args.timeout, deadline,
                                                              args.include_tests), args.repos))
    total = sum(replay.counts['commits'] for replay in replays)
    print(f'{total} commits replayed in {time.monotonic() - started:.0f} s', file=sys.stderr)
    if args.out:
        _write(replays, args.out)
    if args.labels:
        _score(replays, _labels(args.labels) if args.labels.exists() else {})
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
