"""``codestral-bot github``: a pull_request event → stubs filled, changes reviewed → one PR review.

    event (GITHUB_EVENT_PATH) ─▶ the PR through PyGithub: files, patches, head blobs
        ─▶ pipeline.find_targets / plan (stubs already suggested on the PR are skipped)
        ─▶ _run.run_model: fills (+ review findings), as ``review`` does
        ─▶ items anchored to the diff ─▶ one COMMENT review (github.sink)
        ─▶ job summary, step outputs; annotations when nothing could be posted

A fork's read-only token, a missing API key, a refused POST: the run still succeeds (exit 0
unless ``--fail-on`` matches) and the results go to the job summary and annotations.
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import logging
import os
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from codestral_bot.commands import _run
from codestral_bot.commands._common import stub_hint
from codestral_bot.commands._common import cli_overrides
from codestral_bot.config import Config
from codestral_bot.config import load_config
from codestral_bot.errors import FatalError
from codestral_bot.errors import UsageError
from codestral_bot.github.pull_request import HeadReader
from codestral_bot.github.pull_request import PullChanges
from codestral_bot.github.pull_request import PullFile
from codestral_bot.github.pull_request import base_text
from codestral_bot.github.pull_request import list_files
from codestral_bot.github.pull_request import read_changes
from codestral_bot.jobs import Job
from codestral_bot.outcome import Gate
from codestral_bot.outcome import RunOutcome
from codestral_bot.outcome import exit_code
from codestral_bot.output import err
from codestral_bot.pipeline import Planned
from codestral_bot.pipeline import Survey
from codestral_bot.pipeline import find_targets
from codestral_bot.pipeline import plan
from codestral_bot.providers import Endpoint
from codestral_bot.providers import resolve_endpoint
from codestral_bot.records import Fill
from codestral_bot.testpaths import test_globs_of
from codestral_bot.github import actions
from codestral_bot.sinks.base import RunReport
from codestral_bot.sinks.base import publish
from codestral_bot.github.review import OnThePR
from codestral_bot.github.review import bot_login
from codestral_bot.github.review import what_is_there
from codestral_bot.github.client import GitHubError
from codestral_bot.github.client import describe
from codestral_bot.github.client import make_github
from codestral_bot.github.items import stub_fingerprint
from codestral_bot.github.sink import PullRequestReview
from codestral_bot.github.sink import ReviewTarget

if TYPE_CHECKING:
    from github.Commit import Commit
    from github.PullRequest import PullRequest
    from github.Repository import Repository

__all__ = ['github_command']

logger = logging.getLogger('codestral_bot')

REVIEWED_ACTIONS = ('opened', 'synchronize', 'reopened')
PR_EVENTS = ('pull_request', 'pull_request_target')
DEFAULT_API = 'https://api.github.com'
DEFAULT_DEADLINE = 300.0  # seconds for all model requests of a run; a CI job can wait longer than a hook


@dataclasses.dataclass(frozen=True)
class _Event:
    name: str  # pull_request or pull_request_target
    repository: str
    number: int
    head_sha: str


@dataclasses.dataclass
class _Session:
    """What one run knows about the PR and how it may act on it."""

    config: Config
    endpoint: Endpoint
    repo: Repository
    pr: PullRequest
    commit: Commit
    pulled: PullChanges
    reader: HeadReader
    blocked: str | None  # why nothing may be posted (fork, dry run); None: posting is allowed
    on_pr: OnThePR  # what earlier runs posted (empty when nothing may be posted)
    notes: list[str]
    explain: bool = False  # --explain: each stub's evidence, each skipped candidate's reason, on stderr


def github_command(args: argparse.Namespace) -> int:
    env = os.environ
    event = _read_event(env)
    skip = _skip_reason(env, event)
    if skip is not None:
        err(f'codestral-bot: {skip}; nothing to do.')
        actions.write_outputs(env.get('GITHUB_OUTPUT'), actions.Tally().outputs())
        return 0
    try:
        return _review_pull(args, env, _event_of(env, event))
    except FatalError as e:
        from codestral_bot.redact import scrub

        actions.write_summary(env.get('GITHUB_STEP_SUMMARY'), f'## 💡 codestral-bot\n\n> Failed: {scrub(str(e))}\n')
        raise


def _read_event(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get('GITHUB_EVENT_PATH')
    if not path:
        raise UsageError('GITHUB_EVENT_PATH is not set: `codestral-bot github` runs in a GitHub Actions '
                         'workflow on pull_request (use `codestral-bot review` elsewhere)')
    try:
        data = json.loads(Path(path).read_text(encoding='utf-8'))
    except OSError as e:
        raise UsageError(f'cannot read the event file {path}: {e.strerror}') from None
    except ValueError:
        raise UsageError(f'the event file {path} is not JSON') from None
    if not isinstance(data, dict):
        raise UsageError(f'the event file {path} does not hold a JSON object')
    return data


def _skip_reason(env: Mapping[str, str], event: Mapping[str, Any]) -> str | None:
    name = env.get('GITHUB_EVENT_NAME') or ('pull_request' if 'pull_request' in event else 'unknown')
    if name not in PR_EVENTS or not isinstance(event.get('pull_request'), dict):
        return f'the {name!r} event is not a pull request'
    action = event.get('action')
    if action not in REVIEWED_ACTIONS:
        return f'pull request action {action!r} is not reviewed (only {", ".join(REVIEWED_ACTIONS)})'
    return None


def _event_of(env: Mapping[str, str], event: Mapping[str, Any]) -> _Event:
    pull = event['pull_request']
    repository = env.get('GITHUB_REPOSITORY') or (event.get('repository') or {}).get('full_name')
    number = pull.get('number') or event.get('number')
    head_sha = (pull.get('head') or {}).get('sha')
    if not repository or not isinstance(number, int) or not head_sha:
        raise UsageError('the event lacks the repository, pull request number or head sha')
    name = env.get('GITHUB_EVENT_NAME') or 'pull_request'
    return _Event(name, repository, number, head_sha)


def _review_pull(args: argparse.Namespace, env: Mapping[str, str], event: _Event) -> int:
    session = _open(args, env, event)
    results = _fill_and_review(session, env)
    return _publish(session, results, env)


# ---------------------------------------------------------------- opening the PR


def _config(env: Mapping[str, str], args: argparse.Namespace) -> Config:
    # The checkout, when there is one, holds the project's configuration; without one: defaults.
    root = Path(env.get('GITHUB_WORKSPACE') or os.getcwd())
    values = cli_overrides(args)
    if getattr(args, 'max_comments', None) is not None:
        values['max_comments'] = args.max_comments
    if getattr(args, 'mode', None):
        values['fill'] = args.mode in ('suggest', 'both')
        values['comments'] = args.mode in ('comment', 'both')
    config, _ = load_config(root, values, env=env)
    return config


def _token(env: Mapping[str, str]) -> str:
    from codestral_bot.redact import check_key

    name = 'GITHUB_TOKEN' if env.get('GITHUB_TOKEN', '').strip() else 'GH_TOKEN'
    token = check_key(name, env.get(name))
    if not token:
        raise UsageError('no GitHub token: set GITHUB_TOKEN (the action passes its github-token input)')
    return token


def _open(args: argparse.Namespace, env: Mapping[str, str], event: _Event) -> _Session:
    import requests
    from github import GithubException

    config = _config(env, args)
    gh = make_github(_token(env), env.get('GITHUB_API_URL') or DEFAULT_API, env)
    try:
        repo = gh.get_repo(event.repository)
        pr = repo.get_pull(event.number)
        changed = pr.changed_files  # the client is lazy: reading a field is what fetches the PR
        files, notes = list_files(pr, changed)
    except (GithubException, requests.RequestException) as e:
        raise GitHubError(f'cannot read pull request #{event.number} of {event.repository}: '
                          f'{describe(e)}') from None
    if pr.head.sha != event.head_sha:
        notes.append(f'the pull request moved on since this event; reviewed its head {pr.head.sha[:12]}')
    reader = HeadReader(repo, files)
    pulled = read_changes(files, reader, functools.partial(base_text, repo, base_sha=pr.base.sha))
    blocked = _blocked(args, event, pr)
    on_pr, blocked = _on_pr(pr, blocked, gh)
    return _Session(config, resolve_endpoint(config, env), repo, pr, repo.get_commit(pr.head.sha),
                    pulled, reader, blocked, on_pr, [*notes, *pulled.notes], bool(getattr(args, 'explain', False)))


def _on_pr(pr: Any, blocked: str | None, gh: Any) -> tuple[OnThePR, str | None]:
    """What is already posted; without knowing it, posting could repeat it, so nothing is posted."""
    import requests
    from github import GithubException

    if blocked is not None:
        return OnThePR(frozenset(), ()), blocked
    try:
        return what_is_there(pr, bot_login(gh)), None
    except (GithubException, requests.RequestException) as e:
        return OnThePR(frozenset(), ()), f'cannot list the reviews already on the pull request ({describe(e)})'


def _blocked(args: argparse.Namespace, event: _Event, pr: Any) -> str | None:
    if getattr(args, 'dry_run', False):
        return 'dry run: nothing was posted'
    head = pr.head.repo.full_name if pr.head.repo is not None else None
    if event.name == 'pull_request' and head != pr.base.repo.full_name:
        return ('pull request from a fork: GitHub gives its workflows a read-only token, so the '
                'results are here and as annotations instead of on the pull request')
    return None


# ---------------------------------------------------------------- the model


def _has_key(endpoint: Endpoint) -> bool:
    return bool(endpoint.key) or not endpoint.needs_key


def _wants_comments(session: _Session, env: Mapping[str, str]) -> bool:
    return session.config.comments and _has_key(resolve_endpoint(session.config, env, role='chat'))


def _planned(session: _Session, wants_comments: bool, env: Mapping[str, str]) -> list[Planned]:
    config = session.config
    if not config.fill:
        return []
    changes = session.pulled.changes
    if not wants_comments and not any(_may_hold_stub(session, c.path) for c in changes):
        return []  # as `review`: no added line could hold a stub, so no file is fetched
    survey = Survey()
    targets = find_targets(changes, session.reader.read, languages=config.languages,
                           include=config.include, exclude=config.exclude, test_globs=test_globs_of(config),
                           base=_base_reader(session), survey=survey, bare_pass_is_stub=config.bare_pass_is_stub)
    session.notes += [f'{u.path} could not be parsed ({u.message}): its stubs were not looked for'
                      for u in survey.unparsed]
    planned = plan(targets, prompt_tokens=config.prompt_tokens, suffix_tokens=config.suffix_tokens,
                   max_stubs=config.max_stubs, repo=_repo_context(session, env) if targets else None)
    if session.explain:
        from codestral_bot.sinks.explain import explain_lines

        for line in explain_lines([p.fill for p in planned], survey):
            err(line)
    return planned


def _repo_context(session: _Session, env: Mapping[str, str]) -> Any:
    from codestral_bot.repo_context import for_pull_request

    return for_pull_request(session.config.context_share, env.get('GITHUB_WORKSPACE'), session.pr.head.sha,
                            [c.path for c in session.pulled.changes], session.reader.read)


def _base_reader(session: _Session) -> Callable[[str], str | None]:
    """A file's text at the pull request's base commit: a stub already there is not this PR's."""
    def read(old_path: str) -> str | None:
        return base_text(session.repo, PullFile(old_path, None, 'modified', None, '', 0), session.pr.base.sha)
    return read


