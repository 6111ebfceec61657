"""A fake GitHub REST API: real HTTP on 127.0.0.1, an in-memory model, fault injection.

Point PyGithub at it with ``Github(auth=Auth.Token('t'), base_url=fake.url)``. Response shapes
follow the recorded traffic in tests/fixtures/github/replay/; the review rules (anchors, one
pending review, body limit) follow what GitHub enforces. Messages marked [U] in a comment are
GitHub's wording as far as public reports show it, not confirmed against the live API.
"""
from __future__ import annotations

import base64
import hashlib
import http.server
import itertools
import json
import math
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal
from typing import Self

__all__ = [
    'FakeGitHub',
    'FakeIssueComment',
    'FakePull',
    'FakeReview',
    'FakeReviewComment',
    'FaultKind',
    'PullFile',
    'RecordedRequest',
    'blob_sha',
]

DOCS = 'https://docs.github.com/rest/'
MAX_BODY = 65536
MAX_PR_FILES = 3000
CONTENTS_INLINE_LIMIT = 1024 * 1024
BOT_LOGIN = 'github-actions[bot]'
BOT_ID = 41898282

FaultKind = Literal[
    'server_error',
    'integration',
    'secondary_rate_limit',
    'primary_rate_limit',
    'bad_credentials',
    'not_found',
    'custom',
]

# Anchor errors: the review endpoint answers plain strings, the single-comment endpoint
# "Validation Failed" objects. kind -> (review text, single-comment field, single-comment text).
ANCHOR_ERRORS = {
    'path': (
        # [U] seen for a path outside the PR on POST .../reviews
        "Pull request review thread path is invalid and Pull request review thread diff hunk can't be blank",
        'pull_request_review_thread.path',
        'pull_request_review_thread.path is invalid',
    ),
    'line': (
        'Line could not be resolved',
        'pull_request_review_thread.line',
        'pull_request_review_thread.line must be part of the diff',
    ),
    'same_hunk': (
        'Pull request review thread start line must be part of the same hunk as the line.',
        'pull_request_review_thread.start_line',
        'pull_request_review_thread.start_line must be part of the same hunk as the line.',
    ),
    'precede': (
        # [U] the single-comment wording is reported; the review one is assumed to match it
        'Pull request review thread start line must precede the end line.',
        'pull_request_review_thread.start_line',
        'pull_request_review_thread.start_line must precede the end line.',
    ),
}

SERVER_ERROR_HTML = (
    '<!DOCTYPE html>\n<html>\n<head><title>Unicorn! &middot; GitHub</title></head>\n'
    '<body><h1>502 Bad Gateway</h1>\n'
    "<p>We didn't receive a proper response from the server in time.</p></body>\n</html>\n"
)


def blob_sha(data: bytes) -> str:
    """The git blob id of ``data``: what GitHub reports as a file's ``sha``."""
    return hashlib.sha1(b'blob %d\0' % len(data) + data).hexdigest()


def _now() -> str:
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


def _node_id(prefix: str, number: int) -> str:
    return prefix + base64.b64encode(str(number).encode()).decode().rstrip('=')


def _b64_wrapped(data: bytes) -> str:
    # GitHub wraps base64 content at 60 characters with a trailing newline.
    text = base64.b64encode(data).decode()
    return ''.join(text[i:i + 60] + '\n' for i in range(0, len(text), 60))


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class PullFile:
    """One entry of ``GET /pulls/{n}/files``; ``patch=None`` models a binary or huge diff."""

    filename: str
    status: str = 'modified'
    patch: str | None = None
    previous_filename: str | None = None
    sha: str = ''
    additions: int | None = None
    deletions: int | None = None

    def counts(self) -> tuple[int, int]:
        """(additions, deletions), counted from the patch when not given."""
        lines = (self.patch or '').splitlines()
        added = sum(1 for text in lines if text.startswith('+'))
        deleted = sum(1 for text in lines if text.startswith('-'))
        return (
            added if self.additions is None else self.additions,
            deleted if self.deletions is None else self.deletions,
        )


@dataclass(frozen=True)
class _Anchor:
    hunk: int
    position: int  # lines below the file's first "@@" header, as GitHub counts it


@dataclass(frozen=True)
class _Patch:
    text_lines: tuple[str, ...]
    # (side, line number) -> anchor; context lines appear on both sides
    anchors: Mapping[tuple[str, int], _Anchor]
    hunk_starts: tuple[int, ...]

    def diff_hunk(self, anchor: _Anchor) -> str:
        """The hunk text from its header down to the anchored line, like ``diff_hunk``."""
        start = self.hunk_starts[anchor.hunk]
        return '\n'.join(self.text_lines[start:anchor.position + 1])


_HUNK_HEADER = re.compile(r'^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@')


def _parse_patch(patch: str | None) -> _Patch:
    lines = tuple((patch or '').split('\n'))
    anchors: dict[tuple[str, int], _Anchor] = {}
    starts: list[int] = []
    old = new = 0
    for position, text in enumerate(lines):
        header = _HUNK_HEADER.match(text)
        if header:
            starts.append(position)
            old, new = int(header.group(1)), int(header.group(2))
            continue
        if not starts or text.startswith('\\'):
            continue
        anchor = _Anchor(len(starts) - 1, position)
        if text.startswith('+'):
            anchors[('RIGHT', new)] = anchor
            new += 1
        elif text.startswith('-'):
            anchors[('LEFT', old)] = anchor
            old += 1
        else:
            anchors[('RIGHT', new)] = anchor
            anchors[('LEFT', old)] = anchor
            old, new = old + 1, new + 1
    return _Patch(lines, anchors, tuple(starts))


@dataclass
class FakeReview:
    id: int
    user: dict[str, Any]
    body: str
    state: str
    commit_id: str
    submitted_at: str | None


@dataclass
class FakeReviewComment:
    id: int
    review_id: int
    path: str
    body: str
    commit_id: str
    user: dict[str, Any]
    line: int | None
    side: str | None
    start_line: int | None
    start_side: str | None
    position: int | None
    diff_hunk: str
    subject_type: str = 'line'
    in_reply_to_id: int | None = None
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)


@dataclass
class FakeIssueComment:
    id: int
    body: str
    user: dict[str, Any]
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)


@dataclass
class FakePull:
    owner: str
    repo: str
    number: int
    id: int
    head_sha: str
    base_sha: str
    head_ref: str
    base_ref: str
    head_repo_full_name: str
    files: list[PullFile]
    title: str
    body: str | None
    draft: bool
    author: dict[str, Any]
    reviews: list[FakeReview] = field(default_factory=list)
    review_comments: list[FakeReviewComment] = field(default_factory=list)
    issue_comments: list[FakeIssueComment] = field(default_factory=list)

    def file(self, path: str) -> PullFile | None:
        return next((f for f in self.files if f.filename == path), None)

    def published_comments(self) -> list[FakeReviewComment]:
        """Comments others can see: those of submitted (non-PENDING) reviews."""
        pending = {r.id for r in self.reviews if r.state == 'PENDING'}
        return [c for c in self.review_comments if c.review_id not in pending]


