"""The parts of a review run that talk to the model and to the user, shared by ``review`` and the hook."""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import sys
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codestral_bot import __version__
from codestral_bot.commands._outputs import fill_json
from codestral_bot.commands._outputs import stub_json
from codestral_bot.config import Config
from codestral_bot.output import err
from codestral_bot.output import out
from codestral_bot.pipeline import Planned
from codestral_bot.pipeline import fill_all
from codestral_bot.providers import Endpoint
from codestral_bot.providers import make_client
from codestral_bot.providers import resolve_endpoint
from codestral_bot.records import FileChange
from codestral_bot.records import Fill
from codestral_bot.records import SourceFile

__all__ = ['Outcome', 'finish', 'print_plan', 'run_model']

logger = logging.getLogger('codestral_bot')


@dataclasses.dataclass(frozen=True)
class Outcome:
    fills: list[Fill]
    comments: Any = None  # comments.CommentsResult, when review comments ran
    stats: Any = None  # cost.RunStats
    prices: Any = None  # cost.Prices
    auth_error: str | None = None
    comment_sources: dict[str, SourceFile] = dataclasses.field(default_factory=dict)


def print_plan(planned: Sequence[Planned], endpoint: Endpoint, args: argparse.Namespace,
               survey: Any = None) -> int:
    """No key (or --dry-run): show what would be sent, send nothing."""
    from codestral_bot.commands._outputs import survey_json
    from codestral_bot.commands._outputs import unparsed_note

    if args.json:
        out(json.dumps({'version': __version__, 'dry_run': True, 'endpoint': endpoint.base,
                        'stubs': [stub_json(p.fill) for p in planned],
                        'fills': [fill_json(p.fill) for p in planned], **survey_json(survey)}, indent=2))
        return 0
    for p in planned:
        s = p.fill.stub
        if p.fill.status != 'planned':  # past max_stubs
            out(f'{s.path}:{s.start_line}: {s.name} ({s.kind}): {p.fill.reason}')
            continue
        out(f'{s.path}:{s.start_line}: {s.name} ({s.kind}): would send a FIM request '
            f'(prompt ≈{p.fill.prompt_tokens} tokens, suffix ≈{p.fill.suffix_tokens} tokens)')
    noun = 'stub' if len(planned) == 1 else 'stubs'
    note = unparsed_note(survey, [p.fill for p in planned])
    err(f'{len(planned)} {noun} found{note}; nothing sent (to {endpoint.base}).')
    if endpoint.needs_key and not endpoint.key and not args.dry_run:
        err('To fill them, set an API key: export CODESTRAL_API_KEY=… (or MISTRAL_API_KEY=…).')
    return 0


def run_and_finish(args: argparse.Namespace, root: Path, config: Config, endpoint: Endpoint,
                   planned: Sequence[Planned], changes: Sequence[FileChange], read: Callable[[str], SourceFile],
                   targets: Sequence[Any], deadline: float | None, survey: Any = None) -> int:
    sources = {t.source.path: t.source for t in targets}
    outcome = asyncio.run(run_model(config, endpoint, planned, changes, read, sources,
                                    deadline=deadline, args=args))
    return finish(args, root, planned, outcome.fills, outcome, config, survey)


@dataclasses.dataclass(frozen=True)
class Spending:
    """What every request of a run shares: the pacer, the counters, the prices and the budgets."""

    pacer: Any  # pacing.Pacer, or None for a local model
    stats: Any  # cost.RunStats
    prices: Any  # cost.Prices
    allowance: Any  # budget.Allowance, or None when nothing caps spending


def _daily_quota(config: Config, endpoint: Endpoint, tpd: float | None) -> Any:
    if tpd is None or not endpoint.key:
        return None
    from codestral_bot.quota_store import DailyQuota
    from codestral_bot.quota_store import hash_key

    return DailyQuota(None, hash_key(endpoint.key), tpd)


