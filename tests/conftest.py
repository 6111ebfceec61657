from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import write

# Each fake API lives in its own plugin module with its fixtures.
pytest_plugins = [
    'tests.fakes.codestral_plugin',
    'tests.fakes.github_plugin',
]


@pytest.fixture
def repo(tmp_path: Path) -> Any:
    """A real git repository with one commit (a README), for tests that stage a change on top."""
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'README.md', 'hello\n')
    commit_all(repo, 'init')
    return repo