def _may_hold_stub(session: _Session, path: str) -> bool:
    patch = session.pulled.patches.get(path)
    return patch is None or stub_hint(patch.encode('utf-8', 'surrogateescape'))


@dataclasses.dataclass(frozen=True)
class _Results:
    """The model's side of the run: what was filled and found, what it cost."""

    found: int
    already: int  # stubs whose suggestion is already on the PR: not filled again
    fills: list[Fill]
    run: _run.ModelRun | None = None  # None: nothing was sent (no key, or nothing to ask)

    @property
    def outcome(self) -> RunOutcome:
        return RunOutcome.of(self.fills, self.run.comments if self.run is not None else None)


def _fill_and_review(session: _Session, env: Mapping[str, str]) -> _Results:
    wants_comments = _wants_comments(session, env)
    planned = _planned(session, wants_comments, env)
    known = session.on_pr.fingerprints
    new = [p for p in planned if stub_fingerprint(p.fill.stub, p.source) not in known]
    already = len(planned) - len(new)
    if not _has_key(session.endpoint) or not (new or wants_comments):
        return _Results(len(planned), already, [p.fill for p in new])
    job = Job(session.config, session.endpoint, new, session.pulled.changes, session.reader.read,
              session.config.timeout or DEFAULT_DEADLINE)
    run = asyncio.run(_run.run_model(job, progress=False, env=env))  # no progress line in a CI log
    return _Results(len(planned), already, run.fills, run)


# ---------------------------------------------------------------- the review, reporting


def _publish(session: _Session, results: _Results, env: Mapping[str, str]) -> int:
    target = ReviewTarget(
        session.pr, session.commit, {c.path: c for c in session.pulled.changes}, session.pulled.patched,
        session.reader.read, session.on_pr, session.blocked, session.config.max_comments,
        _has_key(session.endpoint), results.found, results.already, tuple(session.notes), env)
    run = results.run
    report = RunReport({}, stats=run.stats if run else None, prices=run.prices if run else None,
                       comments=run.comments if run else None)
    findings = run.comments.findings if run and run.comments else ()
    publish([PullRequestReview(target)], [*results.fills, *findings], report)
    return exit_code(results.outcome, Gate(session.config.fail_on, proposals_fail=False))
