"""The fake GitHub API, driven through PyGithub over real HTTP (no mocking)."""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from github import BadCredentialsException
from github import Github
from github import GithubException
from github import GithubRetry
from github import RateLimitExceededException
from github.ContentFile import ContentFile
from github.PullRequest import PullRequest
from github.PullRequest import ReviewComment
from github.Repository import Repository

from tests.fakes.github import FakeGitHub
from tests.fakes.github import PullFile
from tests.fakes.github import blob_sha
from tests.fakes.github_plugin import client_for
from tests.fakes.github_plugin import pull_request_event

REPLAY = Path(__file__).parent / 'fixtures' / 'github' / 'replay'
OWNER = 'acme'
REPO = 'widgets'
HEAD = 'a' * 40
BASE = 'b' * 40
REVIEWS = f'/repos/{OWNER}/{REPO}/pulls/7/reviews'
REVIEW_DOCS = 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request'

# Two hunks. RIGHT lines shown: 1-6 and 22-25; LEFT lines shown: 1-4 and 20-22.
PATCH = (
    '@@ -1,4 +1,6 @@\n'
    ' import os\n'
    '-import sys\n'
    '+import re\n'
    '+\n'
    '+def todo():\n'
    ' \n'
    ' x = 1\n'
    '@@ -20,3 +22,4 @@ def f():\n'
    '     a = 1\n'
    '+    b = 2\n'
    '     c = 3\n'
    '     d = 4'
)
HEAD_TEXT = b'import os\nimport re\n\ndef todo():\n\nx = 1\n'
BASE_TEXT = b'import os\nimport sys\n\nx = 1\n'


def add_pr(fake: FakeGitHub, **options: Any) -> None:
    files = [PullFile('app/main.py', 'modified', PATCH, sha=blob_sha(HEAD_TEXT)),
             PullFile('assets/logo.png', 'added', None, sha=blob_sha(b'\x89PNG'), additions=0)]
    fake.add_pull(OWNER, REPO, 7, HEAD, BASE, files,
                  blobs={blob_sha(HEAD_TEXT): HEAD_TEXT, blob_sha(b'\x89PNG'): b'\x89PNG'},
                  base_files={'app/main.py': BASE_TEXT}, **options)


def open_pr(gh: Github) -> tuple[Repository, PullRequest]:
    repo = gh.get_repo(f'{OWNER}/{REPO}')
    return repo, repo.get_pull(7)


def suggestion(start_line: int, line: int, text: str = 'pass') -> ReviewComment:
    return {'path': 'app/main.py', 'body': f'```suggestion\n{text}\n```', 'start_line': start_line,
            'line': line, 'side': 'RIGHT', 'start_side': 'RIGHT'}


def comment_on(line: int, side: str = 'RIGHT', path: str = 'app/main.py') -> ReviewComment:
    return {'path': path, 'body': 'note', 'line': line, 'side': side}


def file_at(repo: Repository, path: str, ref: str) -> ContentFile:
    content = repo.get_contents(path, ref=ref)
    assert isinstance(content, ContentFile)
    return content


def header(error: GithubException, name: str) -> str:
    assert error.headers is not None
    return str(error.headers[name])


def recorded_bodies(name: str) -> list[Any]:
    """Response bodies of a PyGithub ReplayData file (11 lines per exchange)."""
    lines = (REPLAY / name).read_text(encoding='utf-8').split('\n')
    return [json.loads(lines[i + 9]) for i in range(0, len(lines) - 10, 11)]


def assert_keys_cover(recorded: dict[str, Any], served: dict[str, Any]) -> None:
    """Every key GitHub sent (and those of its user/_links/reactions objects) the fake sends."""
    assert set(recorded) <= set(served), set(recorded) - set(served)
    for nested in ('user', '_links', 'reactions'):
        if isinstance(recorded.get(nested), dict):
            assert set(recorded[nested]) <= set(served[nested]), nested


@pytest.fixture
def fake(fake_github: FakeGitHub) -> FakeGitHub:
    add_pr(fake_github)
    return fake_github


