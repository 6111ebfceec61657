"""Real git repositories and real CLI runs for tests."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import git

CLI = [sys.executable, '-m', 'codestral_bot']


def make_repo(path: Path) -> git.Repo:
    repo = git.Repo.init(path)
    with repo.config_writer() as cfg:
        cfg.set_value('user', 'name', 'Test')
        cfg.set_value('user', 'email', 'test@example.invalid')
        cfg.set_value('commit', 'gpgsign', 'false')
        cfg.set_value('core', 'autocrlf', 'false')
    return repo


def write(repo: git.Repo, rel: str, content: str | bytes) -> Path:
    path = Path(repo.working_tree_dir) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def commit_all(repo: git.Repo, message: str = 'commit') -> None:
    repo.git.add('-A')
    repo.git.commit('-m', message, '--allow-empty')


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ('CODESTRAL_API_KEY', 'MISTRAL_API_KEY', 'CODESTRAL_BOT_API_BASE', 'OPENROUTER_API_KEY')
           and not k.startswith('GIT_')}
    env['NO_COLOR'] = '1'
    env.update(extra)
    return env


def run_cli(args: list[str], cwd: Path | str, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, env=env or cli_env(), capture_output=True,
                          text=True, timeout=timeout)


def root_of(repo: git.Repo) -> Path:
    return Path(repo.working_tree_dir)
