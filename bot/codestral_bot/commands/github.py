"""``codestral-bot github``: a pull_request event → stubs filled, changes reviewed → one PR review.

    event (GITHUB_EVENT_PATH) ─▶ the PR through PyGithub: files, patches, head blobs
        ─▶ pipeline.find_targets / plan (stubs already suggested on the PR are skipped)
        ─▶ _run.run_model: fills (+ review findings), as ``review`` does
        ─▶ items anchored to the diff ─▶ one COMMENT review (sinks.github)
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
import uuid
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codestral_bot.commands import _run
from codestral_bot.commands.review import _STUB_HINT
from codestral_bot.commands.review import cli_overrides
from codestral_bot.config import Config
from codestral_bot.config import load_config
from codestral_bot.errors import FatalError
from codestral_bot.errors import UsageError
from codestral_bot.output import err
from codestral_bot.pipeline import Planned
from codestral_bot.pipeline import find_targets
from codestral_bot.pipeline import plan
from codestral_bot.providers import Endpoint
from codestral_bot.providers import resolve_endpoint
from codestral_bot.records import Fill
from codestral_bot.records import Finding
from codestral_bot.records import Usage
from codestral_bot.sinks import actions
from codestral_bot.sinks.github import OnThePR
from codestral_bot.sinks.github import Posted
from codestral_bot.sinks.github import PostFailed
from codestral_bot.sinks.github import plan_review
from codestral_bot.sinks.github import post_review
from codestral_bot.sinks.github import what_is_there
from codestral_bot.sinks.github_client import GitHubError
from codestral_bot.sinks.github_client import describe
from codestral_bot.sinks.github_client import make_github
from codestral_bot.sinks.github_client import write_interval
from codestral_bot.sinks.github_items import Item
from codestral_bot.sinks.github_items import distinct
from codestral_bot.sinks.github_items import finding_item
from codestral_bot.sinks.github_items import stub_fingerprint
from codestral_bot.sinks.github_items import stub_item
from codestral_bot.sinks.github_items import suggestion_item
from codestral_bot.sinks.github_pr import HeadReader
from codestral_bot.sinks.github_pr import PullChanges
from codestral_bot.sinks.github_pr import base_text
from codestral_bot.sinks.github_pr import list_files
from codestral_bot.sinks.github_pr import read_changes

__all__ = ['github_command']

logger = logging.getLogger('codestral_bot')

REVIEWED_ACTIONS = ('opened', 'synchronize', 'reopened')
PR_EVENTS = ('pull_request', 'pull_request_target')
DEFAULT_API = 'https://api.github.com'
NO_KEY = 'no API key: set the `api-key` input (CODESTRAL_API_KEY or MISTRAL_API_KEY) to fill stubs'
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
    repo: Any
    pr: Any
    commit: Any
    pulled: PullChanges
    reader: HeadReader
    blocked: str | None  # why nothing may be posted (fork, dry run); None: posting is allowed
    on_pr: OnThePR  # what earlier runs posted (empty when nothing may be posted)
    notes: list[str]


@dataclasses.dataclass(frozen=True)
class _Results:
    found: int
    already: int  # stubs whose suggestion is already on the PR: not filled again
    fills: list[Fill]
    findings: tuple[Finding, ...]
    usage: Usage
    cost: float  # dollars, as `review` estimates them
    auth_error: str | None
    notes: tuple[str, ...] = ()  # from the review-comment stage: chunks without comments, ...


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
        actions.write_summary(env.get('GITHUB_STEP_SUMMARY'), f'## 💡 codestral-bot\n\n> Failed: {e}\n')
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
    results = _fill_and_review(session, args, env)
    items = _items(session, results)
    return _publish(session, results, items, env)


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
    token = env.get('GITHUB_TOKEN') or env.get('GH_TOKEN')
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
    on_pr, blocked = _on_pr(pr, blocked)
    return _Session(config, resolve_endpoint(config, env), repo, pr, repo.get_commit(pr.head.sha),
                    pulled, reader, blocked, on_pr, [*notes, *pulled.notes])


def _on_pr(pr: Any, blocked: str | None) -> tuple[OnThePR, str | None]:
    """What is already posted; without knowing it, posting could repeat it, so nothing is posted."""
    import requests
    from github import GithubException

    if blocked is not None:
        return OnThePR(frozenset(), ()), blocked
    try:
        return what_is_there(pr), None
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


def _planned(session: _Session, wants_comments: bool) -> list[Planned]:
    config = session.config
    if not config.fill:
        return []
    changes = session.pulled.changes
    if not wants_comments and not any(_may_hold_stub(session, c.path) for c in changes):
        return []  # as `review`: no added line could hold a stub, so no file is fetched
    targets = find_targets(changes, session.reader.read, languages=config.languages,
                           include=config.include, exclude=config.exclude,
                           bare_pass_is_stub=config.bare_pass_is_stub)
    return plan(targets, prompt_tokens=config.prompt_tokens, suffix_tokens=config.suffix_tokens,
                max_stubs=config.max_stubs)


def _may_hold_stub(session: _Session, path: str) -> bool:
    patch = session.pulled.patches.get(path)
    return patch is None or bool(_STUB_HINT.search(patch.encode('utf-8', 'surrogateescape')))


def _fill_and_review(session: _Session, args: argparse.Namespace, env: Mapping[str, str]) -> _Results:
    wants_comments = _wants_comments(session, env)
    planned = _planned(session, wants_comments)
    known = session.on_pr.fingerprints
    new = [p for p in planned if stub_fingerprint(p.fill.stub, p.source) not in known]
    if not _has_key(session.endpoint) or not (new or wants_comments):
        return _Results(len(planned), len(planned) - len(new), [p.fill for p in new], (), Usage(), 0.0, None)
    sources = {p.source.path: p.source for p in new}
    quiet = argparse.Namespace(**{**vars(args), 'json': True})  # no progress line in a CI log
    outcome = asyncio.run(_run.run_model(
        session.config, session.endpoint, new, session.pulled.changes, session.reader.read, sources,
        deadline=session.config.timeout or DEFAULT_DEADLINE, args=quiet, env=env))
    comments, stats = outcome.comments, outcome.stats
    usage = Usage(stats.prompt_tokens, stats.completion_tokens)  # every request, FIM and chat
    return _Results(len(planned), len(planned) - len(new), outcome.fills,
                    tuple(getattr(comments, 'findings', ()) or ()), usage, stats.dollars(outcome.prices),
                    outcome.auth_error, tuple(getattr(comments, 'notes', ()) or ()))


# ---------------------------------------------------------------- items, posting, reporting


def _items(session: _Session, results: _Results) -> list[Item]:
    changes = {c.path: c for c in session.pulled.changes}
    patched = session.pulled.patched
    no_key = not _has_key(session.endpoint)
    items = []
    for fill in results.fills:
        path = fill.stub.path
        source = session.reader.read(path)  # read (and kept) when the stub was found
        if fill.status == 'filled':
            items.append(suggestion_item(fill, source, changes.get(path), path in patched))
        else:
            why = 'no API key' if no_key else (fill.reason or fill.status)
            if fill.status in ('rejected', 'failed'):
                logger.warning('%s:%d: %s: not filled: %s', path, fill.stub.start_line, fill.stub.name, why)
            items.append(stub_item(fill, source, why))
    items += [finding_item(f, changes.get(f.path), f.path in patched) for f in results.findings]
    return distinct(items)


@dataclasses.dataclass(frozen=True)
class _Posting:
    posted: Posted | None
    skipped: int  # items already on the PR
    failure: str | None  # why nothing was posted though posting was allowed


def _post(session: _Session, items: Sequence[Item], env: Mapping[str, str]) -> _Posting:
    if session.blocked is not None:
        return _Posting(None, 0, None)
    review = plan_review(items, session.on_pr.fingerprints, session.config.max_comments)
    if review.empty:
        return _Posting(None, review.skipped, None)
    try:
        posted = post_review(session.pr, session.commit, review, session.on_pr,
                             run_id=uuid.uuid4().hex, settle=2 * write_interval(env))
    except PostFailed as e:
        return _Posting(None, review.skipped, f'nothing was posted: {e}{_hint(str(e))}')
    return _Posting(posted, review.skipped, None)


def _hint(message: str) -> str:
    if message.startswith('403') and 'not accessible' in message:
        return (' (the token cannot write: a fork, or the workflow lacks '
                '`permissions: pull-requests: write`)')
    return ''


def _fallback(session: _Session, posting: _Posting) -> str | None:
    """Why the results belong in the summary and annotations, or None when the PR has them."""
    if session.blocked is not None:
        return session.blocked
    if posting.failure is not None:
        return posting.failure
    if not _has_key(session.endpoint):
        return NO_KEY
    return None


def _tally(results: _Results, items: Sequence[Item], posting: _Posting) -> actions.Tally:
    usage = results.usage
    return actions.Tally(
        stubs=results.found,
        filled=sum(1 for f in results.fills if f.status == 'filled'),
        suggested=sum(1 for i in items if i.kind == 'suggestion' and i.suggestion is not None),
        comments=len(results.findings),
        posted=posting.posted.inline if posting.posted else 0,
        skipped=results.already + posting.skipped,
        prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens, cost=results.cost,
    )


def _notes(session: _Session, results: _Results, posting: _Posting, fallback: str | None) -> list[str]:
    notes = [*session.notes, *results.notes]
    if fallback is not None:
        notes.append(fallback[0].upper() + fallback[1:] + '.')
    if fallback != NO_KEY and not _has_key(session.endpoint):
        notes.append(NO_KEY[0].upper() + NO_KEY[1:] + '.')
    if results.auth_error:
        notes.append(f'The API key was rejected: {results.auth_error}')
    skipped = results.already + posting.skipped
    if skipped:
        notes.append(f'{skipped} suggestion(s) or comment(s) already on the pull request were skipped.')
    if posting.posted is not None and posting.posted.note:
        notes.append(posting.posted.note[0].upper() + posting.posted.note[1:] + '.')
    return notes


def _publish(session: _Session, results: _Results, items: list[Item], env: Mapping[str, str]) -> int:
    posting = _post(session, items, env)
    fallback = _fallback(session, posting)
    tally = _tally(results, items, posting)
    notes = _notes(session, results, posting, fallback)
    if fallback is not None:
        details = [i for i in items if i.fingerprint not in session.on_pr.fingerprints]
        actions.write_annotations(details)
    else:
        details = [i for i in items if i.kind == 'stub']
    link = posting.posted.url if posting.posted else None
    actions.write_summary(env.get('GITHUB_STEP_SUMMARY'), actions.summary_markdown(tally, notes, details, link))
    actions.write_outputs(env.get('GITHUB_OUTPUT'), tally.outputs())
    _say(tally, posting, fallback, notes)
    return _exit_code(session.config, results)


def _say(tally: actions.Tally, posting: _Posting, fallback: str | None, notes: Sequence[str]) -> None:
    for note in notes:
        logger.info('%s', note)
    counts = (f'{tally.stubs} stub(s) found, {tally.filled} filled, {tally.comments} review comment(s), '
              f'{tally.skipped} skipped as already posted')
    if posting.posted is not None:
        where = f': {posting.posted.url}' if posting.posted.url else ''
        err(f'codestral-bot: posted a review with {posting.posted.inline} inline comment(s) and '
            f'{posting.posted.listed} in its body; {counts}{where}')
    elif fallback is not None:
        err(f'codestral-bot: nothing posted; {counts}; the results are in the job summary')
    else:
        err(f'codestral-bot: nothing new to post; {counts}')


def _exit_code(config: Config, results: _Results) -> int:
    if results.auth_error:
        return 2
    if config.fail_on:
        from codestral_bot.comments import fails

        return 1 if fails(list(results.findings), config.fail_on) else 0
    return 0