@pytest.fixture
def gh(fake: FakeGitHub) -> Github:
    return client_for(fake)


# ---------------------------------------------------------------- reading a PR


def test_pull_request_reads_back_through_pygithub(fake: FakeGitHub, gh: Github) -> None:
    repo, pr = open_pr(gh)
    assert (pr.number, pr.head.sha, pr.base.sha) == (7, HEAD, BASE)
    assert pr.head.repo.full_name == f'{OWNER}/{REPO}'
    assert pr.url == f'{fake.url}/repos/{OWNER}/{REPO}/pulls/7'
    assert pr.user.login == 'octocat'
    assert repo.default_branch == 'main'


def test_every_response_carries_github_headers(fake: FakeGitHub, gh: Github) -> None:
    repo, _ = open_pr(gh)
    headers = repo.raw_headers
    assert headers['content-type'] == 'application/json; charset=utf-8'
    for name in ('x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset',
                 'x-ratelimit-used', 'x-github-request-id'):
        assert headers[name]
    assert headers['x-ratelimit-resource'] == 'core'
    assert gh.rate_limiting[1] == 1000


def test_files_paginate_with_link_header_and_missing_patch(fake_github: FakeGitHub) -> None:
    files = [PullFile(f'src/mod_{i:03}.py', 'modified', PATCH, sha=f'{i:040x}') for i in range(119)]
    files.insert(60, PullFile('assets/big.bin', 'added', None, sha='f' * 40, additions=0))
    fake_github.add_pull(OWNER, REPO, 7, HEAD, BASE, files)
    _, pr = open_pr(client_for(fake_github, per_page=100))
    listed = list(pr.get_files())
    assert len(listed) == 120
    assert [f.filename for f in listed] == [f.filename for f in files]
    assert listed[60].patch is None and listed[61].patch == PATCH
    pages = fake_github.calls('GET', f'/repos/{OWNER}/{REPO}/pulls/7/files')
    assert [r.query.get('page') for r in pages] == [None, '2']
    # The second page was fetched from the Link header's numeric /repositories/{id} form.
    assert pages[1].raw_path.startswith('/repositories/')
    assert pr.get_files().totalCount == 120  # per_page=1 + Link rel="last"


def test_files_stop_at_3000(fake_github: FakeGitHub) -> None:
    files = [PullFile(f'f{i}.txt', 'added', '@@ -0,0 +1 @@\n+x', sha=f'{i:040x}')
             for i in range(3005)]
    fake_github.add_pull(OWNER, REPO, 7, HEAD, BASE, files)
    _, pr = open_pr(client_for(fake_github, per_page=100))
    assert len(list(pr.get_files())) == 3000


def test_blobs_and_contents(fake: FakeGitHub, gh: Github) -> None:
    repo, pr = open_pr(gh)
    main = next(f for f in pr.get_files() if f.filename == 'app/main.py')
    blob = repo.get_git_blob(main.sha)
    assert (blob.encoding, blob.size) == ('base64', len(HEAD_TEXT))
    assert base64.b64decode(blob.content) == HEAD_TEXT
    assert file_at(repo, 'app/main.py', HEAD).decoded_content == HEAD_TEXT
    assert file_at(repo, 'app/main.py', BASE).decoded_content == BASE_TEXT
    with pytest.raises(GithubException) as missing:
        repo.get_contents('nope.py', ref=HEAD)
    assert missing.value.status == 404


def test_contents_over_one_megabyte_come_empty_but_blobs_work(fake: FakeGitHub,
                                                              gh: Github) -> None:
    big = b'x = 1\n' * 200_000
    sha = fake.add_file(OWNER, REPO, HEAD, 'data/big.py', big)
    repo, _ = open_pr(gh)
    content = file_at(repo, 'data/big.py', HEAD)
    assert (content.encoding, content.content, content.size, content.sha) == ('none', '', len(big), sha)
    with pytest.raises(AssertionError, match='unsupported encoding'):
        _ = content.decoded_content
    assert base64.b64decode(repo.get_git_blob(sha).content) == big