def _spending(config: Config, endpoint: Endpoint, deadline: float | None, env: Mapping[str, str]) -> Spending:
    from codestral_bot import cost
    from codestral_bot import pacing
    from codestral_bot.budget import Allowance

    # A shorter "minute", for tests and benchmarks against a fake API with a time-scaled quota.
    window = float(env.get('CODESTRAL_BOT_RATE_WINDOW') or 60.0)
    limits = pacing.limits_for(config.plan, rpm=config.rpm, tpm=config.tpm, tpd=config.tpd,
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
        self.chars = 0
        self.live = sys.stderr.isatty() and total > 0

    def on_text(self, fill: Fill, piece: str) -> None:
        self.chars += len(piece)
        self._show(f'{fill.stub.path}:{fill.stub.start_line} {fill.stub.name}')

    def on_done(self, fill: Fill) -> None:
        self.done += 1
        self._show(f'{fill.stub.path}:{fill.stub.start_line} {fill.stub.name}: {fill.status}')

    def _show(self, text: str) -> None:
        if self.live:
            sys.stderr.write(f'\r\033[K[{self.done}/{self.total}] {text[:100]}')
            sys.stderr.flush()

    def close(self) -> None:
        if sys.stderr.isatty():  # the review-comment chunks share this status line
            sys.stderr.write('\r\033[K')


async def run_model(config: Config, endpoint: Endpoint, planned: Sequence[Planned],
                    changes: Sequence[FileChange], read: Callable[[str], SourceFile],
                    sources: dict[str, SourceFile], *, deadline: float | None,
                    args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Outcome:
    import os

    env = os.environ if env is None else env
    spending = _spending(config, endpoint, deadline, env)
    client = _fim_client(config, endpoint, spending)
    progress = _Progress(len(planned) if not args.json else 0)
    try:
        comments_task = _comments_task(config, env, changes, read, sources, spending, deadline)
        fills = await fill_all(client, planned, deadline=deadline,
                               on_text=progress.on_text if progress.live else None,
                               on_done=progress.on_done)
        comments, comment_sources = await comments_task if comments_task is not None else (None, {})
    finally:
        progress.close()
        await client.aclose()
    auth = next((f.reason for f in fills if f.status == 'failed' and 'API key was rejected' in f.reason), None)
    return Outcome(fills, comments, spending.stats, spending.prices, auth, comment_sources)


def _fim_client(config: Config, endpoint: Endpoint, spending: Spending) -> Any:
    client = make_client(endpoint, config, pacer=spending.pacer, stats=spending.stats,
                         allowance=spending.allowance)
    if not config.cache:
        return client
    from codestral_bot.cache_client import CachingClient

    return CachingClient(client, config, endpoint, spending.stats)


def _comments_task(config: Config, env: Mapping[str, str], changes: Sequence[FileChange],
                   read: Callable[[str], SourceFile], sources: dict[str, SourceFile], spending: Spending,
                   deadline: float | None) -> asyncio.Task[Any] | None:
    if not config.comments:
        return None
    endpoint = resolve_endpoint(config, env, role='chat')
    if endpoint.needs_key and not endpoint.key:
        return None
    from codestral_bot.comments_run import review_changes

    return asyncio.ensure_future(review_changes(config, endpoint, changes, read, sources, spending, deadline))


def _summary(fills: Sequence[Fill], outcome: Outcome | None) -> str:
    counts: dict[str, int] = {}
    for fill in fills:
        counts[fill.status] = counts.get(fill.status, 0) + 1
    parts = [f'{len(fills)} stub{"" if len(fills) == 1 else "s"} found']
    parts += [f'{n} {status}' for status, n in counts.items()]
    line = ', '.join(parts)
    if outcome is not None and outcome.stats is not None:
        line += f'; {outcome.stats.summary_line(outcome.prices)}'
    return line


def _report_problems(fills: Sequence[Fill]) -> None:
    shown_auth = False
    for fill in fills:
        if fill.status not in ('rejected', 'failed'):
            continue
        if 'API key was rejected' in fill.reason:
            if shown_auth:
                continue
            shown_auth = True
        s = fill.stub
        if fill.reason.startswith('not filled:'):
            err(f'{s.path}:{s.start_line}: {s.name}: {fill.reason}')
        else:
            word = 'not filled' if fill.status == 'failed' else 'fill rejected'
            err(f'{s.path}:{s.start_line}: {s.name}: {word}: {fill.reason}')


def finish(args: argparse.Namespace, root: Path, planned: Sequence[Planned], fills: list[Fill],
           outcome: Outcome | None, config: Config | None, survey: Any = None) -> int:
    """Write the outputs the user asked for and choose the exit code."""
    from codestral_bot.commands import _outputs

    sources = {p.source.path: p.source for p in planned}
    edits = _outputs.edits(sources, fills)
    fills = _outputs.maybe_apply(args, root, sources, edits, fills)
    findings = _outputs.findings_of(outcome)
    if args.json:
        _outputs.print_json(args, fills, outcome, edits, survey)
    else:
        _outputs.print_text(sources, edits, fills, outcome)
        _report_problems(fills)
        note = _outputs.unparsed_note(survey, fills)
        if fills or findings:
            err(_summary(fills, outcome) + note)
        elif note:
            err(note[2:])  # no stub, no finding: only the files that could not be parsed
    _outputs.write_files(args, edits, outcome)
    return _outputs.exit_code(args, fills, edits, outcome, config)
