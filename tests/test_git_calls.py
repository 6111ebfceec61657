"""Issue 15: the index is read once and blobs come in one batch, whatever the number of files."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.repo_util import make_repo
from tests.repo_util import write
from tests.test_fast_path import _git_shim


def test_a_staged_review_costs_the_same_git_calls_for_3_or_60_files(tmp_path: Path) -> None:
    counts = []
    for n in (3, 60):
        repo = make_repo(tmp_path / f'r{n}')
        for i in range(n):
            write(repo, f'pkg/m{i}.py', f'def f{i}(x) -> int:\n    """Doc."""\n    pass\n')
        repo.git.add('-A')
        env, log = _git_shim(tmp_path / f's{n}')
        env.pop('CODESTRAL_API_KEY')
        result = subprocess.run([sys.executable, '-m', 'codestral_bot', 'review', '--staged', '--dry-run',
                                 '--no-comments'], cwd=repo.working_tree_dir, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count('would send a FIM request') == min(n, 50)  # max_stubs
        calls = log.read_text().splitlines()
        assert sum('ls-files' in c and '--stage' in c for c in calls) == 1  # the index, listed once
        assert sum('cat-file --batch' in c for c in calls) == 1  # every blob through one process
        counts.append(len(calls))
    assert counts[0] == counts[1]