def test_commit_is_served(fake: FakeGitHub, gh: Github) -> None:
    repo, _ = open_pr(gh)
    commit = repo.get_commit(HEAD)
    assert commit.sha == HEAD
    assert [p.sha for p in commit.parents] == [BASE]


# ---------------------------------------------------------------- posting reviews


def test_review_with_multiline_suggestions_is_listed(fake: FakeGitHub, gh: Github) -> None:
    repo, pr = open_pr(gh)
    comments = [suggestion(2, 4, 'import re\n\ndef done():'), comment_on(23)]
    review = pr.create_review(commit=repo.get_commit(HEAD), body='2 suggestions', event='COMMENT',
                              comments=comments)
    assert (review.state, review.body, review.commit_id) == ('COMMENTED', '2 suggestions', HEAD)
    assert review.user.login == 'github-actions[bot]' and review.user.type == 'Bot'
    listed = list(pr.get_review_comments())
    assert [(c.start_line, c.line, c.side, c.start_side) for c in listed] == [
        (2, 4, 'RIGHT', 'RIGHT'), (None, 23, 'RIGHT', None)]
    first = listed[0]
    assert first.body == comments[0]['body']
    assert (first.path, first.commit_id, first.original_line) == ('app/main.py', HEAD, 4)
    assert first.pull_request_review_id == review.id
    assert first.user.login == 'github-actions[bot]'
    assert first.diff_hunk.startswith('@@ -1,4 +1,6 @@') and first.diff_hunk.endswith('+def todo():')
    assert listed[1].diff_hunk.endswith('+    b = 2')
    assert [r.state for r in pr.get_reviews()] == ['COMMENTED']


def test_left_side_lines_are_old_lines(fake: FakeGitHub, gh: Github) -> None:
    _, pr = open_pr(gh)
    pr.create_review(event='COMMENT', comments=[comment_on(2, 'LEFT')])
    assert [c.side for c in pr.get_review_comments()] == ['LEFT']


UNRESOLVED = ['Line could not be resolved']
SAME_HUNK = ['Pull request review thread start line must be part of the same hunk as the line.']


@pytest.mark.parametrize(('comment', 'errors'), [
    (comment_on(10), UNRESOLVED),
    (comment_on(6, 'LEFT'), UNRESOLVED),
    (comment_on(1, path='assets/logo.png'), UNRESOLVED),
    (suggestion(9, 23), UNRESOLVED),
    (suggestion(4, 23), SAME_HUNK),
    (suggestion(4, 4), ['Pull request review thread start line must precede the end line.']),
    (comment_on(1, path='not/in/pr.py'),
     [("Pull request review thread path is invalid and Pull request review thread diff hunk "
       "can't be blank")]),
])
def test_one_bad_anchor_rejects_the_whole_review(fake: FakeGitHub, gh: Github,
                                                 comment: ReviewComment,
                                                 errors: list[str]) -> None:
    _, pr = open_pr(gh)
    with pytest.raises(GithubException) as rejected:
        pr.create_review(body='b', event='COMMENT', comments=[suggestion(2, 4), comment])
    assert rejected.value.status == 422
    assert rejected.value.data == {'message': 'Unprocessable Entity', 'errors': errors,
                                   'documentation_url': REVIEW_DOCS, 'status': '422'}
    assert pr.get_reviews().totalCount == 0
    assert pr.get_review_comments().totalCount == 0


def test_review_body_over_65536_characters_is_refused(fake: FakeGitHub, gh: Github) -> None:
    _, pr = open_pr(gh)
    with pytest.raises(GithubException) as rejected:
        pr.create_review(body='x' * 65537, event='COMMENT')
    assert rejected.value.status == 422
    assert rejected.value.data['errors'][0]['field'] == 'body'
    assert pr.get_reviews().totalCount == 0
    pr.create_review(body='x' * 65536, event='COMMENT')
    assert pr.get_reviews().totalCount == 1


