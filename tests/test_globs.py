"""One glob matcher for fills and review comments: `*` stays within a path segment."""
from __future__ import annotations

from pathlib import Path

from codestral_bot.globs import DEFAULT_EXCLUDE
from codestral_bot.globs import matches
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import run_cli
from tests.repo_util import write

STUB = 'def f() -> int:\n    pass\n'


def test_star_stays_within_a_segment() -> None:
    assert matches('src/a.py', ['src/*.py'])
    assert not matches('src/a/b.py', ['src/*.py'])
    assert matches('src/a/b.py', ['src/**/*.py'])


def test_one_default_exclude_list_for_fills_and_comments() -> None:
    from codestral_bot.comments import DEFAULT_EXCLUDE as for_comments
    from codestral_bot.config import Config

    assert Config().exclude == DEFAULT_EXCLUDE == for_comments


def test_include_src_star_does_not_fill_deeper_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'r')
    write(repo, '.codestral-bot.toml', 'include = ["src/*.py"]\n')
    commit_all(repo)
    write(repo, 'src/top.py', STUB)
    write(repo, 'src/a/deep.py', STUB)
    result = run_cli(['review', '--dry-run', '--no-comments'], Path(repo.working_tree_dir), cli_env())
    assert 'src/top.py:2: f' in result.stdout, result.stderr
    assert 'deep.py' not in result.stdout
