"""The hook with nothing to do (issue 15): one git process, nothing imported the answer does not need."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.repo_util import cli_env
from tests.repo_util import make_repo
from tests.repo_util import write

HOOK = ['review', '--hook', '--staged', '--apply', '--no-comments']
PROBE = '''
import sys
sys.argv = ["codestral-bot", *sys.argv[1:]]
from codestral_bot.entry import main
code = main()
loaded = [m for m in ("argparse", "subprocess", "typing", "pathlib", "logging", "tomllib", "asyncio",
                      "httpx", "git", "unidiff", "tree_sitter", "codestral_bot.main", "codestral_bot.config")
          if m in sys.modules]
print(code, loaded)
'''


def _git_shim(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A `git` first on PATH that logs each call, then runs the real one."""
    shim_dir = tmp_path / 'shim'
    shim_dir.mkdir(parents=True)
    log = tmp_path / 'git-calls.log'
    real = subprocess.run(['which', 'git'], capture_output=True, text=True, check=True).stdout.strip()
    shim = shim_dir / 'git'
    shim.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = cli_env(CODESTRAL_API_KEY='k')
    env['PATH'] = f'{shim_dir}{os.pathsep}{env["PATH"]}'
    return env, log


def test_nothing_to_do_is_one_git_call_and_no_heavy_import(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'repo')
    names = [f'm{i}.py' for i in range(20)]
    for name in names:
        write(repo, name, 'def f(x):\n    return x\n')
    repo.git.add('-A')
    env, log = _git_shim(tmp_path)
    result = subprocess.run([sys.executable, '-c', PROBE, *HOOK, *names], cwd=repo.working_tree_dir, env=env,
                            capture_output=True, text=True)
    assert result.stdout.strip() == '0 []', result.stderr
    assert result.stderr == ''
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and ' diff ' in f' {calls[0]} ' and '--cached' in calls[0]


def test_a_stub_goes_on_to_the_full_run(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'calc.py', 'def double(x) -> int:\n    pass\n')
    repo.git.add('-A')
    env = cli_env()  # no key: the hook warns and lets the commit through
    result = subprocess.run([sys.executable, '-c', PROBE, *HOOK, 'calc.py'], cwd=repo.working_tree_dir,
                            env=env, capture_output=True, text=True)
    assert result.stdout.startswith('0 ['), result.stderr
    assert 'codestral_bot.main' in result.stdout
    assert 'no API key' in result.stderr and '1 stub(s) not filled' in result.stderr


def test_outside_a_repository_the_full_run_says_why(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, '-c', PROBE, *HOOK, 'x.py'], cwd=tmp_path, env=cli_env(),
                            capture_output=True, text=True)
    assert 'is not inside a git repository' in result.stderr
    assert 'Traceback' not in result.stderr


def test_other_flags_take_the_full_parser(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'a.py', 'x = 1\n')
    repo.git.add('-A')
    result = subprocess.run([sys.executable, '-c', PROBE, *HOOK, '--bogus'], cwd=repo.working_tree_dir,
                            env=cli_env(), capture_output=True, text=True)
    assert 'unrecognized arguments: --bogus' in result.stderr