def test_pending_review_blocks_the_next_until_deleted(fake: FakeGitHub, gh: Github) -> None:
    _, pr = open_pr(gh)
    pending = pr.create_review(body='draft', comments=[suggestion(2, 4)])
    assert pending.state == 'PENDING'
    assert pr.get_review_comments().totalCount == 0  # drafts are not published
    with pytest.raises(GithubException) as blocked:
        pr.create_review(body='again', event='COMMENT')
    assert blocked.value.status == 422
    assert blocked.value.data['errors'] == ['User can only have one pending review per pull request']
    stale = [r for r in pr.get_reviews() if r.state == 'PENDING']
    assert [r.id for r in stale] == [pending.id]
    stale[0].delete()
    posted = pr.create_review(body='again', event='COMMENT', comments=[suggestion(2, 4)])
    assert [r.state for r in pr.get_reviews()] == ['COMMENTED']
    assert [c.pull_request_review_id for c in pr.get_review_comments()] == [posted.id]
    with pytest.raises(GithubException) as submitted:
        posted.delete()
    assert submitted.value.status == 422


# ---------------------------------------------------------------- faults


def test_502_after_the_review_was_created(fake: FakeGitHub, gh: Github) -> None:
    fake.inject('POST', REVIEWS, status=502, after_effect=True)
    _, pr = open_pr(gh)
    with pytest.raises(GithubException) as failed:
        pr.create_review(body='b', event='COMMENT', comments=[suggestion(2, 4)])
    assert failed.value.status == 502
    assert 'Unicorn' in failed.value.data['data']
    assert len(fake.calls('POST', REVIEWS)) == 1
    assert [r.body for r in pr.get_reviews()] == ['b']  # it exists despite the 502
    assert pr.get_review_comments().totalCount == 1


def test_default_pygithub_retry_reposts_after_502_and_duplicates(fake: FakeGitHub) -> None:
    # The trap the bot must avoid: GithubRetry retries POST on 5xx.
    fake.inject('POST', REVIEWS, status=502, after_effect=True)
    _, pr = open_pr(client_for(fake, retry=GithubRetry()))
    pr.create_review(body='b', event='COMMENT')
    assert len(fake.calls('POST', REVIEWS)) == 2
    assert len(fake.pull(OWNER, REPO, 7).reviews) == 2


def test_403_resource_not_accessible_by_integration(fake: FakeGitHub, gh: Github) -> None:
    fake.inject('POST', REVIEWS, status=403)
    _, pr = open_pr(gh)
    with pytest.raises(GithubException) as denied:
        pr.create_review(body='b', event='COMMENT')
    assert denied.value.status == 403
    assert denied.value.data['message'] == 'Resource not accessible by integration'
    assert denied.value.data['documentation_url'] == REVIEW_DOCS
    assert pr.get_reviews().totalCount == 0


def test_read_only_token_refuses_every_write(fake: FakeGitHub, gh: Github) -> None:
    fake.read_only = True
    _, pr = open_pr(gh)
    with pytest.raises(GithubException) as denied:
        pr.create_issue_comment('hello')
    assert denied.value.status == 403
    assert [r.status for r in fake.writes()] == [403]


def test_secondary_rate_limit_without_retry_raises_with_retry_after(fake: FakeGitHub,
                                                                    gh: Github) -> None:
    fake.inject('POST', REVIEWS, status=403, kind='secondary_rate_limit')
    _, pr = open_pr(gh)
    with pytest.raises(RateLimitExceededException) as limited:
        pr.create_review(body='b', event='COMMENT')
    assert header(limited.value, 'retry-after') == '1'
    assert limited.value.data['message'].startswith('You have exceeded a secondary rate limit')
    fake.inject('POST', REVIEWS, status=429)
    with pytest.raises(GithubException) as too_many:
        pr.create_review(body='b', event='COMMENT')
    assert (too_many.value.status, header(too_many.value, 'retry-after')) == (429, '1')
    assert pr.get_reviews().totalCount == 0


