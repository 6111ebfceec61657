"""Exit codes a script can trust, and outputs that are always there: the CLI as a subprocess, real
git repos, the fake APIs over real sockets."""
from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from codestral_bot.outcome import Gate
from codestral_bot.outcome import RunOutcome
from codestral_bot.outcome import exit_code
from codestral_bot.records import Fill
from codestral_bot.records import Finding
from codestral_bot.records import SourceFile
from codestral_bot.records import Stub
from codestral_bot.github.items import stub_fingerprint
from codestral_bot.stubs import find_stubs
from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Reply
from tests.fakes.ollama import FakeOllama
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import run_cli
from tests.repo_util import write

KEY = 'test-key'
TWO_STUBS = 'def double(x) -> int:\n    """Twice x."""\n    pass\n\n\ndef half(x) -> int:\n    """Half of x."""\n    pass\n'
CODE = 'def load(path):\n    f = open(path)\n    return f.read()\n'


@pytest.fixture
def root(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'README.md', 'hello\n')
    commit_all(repo, 'init')
    return Path(repo.working_tree_dir)


def _env(tmp_path: Path, base: str | None = None, **extra: str) -> dict[str, str]:
    env = cli_env(CODESTRAL_API_KEY=KEY, CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'), **extra)
    if base is not None:
        env['CODESTRAL_BOT_API_BASE'] = base
    return env


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def _lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


# ---------------------------------------------------------------- nothing reachable → 2


def test_nothing_listening_is_exit_2_and_one_line(root: Path, tmp_path: Path) -> None:
    write_stubs(root)
    base = f'http://127.0.0.1:{_closed_port()}'
    result = run_cli(['review', '--no-comments', '--timeout', '20'], root, _env(tmp_path, base))
    assert result.returncode == 2, result.stderr
    assert len(_lines_with(result.stderr, 'cannot connect')) == 1, result.stderr
    assert 'Traceback' not in result.stderr


def test_a_wrong_base_where_every_request_is_404_is_exit_2(root: Path, tmp_path: Path,
                                                          fake_codestral: FakeCodestral) -> None:
    write_stubs(root)
    result = run_cli(['review', '--no-comments'], root, _env(tmp_path, fake_codestral.url + '/wrong'))
    assert result.returncode == 2, result.stderr
    assert len(_lines_with(result.stderr, 'HTTP 404')) == 1, result.stderr
    # the requests reached the server and failed: counted, not "0 requests"
    assert '2 requests' in result.stderr and '2 given up' in result.stderr, result.stderr


def test_failures_are_counted_in_json(root: Path, tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    write_stubs(root)
    result = run_cli(['review', '--no-comments', '--json'], root, _env(tmp_path, fake_codestral.url + '/wrong'))
    doc = json.loads(result.stdout)
    assert doc['usage']['failures'] == 2
    assert doc['usage']['requests'] == 2
    assert {f['failure'] for f in doc['fills']} == {'request'}


# ---------------------------------------------------------------- the review gate


def test_fail_on_with_the_key_rejected_on_chat_is_not_a_pass(root: Path, tmp_path: Path,
                                                             fake_codestral: FakeCodestral) -> None:
    (root / 'io_util.py').write_text(CODE)
    fake_codestral.responder = lambda body: Reply.unauthorized()
    result = run_cli(['review', '--no-fill', '--fail-on', 'info'], root, _env(tmp_path, fake_codestral.url))
    assert result.returncode == 2, result.stderr
    assert 'API key was rejected' in result.stderr


def test_fail_on_when_the_review_could_not_run_is_2(root: Path, tmp_path: Path,
                                                    fake_codestral: FakeCodestral) -> None:
    (root / 'io_util.py').write_text(CODE)
    fake_codestral.responder = lambda body: Reply.validation_error()
    result = run_cli(['review', '--no-fill', '--fail-on', 'error'], root, _env(tmp_path, fake_codestral.url))
    assert result.returncode == 2, result.stderr


def test_a_chat_only_run_prints_its_cost(root: Path, tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    (root / 'io_util.py').write_text(CODE)
    fake_codestral.responder = lambda body: '{"findings": []}'
    result = run_cli(['review', '--no-fill'], root, _env(tmp_path, fake_codestral.url))
    assert result.returncode == 0, result.stderr
    (line,) = _lines_with(result.stderr, 'request')
    assert '1 request,' in line and '0 review comments' in line


# ---------------------------------------------------------------- outputs that are always there


def test_sarif_is_written_with_no_key_and_with_dry_run(root: Path, tmp_path: Path) -> None:
    (root / 'io_util.py').write_text(CODE)
    for flags, env in ((['--dry-run'], _env(tmp_path)), ([], cli_env())):
        sarif = tmp_path / 'out.sarif'
        sarif.unlink(missing_ok=True)
        result = run_cli(['review', *flags, '--sarif', str(sarif)], root, env)
        assert result.returncode == 0, result.stderr
        assert json.loads(sarif.read_text())['runs'][0]['results'] == []


def test_json_always_prints_one_document(root: Path, tmp_path: Path) -> None:
    (root / 'io_util.py').write_text(CODE)  # no stub candidate at all
    result = run_cli(['review', '--json', '--no-comments'], root, _env(tmp_path))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc['fills'] == [] and doc['stubs'] == []


# ---------------------------------------------------------------- Ollama


def test_ollama_down_is_one_line_and_exit_2(root: Path, tmp_path: Path) -> None:
    write_stubs(root)
    host = f'http://127.0.0.1:{_closed_port()}'
    result = run_cli(['review', '--provider', 'ollama', '--no-comments'], root, cli_env(OLLAMA_HOST=host))
    assert result.returncode == 2, result.stderr
    assert len(_lines_with(result.stderr, 'not running')) == 1, result.stderr


@pytest.mark.parametrize('model, words', [('llama3', 'does not support'), ('qwen2.5-coder:32b', 'not pulled')])
def test_ollama_model_unusable_is_one_line_and_exit_2(root: Path, fake_ollama: FakeOllama,
                                                      model: str, words: str) -> None:
    write_stubs(root)
    result = run_cli(['review', '--provider', 'ollama', '--model', model, '--no-comments'], root,
                     cli_env(OLLAMA_HOST=fake_ollama.url))
    assert result.returncode == 2, result.stderr
    assert len(_lines_with(result.stderr, words)) == 1, result.stderr


@pytest.mark.parametrize('how', ['flag', 'env'])
def test_api_base_is_honoured_for_ollama(root: Path, fake_ollama: FakeOllama, how: str) -> None:
    write_stubs(root)
    fake_ollama.responder = lambda body: 'return 1'
    env = cli_env(OLLAMA_HOST=f'http://127.0.0.1:{_closed_port()}')
    flags = ['--api-base', fake_ollama.url] if how == 'flag' else []
    if how == 'env':
        env['CODESTRAL_BOT_API_BASE'] = fake_ollama.url
    result = run_cli(['review', '--provider', 'ollama', '--no-comments', *flags], root, env)
    assert result.returncode == 1, result.stderr
    assert fake_ollama.count('generate') == 2


# ---------------------------------------------------------------- the hook


def test_hook_outage_is_one_warning_line(root: Path, tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    write_stubs(root, stage=True)
    fake_codestral.responder = lambda body: Reply.unauthorized()
    result = run_cli(['review', '--hook', '--apply', '--no-comments'], root, _env(tmp_path, fake_codestral.url))
    assert result.returncode == 0, result.stderr
    warnings = _lines_with(result.stderr, 'warning')
    assert len(warnings) == 1, result.stderr
    assert warnings[0].endswith('the commit proceeds')
    assert len([line for line in result.stderr.splitlines() if line.strip()]) <= 2  # + the cost line


def test_hook_strict_does_not_say_the_commit_proceeds(root: Path, tmp_path: Path,
                                                      fake_codestral: FakeCodestral) -> None:
    write_stubs(root, stage=True)
    fake_codestral.responder = lambda body: Reply.unauthorized()
    result = run_cli(['review', '--hook', '--strict', '--apply', '--no-comments'], root,
                     _env(tmp_path, fake_codestral.url))
    assert result.returncode == 2, result.stderr
    assert 'the commit proceeds' not in result.stderr
    assert 'blocked' in result.stderr


def test_hook_given_committed_files_reviews_them_whole(root: Path, tmp_path: Path,
                                                       fake_codestral: FakeCodestral) -> None:
    """`pre-commit run --all-files` names committed files: the staged diff has nothing of them."""
    write_stubs(root, commit=True)
    fake_codestral.responder = lambda body: 'return 1'
    result = run_cli(['review', '--hook', '--apply', '--no-comments', 'calc.py'], root,
                     _env(tmp_path, fake_codestral.url))
    assert result.returncode == 1, result.stderr  # files were modified
    assert (root / 'calc.py').read_text().count('return 1') == 2


def test_hook_with_from_and_to_refs_reviews_that_range(root: Path, tmp_path: Path,
                                                       fake_codestral: FakeCodestral) -> None:
    import subprocess

    before = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=root, capture_output=True, text=True).stdout.strip()
    write_stubs(root, commit=True)
    fake_codestral.responder = lambda body: 'return 1'
    env = _env(tmp_path, fake_codestral.url, PRE_COMMIT_FROM_REF=before, PRE_COMMIT_TO_REF='HEAD')
    result = run_cli(['review', '--hook', '--apply', '--no-comments', 'calc.py'], root, env)
    assert result.returncode == 1, result.stderr
    assert (root / 'calc.py').read_text().count('return 1') == 2


def test_the_hook_entries_do_not_hard_code_staged() -> None:
    hooks = (Path(__file__).resolve().parents[1] / '.pre-commit-hooks.yaml').read_text()
    entries = [line for line in hooks.splitlines() if line.strip().startswith('entry:')]
    assert entries and all('--staged' not in line and '--hook' in line for line in entries)


# ---------------------------------------------------------------- pull requests


def test_a_setter_stub_is_not_its_getters_fingerprint() -> None:
    text = ('class C:\n    @property\n    def value(self):\n        ...\n\n'
            '    @value.setter\n    def value(self, v):\n        ...\n')
    source = SourceFile('c.py', text, 'utf-8', '\n', text.encode())
    getter, setter = find_stubs('c.py', text)
    assert (getter.name, getter.kind) == (setter.name, setter.kind)
    assert stub_fingerprint(getter, source) != stub_fingerprint(setter, source)
    shifted = SourceFile('c.py', '# a comment\n' + text, 'utf-8', '\n', b'')
    moved = find_stubs('c.py', shifted.text)[0]
    assert stub_fingerprint(moved, shifted) == stub_fingerprint(getter, source)  # lines above moved: same stub


# ---------------------------------------------------------------- the one place exit codes come from


def _fill(status: str, failure: Any = None) -> Fill:
    stub = Stub('a.py', 'python', 'pass', 'f', 0, 1, 1, 1, '    ')
    return Fill(stub, status=status, failure=failure)  # type: ignore[arg-type]


@pytest.mark.parametrize('fills, expected', [
    ([], 0),
    ([_fill('filled')], 1),
    ([_fill('applied')], 0),
    ([_fill('filled'), _fill('failed', 'deadline')], 4),
    ([_fill('failed', 'budget')], 4),
    ([_fill('failed', 'unreachable'), _fill('failed', 'unreachable')], 2),
    ([_fill('filled'), _fill('failed', 'unreachable')], 1),
    ([_fill('filled'), _fill('failed', 'auth')], 2),
    ([_fill('rejected'), _fill('failed', 'request')], 0),
])
def test_exit_code_from_fills(fills: list[Fill], expected: int) -> None:
    assert exit_code(RunOutcome(fills), Gate()) == expected


def test_exit_code_of_the_review_gate() -> None:
    error = Finding('a.py', 1, 'error', 'bad')
    assert exit_code(RunOutcome(findings=[error], review_chunks=1), Gate('error')) == 1
    assert exit_code(RunOutcome(review_chunks=2, review_failures=['request']), Gate('error')) == 2
    assert exit_code(RunOutcome(review_chunks=2, review_failures=['deadline']), Gate('error')) == 4
    assert exit_code(RunOutcome(review_chunks=2, review_failures=['request']), Gate()) == 0
    assert exit_code(RunOutcome([_fill('failed', 'unreachable')]), Gate(hook=True)) == 0
    assert exit_code(RunOutcome([_fill('failed', 'unreachable')]), Gate(hook=True, strict=True)) == 2


def write_stubs(root: Path, *, stage: bool = False, commit: bool = False) -> None:
    import git

    (root / 'calc.py').write_text(TWO_STUBS)
    repo = git.Repo(root)
    if stage or commit:
        repo.git.add('calc.py')
    if commit:
        repo.git.commit('-m', 'stubs')


def test_hook_leaves_a_staged_mode_change_to_the_diff(root: Path) -> None:
    """A file whose staged change is its mode (no +++ line) is not reviewed whole: it adds no line."""
    import git

    write_stubs(root, commit=True)
    (root / 'calc.py').chmod(0o755)
    git.Repo(root).git.add('calc.py')
    result = run_cli(['review', '--hook', '--apply', '--no-comments', 'calc.py'], root, cli_env())
    assert result.returncode == 0, result.stderr
    assert 'not filled' not in result.stderr  # no stub found: the old stubs are not the change's


def test_on_a_pull_request_posted_fills_are_not_a_failure() -> None:
    assert exit_code(RunOutcome([_fill('filled')]), Gate(proposals_fail=False)) == 0
    assert exit_code(RunOutcome([_fill('filled'), _fill('failed', 'deadline')]), Gate(proposals_fail=False)) == 4
