"""What the security tests share: a repository with a stub, the CLI's environment, an attacker."""
from __future__ import annotations

from pathlib import Path

from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import write

KEY = 'test-key'
STUB = 'import math\n\n\ndef area(r) -> int:\n    """Circle area."""\n    pass\n'


def stub_repo(root: Path) -> Path:
    """A repository whose working tree adds one Python stub."""
    repo = make_repo(root)
    write(repo, 'README.md', 'hello\n')
    commit_all(repo, 'init')
    write(repo, 'geo.py', STUB)
    return root


def user_config(tmp_path: Path, text: str) -> str:
    path = tmp_path / 'user-config.toml'
    path.write_text(text, encoding='utf-8')
    return str(path)


def bot_env(tmp_path: Path, fake: FakeCodestral | None = None, **extra: str) -> dict[str, str]:
    """The person running the bot: their key, their user config naming the real API's address."""
    env = cli_env(CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'),
                  CODESTRAL_BOT_CONFIG=str(tmp_path / 'no-user-config.toml'))
    env.setdefault('CODESTRAL_API_KEY', KEY)
    if fake is not None:
        env['CODESTRAL_BOT_CONFIG'] = user_config(tmp_path, f'api_base = {fake.url!r}\n')
    env.update(extra)
    return env
