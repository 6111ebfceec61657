"""Item 4 (GitHub side): a GitHub API answering with a redirect to another host is one clear line."""
from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.repo_util import run_cli
from tests.security._util import bot_env


class _Servers:
    def __init__(self, status: int) -> None:
        self.hits: list[tuple[str, str | None]] = []
        hits = self.hits

        class Target(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append((self.path, self.headers.get('Authorization')))
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', '2')
                self.end_headers()
                self.wfile.write(b'{}')

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        class Redirect(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(status)
                self.send_header('Location', f'http://127.0.0.1:{target.server_port}{self.path}')
                self.send_header('Content-Length', '0')
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        target = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Target)
        self.redirect = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Redirect)
        self._servers = (target, self.redirect)
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.redirect.server_port}'

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(params=[301, 302, 307, 308])
def redirecting(request: pytest.FixtureRequest) -> Iterator[_Servers]:
    servers = _Servers(request.param)
    yield servers
    servers.close()


def test_redirect_to_another_host_is_one_line_and_not_followed(tmp_path: Path, redirecting: _Servers) -> None:
    event = tmp_path / 'event.json'
    event.write_text(json.dumps({
        'action': 'opened', 'repository': {'full_name': 'o/r'},
        'pull_request': {'number': 1, 'head': {'sha': 'a' * 40, 'repo': {'full_name': 'o/r'}},
                         'base': {'sha': 'b' * 40, 'repo': {'full_name': 'o/r'}}},
    }))
    summary = tmp_path / 'summary.md'
    env = bot_env(tmp_path, GITHUB_TOKEN='ghp_0123456789abcdef', GITHUB_EVENT_PATH=str(event),
                  GITHUB_EVENT_NAME='pull_request', GITHUB_REPOSITORY='o/r', GITHUB_API_URL=redirecting.url,
                  GITHUB_STEP_SUMMARY=str(summary), CODESTRAL_BOT_GITHUB_WRITE_INTERVAL='0')
    result = run_cli(['github'], tmp_path, env)
    assert result.returncode == 2, result.stderr
    assert 'unexpected error' not in result.stderr
    assert 'redirect' in result.stderr
    assert redirecting.hits == []
    assert 'ghp_0123456789abcdef' not in result.stderr + summary.read_text()
