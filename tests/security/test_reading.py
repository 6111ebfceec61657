"""Issue 12, items 2, 9 and 10: what the reading layer reads, through the real CLI and real git.

- 2: nothing outside the work tree is read: a symlink is a link (its content is the path it
  names), every read is capped, FIFOs and devices are skipped with one line;
- 9: ``.gitattributes`` (``-diff``, ``binary``, textconv, external diff drivers) cannot hide text;
- 10: names git quotes (tab, newline, quote, backslash, ESC, non-ASCII) are reviewed, tracked or
  not, and ``--patch`` output is one ``git apply`` takes, aimed at the right path.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from codestral_bot.sources import Reader
from codestral_bot.sources import SourceSkipped
from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import run_cli
from tests.repo_util import write

SECRET = 'TOP-SECRET-3f9a'
STUB = 'def double(x) -> int:\n    """Twice x."""\n    pass\n'


def _answers(body: dict[str, object]) -> str:
    return 'return x * 2' if 'prompt' in body else json.dumps({'findings': []})


def _env(tmp_path: Path, fake: FakeCodestral) -> dict[str, str]:
    fake.responder = _answers
    return cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake.url,
                   CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))


def _sent(fake: FakeCodestral) -> str:
    return '\n'.join(json.dumps(r.json) for r in fake.requests)


def _repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'README.md', 'x\n')
    commit_all(repo, 'init')
    return Path(repo.working_tree_dir)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(['git', *args], cwd=root, check=True, capture_output=True, text=True,
                          env=cli_env()).stdout


# ---------------------------------------------------------------- item 2: links, caps, special files

def test_a_committed_symlink_under_base_is_sent_as_a_link(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    secret = tmp_path / 'secret.txt'
    secret.write_text(f'password = {SECRET}\n')
    root = _repo(tmp_path)
    _git(root, 'branch', 'main')
    _git(root, 'checkout', '-q', '-b', 'topic')
    os.symlink(secret, root / 'settings.txt')
    (root / 'calc.py').write_text(STUB)
    _git(root, 'add', '-A')
    _git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'link')
    result = run_cli(['review', '--base', 'main'], root, _env(tmp_path, fake_codestral))
    assert result.returncode in (0, 1), result.stderr
    sent = _sent(fake_codestral)
    assert SECRET not in sent
    assert 'def double' in sent  # the review did run, over the other file
    assert SECRET not in result.stdout + result.stderr


def test_an_untracked_symlink_is_not_followed(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    secret = tmp_path / 'secret.py'
    secret.write_text(f'KEY = "{SECRET}"\n')
    root = _repo(tmp_path)
    os.symlink(secret, root / 'config.py')
    (root / 'calc.py').write_text(STUB)
    result = run_cli(['review'], root, _env(tmp_path, fake_codestral))
    assert result.returncode in (0, 1), result.stderr
    assert SECRET not in _sent(fake_codestral)
    assert 'def double' in _sent(fake_codestral)


def test_a_link_to_dev_zero_ends_quickly(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = _repo(tmp_path)
    os.symlink('/dev/zero', root / 'zero.py')
    (root / 'calc.py').write_text(STUB)
    result = run_cli(['review', '--dry-run'], root, _env(tmp_path, fake_codestral), timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'calc.py:3: double' in result.stdout


def test_special_files_are_skipped_with_one_line(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    os.mkfifo(root / 'pipe.py')
    os.symlink('/dev/zero', root / 'zero.py')
    os.symlink('../outside', root / 'up')
    with Reader(root, staged=False) as read:
        with pytest.raises(SourceSkipped, match=r'^pipe\.py: a FIFO, skipped$'):
            read('pipe.py')
        assert read('zero.py').text == '/dev/zero'  # a link's content is the path it names
    assert _zero_through_a_folder(root) == 'up/x.py: a folder on its path leads outside the repository, skipped'


def _zero_through_a_folder(root: Path) -> str:
    (root.parent / 'outside').mkdir()
    (root.parent / 'outside' / 'x.py').write_text(f'KEY = "{SECRET}"\n')
    try:
        with Reader(root, staged=False) as read:
            read('up/x.py')
    except SourceSkipped as e:
        return str(e)
    return 'read through the link'


def test_a_file_over_the_cap_is_skipped_with_one_line(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / 'calc.py').write_text(STUB)
    with open(root / 'huge.log', 'wb') as f:
        f.truncate(3 * 1024 * 1024)  # sparse: costs no disk, 3 MB to read
    result = run_cli(['review', '--dry-run', '--no-comments'], root, cli_env())
    assert result.returncode == 0, result.stderr
    assert 'calc.py:3: double' in result.stdout
    lines = [line for line in result.stderr.splitlines() if 'huge.log' in line]
    assert lines == ['codestral-bot: warning: huge.log: 3,145,728 bytes, over the 1,048,576-byte limit '
                     '(max_file_bytes), skipped']


def test_max_file_bytes_sets_the_cap_for_staged_blobs_too(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / '.codestral-bot.toml').write_text('max_file_bytes = 40\n')
    (root / 'calc.py').write_text(STUB)
    (root / 'small.py').write_text('def f() -> int:\n    pass\n')
    _git(root, 'add', '-A')
    result = run_cli(['review', '--staged', '--dry-run', '--no-comments'], root, cli_env())
    assert result.returncode == 0, result.stderr
    assert 'small.py:2: f' in result.stdout
    assert 'calc.py: 50 bytes, over the 40-byte limit (max_file_bytes), skipped' in result.stderr


def test_apply_never_writes_through_a_symlink(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    target = tmp_path / 'elsewhere.py'
    target.write_text(STUB)
    root = _repo(tmp_path)
    os.symlink(target, root / 'calc.py')
    result = run_cli(['review', '--apply', '--no-comments'], root, _env(tmp_path, fake_codestral))
    assert result.returncode == 0, result.stderr
    assert target.read_text() == STUB
    assert (root / 'calc.py').is_symlink()


# ---------------------------------------------------------------- item 9: .gitattributes

@pytest.mark.parametrize('attributes', [
    '*.py -diff\n',
    '*.py binary\n',
    '*.py diff=hide\n',
])
def test_gitattributes_cannot_hide_python_changes(tmp_path: Path, attributes: str) -> None:
    root = _repo(tmp_path)
    _git(root, 'config', 'diff.hide.textconv', 'true')  # textconv to nothing
    _git(root, 'config', 'diff.hide.command', 'true')  # an external diff that prints nothing
    _git(root, 'branch', 'main')
    _git(root, 'checkout', '-q', '-b', 'topic')
    (root / '.gitattributes').write_text(attributes)
    (root / 'calc.py').write_text(STUB)
    _git(root, 'add', '-A')
    _git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'hide')
    result = run_cli(['review', '--base', 'main', '--dry-run', '--no-comments'], root, cli_env())
    assert result.returncode == 0, result.stderr
    assert 'calc.py:3: double' in result.stdout, result.stderr
    (root / 'calc.py').write_text(STUB + '\n\ndef half(x) -> int:\n    pass\n')
    for args in ([], ['--staged']):  # the work tree, then the index
        _git(root, 'add', '-A') if args else None
        result = run_cli(['review', *args, '--dry-run', '--no-comments'], root, cli_env())
        assert 'calc.py:7: half' in result.stdout, (args, result.stderr)


def test_a_real_binary_file_stays_binary(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / 'img.py').write_bytes(b'\x89PNG\0\0\0' + bytes(range(256)) * 4)
    (root / 'calc.py').write_text(STUB)
    _git(root, 'add', '-A')
    result = run_cli(['review', '--staged', '--dry-run', '--no-comments'], root, cli_env())
    assert result.returncode == 0, result.stderr
    assert 'calc.py:3: double' in result.stdout
    assert 'img.py' not in result.stdout


# ---------------------------------------------------------------- item 10: names git quotes

NAMES = ['tab\there.py', 'new\nline.py', 'quote"d.py', 'back\\slash.py', 'esc\x1b[2K.py', 'naïve ünïcode.py',
         'with space.py']


@pytest.mark.parametrize('name', NAMES)
def test_quoted_names_are_reviewed_tracked_and_untracked(tmp_path: Path, name: str) -> None:
    root = _repo(tmp_path)
    (root / name).write_text(STUB)
    result = run_cli(['review', '--dry-run', '--no-comments', '--json'], root, cli_env())
    assert result.returncode == 0, result.stderr
    assert [s['path'] for s in json.loads(result.stdout)['stubs']] == [name]  # untracked
    _git(root, 'add', '-A')
    result = run_cli(['review', '--staged', '--dry-run', '--no-comments', '--json'], root, cli_env())
    assert [s['path'] for s in json.loads(result.stdout)['stubs']] == [name], result.stderr  # staged
    _git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'add')
    (root / name).write_text(STUB + '\n\ndef half(x) -> int:\n    pass\n')
    result = run_cli(['review', '--dry-run', '--no-comments', '--json'], root, cli_env())
    assert [(s['path'], s['name']) for s in json.loads(result.stdout)['stubs']] == [(name, 'half')]


@pytest.mark.parametrize('name', NAMES)
def test_patch_for_a_quoted_name_applies_to_that_file(tmp_path: Path, name: str,
                                                      fake_codestral: FakeCodestral) -> None:
    root = _repo(tmp_path)
    (root / name).write_text(STUB)
    (root / 'decoy.py').write_text('x = 1\n')
    patch = tmp_path / 'fill.patch'
    result = run_cli(['review', '--no-comments', '--patch', str(patch)], root, _env(tmp_path, fake_codestral))
    assert result.returncode == 1, result.stderr
    check = subprocess.run(['git', 'apply', '--numstat', str(patch)], cwd=root, capture_output=True, env=cli_env())
    assert check.returncode == 0, check.stderr
    applied = subprocess.run(['git', 'apply', str(patch)], cwd=root, capture_output=True, env=cli_env())
    assert applied.returncode == 0, applied.stderr
    assert (root / name).read_text() == STUB.replace('    pass\n', '    return x * 2\n')
    assert (root / 'decoy.py').read_text() == 'x = 1\n'
