"""PyGithub set up the way a review bot must use it: no blind re-POSTs, capped waits, paced writes.

PyGithub's default ``GithubRetry`` re-sends a POST after a 5xx or a dropped connection, which is
how bots post the same review twice (GitHub answers 502 on big reviews *after* creating them).
Here a POST is re-sent only after a rate-limit refusal (403/429), which GitHub answers before
doing anything; every sleep for a rate limit is capped at ``MAX_WAIT`` seconds, past which the
request fails and the caller reports instead of hanging the job.

``CODESTRAL_BOT_GITHUB_WRITE_INTERVAL`` (seconds, test-only) lowers the 1 s GitHub asks for
between writes, so tests against a local fake do not sleep.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from codestral_bot.errors import FatalError

if TYPE_CHECKING:
    from github import Github

__all__ = ['MAX_WAIT', 'GitHubError', 'describe', 'make_github', 'write_interval']

logger = logging.getLogger('codestral_bot')

MAX_WAIT = 60.0  # longest sleep for a rate limit; GitHub's own advice for a secondary limit
WRITE_INTERVAL = 1.0  # GitHub: at least one second between content-creating requests
READ_INTERVAL = 0.25  # PyGithub's default pacing of every request
RETRIES = 3
TIMEOUT = 30  # seconds per request
# Retried after a 5xx or a read timeout; POST is not (see _WriteSafeRetry.is_retry for its rule).
_IDEMPOTENT = frozenset({'GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'})


class GitHubError(FatalError):
    """The GitHub API refused or failed a request the run cannot do without."""


def write_interval(env: Mapping[str, str]) -> float:
    raw = env.get('CODESTRAL_BOT_GITHUB_WRITE_INTERVAL', '').strip()
    try:
        return max(float(raw), 0.0) if raw else WRITE_INTERVAL
    except ValueError:
        return WRITE_INTERVAL


def make_github(token: str, api_url: str, env: Mapping[str, str]) -> Github:
    from github import Auth
    from github import Github

    from codestral_bot.providers._http import check_transport

    check_transport(api_url, has_key=bool(token))  # the token, like an API key, never over plain http

    writes = write_interval(env)
    return Github(
        auth=Auth.Token(token), base_url=api_url.rstrip('/'), per_page=100, timeout=TIMEOUT,
        retry=_retry_class()(total=RETRIES, backoff_factor=1.0, secondary_rate_wait=MAX_WAIT,
                             max_rate_limit_wait=MAX_WAIT, allowed_methods=_IDEMPOTENT),
        seconds_between_requests=min(READ_INTERVAL, writes) or None,
        seconds_between_writes=writes or None,
        lazy=True,  # a Repository or Commit by name costs no request until a field is read
    )


@functools.cache
def _retry_class() -> type[Any]:
    from github import GithubRetry
    from github.GithubException import RateLimitExceededExceedsMaxWait

    class _WriteSafeRetry(GithubRetry):
        def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
            if 300 <= status_code < 400 and status_code != 304:
                # Seen on every answer: a redirect is refused here, before PyGithub trips over
                # its empty body (exit 3), and never followed: the token goes only to the API URL.
                raise GitHubError(f'the GitHub API answered {method.upper()} with a redirect (HTTP {status_code}); '
                                  'not followed: check GITHUB_API_URL')
            if method.upper() == 'POST':
                # Rate limits refuse the request before anything is created; a 5xx may not have.
                limited = status_code == 403 or (status_code == 429 and has_retry_after)
                return bool(self.total) and limited
            return bool(super().is_retry(method, status_code, has_retry_after))

        def increment(self, method: str | None = None, url: str | None = None,
                      response: Any = None, error: Exception | None = None, _pool: Any = None,
                      _stacktrace: Any = None) -> Any:
            wait = self.get_retry_after(response) if response is not None else None
            cap = self.max_rate_limit_wait
            if wait is not None and cap is not None and wait > cap:
                # GithubRetry caps its own backoff, not the Retry-After that urllib3 sleeps.
                message = f'rate limited: GitHub asks to wait {wait:.0f} s, longer than the {cap:.0f} s cap'
                raise RateLimitExceededExceedsMaxWait(response.status, {'message': message},
                                                      dict(response.headers), wait=wait)
            return super().increment(method, url, response, error, _pool, _stacktrace)

    return _WriteSafeRetry


def describe(error: BaseException) -> str:
    """One line for a PyGithub or requests failure: status and GitHub's message."""
    status = getattr(error, 'status', None)
    if status is None:
        return ' '.join(str(error).split())[:200] or type(error).__name__
    data = getattr(error, 'data', None)
    message = data.get('message') if isinstance(data, dict) else None
    if isinstance(data, dict) and isinstance(data.get('errors'), list) and data['errors']:
        first = data['errors'][0]
        detail = first.get('message') if isinstance(first, dict) else first
        message = f'{message}: {detail}' if message else str(detail)
    if status >= 500 and not message:
        message = 'GitHub server error'
    return f'{status} {" ".join(str(message or "").split())[:300]}'.strip()
