"""The pre-commit hooks through real `pre-commit` and real `git commit`, this checkout as the hook repo."""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Reply
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import write

ROOT = Path(__file__).resolve().parents[1]
STUB = 'def double(x) -> int:\n    """Twice x."""\n    pass\n'


def _snapshot_of_checkout(dest: Path) -> str:
    """This checkout as it is on disk (committed or not), as a git repo pre-commit can install."""
    listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split('\0')
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    env = cli_env()
    for args in (['init', '-q'], ['add', '-A'],
                 ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'snapshot']):
        subprocess.run(['git', *args], cwd=dest, check=True, env=env)
    return subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=dest, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope='module')
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    snapshot = tmp_path_factory.mktemp('hook-repo')
    sha = _snapshot_of_checkout(snapshot)
    home = tmp_path_factory.mktemp('pre-commit-home')  # one hook environment for the whole module
    yield snapshot, sha, home


def _pre_commit(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, '-m', 'pre_commit', *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str, Path]):  # type: ignore[no-untyped-def]
    snapshot, sha, _ = hook_repo
    repo = make_repo(tmp_path / 'project')
    write(repo, '.pre-commit-config.yaml',
          f'repos:\n- repo: {snapshot.as_uri()}\n  rev: {sha}\n  hooks:\n  - id: codestral-fill\n')
    commit_all(repo, 'init')
    return repo


def _env(hook_repo: tuple[Path, str, Path], tmp_path: Path, **extra: str) -> dict[str, str]:
    return cli_env(PRE_COMMIT_HOME=str(hook_repo[2]), CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'), **extra)


def _commit(repo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(['git', 'commit', '-m', 'work'], cwd=repo.working_tree_dir, env=env,
                          capture_output=True, text=True, timeout=600)


def _stage_all_but_the_unstaged_note(repo, path: Path) -> None:  # type: ignore[no-untyped-def]
    text = path.read_text()
    path.write_text(text.replace('\n# unstaged work\n', ''))
    repo.git.add(path.name)
    path.write_text(text)


def _install(repo, env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    result = _pre_commit(['install'], Path(repo.working_tree_dir), env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fill_hook_modifies_the_file_then_the_commit_passes(project, hook_repo, fake_codestral: FakeCodestral,
                                                              tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = _env(hook_repo, tmp_path, CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url)
    _install(project, env)
    tail = ''.join(f'\n\ndef keep{i}():\n    return {i}\n' for i in range(3))
    path = write(project, 'calc.py', STUB + tail)
    project.git.add('calc.py')
    # unstaged work away from the stub (pre-commit rolls fixes back when their contexts overlap)
    path.write_text(STUB + tail + '\n# unstaged work\n')
    fake_codestral.enqueue('fim', 'return 2 * x')

    first = _commit(project, env)
    assert first.returncode != 0
    assert 'files were modified by this hook' in first.stdout + first.stderr, first.stdout + first.stderr
    assert path.read_text() == STUB.replace('pass', 'return 2 * x') + tail + '\n# unstaged work\n'

    _stage_all_but_the_unstaged_note(project, path)
    second = _commit(project, env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len([r for r in fake_codestral.requests if r.endpoint == 'fim']) == 1


def test_all_files_and_ref_ranges_fill_committed_stubs(project, hook_repo, fake_codestral: FakeCodestral,
                                                      tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = _env(hook_repo, tmp_path, CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url)
    root = Path(project.working_tree_dir)
    before = project.head.commit.hexsha
    path = write(project, 'calc.py', STUB)
    commit_all(project, 'a committed stub')
    fake_codestral.responder = lambda body: 'return 2 * x'
    result = _pre_commit(['run', 'codestral-fill', '--all-files'], root, env)
    assert result.returncode == 1, result.stdout + result.stderr  # files were modified
    assert path.read_text() == STUB.replace('pass', 'return 2 * x')
    project.git.checkout('--', 'calc.py')
    result = _pre_commit(['run', 'codestral-fill', '--from-ref', before, '--to-ref', 'HEAD'], root, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert path.read_text() == STUB.replace('pass', 'return 2 * x')


def test_second_run_over_the_same_change_sends_no_request(project, hook_repo, fake_codestral: FakeCodestral,
                                                          tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = _env(hook_repo, tmp_path, CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url)
    write(project, 'calc.py', STUB)
    project.git.add('calc.py')
    fake_codestral.responder = lambda body: 'return 2 * x'
    cwd = Path(project.working_tree_dir)
    _pre_commit(['run', 'codestral-fill'], cwd, env)
    (cwd / 'calc.py').write_text(STUB)  # undo, so the same stub is staged and filled again
    fake_codestral.reset()
    again = _pre_commit(['run', 'codestral-fill'], cwd, env)
    assert 'files were modified by this hook' in again.stdout
    assert fake_codestral.requests == []


def test_no_key_commit_passes_with_a_warning(project, hook_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = _env(hook_repo, tmp_path)
    _install(project, env)
    write(project, 'calc.py', STUB)
    project.git.add('calc.py')
    result = _commit(project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'no API key' in result.stdout + result.stderr


def test_server_errors_let_the_commit_pass_before_the_deadline(project, hook_repo, fake_codestral: FakeCodestral,
                                                               tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = _env(hook_repo, tmp_path, CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url)
    _install(project, env)
    fake_codestral.responder = lambda body: Reply.server_error()
    write(project, 'calc.py', STUB)
    project.git.add('calc.py')
    result = _commit(project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'the commit proceeds' in result.stdout + result.stderr
    assert (Path(project.working_tree_dir) / 'calc.py').read_text() == STUB


def test_config_error_is_one_clear_line(project, hook_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = _env(hook_repo, tmp_path)
    write(project, '.codestral-bot.toml', 'max_tokenz = 3\n')
    write(project, 'calc.py', STUB)
    project.git.add('-A')
    result = _pre_commit(['run', 'codestral-fill'], Path(project.working_tree_dir), env)
    assert result.returncode != 0
    assert ".codestral-bot.toml: unknown key 'max_tokenz'" in result.stdout
    assert 'Traceback' not in result.stdout


def test_a_commit_without_stubs_imports_nothing_heavy(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'plain')
    write(repo, 'a.py', 'x = 1\n')
    repo.git.add('-A')
    code = ('import sys, runpy; sys.argv = ["codestral-bot", "review", "--hook", "--staged", "--apply", '
            '"--no-comments"]\ntry:\n    runpy.run_module("codestral_bot", run_name="__main__")\n'
            'except SystemExit as e:\n    assert not e.code, e.code\n'
            'heavy = [m for m in ("httpx", "github", "tree_sitter", "rich", "git", "unidiff", "tomllib", "logging", "asyncio", "sqlite3") if m in sys.modules]\n'
            'print(heavy)')
    result = subprocess.run([sys.executable, '-c', code], cwd=tmp_path / 'plain', env=cli_env(CODESTRAL_API_KEY='k'),
                            capture_output=True, text=True)
    assert result.stdout.strip() == '[]', result.stderr
