"""The part of a review run that talks to the model, shared by ``review``, the hook and ``github``;
and the end of a run: records to the sinks, then the exit code (``outcome.exit_code``).
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from codestral_bot.commands._outputs import sinks_for
from codestral_bot.config import Config
from codestral_bot.jobs import Job
from codestral_bot.jobs import Spending
from codestral_bot.options import RunOptions
from codestral_bot.outcome import RunOutcome
from codestral_bot.outcome import exit_code
from codestral_bot.output import clean
from codestral_bot.pipeline import Planned
from codestral_bot.pipeline import fill_all
from codestral_bot.providers import Endpoint
from codestral_bot.providers import make_client
from codestral_bot.providers import resolve_endpoint
from codestral_bot.records import Fill
from codestral_bot.records import SourceFile
from codestral_bot.sinks.base import RunReport
from codestral_bot.sinks.base import edits_of
from codestral_bot.sinks.base import publish

if TYPE_CHECKING:
    from codestral_bot.comments import CommentsResult
    from codestral_bot.cost import Prices
    from codestral_bot.cost import RunStats
    from codestral_bot.pipeline import Survey
    from codestral_bot.providers.base import ModelClient
    from codestral_bot.quota_store import DailyQuota

__all__ = ['ModelRun', 'finish', 'run_model', 'show_plan']

logger = logging.getLogger('codestral_bot')

Reviewed = tuple['CommentsResult', dict[str, SourceFile]]


@dataclasses.dataclass(frozen=True)
class ModelRun:
    """What the model gave back, with what it cost."""

    fills: list[Fill]
    comments: CommentsResult | None
    stats: RunStats
    prices: Prices
    comment_sources: dict[str, SourceFile] = dataclasses.field(default_factory=dict)


def _daily_quota(config: Config, endpoint: Endpoint, tpd: float | None) -> DailyQuota | None:
    if tpd is None or not endpoint.key:
        return None
    from codestral_bot.quota_store import DailyQuota
    from codestral_bot.quota_store import hash_key

    return DailyQuota(None, hash_key(endpoint.key), tpd)


def _spending(job: Job, env: Mapping[str, str]) -> Spending:
    config, endpoint, deadline = job.config, job.endpoint, job.deadline
    from codestral_bot import cost
    from codestral_bot import pacing
    from codestral_bot.budget import Allowance

    # A shorter "minute", for tests and benchmarks against a fake API with a time-scaled quota.
    window = float(env.get('CODESTRAL_BOT_RATE_WINDOW') or 60.0)
    limits = pacing.limits_for(config.plan, rps=config.rps, rpm=config.rpm, tpm=config.tpm, tpd=config.tpd,
                               concurrency=config.concurrency, window=window)
    # A local model has no quota and no price; a paid provider in either role keeps both.
    local = {config.fim_provider or config.provider, config.chat_provider or config.provider} == {'ollama'}
    pacer = None if local else pacing.Pacer(limits, deadline=pacing.Deadline(deadline))
    prices = cost.Prices(0.0, 0.0) if local else cost.Prices(config.price_input, config.price_output)
    daily = None if local else _daily_quota(config, endpoint, limits.tpd)
    allowance = None
    if daily is not None or config.budget_tokens is not None or config.budget_dollars is not None:
        allowance = Allowance(daily=daily, run_tokens=config.budget_tokens,
                              run_dollars=config.budget_dollars, prices=prices)
    return Spending(pacer, cost.RunStats(), prices, allowance)


class _Progress:
    """One status line on stderr while fills stream in, only on a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.live = sys.stderr.isatty() and total > 0

    def on_text(self, fill: Fill, piece: str) -> None:
        self._show(f'{fill.stub.path}:{fill.stub.start_line} {fill.stub.name}')

    def on_done(self, fill: Fill) -> None:
        self.done += 1
        self._show(f'{fill.stub.path}:{fill.stub.start_line} {fill.stub.name}: {fill.status}')

    def _show(self, text: str) -> None:
        if self.live:
            sys.stderr.write(f'\r\033[K[{self.done}/{self.total}] {clean(text[:100], one_line=True)}')
            sys.stderr.flush()

    def close(self) -> None:
        if sys.stderr.isatty():  # the review-comment chunks share this status line
            sys.stderr.write('\r\033[K')


async def run_model(job: Job, *, progress: bool = True, env: Mapping[str, str] | None = None) -> ModelRun:
    import os

    env = os.environ if env is None else env
    spending = _spending(job, env)
    client = _fim_client(job.config, job.endpoint, spending)
    status = _Progress(len(job.planned) if progress else 0)
    try:
        comments_task = _comments_task(job, env, spending)
        fills = await fill_all(client, job.planned, deadline=job.deadline,
                               on_text=status.on_text if status.live else None, on_done=status.on_done,
                               max_tokens=job.config.max_tokens)
        comments, comment_sources = await comments_task if comments_task is not None else (None, {})
    finally:
        status.close()
        await client.aclose()
    return ModelRun(fills, comments, spending.stats, spending.prices, comment_sources)


def show_plan(options: RunOptions, root: Path, planned: Sequence[Planned], endpoint: Endpoint,
              survey: Survey | None = None) -> int:
    """No key (or --dry-run): show what would be sent, send nothing (every output is still written)."""
    from codestral_bot.redact import mask_url

    sources = {p.source.path: p.source for p in planned}
    report = RunReport(sources, endpoint=mask_url(endpoint.base), sent=False,
                       key_missing=endpoint.needs_key and not endpoint.key and not options.dry_run,
                       survey=survey)
    fills = [p.fill for p in planned]
    publish(sinks_for(options, root), fills, report)
    # nothing was to be sent: the stubs past max_stubs did not cut this run short
    return exit_code(RunOutcome([f for f in fills if f.failure != 'max_stubs']), options.gate)


def finish(options: RunOptions, root: Path, planned: Sequence[Planned], run: ModelRun | None,
           survey: Survey | None = None) -> int:
    """Every record to every sink, then the exit code from the typed outcomes."""
    sources = {p.source.path: p.source for p in planned}
    fills = run.fills if run is not None else []
    comments = run.comments if run is not None else None
    report = RunReport({**(run.comment_sources if run else {}), **sources}, edits_of(sources, fills),
                       stats=run.stats if run else None, prices=run.prices if run else None, comments=comments,
                       survey=survey)
    findings = list(comments.findings) if comments is not None else []
    publish(sinks_for(options, root), [*fills, *findings], report)
    return exit_code(RunOutcome.of([report.final(f) for f in fills], comments), options.gate)


def _fim_client(config: Config, endpoint: Endpoint, spending: Spending) -> ModelClient:
    client = make_client(endpoint, config, pacer=spending.pacer, stats=spending.stats,
                         allowance=spending.allowance)
    if not config.cache:
        return client
    from codestral_bot.cache_client import CachingClient

    return CachingClient(client, config, endpoint, spending.stats)


def _comments_task(job: Job, env: Mapping[str, str], spending: Spending) -> asyncio.Task[Reviewed] | None:
    if not job.config.comments:
        return None
    endpoint = resolve_endpoint(job.config, env, role='chat')
    if endpoint.needs_key and not endpoint.key:
        return None
    from codestral_bot.comments.run import review_changes

    return asyncio.ensure_future(review_changes(job, endpoint, spending))
