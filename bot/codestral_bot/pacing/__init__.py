"""Client-side pacing for the model APIs, one small module per job:

* ``plans``    — the one plan table and the ``Limits`` a run paces to (config.py reads it);
* ``deadline`` — the run's deadline (``--timeout``) and ``DeadlineReached``;
* ``gcra``     — the evenly spacing bucket (GCRA) the pacer keeps for requests and for tokens;
* ``pacer``    — ``Pacer``: the queue, the concurrency cap, AIMD after 429s, abort on a bad key;
* ``headers``  — what the ``*ratelimit*`` and ``Retry-After`` headers say;
* ``retry``    — which failures are retried, after how long.

``Pacer`` and ``Slot`` are imported on first use: they need asyncio, and config.py (read by every
hook run) imports this package for the plan table.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from codestral_bot.pacing.deadline import Deadline
from codestral_bot.pacing.deadline import DeadlineReached
from codestral_bot.pacing.headers import RateLimitInfo
from codestral_bot.pacing.headers import rate_limit_delay
from codestral_bot.pacing.plans import CUSTOM_PLANS
from codestral_bot.pacing.plans import DEFAULT_PLAN
from codestral_bot.pacing.plans import PLAN_NAMES
from codestral_bot.pacing.plans import PLANS
from codestral_bot.pacing.plans import Limits
from codestral_bot.pacing.plans import limits_for
from codestral_bot.pacing.retry import NEVER_RETRY
from codestral_bot.pacing.retry import RetryPolicy
from codestral_bot.pacing.retry import retry_delay

if TYPE_CHECKING:
    from codestral_bot.pacing.pacer import Pacer
    from codestral_bot.pacing.pacer import Slot

__all__ = [
    'CUSTOM_PLANS',
    'DEFAULT_PLAN',
    'NEVER_RETRY',
    'PLANS',
    'PLAN_NAMES',
    'Deadline',
    'DeadlineReached',
    'Limits',
    'Pacer',
    'RateLimitInfo',
    'RetryPolicy',
    'Slot',
    'limits_for',
    'rate_limit_delay',
    'retry_delay',
]


def __getattr__(name: str) -> Any:
    if name in ('Pacer', 'Slot'):
        from codestral_bot.pacing import pacer

        return getattr(pacer, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
