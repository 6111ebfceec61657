"""pytest fixtures for the fake GitHub API, and GitHub Actions event payloads aimed at it.

``fake_github`` serves the REST API at ``fake_github.url`` (no prefix, like api.github.com);
parametrize it indirectly with a prefix to look like GitHub Enterprise Server::

    @pytest.mark.parametrize('fake_github', ['/api/v3'], indirect=True)
"""
from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github import Auth
from github import Github
from urllib3.util import Retry

from tests.fakes.github import FakeGitHub

EVENTS_DIR = Path(__file__).resolve().parent.parent / 'fixtures' / 'github' / 'events'
EVENT_TEMPLATES = {
    'opened': 'pull_request.opened.payload.json',
    'reopened': 'pull_request.opened.payload.json',
    'synchronize': 'pull_request.synchronize.payload.json',
}
MERGE_SHA = 'f0' * 20  # GITHUB_SHA on pull_request: the test merge commit, never the head


def load_event(name: str) -> dict[str, Any]:
    """A recorded webhook payload from tests/fixtures/github/events, unchanged."""
    payload: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text(encoding='utf-8'))
    return payload


def _point_at(value: Any, fake: FakeGitHub) -> Any:
    """Every github.com / api.github.com URL in ``value`` rewritten to the fake's."""
    if isinstance(value, dict):
        return {key: _point_at(item, fake) for key, item in value.items()}
    if isinstance(value, list):
        return [_point_at(item, fake) for item in value]
    if isinstance(value, str):
        return value.replace('https://api.github.com', fake.url).replace(
            'https://github.com', fake.root_url)
    return value


def pull_request_event(
    fake: FakeGitHub,
    owner: str,
    repo: str,
    number: int,
    *,
    action: str = 'opened',
    before: str | None = None,
    template: str | None = None,
) -> dict[str, Any]:
    """A ``pull_request`` event for a PR registered in ``fake``.

    The recorded payload keeps its structure (sender, installation, webhook-only keys);
    ``pull_request`` and ``repository`` take the fake's own values, so head/base SHAs, refs,
    number and ``head.repo.full_name`` (a fork when ``add_pull(head_repo_full_name=...)``
    named another repository) agree with what the API serves. ``template`` picks another
    file, e.g. ``'pull_request.opened.with-null-body.json'``.
    """
    pull = fake.pull(owner, repo, number)
    name = template or EVENT_TEMPLATES.get(action, EVENT_TEMPLATES['opened'])
    event: dict[str, Any] = _point_at(load_event(name), fake)
    event['action'] = action
    event['number'] = number
    event['pull_request'] = {**event['pull_request'], **fake.pull_json(owner, repo, number)}
    event['repository'] = {**event['repository'], **fake.repo_json(owner, repo)}
    event.pop('before', None)
    event.pop('after', None)
    if action == 'synchronize':
        event['before'] = before or pull.base_sha
        event['after'] = pull.head_sha
    return event


def write_event(directory: Path, event: dict[str, Any]) -> Path:
    """Write ``event`` where ``GITHUB_EVENT_PATH`` can point at it."""
    path = directory / 'event.json'
    path.write_text(json.dumps(event, indent=2), encoding='utf-8')
    return path


def actions_env(fake: FakeGitHub, owner: str, repo: str, event_path: Path,
                directory: Path) -> dict[str, str]:
    """The variables a GitHub Actions step sees on ``pull_request``, aimed at the fake."""
    summary = directory / 'step_summary.md'
    output = directory / 'github_output.txt'
    summary.touch()
    output.touch()
    return {
        'GITHUB_ACTIONS': 'true',
        'GITHUB_EVENT_NAME': 'pull_request',
        'GITHUB_EVENT_PATH': str(event_path),
        'GITHUB_REPOSITORY': f'{owner}/{repo}',
        'GITHUB_API_URL': fake.url,
        'GITHUB_SERVER_URL': fake.root_url,
        'GITHUB_SHA': MERGE_SHA,
        'GITHUB_STEP_SUMMARY': str(summary),
        'GITHUB_OUTPUT': str(output),
    }


def client_for(fake: FakeGitHub, *, token: str | None = None, retry: int | Retry | None = None,
               per_page: int = 100) -> Github:
    """PyGithub aimed at ``fake``: its token (or ``token``), no retries unless asked, no pacing."""
    return Github(auth=Auth.Token(token or fake.token or 't'), base_url=fake.url, retry=retry,
                  per_page=per_page, seconds_between_requests=None,
                  seconds_between_writes=None)


@pytest.fixture
def fake_github(request: pytest.FixtureRequest) -> Iterator[FakeGitHub]:
    prefix = getattr(request, 'param', '')
    with FakeGitHub(api_prefix=prefix) as fake:
        yield fake


@pytest.fixture
def fake_github_client(fake_github: FakeGitHub) -> Iterator[Github]:
    client = client_for(fake_github)
    yield client
    client.close()


@pytest.fixture
def github_event(fake_github: FakeGitHub,
                 tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``github_event(owner, repo, number, action='opened', ...)`` -> event file path."""

    def make(owner: str, repo: str, number: int, **options: Any) -> Path:
        event = pull_request_event(fake_github, owner, repo, number, **options)
        return write_event(tmp_path, event)

    return make
