"""What the user asked a run to produce, built once from the flags and the configuration.

Commands hand this to the run and its sinks instead of the argparse ``Namespace``: the GitHub
command builds its own (no progress line in a CI log) rather than faking flags.
"""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from codestral_bot.outcome import Gate

if TYPE_CHECKING:
    from codestral_bot.config import Config

__all__ = ['RunOptions']


@dataclasses.dataclass(frozen=True)
class RunOptions:
    json: bool = False  # one JSON document on stdout instead of the diff
    patch: Path | None = None  # --patch FILE
    sarif: Path | None = None  # --sarif FILE
    apply: bool = False  # write the fills into the files
    dry_run: bool = False  # send nothing
    progress: bool = True  # the status line while fills stream in (only ever on a terminal)
    explain: bool = False  # --explain: why each stub is one, and what its prompt holds
    gate: Gate = Gate()

    @classmethod
    def from_args(cls, args: argparse.Namespace, config: Config) -> RunOptions:
        def path(name: str) -> Path | None:
            value = getattr(args, name, None)
            return Path(value) if value else None

        json_out = bool(getattr(args, 'json', False))
        return cls(
            json=json_out, patch=path('patch'), sarif=path('sarif'),
            apply=bool(getattr(args, 'apply', False)), dry_run=bool(getattr(args, 'dry_run', False)),
            progress=not json_out, explain=bool(getattr(args, 'explain', False)),
            gate=Gate(config.fail_on, bool(getattr(args, 'hook', False)), bool(getattr(args, 'strict', False))),
        )
