"""Replay a repository's history as the hook sees it: what the stub policy keeps and skips.

    python benchmarks/policy_replay.py GITDIR [--commits N] [--detections FILE.tsv]

For each of the last N first-parent, non-merge commits of GITDIR's HEAD, a throw-away clone is
checked out at the commit and ``codestral-bot review --base <commit>^ --dry-run --json
--no-comments`` runs there (no key: nothing is sent), with ``include_tests = true`` so that the
stubs found in test code are seen and counted apart (by the default test conventions) instead of
never being looked at. Prints one Markdown row: commits, detections before the policy (every stub
found, test code and stubs the base already had included), detections after it, and what each
rule removed. ``--detections`` writes the kept detections (commit, path, name, kind, evidence) for
labelling by hand. ``replay_history.py`` scores labelled detections; this script says which rule
of the policy removed what.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'bot'))

from codestral_bot.testpaths import DEFAULT_TEST_GLOBS  # noqa: E402
from codestral_bot.testpaths import reason_if_test_code  # noqa: E402


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(['git', *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _review(clone: Path, commit: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('GIT_', 'CODESTRAL_', 'MISTRAL_'))}
    run = subprocess.run([sys.executable, '-m', 'codestral_bot', 'review', '--base', f'{commit}^', '--dry-run',
                          '--json', '--no-comments'], cwd=clone, env=env, capture_output=True, text=True,
                         timeout=300)
    if not run.stdout.strip():
        return {'stubs': [], 'skipped': [], 'unparsed': []}  # nothing in the change could be a stub
    doc: dict[str, object] = json.loads(run.stdout)
    return doc


def replay(gitdir: Path, commits: int, detections: Path | None) -> str:
    counts: collections.Counter[str] = collections.Counter()
    kept_rows = []
    with tempfile.TemporaryDirectory(prefix='replay-') as tmp:
        clone = Path(tmp) / 'clone'
        subprocess.run(['git', 'clone', '--quiet', '--no-checkout', str(gitdir), str(clone)], check=True)
        (clone / '.git' / 'info' / 'exclude').write_text('.codestral-bot.toml\n')
        history = _git(clone, 'rev-list', '--first-parent', '--no-merges', f'--max-count={commits}', 'HEAD').split()
        for commit in history:
            if len(_git(clone, 'rev-list', '--parents', '-n', '1', commit).split()) < 2:
                continue  # the root commit has no parent to compare with
            try:
                _git(clone, 'checkout', '--quiet', '--force', '--detach', commit)
            except subprocess.CalledProcessError:
                counts['not checked out'] += 1  # a blob the mirror lacks
                continue
            (clone / '.codestral-bot.toml').write_text('include_tests = true\n')
            doc = _review(clone, commit)
            counts['commits'] += 1
            counts['unparsed'] += len(doc['unparsed'])  # type: ignore[arg-type]
            for stub in doc['stubs']:  # type: ignore[attr-defined]
                if reason_if_test_code(stub['path'], DEFAULT_TEST_GLOBS):
                    counts['test code'] += 1
                else:
                    counts['kept'] += 1
                    kept_rows.append((commit[:12], stub['path'], stub['name'], stub['kind'], stub['evidence']))
            for skipped in doc['skipped']:  # type: ignore[attr-defined]
                counts[skipped['reason'].split(' (')[0]] += 1
    if detections is not None:
        detections.write_text(''.join('\t'.join(row) + '\n' for row in kept_rows), encoding='utf-8')
    rules = ('test code', 'already a stub in the base revision', 'marked intentional', 'codestral-bot: ignore')
    before = counts['kept'] + sum(counts[rule] for rule in rules)
    return (f'| {gitdir.parent.name.replace("+", "/")} | {counts["commits"]} | {before} | {counts["kept"]} | '
            + ' | '.join(str(counts[rule]) for rule in rules) + f' | {counts["unparsed"]} |')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('gitdir', type=Path)
    parser.add_argument('--commits', type=int, default=200)
    parser.add_argument('--detections', type=Path)
    args = parser.parse_args()
    print('| repository | commits | detections without the policy | kept | test code | already a stub at the '
          'base | marked intentional | codestral-bot: ignore | files not parsed |')
    print('|---|---|---|---|---|---|---|---|---|')
    print(replay(args.gitdir.resolve(), args.commits, args.detections))


if __name__ == '__main__':
    main()
