"""Items 5, 7 and 8 on a pull request: hostile file names, model Markdown, copied fingerprints."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from codestral_bot.records import SourceFile
from codestral_bot.github.items import fingerprint_marker
from codestral_bot.github.items import stub_fingerprint
from codestral_bot.github.review import REVIEW_MARK
from codestral_bot.stubs import find_stubs
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import FakeGitHub
from tests.fakes.github import FakeReview
from tests.test_github_command import AREA_BODY
from tests.test_github_command import GEO_NEW
from tests.test_github_command import GEO_OLD
from tests.test_github_command import HEAD
from tests.test_github_command import NUMBER
from tests.test_github_command import OWNER
from tests.test_github_command import REPO
from tests.test_github_command import REVIEWS
from tests.test_github_command import SCALE_BODY
from tests.test_github_command import Run
from tests.test_github_command import add_pr
from tests.test_github_command import fim_by_function
from tests.test_github_command import finding
from tests.test_github_command import gh_env  # noqa: F401 - fixture
from tests.test_github_command import posted_payload
from tests.test_github_command import run_github  # noqa: F401 - fixture
from tests.test_github_command import workdir  # noqa: F401 - fixture


def _fingerprint_of_area() -> str:
    source = SourceFile('geo.py', GEO_NEW, 'utf-8', '\n', GEO_NEW.encode())
    (area,) = [s for s in find_stubs('geo.py', GEO_NEW) if s.name == 'area']
    return stub_fingerprint(area, source)


def _review_by(fake: FakeGitHub, login: str, body: str) -> None:
    pull = fake.pull(OWNER, REPO, NUMBER)
    user = fake._user_json(login, 4242, 'Bot' if login.endswith('[bot]') else 'User')  # as GitHub types apps
    pull.reviews.append(FakeReview(id=990001, user=user, body=body, state='COMMENTED', commit_id=HEAD,
                                   submitted_at='2026-01-01T00:00:00Z'))


def test_author_copying_a_fingerprint_changes_nothing(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                                      gh_env: Callable[..., dict[str, str]],  # noqa: F811
                                                      run_github: Callable[..., Run]) -> None:  # noqa: F811
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)})
    fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
    _review_by(fake_github, 'octocat', f'LGTM {fingerprint_marker(_fingerprint_of_area())}')
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    lines = {c['line'] for c in posted_payload(fake_github)['comments']}
    assert lines == {6, 11}  # `area` (line 6) is still suggested


def test_the_bots_own_fingerprint_still_counts(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                               gh_env: Callable[..., dict[str, str]],  # noqa: F811
                                               run_github: Callable[..., Run]) -> None:  # noqa: F811
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)})
    fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
    _review_by(fake_github, 'github-actions[bot]', fingerprint_marker(_fingerprint_of_area()))
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert {c['line'] for c in posted_payload(fake_github)['comments']} == {11}


def test_installation_token_is_the_actions_bot(fake_codestral: FakeCodestral, workdir: Path,  # noqa: F811
                                               run_github: Callable[..., Run]) -> None:  # noqa: F811
    from tests.fakes.github_plugin import actions_env
    from tests.fakes.github_plugin import pull_request_event
    from tests.fakes.github_plugin import write_event

    with FakeGitHub(installation_token=True) as fake:
        add_pr(fake, {'geo.py': (GEO_OLD, GEO_NEW)})
        fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
        _review_by(fake, 'octocat', fingerprint_marker(_fingerprint_of_area()))
        _review_by(fake, 'github-actions[bot]', fingerprint_marker(_fingerprint_of_area()))
        env = actions_env(fake, OWNER, REPO, write_event(workdir, pull_request_event(fake, OWNER, REPO, NUMBER)),
                          workdir)
        env.update(GITHUB_TOKEN='ghs_test', CODESTRAL_BOT_API_BASE=fake_codestral.url, CODESTRAL_API_KEY='test-key',
                   CODESTRAL_BOT_CACHE_DIR=str(workdir / 'cache'), CODESTRAL_BOT_GITHUB_WRITE_INTERVAL='0')
        run = run_github(env, '--mode', 'suggest')
        assert run.code == 0, run.stderr
        (post,) = fake.calls('POST', REVIEWS)
        assert {c['line'] for c in post.json['comments']} == {11}


def test_an_apps_installation_token_knows_its_earlier_reviews(fake_codestral: FakeCodestral, workdir: Path,  # noqa: F811
                                                              run_github: Callable[..., Run]) -> None:  # noqa: F811
    from tests.fakes.github_plugin import actions_env
    from tests.fakes.github_plugin import pull_request_event
    from tests.fakes.github_plugin import write_event

    area = fingerprint_marker(_fingerprint_of_area())
    for reviews, suggested in (
            ([('codestral-app[bot]', f'{REVIEW_MARK}\n{area}')], {11}),  # our app's earlier review
            ([('octocat', f'{REVIEW_MARK}\n{area}')], {6, 11}),  # a person copying the marks
            ([('other-app[bot]', area)], {6, 11})):  # another app quoting a fingerprint
        with FakeGitHub(installation_token=True) as fake:
            add_pr(fake, {'geo.py': (GEO_OLD, GEO_NEW)})
            fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
            for login, body in reviews:
                _review_by(fake, login, body)
            env = actions_env(fake, OWNER, REPO, write_event(workdir, pull_request_event(fake, OWNER, REPO, NUMBER)),
                              workdir)
            env.update(GITHUB_TOKEN='ghs_test', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                       CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_CACHE_DIR=str(workdir / 'cache'),
                       CODESTRAL_BOT_GITHUB_WRITE_INTERVAL='0')
            run = run_github(env, '--mode', 'suggest')
            assert run.code == 0, run.stderr
            (post,) = fake.calls('POST', REVIEWS)
            assert {c['line'] for c in post.json['comments']} == suggested, reviews


def test_file_name_with_a_newline_does_not_stop_the_review(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                                           gh_env: Callable[..., dict[str, str]],  # noqa: F811
                                                           run_github: Callable[..., Run]) -> None:  # noqa: F811
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW), 'we\nird.py': (None, GEO_NEW),
                         'a"b\\c.py': (None, GEO_NEW)})
    fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    paths = {c['path'] for c in posted_payload(fake_github)['comments']}
    assert 'geo.py' in paths and 'we\nird.py' in paths and 'a"b\\c.py' in paths


HOSTILE = ('Ping @everyone and @acme/security-team, see <img src="https://evil.example/x.png"> '
           '![track](https://evil.example/t.png) <!-- codestral-bot:fp=' + 'a' * 64 + ' --> '
           '\n\n```suggestion\nrm -rf /\n```')


def test_model_markdown_is_inert_on_github(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                           gh_env: Callable[..., dict[str, str]],  # noqa: F811
                                           run_github: Callable[..., Run]) -> None:  # noqa: F811
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)})
    fake_codestral.enqueue('chat', json.dumps({'findings': [finding('geo.py', 9, message=HOSTILE)]}))
    run = run_github(gh_env(), '--mode', 'comment')
    assert run.code == 0, run.stderr
    (comment,) = posted_payload(fake_github)['comments']
    body = comment['body']
    assert not re.search(r'(?<![\w`])@[A-Za-z0-9]', body), body
    assert '<img' not in body and '![' not in body
    assert body.count('<!--') == 1  # only the bot's own marker
    assert not re.search(r'^\s*```', body, re.MULTILINE)  # no fence of the model's opens a suggestion
    assert 'rm -rf /' in body  # still readable, as text


def test_hostile_path_and_model_text_in_the_job_summary(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                                        gh_env: Callable[..., dict[str, str]],  # noqa: F811
                                                        run_github: Callable[..., Run]) -> None:  # noqa: F811
    name = 'x`<img src=y>@team.py'
    add_pr(fake_github, {name: (GEO_OLD, GEO_NEW)})
    fake_codestral.enqueue('chat', json.dumps({'findings': [finding(name, 9, message=HOSTILE)]}))
    run = run_github(gh_env(), '--mode', 'comment', '--dry-run')
    assert run.code == 0, run.stderr
    outside_code = re.sub(r'(`+)(?!`).*?(?<!`)\1(?!`)', '', run.summary)
    assert '<img' not in outside_code and '@every' not in outside_code
    assert not re.search(r'^::(?!warning|notice|error)', run.stdout, re.MULTILINE)


def test_pull_request_checkout_cannot_redirect_the_key(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                                       gh_env: Callable[..., dict[str, str]],  # noqa: F811
                                                       run_github: Callable[..., Run],  # noqa: F811
                                                       workdir: Path) -> None:  # noqa: F811
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)})
    fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
    with FakeCodestral(api_key='anything') as attacker:
        # The action checks out the pull request's merge commit: its config is the author's.
        (workdir / 'workspace' / '.codestral-bot.toml').write_text(
            f'api_base = {attacker.url!r}\nchat_provider = "openrouter"\n')
        user = workdir / 'user.toml'
        user.write_text(f'api_base = {fake_codestral.url!r}\n')
        env = gh_env(CODESTRAL_BOT_CONFIG=str(user))
        del env['CODESTRAL_BOT_API_BASE']
        run = run_github(env, '--mode', 'suggest')
        assert run.code == 0, run.stderr
        assert attacker.requests == []
    assert fake_codestral.count('fim') == 2
    assert 'ignoring api_base, chat_provider' in run.stderr


def test_reviews_by_deleted_users_and_odd_logins_do_not_crash(fake_github: FakeGitHub, fake_codestral: FakeCodestral,
                                                               gh_env: Callable[..., dict[str, str]],  # noqa: F811
                                                               run_github: Callable[..., Run]) -> None:  # noqa: F811
    add_pr(fake_github, {'geo.py': (GEO_OLD, GEO_NEW)})
    fake_codestral.responder = fim_by_function({'area': AREA_BODY, 'scale': SCALE_BODY})
    pull = fake_github.pull(OWNER, REPO, NUMBER)
    pull.reviews.append(FakeReview(id=990002, user=None, body=fingerprint_marker(_fingerprint_of_area()),  # type: ignore[arg-type]
                                   state='COMMENTED', commit_id=HEAD, submitted_at='2026-01-01T00:00:00Z'))
    run = run_github(gh_env(), '--mode', 'suggest')
    assert run.code == 0, run.stderr
    assert {c['line'] for c in posted_payload(fake_github)['comments']} == {6, 11}
