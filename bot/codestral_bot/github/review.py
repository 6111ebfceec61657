"""Posting to a pull request: one ``COMMENT`` review per run, idempotent, never doubled by a retry.

    what is on the PR (fingerprints, pending reviews) ─▶ plan: new items only, ≤ max inline,
    the rest listed in the body ─▶ stale pending review of ours deleted ─▶ one POST
        422 (an anchor GitHub would not take): nothing was created, post again with every
            item in the body;
        5xx or a lost answer: the review may exist (GitHub 502s *after* creating big
            reviews), so look for this run's marker; never POST again on a guess.

Anything else (403 on a read-only token, a rate limit past the cap) raises ``PostFailed``:
the caller reports to the job summary instead.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from typing import Any

from codestral_bot.github.client import describe
from codestral_bot.github.items import Item
from codestral_bot.github.items import code_span
from codestral_bot.github.items import comment_body
from codestral_bot.github.items import comment_payload
from codestral_bot.github.items import fingerprint_marker
from codestral_bot.github.items import fingerprints_of
from codestral_bot.github.items import suggestion_block

__all__ = ['BODY_LIMIT', 'OnThePR', 'PostFailed', 'Posted', 'ReviewPlan', 'plan_review',
           'bot_login', 'post_review', 'review_body', 'what_is_there']

logger = logging.getLogger('codestral_bot')

BODY_LIMIT = 65_536  # characters GitHub takes in a review body
REVIEW_MARK = '<!-- codestral-bot:review -->'
_RANK = {'suggestion': 0, 'finding': 1}
_SEVERITY = {'error': 0, 'warning': 1, 'info': 2}


class PostFailed(Exception):
    """Nothing was posted; the message says why in one line."""


@dataclasses.dataclass(frozen=True)
class OnThePR:
    fingerprints: frozenset[str]
    pending: tuple[Any, ...]  # PENDING reviews: only their author sees them, so they are ours


@dataclasses.dataclass(frozen=True)
class ReviewPlan:
    inline: list[Item]
    listed: list[Item]  # in the body: no anchor GitHub would take, or past max_comments
    skipped: int  # already on the PR

    @property
    def empty(self) -> bool:
        return not self.inline and not self.listed


@dataclasses.dataclass(frozen=True)
class Posted:
    url: str | None
    inline: int
    listed: int
    note: str | None = None


ACTIONS_BOT = 'github-actions[bot]'


def bot_login(gh: Any) -> str | None:
    """Who the token is: ``GET /user``; None when the token may not ask (403: an Actions
    ``GITHUB_TOKEN`` or another GitHub App's installation token)."""
    import requests
    from github import GithubException

    try:
        login = gh.get_user().login
    except (GithubException, requests.RequestException):
        return None
    return login if isinstance(login, str) and login else None


def _login_of(entry: Any) -> str | None:
    user = getattr(entry, 'user', None)
    login = getattr(user, 'login', None) if user is not None else None
    return login if isinstance(login, str) else None


def _is_app(entry: Any) -> bool:
    user = getattr(entry, 'user', None)
    return getattr(user, 'type', None) == 'Bot'


def what_is_there(pr: Any, me: str | None) -> OnThePR:
    """Fingerprints in the bot's own review comments and review bodies, and its pending reviews.

    Only ``me``'s: anyone may paste a fingerprint into a review of their own, and a stub the
    author marked that way would never be suggested. A token that cannot say who it is (an app's
    installation token) is the Actions bot, or the app that wrote an earlier codestral-bot review
    here: only an app (``type: Bot``, which no pull request author can post as) counts.
    """
    reviews = list(pr.get_reviews())
    mine = {me} if me else {ACTIONS_BOT} | {
        login for r in reviews if _is_app(r) and REVIEW_MARK in (r.body or '') and (login := _login_of(r))}
    comments = [c for c in pr.get_review_comments() if _login_of(c) in mine]
    reviews = [r for r in reviews if _login_of(r) in mine]
    found = fingerprints_of(c.body for c in comments) | fingerprints_of(r.body for r in reviews)
    return OnThePR(frozenset(found), tuple(r for r in reviews if r.state == 'PENDING'))


def _order(item: Item) -> tuple[int, int]:
    return (_RANK.get(item.kind, 2), _SEVERITY[item.severity])


def plan_review(items: Sequence[Item], existing: frozenset[str], max_inline: int) -> ReviewPlan:
    postable = [i for i in items if i.kind != 'stub']
    new = [i for i in postable if i.fingerprint not in existing]
    ranked = sorted(new, key=_order)  # suggestions first, then the most severe findings
    inline = [i for i in ranked if i.inline and len(comment_body(i)) <= BODY_LIMIT][:max_inline]
    chosen = {id(i) for i in inline}
    listed = [i for i in ranked if id(i) not in chosen]
    return ReviewPlan(inline, listed, len(postable) - len(new))


def _listed_entry(item: Item) -> str:
    why = f' _(not inline: {item.problem})_' if item.problem else ''
    lines = [f'- {code_span(item.where)} {item.title}{why}']
    if item.suggestion is not None:
        # Indented as the list item's content, so the code block stays inside the item.
        block = '\n'.join(f'  {line}' for line in suggestion_block(item.suggestion, language='').split('\n'))
        lines += ['  <details><summary>proposed code</summary>', '', block, '', '  </details>']
    lines.append(f'  {fingerprint_marker(item.fingerprint)}')
    return '\n'.join(lines)


def review_body(plan: ReviewPlan, run_id: str, limit: int = BODY_LIMIT) -> str:
    head = [f'### 💡 codestral-bot\n\n{_counts(plan)}']
    tail = f'\n\n{REVIEW_MARK}\n<!-- codestral-bot:run={run_id} -->'
    if plan.listed:
        head.append(f'**Not posted inline** ({len(plan.listed)}):')
    size = sum(len(part) + 2 for part in head) + len(tail) + 200  # 200: the truncation note
    entries: list[str] = []
    for item in plan.listed:
        entry = _listed_entry(item)
        if size + len(entry) + 1 > limit:
            more = len(plan.listed) - len(entries)
            entries.append(f'\n… and {more} more, not shown: the body would pass GitHub\'s limit '
                           '(the job summary lists everything).')
            break
        entries.append(entry)
        size += len(entry) + 1
    return '\n\n'.join(head) + ('\n\n' + '\n'.join(entries) if entries else '') + tail


def _counts(plan: ReviewPlan) -> str:
    suggestions = sum(1 for i in (*plan.inline, *plan.listed) if i.kind == 'suggestion')
    findings = sum(1 for i in (*plan.inline, *plan.listed) if i.kind == 'finding')
    text = f'{_n(suggestions, "suggestion")} for stubs, {_n(findings, "review comment")}'
    text += f'; {len(plan.inline)} inline.'
    if plan.skipped:
        text += f' {_n(plan.skipped, "item")} already posted on this pull request skipped.'
    return text


def _n(count: int, noun: str) -> str:
    return f'{count} {noun}{"" if count == 1 else "s"}'


def _drop_stale_pending(pending: Sequence[Any]) -> None:
    import requests
    from github import GithubException

    for review in pending:
        if REVIEW_MARK not in (review.body or ''):
            logger.warning('a pending review by this account (id %s) is on the pull request; '
                           'GitHub allows one, so posting may fail', review.id)
            continue
        try:
            review.delete()
            logger.info('deleted a stale pending review of codestral-bot (id %s)', review.id)
        except (GithubException, requests.RequestException) as e:  # the POST will say if it matters
            logger.warning('could not delete the stale pending review %s: %s', review.id, describe(e))


def post_review(pr: Any, commit: Any, plan: ReviewPlan, on_pr: OnThePR, *, run_id: str,
                settle: float) -> Posted:
    """POST the one review of this run; ``settle``: seconds to let GitHub finish after a 5xx."""
    import requests
    from github import GithubException

    _drop_stale_pending(on_pr.pending)
    try:
        return _create(pr, commit, plan, run_id)
    except GithubException as e:
        if e.status == 422 and plan.inline:
            return _without_anchors(pr, commit, plan, run_id, describe(e))
        if e.status < 500:
            raise PostFailed(describe(e)) from None
        return _after_lost_answer(pr, plan, run_id, describe(e), settle)
    except requests.RequestException as e:
        return _after_lost_answer(pr, plan, run_id, describe(e), settle)


def _create(pr: Any, commit: Any, plan: ReviewPlan, run_id: str, note: str | None = None) -> Posted:
    review = pr.create_review(commit=commit, body=review_body(plan, run_id), event='COMMENT',
                              comments=[comment_payload(i) for i in plan.inline])
    return Posted(getattr(review, 'html_url', None), len(plan.inline), len(plan.listed), note)


def _without_anchors(pr: Any, commit: Any, plan: ReviewPlan, run_id: str, why: str) -> Posted:
    """GitHub refused an anchor (422 creates nothing): the same review, every item in the body."""
    from github import GithubException

    logger.warning('GitHub refused the inline comments (%s); posting them in the review body', why)
    flat = ReviewPlan([], [*plan.inline, *plan.listed], plan.skipped)
    try:
        return _create(pr, commit, flat, run_id, note=f'inline comments refused by GitHub ({why})')
    except GithubException as e:
        raise PostFailed(describe(e)) from None


def _after_lost_answer(pr: Any, plan: ReviewPlan, run_id: str, why: str, settle: float) -> Posted:
    import requests
    from github import GithubException

    time.sleep(settle)
    marker = f'<!-- codestral-bot:run={run_id} -->'
    try:
        found = next((r for r in pr.get_reviews() if marker in (r.body or '')), None)
    except (GithubException, requests.RequestException) as e:  # cannot tell: say so, never guess
        raise PostFailed(f'{why}; could not check whether the review was created ({describe(e)})') from None
    if found is None:
        raise PostFailed(f'{why}; no review was created (re-run the job to post: nothing is posted twice)')
    logger.warning('GitHub answered %s, but the review was created; not posting it again', why)
    return Posted(getattr(found, 'html_url', None), len(plan.inline), len(plan.listed),
                  note=f'GitHub answered {why} but created the review')