def test_secondary_rate_limit_with_retry_waits_and_succeeds(fake: FakeGitHub) -> None:
    fake.inject('POST', REVIEWS, status=403, kind='secondary_rate_limit')
    # urllib3 sleeps retry-after (1 s) before the second POST.
    _, pr = open_pr(client_for(fake, retry=GithubRetry(total=2, max_rate_limit_wait=5)))
    pr.create_review(body='b', event='COMMENT')
    assert [r.status for r in fake.calls('POST', REVIEWS)] == [403, 200]
    assert len(fake.pull(OWNER, REPO, 7).reviews) == 1


def test_primary_rate_limit_headers(fake: FakeGitHub, gh: Github) -> None:
    fake.inject('GET', f'/repos/{OWNER}/{REPO}/pulls/7', status=403, kind='primary_rate_limit',
                reset_in=3600)
    repo = gh.get_repo(f'{OWNER}/{REPO}')
    with pytest.raises(RateLimitExceededException) as limited:
        repo.get_pull(7)
    assert header(limited.value, 'x-ratelimit-remaining') == '0'
    assert int(header(limited.value, 'x-ratelimit-reset')) > 0
    assert limited.value.data['message'].startswith('API rate limit exceeded')


def test_bad_credentials(fake: FakeGitHub, gh: Github) -> None:
    fake.inject('GET', '/user', status=401)
    with pytest.raises(BadCredentialsException):
        _ = gh.get_user().login
    with FakeGitHub(token='right') as strict, pytest.raises(BadCredentialsException):
        client_for(strict, token='wrong').get_repo('acme/widgets')


# ---------------------------------------------------------------- other endpoints


def test_user_is_the_bot_and_installation_tokens_cannot_read_it(fake: FakeGitHub,
                                                                 gh: Github) -> None:
    me = gh.get_user()
    assert (me.login, me.type) == ('github-actions[bot]', 'Bot')
    fake.installation_token = True
    with pytest.raises(GithubException) as denied:
        _ = client_for(fake).get_user().login
    assert denied.value.status == 403


def test_single_review_comment_create_edit_delete(fake: FakeGitHub, gh: Github) -> None:
    _, pr = open_pr(gh)
    comment = pr.create_review_comment('```suggestion\npass\n```', HEAD, 'app/main.py', line=4,
                                       side='RIGHT', start_line=2, start_side='RIGHT')
    assert (comment.start_line, comment.line, comment.position) == (2, 4, 5)
    comment.edit('edited')
    assert [c.body for c in pr.get_review_comments()] == ['edited']
    assert [r.state for r in pr.get_reviews()] == ['COMMENTED']
    comment.delete()
    assert pr.get_review_comments().totalCount == 0
    with pytest.raises(GithubException) as rejected:
        pr.create_review_comment('x', HEAD, 'app/main.py', line=23, side='RIGHT', start_line=4)
    assert rejected.value.data['message'] == 'Validation Failed'
    assert rejected.value.data['errors'][0]['field'] == 'pull_request_review_thread.start_line'


def test_issue_comments(fake: FakeGitHub, gh: Github) -> None:
    _, pr = open_pr(gh)
    comment = pr.create_issue_comment('summary')
    comment.edit('summary v2')
    listed = list(pr.get_issue_comments())
    assert [(c.id, c.body, c.user.login) for c in listed] == [
        (comment.id, 'summary v2', 'github-actions[bot]')]
    assert comment.html_url.startswith(fake.root_url)


@pytest.mark.parametrize('fake_github', ['/api/v3'], indirect=True)
def test_enterprise_prefix(fake: FakeGitHub, gh: Github) -> None:
    assert fake.url.endswith('/api/v3')
    repo, pr = open_pr(gh)
    assert pr.url.startswith(f'{fake.root_url}/api/v3/repos/')
    pr.create_review(commit=repo.get_commit(HEAD), event='COMMENT', comments=[suggestion(2, 4)])
    assert pr.get_review_comments().totalCount == 1
    assert all(r.raw_path.startswith('/api/v3/') for r in fake.requests)
    forgot_prefix = Github(base_url=fake.root_url, retry=None)
    with pytest.raises(GithubException) as lost:
        forgot_prefix.get_repo(f'{OWNER}/{REPO}')
    assert lost.value.status == 404


