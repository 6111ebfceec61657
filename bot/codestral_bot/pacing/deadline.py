"""The end of a run (``--timeout``): requests that cannot go before it are "not filled: deadline"."""
from __future__ import annotations

import math
import time
from collections.abc import Callable

from codestral_bot.errors import ModelError

__all__ = ['Clock', 'Deadline', 'DeadlineReached']

Clock = Callable[[], float]


class DeadlineReached(ModelError):
    """The run's deadline came before this request could be sent or retried."""

    kind = 'deadline'

    def __init__(self, message: str = 'not filled: deadline (the run timeout was reached)') -> None:
        super().__init__(message)


class Deadline:
    """The end of a run, on ``clock``; ``seconds=None`` means no deadline."""

    def __init__(self, seconds: float | None, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self.at = None if seconds is None else clock() + seconds

    def remaining(self) -> float:
        if self.at is None:
            return math.inf
        return max(0.0, self.at - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self) -> None:
        if self.expired:
            raise DeadlineReached()
