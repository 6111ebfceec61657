"""What one run is asked to do (``Job``) and what its requests share (``Spending``): the values the
fill and review stages take, so neither takes a long list of parameters.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codestral_bot.config import Config
from codestral_bot.pipeline import Planned
from codestral_bot.providers import Endpoint
from codestral_bot.records import FileChange
from codestral_bot.records import SourceFile

if TYPE_CHECKING:
    from codestral_bot.budget import Allowance
    from codestral_bot.cost import Prices
    from codestral_bot.cost import RunStats
    from codestral_bot.pacing import Pacer

__all__ = ['Job', 'Spending']


@dataclasses.dataclass(frozen=True)
class Job:
    """What one run is asked to do: the stubs to fill and the change to review, and by when."""

    config: Config
    endpoint: Endpoint  # for the fills
    planned: Sequence[Planned]
    changes: Sequence[FileChange]
    read: Callable[[str], SourceFile]
    deadline: float | None


    @property
    def sources(self) -> dict[str, SourceFile]:
        """The files that hold the planned stubs (already read: the review reuses them)."""
        return {p.source.path: p.source for p in self.planned}


@dataclasses.dataclass(frozen=True)
class Spending:
    """What every request of a run shares: the pacer, the counters, the prices and the budgets."""

    pacer: Pacer | None  # None for a local model
    stats: RunStats
    prices: Prices
    allowance: Allowance | None  # None when nothing caps spending
