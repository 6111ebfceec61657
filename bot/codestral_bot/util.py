from __future__ import annotations

import os
from collections.abc import Sequence

from codestral_bot.errors import GitError

__all__ = ['cmd_output', 'no_git_env']


def no_git_env() -> dict[str, str]:
    # Inherited GIT_* variables (from a hook run by git itself) point git at the wrong
    # index or work tree; keep only the ones that name the user or the install.
    keep = {'GIT_EXEC_PATH', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_SSL_CAINFO', 'GIT_SSL_NO_VERIFY',
            'GIT_CONFIG_COUNT', 'GIT_HTTP_PROXY_AUTHMETHOD', 'GIT_ALLOW_PROTOCOL', 'GIT_ASKPASS'}
    return {
        k: v for k, v in os.environ.items()
        if not k.startswith('GIT_') or k in keep or k.startswith('GIT_CONFIG_KEY_')
        or k.startswith('GIT_CONFIG_VALUE_')
    }


def cmd_output(args: Sequence[str], *, cwd: str | None = None, check: bool = True) -> tuple[int, bytes, bytes]:
    import subprocess  # not at the top: the hook's fast path runs git without it (git.staged_diff_here)

    try:
        proc = subprocess.run(
            list(args), cwd=cwd, env=no_git_env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
    except OSError as e:
        raise GitError(f'could not run {args[0]!r}: {e.strerror} (is it installed?)') from e
    if check and proc.returncode != 0:
        err = proc.stderr.decode(errors='replace').strip().splitlines()
        detail = err[-1] if err else f'exit code {proc.returncode}'
        raise GitError(f'`{" ".join(args[:3])}` failed: {detail}')
    return proc.returncode, proc.stdout, proc.stderr
