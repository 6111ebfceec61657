"""The one plan table, and the limits a run paces to (a plan with the user's overrides).

Mistral enforces *requests per second* and *tokens per minute* (codestral-api.md, "Rate limits").
The product's plans are quoted per minute (free 30 req/min, pay-as-you-go 300 req/min), so a
plan's requests per second is that figure over 60 (free 0.5/s, payg 5/s): the same average, as
the API counts it. Overriding one of ``rps``/``rpm`` derives the other the same way (``--rpm 600``
means 10/s), so a user who knows only one figure of their key gets a consistent pace; giving both
keeps both, and the tighter one binds.

Time may be scaled for tests and benchmarks: with ``window=2`` a "minute" lasts 2 s and a
"second" 2/60 s, for every rate alike.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from codestral_bot.errors import UsageError

__all__ = ['CUSTOM_PLANS', 'DEFAULT_PLAN', 'PLANS', 'PLAN_NAMES', 'Limits', 'limits_for', 'resolve']


@dataclasses.dataclass(frozen=True)
class Limits:
    """A quota. ``rpm`` and ``tpm`` are per ``window`` seconds (a minute unless scaled), ``rps``
    per ``window / 60`` seconds. ``tpd`` (tokens per UTC day) is enforced by
    ``quota_store.DailyQuota``, not by the pacer. None = not limited."""

    rpm: float | None
    tpm: float | None
    tpd: float | None
    concurrency: int  # requests in flight at once
    window: float = 60.0
    rps: float | None = None

    def __post_init__(self) -> None:
        for name in ('rps', 'rpm', 'tpm', 'tpd'):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f'{name} must be positive, got {value!r}')
        if self.concurrency < 1 or not self.window > 0:
            raise ValueError('concurrency must be >= 1 and window > 0')

    def scaled(self, window: float) -> Limits:
        """The same budgets with a "minute" of ``window`` seconds (2 s in tests and benchmarks)."""
        return dataclasses.replace(self, window=window)

    @property
    def request_rate(self) -> float | None:
        """Requests per real second the limits allow on average: the tighter of rps and rpm."""
        rates = [r / self.window for r in (self.rpm, None if self.rps is None else self.rps * 60) if r]
        return min(rates) if rates else None

    @property
    def token_rate(self) -> float | None:
        """Tokens per real second."""
        return None if self.tpm is None else self.tpm / self.window


# The ONE plan table: (rps, rpm, tpm, tpd, concurrency). config.py reads it from here.
PLANS: Mapping[str, Limits] = {
    'free': Limits(rps=0.5, rpm=30, tpm=100_000, tpd=2_000_000, concurrency=4),
    'payg': Limits(rps=5.0, rpm=300, tpm=1_000_000, tpd=None, concurrency=16),
}
CUSTOM_PLANS = ('enterprise', 'custom')  # no built-in figures: the user gives them
PLAN_NAMES = (*PLANS, *CUSTOM_PLANS)
DEFAULT_PLAN = 'payg'
_CUSTOM_CONCURRENCY = 16


def resolve(plan: str, *, rps: float | None = None, rpm: float | None = None, tpm: float | None = None,
            tpd: float | None = None) -> tuple[float | None, float | None, float | None, float | None]:
    """(rps, rpm, tpm, tpd): the plan's figures with the user's overrides winning; an override of
    rps or rpm alone derives the other (×60 / ÷60), since the API enforces the same average."""
    base = PLANS.get(plan)
    if base is None and plan not in CUSTOM_PLANS:
        raise UsageError(f'unknown plan {plan!r}: use one of {", ".join(PLAN_NAMES)}')
    for flag, value in (('--rps', rps), ('--rpm', rpm), ('--tpm', tpm), ('--tpd', tpd)):
        if value is not None and not value > 0:
            raise UsageError(f'{flag} must be a positive number, got {value!r}')
    if rps is None and rpm is not None:
        rps = rpm / 60
    elif rpm is None and rps is not None:
        rpm = rps * 60
    if base is not None:
        rps, rpm = (base.rps, base.rpm) if rps is None else (rps, rpm)
        tpm = base.tpm if tpm is None else tpm
        tpd = base.tpd if tpd is None else tpd
    return rps, rpm, tpm, tpd


def limits_for(plan: str, rpm: float | None = None, tpm: float | None = None, tpd: float | None = None,
               concurrency: int | None = None, *, rps: float | None = None, window: float = 60.0) -> Limits:
    """The plan's limits with the user's overrides (``--rps``, ``--rpm`` …) winning."""
    rps, rpm, tpm, tpd = resolve(plan, rps=rps, rpm=rpm, tpm=tpm, tpd=tpd)
    if plan in CUSTOM_PLANS and rpm is None and tpm is None:
        raise UsageError(
            f'plan {plan!r} has no built-in limits: set --rps (or --rpm) and --tpm (your real limits '
            'are in the x-ratelimit-limit-* headers of any API response; see the README)')
    if concurrency is not None and not concurrency > 0:
        raise UsageError(f'--concurrency must be a positive number, got {concurrency!r}')
    default_concurrency = PLANS[plan].concurrency if plan in PLANS else _CUSTOM_CONCURRENCY
    return Limits(rpm=rpm, tpm=tpm, tpd=tpd, rps=rps, window=window,
                  concurrency=default_concurrency if concurrency is None else int(concurrency))
