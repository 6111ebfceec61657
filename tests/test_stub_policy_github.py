"""The stub policy in `codestral-bot github`: the pull request's base commit, test code, --explain."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import FakeGitHub
from tests.test_github_command import Run
from tests.test_github_command import add_pr
from tests.test_github_command import gh_env  # noqa: F401  (fixtures)
from tests.test_github_command import run_github  # noqa: F401
from tests.test_github_command import workdir  # noqa: F401

OLD = 'def total(items):\n    # kept for the plugins\n    raise NotImplementedError\n'
NEW = ('def total(items):\n    # kept for the plugin API\n    raise NotImplementedError\n\n\n'
       'def count(items):\n    """How many."""\n    raise NotImplementedError\n')


def test_the_pull_requests_base_decides_what_is_new(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                                   gh_env: Callable[..., dict[str, str]],  # noqa: F811
                                                   run_github: Callable[..., Run]) -> None:  # noqa: F811
    add_pr(fake_github, {'cart.py': (OLD, NEW), 'tests/test_cart.py': (None, OLD), 'web/a.ts': (None, 'function (\n')})
    fake_codestral.responder = lambda body: 'return len(items)'
    run = run_github(gh_env(), '--mode', 'suggest', '--explain')
    assert run.code == 0, run.stderr
    assert run.outputs['stubs'] == '1'
    explained = [line for line in run.stderr.splitlines() if ' — ' in line]
    assert explained == [
        'cart.py:2: total: skipped — already a stub in the base revision',
        'cart.py:8: count: stub — raise NotImplementedError outside a contract',
        'tests/test_cart.py: skipped — test code (tests/)',
    ]
    assert 'web/a.ts could not be parsed (line 1: ' in run.summary