def test_request_log(fake: FakeGitHub, gh: Github) -> None:
    _, pr = open_pr(gh)
    assert fake.writes() == []
    pr.create_review(body='b', event='COMMENT', comments=[suggestion(2, 4)])
    (post,) = fake.calls('POST', REVIEWS)
    assert post.json['event'] == 'COMMENT' and post.json['comments'][0]['start_line'] == 2
    assert post.headers['authorization'] == 'token t'
    assert post.status == 200


# ---------------------------------------------------------------- shapes vs recordings


def test_shapes_cover_the_recorded_traffic(fake: FakeGitHub, gh: Github) -> None:
    repo, pr = open_pr(gh)
    review = pr.create_review(body='b', event='COMMENT', comments=[suggestion(2, 4)])
    issue_comment = pr.create_issue_comment('hi')
    served_comment = next(iter(pr.get_review_comments())).raw_data
    for recorded in recorded_bodies('PullRequest.testGetReviewComments.txt')[0]:
        assert_keys_cover(recorded, served_comment)
    for recorded in recorded_bodies('PullRequestReview.setUp.txt'):
        assert_keys_cover(recorded, review.raw_data)
    served_file = next(iter(pr.get_files())).raw_data
    assert_keys_cover(recorded_bodies('PullRequest.testGetFiles.txt')[0][0], served_file)
    served_content = file_at(repo, 'app/main.py', HEAD).raw_data
    for recorded in recorded_bodies('Repository.testGetContentsWithRef.txt'):
        assert_keys_cover(recorded, served_content)
    assert_keys_cover(recorded_bodies('PullRequest.testCreateIssueComment.txt')[0],
                      issue_comment.raw_data)


def test_422_shape_matches_the_recorded_one(fake: FakeGitHub, gh: Github) -> None:
    _, pr = open_pr(gh)
    (recorded,) = recorded_bodies('Exceptions.testInvalidInput.txt')
    with pytest.raises(GithubException) as rejected:
        pr.create_issue_comment('x' * 65537)
    assert set(recorded) <= set(rejected.value.data)
    assert set(recorded['errors'][0]) <= set(rejected.value.data['errors'][0])


# ---------------------------------------------------------------- event payloads


def test_event_payload_points_at_the_fake(fake: FakeGitHub) -> None:
    event = pull_request_event(fake, OWNER, REPO, 7)
    assert (event['action'], event['number']) == ('opened', 7)
    pr = event['pull_request']
    assert (pr['head']['sha'], pr['base']['sha'], pr['number']) == (HEAD, BASE, 7)
    assert pr['head']['repo']['full_name'] == pr['base']['repo']['full_name'] == f'{OWNER}/{REPO}'
    assert event['repository']['full_name'] == f'{OWNER}/{REPO}'
    assert 'https://api.github.com' not in json.dumps(event)
    assert 'before' not in event
    synced = pull_request_event(fake, OWNER, REPO, 7, action='synchronize', before='c' * 40)
    assert (synced['before'], synced['after']) == ('c' * 40, HEAD)
    null_body = pull_request_event(fake, OWNER, REPO, 7,
                                   template='pull_request.opened.with-null-body.json')
    assert 'sender' in null_body and 'installation' in null_body


def test_fork_event_and_api_agree(fake_github: FakeGitHub) -> None:
    add_pr(fake_github, head_repo_full_name='contributor/widgets', body=None)
    event = pull_request_event(fake_github, OWNER, REPO, 7)
    head = event['pull_request']['head']
    assert head['repo']['full_name'] == 'contributor/widgets' and head['repo']['fork'] is True
    assert head['label'].startswith('contributor:')
    assert event['pull_request']['body'] is None
    _, pr = open_pr(client_for(fake_github))
    assert pr.head.repo.full_name == 'contributor/widgets'
    assert pr.base.repo.full_name == f'{OWNER}/{REPO}'


def test_github_event_fixture_writes_a_file(fake: FakeGitHub, github_event: Any) -> None:
    path = github_event(OWNER, REPO, 7, action='reopened')
    assert json.loads(path.read_text())['action'] == 'reopened'