@dataclass
class _Repo:
    owner: str
    name: str
    id: int
    default_branch: str
    fork: bool = False
    private: bool = False
    refs: dict[str, dict[str, str]] = field(default_factory=dict)  # ref -> path -> blob sha
    commits: dict[str, str | None] = field(default_factory=dict)  # sha -> parent sha
    pulls: dict[int, FakePull] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f'{self.owner}/{self.name}'


# ---------------------------------------------------------------- requests, responses, faults


@dataclass
class RecordedRequest:
    """One request as the fake saw it; ``path`` is without the API prefix and query."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any
    raw_path: str
    status: int = 0


@dataclass
class _Resp:
    status: int
    body: bytes = b''
    content_type: str = 'application/json; charset=utf-8'
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Fault:
    status: int
    kind: FaultKind
    after_effect: bool
    retry_after: int | None
    reset_in: int
    body: Any
    headers: Mapping[str, str]


def _default_kind(status: int) -> FaultKind:
    kinds: dict[int, FaultKind] = {
        401: 'bad_credentials',
        403: 'integration',
        404: 'not_found',
        429: 'secondary_rate_limit',
    }
    return kinds.get(status, 'server_error' if status >= 500 else 'custom')


class _Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so stopping never waits on idle keep-alives.
    protocol_version = 'HTTP/1.0'
    fake: FakeGitHub

    def version_string(self) -> str:
        return 'GitHub.com'

    def do_GET(self) -> None:
        self.fake._handle(self)

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        # Silence: the request log lives in fake.requests.
        return


_Route = tuple[str, re.Pattern[str], str, str]
_REPO = r'/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)'


def _route(method: str, pattern: str, handler: str, doc: str) -> _Route:
    return (method, re.compile(pattern.replace('{REPO}', _REPO) + r'/?$'), handler, doc)


ROUTES: tuple[_Route, ...] = (
    _route('GET', r'/user', '_get_user', 'users/users#get-the-authenticated-user'),
    _route('GET', r'{REPO}', '_get_repo', 'repos/repos#get-a-repository'),
    _route('GET', r'{REPO}/pulls/(?P<number>\d+)', '_get_pull', 'pulls/pulls#get-a-pull-request'),
    _route('GET', r'{REPO}/pulls/(?P<number>\d+)/files', '_list_files',
           'pulls/pulls#list-pull-requests-files'),
    _route('GET', r'{REPO}/git/blobs/(?P<sha>[^/]+)', '_get_blob', 'git/blobs#get-a-blob'),
    _route('GET', r'{REPO}/contents/(?P<path>.+)', '_get_contents',
           'repos/contents#get-repository-content'),
    _route('GET', r'{REPO}/commits/(?P<sha>[^/]+)', '_get_commit', 'commits/commits#get-a-commit'),
    _route('POST', r'{REPO}/pulls/(?P<number>\d+)/reviews', '_create_review',
           'pulls/reviews#create-a-review-for-a-pull-request'),
    _route('GET', r'{REPO}/pulls/(?P<number>\d+)/reviews', '_list_reviews',
           'pulls/reviews#list-reviews-for-a-pull-request'),
    _route('GET', r'{REPO}/pulls/(?P<number>\d+)/reviews/(?P<id>\d+)', '_get_review',
           'pulls/reviews#get-a-review-for-a-pull-request'),
    _route('DELETE', r'{REPO}/pulls/(?P<number>\d+)/reviews/(?P<id>\d+)', '_delete_review',
           'pulls/reviews#delete-a-pending-review-for-a-pull-request'),
    _route('GET', r'{REPO}/pulls/(?P<number>\d+)/comments', '_list_review_comments',
           'pulls/comments#list-review-comments-on-a-pull-request'),
    _route('POST', r'{REPO}/pulls/(?P<number>\d+)/comments', '_create_review_comment',
           'pulls/comments#create-a-review-comment-for-a-pull-request'),
    _route('GET', r'{REPO}/pulls/comments/(?P<id>\d+)', '_get_review_comment',
           'pulls/comments#get-a-review-comment-for-a-pull-request'),
    _route('PATCH', r'{REPO}/pulls/comments/(?P<id>\d+)', '_edit_review_comment',
           'pulls/comments#update-a-review-comment-for-a-pull-request'),
    _route('DELETE', r'{REPO}/pulls/comments/(?P<id>\d+)', '_delete_review_comment',
           'pulls/comments#delete-a-review-comment-for-a-pull-request'),
    _route('POST', r'{REPO}/issues/(?P<number>\d+)/comments', '_create_issue_comment',
           'issues/comments#create-an-issue-comment'),
    _route('GET', r'{REPO}/issues/(?P<number>\d+)/comments', '_list_issue_comments',
           'issues/comments#list-issue-comments'),
    _route('GET', r'{REPO}/issues/comments/(?P<id>\d+)', '_get_issue_comment',
           'issues/comments#get-an-issue-comment'),
    _route('PATCH', r'{REPO}/issues/comments/(?P<id>\d+)', '_edit_issue_comment',
           'issues/comments#update-an-issue-comment'),
    _route('DELETE', r'{REPO}/issues/comments/(?P<id>\d+)', '_delete_issue_comment',
           'issues/comments#delete-an-issue-comment'),
)


class _Failure(Exception):
    """Raised inside a handler to answer an error response at once."""

    def __init__(self, resp: _Resp) -> None:
        super().__init__(resp.status)
        self.resp = resp


# ---------------------------------------------------------------- the server


class FakeGitHub:
    """In-memory GitHub on a random 127.0.0.1 port, served from a background thread.

    ``api_prefix='/api/v3'`` makes it look like GitHub Enterprise Server; ``token`` (if set)
    is the only accepted credential; ``installation_token=True`` makes ``GET /user`` answer
    403 like a real ``GITHUB_TOKEN`` does.
    """

    def __init__(
        self,
        *,
        api_prefix: str = '',
        token: str | None = None,
        user_login: str = BOT_LOGIN,
        user_id: int = BOT_ID,
        user_type: str = 'Bot',
        rate_limit: int = 1000,
        installation_token: bool = False,
    ) -> None:
        self.api_prefix = api_prefix.rstrip('/')
        self.token = token
        self.rate_limit = rate_limit
        self.installation_token = installation_token
        self.read_only = False  # True: every write answers 403 like a fork PR's token
        self.requests: list[RecordedRequest] = []
        self._user = (user_login, user_id, user_type)
        self._repos: dict[str, _Repo] = {}
        self._blobs: dict[str, bytes] = {}
        self._faults: dict[tuple[str, str], list[_Fault]] = {}
        self._ids = itertools.count(1_000_001)
        self._lock = threading.RLock()
        self._used = 0
        self._reset_at = int(time.time()) + 3600
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        handler = type('Handler', (_Handler,), {'fake': self})
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05},
                                        name='fake-github', daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        """Scheme, host and port; ``html_url`` fields live here, like github.com pages."""
        assert self._server is not None, 'FakeGitHub is not started'
        return f'http://127.0.0.1:{self._server.server_address[1]}'

    @property
    def url(self) -> str:
        """The API base URL: give it to PyGithub as ``base_url`` (and as ``GITHUB_API_URL``)."""
        return self.root_url + self.api_prefix

    # ------------------------------------------------------------ setting up state

    def add_repo(self, owner: str, repo: str, *, default_branch: str = 'main',
                 private: bool = False, fork: bool = False) -> None:
        with self._lock:
            key = f'{owner}/{repo}'
            if key not in self._repos:
                self._repos[key] = _Repo(owner, repo, next(self._ids), default_branch, fork, private)

    def add_blob(self, data: bytes) -> str:
        sha = blob_sha(data)
        with self._lock:
            self._blobs[sha] = data
        return sha

    def add_file(self, owner: str, repo: str, ref: str, path: str, data: bytes) -> str:
        """Make ``path`` at ``ref`` hold ``data`` (for contents); returns its blob sha."""
        self.add_repo(owner, repo)
        sha = self.add_blob(data)
        with self._lock:
            self._repos[f'{owner}/{repo}'].refs.setdefault(ref, {})[path] = sha
        return sha

    def add_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        head_sha: str,
        base_sha: str,
        files: Iterable[PullFile] = (),
        *,
        head_repo_full_name: str | None = None,
        blobs: Mapping[str, bytes] | None = None,
        base_files: Mapping[str, bytes] | None = None,
        head_ref: str = 'feature',
        base_ref: str = 'main',
        title: str = 'Add a feature',
        body: str | None = 'Please review.',
        draft: bool = False,
        author: str = 'octocat',
    ) -> FakePull:
        """Register an open PR. ``blobs`` are head contents by sha (a PullFile's ``sha``);
        ``base_files`` are base contents by path, served at ``base_sha``/``base_ref``."""
        self.add_repo(owner, repo)
        head_full = head_repo_full_name or f'{owner}/{repo}'
        head_owner, head_name = head_full.split('/', 1)
        self.add_repo(head_owner, head_name, fork=head_full != f'{owner}/{repo}')
        with self._lock:
            self._blobs.update(blobs or {})
            pull = FakePull(owner, repo, number, next(self._ids), head_sha, base_sha, head_ref,
                            base_ref, head_full, list(files), title, body, draft,
                            self._user_json(author, 583231, 'User'))
            self._register_pull_refs(pull, base_files or {})
            self._repos[f'{owner}/{repo}'].pulls[number] = pull
        return pull

    def _register_pull_refs(self, pull: FakePull, base_files: Mapping[str, bytes]) -> None:
        head_tree = {f.filename: f.sha for f in pull.files if f.status != 'removed' and f.sha}
        base_tree = {path: self.add_blob(data) for path, data in base_files.items()}
        for full in {f'{pull.owner}/{pull.repo}', pull.head_repo_full_name}:
            repo = self._repos[full]
            repo.commits.setdefault(pull.base_sha, None)
            repo.commits[pull.head_sha] = pull.base_sha
            for ref, tree in ((pull.base_sha, base_tree), (pull.base_ref, base_tree),
                              (pull.head_sha, head_tree), (pull.head_ref, head_tree)):
                repo.refs.setdefault(ref, {}).update(tree)

    def pull(self, owner: str, repo: str, number: int) -> FakePull:
        """The model of a PR, for assertions (``.reviews``, ``.review_comments``, ...)."""
        return self._repos[f'{owner}/{repo}'].pulls[number]

    def pull_json(self, owner: str, repo: str, number: int) -> dict[str, Any]:
        """The PR as ``GET /pulls/{n}`` shows it (a webhook's ``pull_request`` has this shape)."""
        with self._lock:
            return self._pull_json(self.pull(owner, repo, number))

    def repo_json(self, owner: str, repo: str) -> dict[str, Any]:
        """The repository as ``GET /repos/{o}/{r}`` shows it."""
        with self._lock:
            return self._repo_json(self._repos[f'{owner}/{repo}'])

    # ------------------------------------------------------------ faults and the log

    def inject(
        self,
        method: str,
        path: str,
        *,
        status: int,
        kind: FaultKind | None = None,
        after_effect: bool = False,
        retry_after: int | None = 1,
        reset_in: int = 60,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Queue a failure for the next ``times`` requests to ``method path``.

        ``after_effect=True`` does the real work first (e.g. creates the review) and answers
        the failure anyway, as GitHub's 502s on big reviews do. ``kind`` defaults from the
        status: 401 bad credentials, 403 "Resource not accessible by integration",
        429 secondary rate limit, 5xx an HTML error page; ``retry_after``/``reset_in`` shape
        the rate-limit headers; ``body``/``headers`` override.
        """
        fault = _Fault(status, kind or _default_kind(status), after_effect, retry_after,
                       reset_in, body, dict(headers or {}))
        with self._lock:
            self._faults.setdefault((method.upper(), self._route_path(path)), []).extend(
                [fault] * times)

    def calls(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Logged requests, filtered by method and exact path (prefix and query ignored)."""
        wanted = self._route_path(path) if path is not None else None
        with self._lock:
            return [r for r in self.requests
                    if (method is None or r.method == method.upper())
                    and (wanted is None or r.path == wanted)]

    def writes(self) -> list[RecordedRequest]:
        """Every request that could change something (not GET/HEAD)."""
        with self._lock:
            return [r for r in self.requests if r.method not in ('GET', 'HEAD')]

    def _route_path(self, path: str) -> str:
        return self._normalize(urllib.parse.urlsplit(path).path)

    def _normalize(self, path: str) -> str:
        """``path`` without the API prefix, a trailing slash or the /repositories/{id} form."""
        if self.api_prefix and path.startswith(self.api_prefix + '/'):
            path = path[len(self.api_prefix):]
        return self._resolve_repository_id(path.rstrip('/') or '/')

    # ------------------------------------------------------------ HTTP plumbing

    def _handle(self, handler: _Handler) -> None:
        req = self._read_request(handler)
        with self._lock:
            self.requests.append(req)
            resp = self._respond(req)
            req.status = resp.status
            headers = self._common_headers(resp)
        handler.send_response(resp.status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(resp.body)

    def _read_request(self, handler: _Handler) -> RecordedRequest:
        length = int(handler.headers.get('content-length') or 0)
        body = handler.rfile.read(length) if length else b''
        split = urllib.parse.urlsplit(handler.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query).items()}
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        headers = {k.lower(): v for k, v in handler.headers.items()}
        path = urllib.parse.unquote(split.path)
        if self.api_prefix and not path.startswith(self.api_prefix + '/'):
            path = '!outside-prefix' + path  # matches no route: 404 like a wrong base_url
        return RecordedRequest(handler.command, self._normalize(path), query, headers, body,
                               parsed, handler.path)

    def _respond(self, req: RecordedRequest) -> _Resp:
        route = self._match(req)
        doc = DOCS + (route[3] if route else '')
        if not self._authorized(req):
            return self._error(401, 'Bad credentials', DOCS)
        fault = self._pop_fault(req)
        if fault is not None and not fault.after_effect:
            return self._fault_response(fault, doc)
        resp = self._dispatch(req, route, doc)
        return self._fault_response(fault, doc) if fault is not None else resp

    def _match(self, req: RecordedRequest) -> _Route | None:
        for route in ROUTES:
            if route[0] == req.method and route[1].match(req.path):
                return route
        return None

    def _dispatch(self, req: RecordedRequest, route: _Route | None, doc: str) -> _Resp:
        if route is None:
            return self._error(404, 'Not Found', DOCS)
        if self.read_only and req.method != 'GET':
            return self._integration_error(doc)
        match = route[1].match(req.path)
        assert match is not None
        handler: Callable[[RecordedRequest, dict[str, str], str], _Resp] = getattr(self, route[2])
        try:
            return handler(req, match.groupdict(), doc)
        except _Failure as failure:
            return failure.resp

    def _authorized(self, req: RecordedRequest) -> bool:
        if self.token is None:
            return True
        scheme, _, value = req.headers.get('authorization', '').partition(' ')
        return scheme.lower() in ('token', 'bearer') and value == self.token

    def _pop_fault(self, req: RecordedRequest) -> _Fault | None:
        queue = self._faults.get((req.method, req.path))
        return queue.pop(0) if queue else None

    def _resolve_repository_id(self, path: str) -> str:
        # GitHub's Link headers say /repositories/{id}/...; serve them as /repos/{o}/{r}/...
        found = re.match(r'^/repositories/(\d+)(/.*)?$', path)
        if not found:
            return path
        repo = next((r for r in self._repos.values() if r.id == int(found.group(1))), None)
        if repo is None:
            return path
        return f'/repos/{repo.full_name}{found.group(2) or ""}'

    def _common_headers(self, resp: _Resp) -> dict[str, str]:
        self._used += 1
        headers = {
            'content-type': resp.content_type,
            'x-github-media-type': 'github.v3; format=json',
            'x-github-api-version-selected': '2022-11-28',
            'x-ratelimit-limit': str(self.rate_limit),
            'x-ratelimit-remaining': str(max(self.rate_limit - self._used, 0)),
            'x-ratelimit-reset': str(self._reset_at),
            'x-ratelimit-used': str(self._used),
            'x-ratelimit-resource': 'core',
            'x-github-request-id': self._request_id(),
            'access-control-expose-headers': 'ETag, Link, Location, Retry-After, '
            'X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, '
            'X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, '
            'X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, '
            'Deprecation, Sunset',
            'content-length': str(len(resp.body)),
        }
        headers.update(resp.headers)
        return headers

    @staticmethod
    def _request_id() -> str:
        parts = [secrets.token_hex(2), secrets.token_hex(2), secrets.token_hex(3),
                 secrets.token_hex(3), secrets.token_hex(4)]
        return ':'.join(part.upper() for part in parts)

    # ------------------------------------------------------------ response builders

    @staticmethod
    def _json(status: int, data: Any, headers: Mapping[str, str] | None = None) -> _Resp:
        body = json.dumps(data, separators=(',', ':')).encode()
        return _Resp(status, body, headers=dict(headers or {}))

    def _error(self, status: int, message: str, doc: str, errors: list[Any] | None = None,
               headers: Mapping[str, str] | None = None) -> _Resp:
        data: dict[str, Any] = {'message': message}
        if errors is not None:
            data['errors'] = errors
        data.update({'documentation_url': doc, 'status': str(status)})
        return self._json(status, data, headers)

    def _unprocessable(self, errors: list[Any], doc: str) -> _Failure:
        return _Failure(self._error(422, 'Unprocessable Entity', doc, errors))

    def _validation_failed(self, resource: str, field_name: str, message: str, doc: str,
                           code: str = 'custom') -> _Failure:
        error = {'resource': resource, 'code': code, 'field': field_name, 'message': message}
        return _Failure(self._error(422, 'Validation Failed', doc, [error]))

    def _integration_error(self, doc: str) -> _Resp:
        return self._error(403, 'Resource not accessible by integration', doc,
                           headers={'x-accepted-github-permissions': 'pull_requests=write'})

    def _fault_response(self, fault: _Fault, doc: str) -> _Resp:
        builders: dict[str, Callable[[_Fault, str], _Resp]] = {
            'server_error': self._server_error_fault,
            'integration': lambda f, d: self._integration_error(d),
            'secondary_rate_limit': self._secondary_fault,
            'primary_rate_limit': self._primary_fault,
            'bad_credentials': lambda f, d: self._error(f.status, 'Bad credentials', DOCS),
            'not_found': lambda f, d: self._error(f.status, 'Not Found', d),
            'custom': lambda f, d: self._json(f.status, f.body),
        }
        resp = builders[fault.kind](fault, doc)
        resp.status = fault.status
        if fault.body is not None and fault.kind != 'custom':
            resp.body = fault.body if isinstance(fault.body, bytes) else json.dumps(fault.body).encode()
        resp.headers.update(fault.headers)
        return resp

    @staticmethod
    def _server_error_fault(fault: _Fault, doc: str) -> _Resp:
        return _Resp(fault.status, SERVER_ERROR_HTML.encode(), 'text/html; charset=utf-8')

    def _secondary_fault(self, fault: _Fault, doc: str) -> _Resp:
        message = ('You have exceeded a secondary rate limit. Please wait a few minutes before '
                   'you try again. If you reach out to GitHub Support for help, please include '
                   f'the request ID {self._request_id()}.')
        headers = {} if fault.retry_after is None else {'retry-after': str(fault.retry_after)}
        return self._error(fault.status, message, 'https://docs.github.com/free-pro-team@latest/'
                           'rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
                           headers=headers)

    def _primary_fault(self, fault: _Fault, doc: str) -> _Resp:
        headers = {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-used': str(self.rate_limit),
            'x-ratelimit-reset': str(int(time.time()) + fault.reset_in),
        }
        if fault.status == 429 and fault.retry_after is not None:
            headers['retry-after'] = str(fault.retry_after)
        return self._error(fault.status, 'API rate limit exceeded for installation ID 1.',
                           DOCS + 'overview/rate-limits-for-the-rest-api', headers=headers)

    # ------------------------------------------------------------ JSON shapes

    def _api(self, repo: _Repo | FakePull | str) -> str:
        full = repo if isinstance(repo, str) else (
            repo.full_name if isinstance(repo, _Repo) else f'{repo.owner}/{repo.repo}')
        return f'{self.url}/repos/{full}'

    def _user_json(self, login: str, uid: int, kind: str) -> dict[str, Any]:
        api = f'{self.url}/users/{urllib.parse.quote(login)}'
        return {
            'login': login, 'id': uid, 'node_id': _node_id('U_', uid),
            'avatar_url': f'{self.root_url}/avatars/u/{uid}?v=4', 'gravatar_id': '',
            'url': api, 'html_url': f'{self.root_url}/{urllib.parse.quote(login)}',
            'followers_url': f'{api}/followers',
            'following_url': f'{api}/following{{/other_user}}',
            'gists_url': f'{api}/gists{{/gist_id}}',
            'starred_url': f'{api}/starred{{/owner}}{{/repo}}',
            'subscriptions_url': f'{api}/subscriptions', 'organizations_url': f'{api}/orgs',
            'repos_url': f'{api}/repos', 'events_url': f'{api}/events{{/privacy}}',
            'received_events_url': f'{api}/received_events', 'type': kind,
            'user_view_type': 'public', 'site_admin': False,
        }

    def _me(self) -> dict[str, Any]:
        return self._user_json(*self._user)

    def _repo_json(self, repo: _Repo) -> dict[str, Any]:
        api = self._api(repo)
        html = f'{self.root_url}/{repo.full_name}'
        owner = self._user_json(repo.owner, repo.id + 7, 'User')
        data: dict[str, Any] = {
            'id': repo.id, 'node_id': _node_id('R_', repo.id), 'name': repo.name,
            'full_name': repo.full_name, 'private': repo.private, 'owner': owner,
            'html_url': html, 'description': None, 'fork': repo.fork, 'url': api,
        }
        for name, suffix in (('forks', '/forks'), ('keys', '/keys{/key_id}'),
                             ('collaborators', '/collaborators{/collaborator}'),
                             ('hooks', '/hooks'), ('events', '/events'),
                             ('branches', '/branches{/branch}'), ('tags', '/tags'),
                             ('blobs', '/git/blobs{/sha}'), ('trees', '/git/trees{/sha}'),
                             ('statuses', '/statuses/{sha}'), ('languages', '/languages'),
                             ('commits', '/commits{/sha}'), ('git_commits', '/git/commits{/sha}'),
                             ('comments', '/comments{/number}'),
                             ('issue_comment', '/issues/comments{/number}'),
                             ('contents', '/contents/{+path}'),
                             ('compare', '/compare/{base}...{head}'),
                             ('issues', '/issues{/number}'), ('pulls', '/pulls{/number}'),
                             ('labels', '/labels{/name}'), ('releases', '/releases{/id}')):
            data[f'{name}_url'] = api + suffix
        data.update({
            'created_at': '2024-01-01T00:00:00Z', 'updated_at': _now(), 'pushed_at': _now(),
            'git_url': f'git://127.0.0.1/{repo.full_name}.git',
            'clone_url': f'{html}.git', 'homepage': None, 'size': 1, 'language': 'Python',
            'has_issues': True, 'archived': False, 'disabled': False,
            'default_branch': repo.default_branch, 'visibility': 'private' if repo.private else 'public',
            'topics': [], 'forks_count': 0, 'open_issues_count': len(repo.pulls),
        })
        return data

    def _branch_json(self, pull: FakePull, which: str) -> dict[str, Any]:
        full = pull.head_repo_full_name if which == 'head' else f'{pull.owner}/{pull.repo}'
        repo = self._repos[full]
        ref = pull.head_ref if which == 'head' else pull.base_ref
        return {
            'label': f'{repo.owner}:{ref}', 'ref': ref,
            'sha': pull.head_sha if which == 'head' else pull.base_sha,
            'user': self._user_json(repo.owner, repo.id + 7, 'User'),
            'repo': self._repo_json(repo),
        }

    def _pull_json(self, pull: FakePull) -> dict[str, Any]:
        api = self._api(pull)
        url = f'{api}/pulls/{pull.number}'
        html = f'{self.root_url}/{pull.owner}/{pull.repo}/pull/{pull.number}'
        additions = sum(f.counts()[0] for f in pull.files)
        deletions = sum(f.counts()[1] for f in pull.files)
        return {
            'url': url, 'id': pull.id, 'node_id': _node_id('PR_', pull.id), 'html_url': html,
            'diff_url': f'{html}.diff', 'patch_url': f'{html}.patch',
            'issue_url': f'{api}/issues/{pull.number}', 'number': pull.number,
            'state': 'open', 'locked': False, 'title': pull.title, 'user': pull.author,
            'body': pull.body, 'created_at': '2024-01-02T00:00:00Z', 'updated_at': _now(),
            'closed_at': None, 'merged_at': None, 'merge_commit_sha': None, 'assignee': None,
            'assignees': [], 'requested_reviewers': [], 'requested_teams': [], 'labels': [],
            'milestone': None, 'draft': pull.draft, 'commits_url': f'{url}/commits',
            'review_comments_url': f'{url}/comments',
            'review_comment_url': f'{api}/pulls/comments{{/number}}',
            'comments_url': f'{api}/issues/{pull.number}/comments',
            'statuses_url': f'{api}/statuses/{pull.head_sha}',
            'head': self._branch_json(pull, 'head'), 'base': self._branch_json(pull, 'base'),
            '_links': self._pull_links(pull, url, html),
            'author_association': 'CONTRIBUTOR', 'auto_merge': None, 'active_lock_reason': None,
            'merged': False, 'mergeable': True, 'rebaseable': True, 'mergeable_state': 'clean',
            'merged_by': None, 'comments': len(pull.issue_comments),
            'review_comments': len(pull.published_comments()),
            'maintainer_can_modify': False, 'commits': 1, 'additions': additions,
            'deletions': deletions, 'changed_files': len(pull.files),
        }

    def _pull_links(self, pull: FakePull, url: str, html: str) -> dict[str, Any]:
        api = self._api(pull)
        links = {
            'self': url, 'html': html, 'issue': f'{api}/issues/{pull.number}',
            'comments': f'{api}/issues/{pull.number}/comments',
            'review_comments': f'{url}/comments',
            'review_comment': f'{api}/pulls/comments{{/number}}',
            'commits': f'{url}/commits', 'statuses': f'{api}/statuses/{pull.head_sha}',
        }
        return {name: {'href': href} for name, href in links.items()}

    def _file_json(self, pull: FakePull, f: PullFile) -> dict[str, Any]:
        additions, deletions = f.counts()
        quoted = urllib.parse.quote(f.filename)
        html = f'{self.root_url}/{pull.owner}/{pull.repo}'
        data: dict[str, Any] = {
            'sha': f.sha, 'filename': f.filename, 'status': f.status, 'additions': additions,
            'deletions': deletions, 'changes': additions + deletions,
            'blob_url': f'{html}/blob/{pull.head_sha}/{quoted}',
            'raw_url': f'{html}/raw/{pull.head_sha}/{quoted}',
            'contents_url': f'{self._api(pull)}/contents/{quoted}?ref={pull.head_sha}',
        }
        if f.patch is not None:
            data['patch'] = f.patch
        if f.previous_filename is not None:
            data['previous_filename'] = f.previous_filename
        return data

    def _review_json(self, pull: FakePull, review: FakeReview) -> dict[str, Any]:
        url = f'{self._api(pull)}/pulls/{pull.number}'
        html = f'{self.root_url}/{pull.owner}/{pull.repo}/pull/{pull.number}'
        data: dict[str, Any] = {
            'id': review.id, 'node_id': _node_id('PRR_', review.id), 'user': review.user,
            'body': review.body, 'state': review.state,
            'html_url': f'{html}#pullrequestreview-{review.id}', 'pull_request_url': url,
            'author_association': 'NONE',
            '_links': {'html': {'href': f'{html}#pullrequestreview-{review.id}'},
                       'pull_request': {'href': url}},
            'commit_id': review.commit_id,
        }
        if review.submitted_at is not None:  # GitHub omits it while PENDING
            data['submitted_at'] = review.submitted_at
        return data

    def _review_comment_json(self, pull: FakePull, c: FakeReviewComment) -> dict[str, Any]:
        api = self._api(pull)
        url = f'{api}/pulls/comments/{c.id}'
        html = f'{self.root_url}/{pull.owner}/{pull.repo}/pull/{pull.number}#discussion_r{c.id}'
        pull_url = f'{api}/pulls/{pull.number}'
        data: dict[str, Any] = {
            'url': url, 'pull_request_review_id': c.review_id, 'id': c.id,
            'node_id': _node_id('PRRC_', c.id), 'diff_hunk': c.diff_hunk, 'path': c.path,
            'commit_id': c.commit_id, 'original_commit_id': c.commit_id, 'user': c.user,
            'body': c.body, 'created_at': c.created_at, 'updated_at': c.updated_at,
            'html_url': html, 'pull_request_url': pull_url, 'author_association': 'NONE',
            '_links': {'self': {'href': url}, 'html': {'href': html},
                       'pull_request': {'href': pull_url}},
            'reactions': self._reactions(url),
            'start_line': c.start_line, 'original_start_line': c.start_line,
            'start_side': c.start_side, 'line': c.line, 'original_line': c.line,
            'side': c.side, 'original_position': c.position, 'position': c.position,
            'subject_type': c.subject_type,
        }
        if c.in_reply_to_id is not None:
            data['in_reply_to_id'] = c.in_reply_to_id
        return data

    def _issue_comment_json(self, pull: FakePull, c: FakeIssueComment) -> dict[str, Any]:
        api = self._api(pull)
        url = f'{api}/issues/comments/{c.id}'
        return {
            'url': url,
            'html_url': f'{self.root_url}/{pull.owner}/{pull.repo}/pull/{pull.number}'
                        f'#issuecomment-{c.id}',
            'issue_url': f'{api}/issues/{pull.number}', 'id': c.id,
            'node_id': _node_id('IC_', c.id), 'user': c.user, 'created_at': c.created_at,
            'updated_at': c.updated_at, 'author_association': 'NONE', 'body': c.body,
            'reactions': self._reactions(url), 'performed_via_github_app': None,
        }

    @staticmethod
    def _reactions(url: str) -> dict[str, Any]:
        counts = dict.fromkeys(('+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket',
                                'eyes'), 0)
        return {'url': f'{url}/reactions', 'total_count': 0, **counts}

    # ------------------------------------------------------------ lookups

    def _repo_or_404(self, params: Mapping[str, str], doc: str) -> _Repo:
        repo = self._repos.get(f'{params["owner"]}/{params["repo"]}')
        if repo is None:
            raise _Failure(self._error(404, 'Not Found', doc))
        return repo

    def _pull_or_404(self, params: Mapping[str, str], doc: str) -> FakePull:
        pull = self._repo_or_404(params, doc).pulls.get(int(params['number']))
        if pull is None:
            raise _Failure(self._error(404, 'Not Found', doc))
        return pull

    def _find_in_repo(self, params: Mapping[str, str], doc: str,
                      pick: Callable[[FakePull], list[Any]]) -> tuple[FakePull, Any]:
        """The PR and object with ``params['id']`` among ``pick(pull)`` of the repo's PRs."""
        wanted = int(params['id'])
        for pull in self._repo_or_404(params, doc).pulls.values():
            for item in pick(pull):
                if item.id == wanted:
                    return pull, item
        raise _Failure(self._error(404, 'Not Found', doc))

    # ------------------------------------------------------------ pagination

    def _paginate(self, req: RecordedRequest, items: list[Any], *, default: int = 30,
                  maximum: int = 100) -> _Resp:
        per_page = min(max(self._int_param(req, 'per_page', default), 1), maximum)
        page = max(self._int_param(req, 'page', 1), 1)
        last = max(math.ceil(len(items) / per_page), 1)
        chunk = items[(page - 1) * per_page:page * per_page]
        link = self._link_header(req, page, last)
        return self._json(200, chunk, {'link': link} if link else None)

    @staticmethod
    def _int_param(req: RecordedRequest, name: str, default: int) -> int:
        try:
            return int(req.query.get(name, default))
        except ValueError:
            return default

    def _link_header(self, req: RecordedRequest, page: int, last: int) -> str:
        rels: list[tuple[str, int]] = []
        if page > 1:
            rels.append(('prev', min(page - 1, last)))
        if page < last:
            rels += [('next', page + 1), ('last', last)]
        if page > 1:
            rels.append(('first', 1))
        return ', '.join(f'<{self._page_url(req, number)}>; rel="{rel}"' for rel, number in rels)

    def _page_url(self, req: RecordedRequest, page: int) -> str:
        # Like GitHub: the numeric /repositories/{id} form, other query parameters kept.
        match = re.match(r'^/repos/([^/]+/[^/]+)(/.*)?$', req.path)
        path = req.path
        if match and match.group(1) in self._repos:
            path = f'/repositories/{self._repos[match.group(1)].id}{match.group(2) or ""}'
        query = {**req.query, 'page': str(page)}
        return f'{self.url}{urllib.parse.quote(path)}?{urllib.parse.urlencode(query)}'

    # ------------------------------------------------------------ handlers: reading

    def _get_user(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        if self.installation_token:
            return self._error(403, 'Resource not accessible by integration', doc)
        return self._json(200, self._me())

    def _get_repo(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        return self._json(200, self._repo_json(self._repo_or_404(params, doc)))

    def _get_pull(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        return self._json(200, self._pull_json(self._pull_or_404(params, doc)))

    def _list_files(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        pull = self._pull_or_404(params, doc)
        files = [self._file_json(pull, f) for f in pull.files[:MAX_PR_FILES]]
        return self._paginate(req, files)

    def _get_blob(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        repo = self._repo_or_404(params, doc)
        data = self._blobs.get(params['sha'])
        if data is None:
            return self._error(404, 'Not Found', doc)
        return self._json(200, {
            'sha': params['sha'], 'node_id': 'B_' + params['sha'][:20], 'size': len(data),
            'url': f'{self._api(repo)}/git/blobs/{params["sha"]}',
            'content': _b64_wrapped(data), 'encoding': 'base64',
        })

    def _get_contents(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        repo = self._repo_or_404(params, doc)
        ref = req.query.get('ref', repo.default_branch)
        path = params['path'].strip('/')
        sha = repo.refs.get(ref, {}).get(path)
        if sha is None or sha not in self._blobs:
            return self._error(404, 'Not Found', doc)
        return self._json(200, self._content_json(repo, ref, path, sha))

    def _content_json(self, repo: _Repo, ref: str, path: str, sha: str) -> dict[str, Any]:
        data = self._blobs[sha]
        api = f'{self._api(repo)}/contents/{urllib.parse.quote(path)}?ref={ref}'
        git = f'{self._api(repo)}/git/blobs/{sha}'
        html = f'{self.root_url}/{repo.full_name}/blob/{ref}/{urllib.parse.quote(path)}'
        inline = len(data) <= CONTENTS_INLINE_LIMIT
        return {
            'type': 'file', 'encoding': 'base64' if inline else 'none', 'size': len(data),
            'name': path.rsplit('/', 1)[-1], 'path': path,
            # Over 1 MB GitHub answers an empty content with encoding "none".
            'content': _b64_wrapped(data) if inline else '', 'sha': sha, 'url': api,
            'git_url': git, 'html_url': html,
            'download_url': f'{self.root_url}/raw/{repo.full_name}/{ref}/{path}',
            '_links': {'self': api, 'git': git, 'html': html},
        }

    def _get_commit(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        repo = self._repo_or_404(params, doc)
        sha = params['sha']
        if sha not in repo.commits:
            return self._error(422, f'No commit found for SHA: {sha}', doc)
        pull = next((p for p in repo.pulls.values() if p.head_sha == sha), None)
        files = [self._file_json(pull, f) for f in pull.files] if pull else []
        data = self._commit_json(repo, sha, repo.commits[sha])
        per_page = min(max(self._int_param(req, 'per_page', 300), 1), 300)
        page = max(self._int_param(req, 'page', 1), 1)
        data['files'] = files[(page - 1) * per_page:page * per_page]
        link = self._link_header(req, page, max(math.ceil(len(files) / per_page), 1))
        return self._json(200, data, {'link': link} if link else None)

    def _commit_json(self, repo: _Repo, sha: str, parent: str | None) -> dict[str, Any]:
        api = self._api(repo)
        person = {'name': 'Octo Cat', 'email': 'octocat@example.com', 'date': _now()}
        return {
            'sha': sha, 'node_id': 'C_' + sha[:20],
            'commit': {
                'author': person, 'committer': person, 'message': 'A change',
                'tree': {'sha': blob_sha(sha.encode()), 'url': f'{api}/git/trees/x'},
                'url': f'{api}/git/commits/{sha}', 'comment_count': 0,
                'verification': {'verified': False, 'reason': 'unsigned', 'signature': None,
                                 'payload': None, 'verified_at': None},
            },
            'url': f'{api}/commits/{sha}',
            'html_url': f'{self.root_url}/{repo.full_name}/commit/{sha}',
            'comments_url': f'{api}/commits/{sha}/comments',
            'author': self._user_json('octocat', 583231, 'User'),
            'committer': self._user_json('octocat', 583231, 'User'),
            'parents': [] if parent is None else [{'sha': parent, 'url': f'{api}/commits/{parent}'}],
            'stats': {'total': 0, 'additions': 0, 'deletions': 0},
        }

    # ------------------------------------------------------------ handlers: reviews

    def _create_review(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        pull = self._pull_or_404(params, doc)
        payload = req.json if isinstance(req.json, dict) else {}
        comments = payload.get('comments') or []
        self._check_review(pull, payload, comments, doc)
        review = self._new_review(pull, payload.get('body') or '', self._review_state(payload, doc),
                                  payload.get('commit_id') or pull.head_sha)
        for comment in comments:
            self._add_review_comment(pull, review, comment)
        return self._json(200, self._review_json(pull, review))

    def _check_review(self, pull: FakePull, payload: Mapping[str, Any],
                      comments: list[Any], doc: str) -> None:
        """Reject the whole review, creating nothing, as GitHub does."""
        if self._pending_of_mine(pull) is not None:
            raise self._unprocessable(['User can only have one pending review per pull request'],
                                      doc)
        self._check_commit(pull, payload.get('commit_id'), doc)
        if len(payload.get('body') or '') > MAX_BODY:
            raise self._validation_failed('PullRequestReview', 'body',
                                          f'body is too long (maximum is {MAX_BODY} characters)',
                                          doc)
        for comment in comments:
            if len(str(comment.get('body') or '')) > MAX_BODY:
                raise self._validation_failed(
                    'PullRequestReviewComment', 'body',
                    f'body is too long (maximum is {MAX_BODY} characters)', doc)
        kinds = [kind for kind in (self._anchor_error(pull, c) for c in comments) if kind]
        if kinds:
            # One bad anchor sinks the review; the answer never says which comment it was.
            raise self._unprocessable([ANCHOR_ERRORS[kinds[0]][0]], doc)

    def _check_commit(self, pull: FakePull, commit_id: Any, doc: str) -> None:
        if commit_id is None:
            return
        if commit_id not in self._repos[f'{pull.owner}/{pull.repo}'].commits:
            raise self._unprocessable([f'No commit found for SHA: {commit_id}'], doc)  # [U]

    def _review_state(self, payload: Mapping[str, Any], doc: str) -> str:
        states = {None: 'PENDING', '': 'PENDING', 'COMMENT': 'COMMENTED',
                  'APPROVE': 'APPROVED', 'REQUEST_CHANGES': 'CHANGES_REQUESTED'}
        event = payload.get('event')
        if event not in states:
            raise self._validation_failed('PullRequestReview', 'event',
                                          f'{event} is not a valid event', doc)  # [U]
        return states[event]

    def _pending_of_mine(self, pull: FakePull) -> FakeReview | None:
        login = self._user[0]
        return next((r for r in pull.reviews
                     if r.state == 'PENDING' and r.user['login'] == login), None)

    def _new_review(self, pull: FakePull, body: str, state: str, commit_id: str) -> FakeReview:
        submitted = None if state == 'PENDING' else _now()
        review = FakeReview(next(self._ids), self._me(), body, state, commit_id, submitted)
        pull.reviews.append(review)
        return review

    def _anchor_error(self, pull: FakePull, comment: Mapping[str, Any]) -> str | None:
        """The kind of anchor failure of one comment, or None when GitHub would accept it."""
        f = pull.file(str(comment.get('path')))
        if f is None:
            return 'path'
        if comment.get('subject_type') == 'file':
            return None
        patch = _parse_patch(f.patch)
        side = str(comment.get('side') or 'RIGHT')
        line, start_line = comment.get('line'), comment.get('start_line')
        end = patch.anchors.get((side, line)) if isinstance(line, int) else None
        if end is None:
            return 'line'
        if start_line is None:
            return None
        start_side = str(comment.get('start_side') or side)
        start = patch.anchors.get((start_side, start_line)) if isinstance(start_line, int) else None
        if start is None:
            return 'line'
        if start.hunk != end.hunk:
            return 'same_hunk'
        return 'precede' if start.position >= end.position else None

    def _add_review_comment(self, pull: FakePull, review: FakeReview,
                            comment: Mapping[str, Any]) -> FakeReviewComment:
        f = pull.file(comment['path'])
        assert f is not None
        whole_file = comment.get('subject_type') == 'file'
        side = None if whole_file else str(comment.get('side') or 'RIGHT')
        patch = _parse_patch(f.patch)
        anchor = None if side is None else patch.anchors[(side, comment['line'])]
        start_line = comment.get('start_line')
        created = FakeReviewComment(
            id=next(self._ids), review_id=review.id, path=f.filename,
            body=str(comment.get('body') or ''), commit_id=review.commit_id, user=review.user,
            line=None if whole_file else comment['line'], side=side, start_line=start_line,
            start_side=(comment.get('start_side') or side) if start_line is not None else None,
            position=anchor.position if anchor else None,
            diff_hunk=patch.diff_hunk(anchor) if anchor else '',
            subject_type='file' if whole_file else 'line',
            in_reply_to_id=comment.get('in_reply_to'))
        pull.review_comments.append(created)
        return created

    def _list_reviews(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        pull = self._pull_or_404(params, doc)
        return self._paginate(req, [self._review_json(pull, r) for r in pull.reviews])

    def _review_or_404(self, params: dict[str, str], doc: str) -> tuple[FakePull, FakeReview]:
        pull = self._pull_or_404(params, doc)
        review = next((r for r in pull.reviews if r.id == int(params['id'])), None)
        if review is None:
            raise _Failure(self._error(404, 'Not Found', doc))
        return pull, review

    def _get_review(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        pull, review = self._review_or_404(params, doc)
        return self._json(200, self._review_json(pull, review))

    def _delete_review(self, req: RecordedRequest, params: dict[str, str], doc: str) -> _Resp:
        pull, review = self._review_or_404(params, doc)
        if review.state != 'PENDING':
            raise self._unprocessable(['Can not delete a non-pending pull request review'],
                                      doc)  # [U]
        pull.reviews.remove(review)
        pull.review_comments[:] = [c for c in pull.review_comments if c.review_id != review.id]
        return self._json(200, self._review_json(pull, review))

    # ------------------------------------------------------------ handlers: review comments

    def _list_review_comments(self, req: RecordedRequest, params: dict[str, str],
                              doc: str) -> _Resp:
        pull = self._pull_or_404(params, doc)
        comments = [self._review_comment_json(pull, c) for c in pull.published_comments()]
        if req.query.get('direction') == 'desc':
            comments.reverse()
        return self._paginate(req, comments)

    def _create_review_comment(self, req: RecordedRequest, params: dict[str, str],
                               doc: str) -> _Resp:
        pull = self._pull_or_404(params, doc)
        comment = dict(req.json) if isinstance(req.json, dict) else {}
        self._inherit_reply_anchor(pull, comment, doc)
        self._check_single_comment(pull, comment, doc)
        # A lone comment is a review of its own, already submitted.
        review = self._new_review(pull, '', 'COMMENTED', comment.get('commit_id') or pull.head_sha)
        created = self._add_review_comment(pull, review, comment)
        url = f'{self._api(pull)}/pulls/comments/{created.id}'
        return self._json(201, self._review_comment_json(pull, created), {'location': url})

    def _inherit_reply_anchor(self, pull: FakePull, comment: dict[str, Any], doc: str) -> None:
        if comment.get('in_reply_to') is None:
            return
        parent = next((c for c in pull.review_comments if c.id == comment['in_reply_to']), None)
        if parent is None:
            raise _Failure(self._error(404, 'Not Found', doc))
        comment.update({'path': parent.path, 'line': parent.line, 'side': parent.side,
                        'start_line': parent.start_line, 'start_side': parent.start_side,
                        'subject_type': parent.subject_type})

    def _check_single_comment(self, pull: FakePull, comment: Mapping[str, Any], doc: str) -> None:
        if self._pending_of_mine(pull) is not None:
            raise self._validation_failed('PullRequestReview', 'user_id',
                                          'user_id can only have one pending review per pull '
                                          'request', doc)
        self._check_commit(pull, comment.get('commit_id'), doc)
        if len(str(comment.get('body') or '')) > MAX_BODY:
            raise self._validation_failed('PullRequestReviewComment', 'body',
                                          f'body is too long (maximum is {MAX_BODY} characters)',
                                          doc)
        kind = self._anchor_error(pull, comment)
        if kind is not None:
            _, field_name, message = ANCHOR_ERRORS[kind]
            raise self._validation_failed('PullRequestReviewComment', field_name, message, doc)

    def _get_review_comment(self, req: RecordedRequest, params: dict[str, str],
                            doc: str) -> _Resp:
        pull, comment = self._find_in_repo(params, doc, lambda p: p.review_comments)
        return self._json(200, self._review_comment_json(pull, comment))

    def _edit_review_comment(self, req: RecordedRequest, params: dict[str, str],
                             doc: str) -> _Resp:
        pull, comment = self._find_in_repo(params, doc, lambda p: p.review_comments)
        body = self._new_body(req, 'PullRequestReviewComment', doc)
        comment.body, comment.updated_at = body, _now()
        return self._json(200, self._review_comment_json(pull, comment))

    def _delete_review_comment(self, req: RecordedRequest, params: dict[str, str],
                               doc: str) -> _Resp:
        pull, comment = self._find_in_repo(params, doc, lambda p: p.review_comments)
        pull.review_comments.remove(comment)
        return _Resp(204, content_type='application/octet-stream')

    def _new_body(self, req: RecordedRequest, resource: str, doc: str) -> str:
        body = req.json.get('body') if isinstance(req.json, dict) else None
        if not isinstance(body, str):
            raise self._validation_failed(resource, 'body', 'body wasn\'t supplied.', doc,
                                          code='missing_field')
        if len(body) > MAX_BODY and resource == 'IssueComment':
            # The wording PyGithub users report for issue comments since 2023.
            raise self._validation_failed(resource, 'data',
                                          f'Body is too long (maximum is {MAX_BODY} characters)',
                                          doc, code='unprocessable')
        if len(body) > MAX_BODY:
            raise self._validation_failed(resource, 'body',
                                          f'body is too long (maximum is {MAX_BODY} characters)',
                                          doc)
        return body

    # ------------------------------------------------------------ handlers: issue comments

    def _create_issue_comment(self, req: RecordedRequest, params: dict[str, str],
                              doc: str) -> _Resp:
        pull = self._pull_or_404(params, doc)
        body = self._new_body(req, 'IssueComment', doc)
        comment = FakeIssueComment(next(self._ids), body, self._me())
        pull.issue_comments.append(comment)
        url = f'{self._api(pull)}/issues/comments/{comment.id}'
        return self._json(201, self._issue_comment_json(pull, comment), {'location': url})

    def _list_issue_comments(self, req: RecordedRequest, params: dict[str, str],
                             doc: str) -> _Resp:
        pull = self._pull_or_404(params, doc)
        return self._paginate(req, [self._issue_comment_json(pull, c) for c in pull.issue_comments])

    def _get_issue_comment(self, req: RecordedRequest, params: dict[str, str],
                           doc: str) -> _Resp:
        pull, comment = self._find_in_repo(params, doc, lambda p: p.issue_comments)
        return self._json(200, self._issue_comment_json(pull, comment))

    def _edit_issue_comment(self, req: RecordedRequest, params: dict[str, str],
                            doc: str) -> _Resp:
        pull, comment = self._find_in_repo(params, doc, lambda p: p.issue_comments)
        comment.body, comment.updated_at = self._new_body(req, 'IssueComment', doc), _now()
        return self._json(200, self._issue_comment_json(pull, comment))

    def _delete_issue_comment(self, req: RecordedRequest, params: dict[str, str],
                              doc: str) -> _Resp:
        pull, comment = self._find_in_repo(params, doc, lambda p: p.issue_comments)
        pull.issue_comments.remove(comment)
        return _Resp(204, content_type='application/octet-stream')
