"""Item 13: no temporary file outlives the run, SIGINT during --apply included."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from codestral_bot.atomic import write_atomic
from tests.fakes.codestral import FakeCodestral
from tests.repo_util import CLI
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import write
from tests.security._util import bot_env

STUB = 'def f{n}(x) -> int:\n    """Double x."""\n    pass\n'


def _leftovers(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob('*') if p.name.endswith('.codestral-bot') or p.name.startswith('.f')]


def test_sigint_right_after_the_temp_file_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real SIGINT at the worst moment: the temporary file exists, nothing will remove it yet.
    real = tempfile.mkstemp

    def mkstemp_then_interrupt(*args: object, **kwargs: object) -> tuple[int, str]:
        made = real(*args, **kwargs)  # type: ignore[call-overload]
        os.kill(os.getpid(), signal.SIGINT)
        return made  # type: ignore[no-any-return]

    target = tmp_path / 'f.py'
    target.write_text('old\n')
    monkeypatch.setattr(tempfile, 'mkstemp', mkstemp_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b'new\n', 0o644)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['f.py']
    assert target.read_text() == 'new\n'  # the write finished; the interrupt came after it


@pytest.mark.skipif(sys.platform == 'win32', reason='POSIX signals')
def test_sigint_at_several_points_of_an_apply_run(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    repo = make_repo(tmp_path / 'repo')
    root = Path(repo.working_tree_dir)
    write(repo, 'README.md', 'x\n')
    commit_all(repo)
    count = 40
    for n in range(count):
        write(repo, f'pkg/f{n}.py', STUB.format(n=n))
    fake_codestral.responder = lambda request: 'return 2 * x'
    temp = tmp_path / 'tmp'
    temp.mkdir()
    env = bot_env(tmp_path, fake_codestral, TMPDIR=str(temp), CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'c'))
    env['CODESTRAL_BOT_CONFIG'] = env['CODESTRAL_BOT_CONFIG']  # the user's config names the fake
    codes = set()
    for delay in (0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.7, 2.0, 2.5):
        subprocess.run(['git', 'checkout', '--', '.'], cwd=root, check=True)
        for n in range(count):
            write(repo, f'pkg/f{n}.py', STUB.format(n=n))
        proc = subprocess.Popen([*CLI, 'review', '--apply', '--no-comments', '--no-cache'], cwd=root, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        codes.add(proc.returncode)
        assert 'Traceback' not in stderr
        assert _leftovers(root / 'pkg') == [], (delay, _leftovers(root / 'pkg'))
        assert list(temp.iterdir()) == [], delay
        for n in range(count):  # each file is either untouched or filled, never half-written
            assert (root / f'pkg/f{n}.py').read_text() in (STUB.format(n=n),
                                                           STUB.format(n=n).replace('pass', 'return 2 * x'))
    assert codes <= {0, 1, 130, -signal.SIGINT}, codes
