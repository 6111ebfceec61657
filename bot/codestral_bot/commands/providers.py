"""``codestral-bot providers``: each model backend, whether it is configured and whether it answers.

The checks spend no tokens: Mistral ``GET /v1/models``, Ollama ``GET /api/tags``, OpenRouter
``GET /key`` (falling back to ``GET /models``). A key is sent only to its own provider, and only
where ``check_transport`` allows; it is never printed.
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codestral_bot.config import PROVIDERS
from codestral_bot.config import Config
from codestral_bot.errors import FatalError
from codestral_bot.errors import GitError
from codestral_bot.output import out
from codestral_bot.providers import Endpoint

__all__ = ['providers_command']

TIMEOUT = 5.0  # a status line, not a request that must succeed


@dataclasses.dataclass(frozen=True)
class _Answer:
    status: int | None  # None: no HTTP answer
    data: Any = None
    problem: str = ''  # why there was no answer


def providers_command(args: argparse.Namespace) -> int:
    from codestral_bot.redact import scrub

    config = _config(args)
    env = os.environ
    endpoints = {name: _endpoint(name, config, env) for name in PROVIDERS}
    statuses = asyncio.run(_check_all(config, env, endpoints))
    for name in PROVIDERS:
        line = f'{name:<11}{_roles(name, config):<15}{statuses[name]}'
        # Never in a line by construction; this only guards an api_base that embeds a secret.
        out(scrub(line, endpoints[name].key))
    return 0


def _config(args: argparse.Namespace) -> Config:
    from codestral_bot import git
    from codestral_bot.commands._common import cli_overrides
    from codestral_bot.config import load_config

    try:
        root = git.repo_root()
    except GitError:
        root = Path.cwd()  # outside a repository the defaults, environment and flags still apply
    config, _ = load_config(root, cli_overrides(args))
    return config


def _roles(name: str, config: Config) -> str:
    # OpenRouter never fills, even when it is the only provider configured (review says so).
    roles = [role for role, used in (('fills', config.fim_provider), ('review', config.chat_provider))
             if used == name and not (role == 'fills' and name == 'openrouter')]
    return '+'.join(roles) if roles else '-'


def _endpoint(name: str, config: Config, env: Mapping[str, str]) -> Endpoint:
    """Where review would send this provider's requests; ``api_base`` only for a provider in use."""
    from codestral_bot.providers import resolve_endpoint

    used = name in (config.fim_provider, config.chat_provider)
    if name == 'ollama' and {config.fim_provider, config.chat_provider} != {'ollama'}:
        used = False  # mixed with another provider, the base is that one's (as review has it)
    single = dataclasses.replace(config, provider=name, fim_provider=name, chat_provider=name, fill=False,
                                 api_base=config.api_base if used else None)
    env = env if used else {k: v for k, v in env.items() if k != 'CODESTRAL_BOT_API_BASE'}
    return resolve_endpoint(single, env, role='chat')


async def _check_all(config: Config, env: Mapping[str, str], endpoints: Mapping[str, Endpoint]) -> dict[str, str]:
    checks = {'mistral': _mistral(endpoints['mistral']), 'ollama': _ollama(endpoints['ollama'], config, env),
              'openrouter': _openrouter(endpoints['openrouter'])}
    results = await asyncio.gather(*checks.values())
    return dict(zip(checks, results))


async def _get(url: str, key: str | None) -> _Answer:
    import httpx

    from codestral_bot.providers._http import check_transport
    from codestral_bot.providers._http import is_loopback

    try:
        check_transport(url, has_key=bool(key))
    except FatalError as e:
        return _Answer(None, problem=f'not checked: {e}')
    headers = {'Accept': 'application/json', 'User-Agent': 'codestral-bot'}
    if key:
        headers['Authorization'] = f'Bearer {key}'
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, trust_env=not is_loopback(url)) as client:
            response = await client.get(url, headers=headers)
    except httpx.TimeoutException:
        return _Answer(None, problem=f'unreachable (no answer in {TIMEOUT:g}s)')
    except httpx.HTTPError as e:
        return _Answer(None, problem=f'unreachable ({type(e).__name__})')
    return _Answer(response.status_code, _json(response))


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _verdict(answer: _Answer) -> str:
    if answer.status is None:
        return answer.problem
    if answer.status == 200:
        return 'reachable, key accepted'
    if answer.status in (401, 403):
        return f'reachable, key rejected (HTTP {answer.status})'
    return f'answered HTTP {answer.status}'


async def _mistral(endpoint: Endpoint) -> str:
    if not endpoint.key:
        return f'not configured: set CODESTRAL_API_KEY or MISTRAL_API_KEY ({endpoint.base})'
    answer = await _get(f'{endpoint.base}/v1/models', endpoint.key)
    return f'{endpoint.key_name} set, {endpoint.base}: {_verdict(answer)}'


async def _openrouter(endpoint: Endpoint) -> str:
    from codestral_bot.providers.openrouter import KEY_NAME

    if not endpoint.key:
        return f'not configured: set {KEY_NAME} ({endpoint.base})'
    answer = await _get(f'{endpoint.base}/key', endpoint.key)
    if answer.status == 404:  # a gateway or an older API without /key: reachability is all we learn
        answer = await _get(f'{endpoint.base}/models', None)
        verdict = 'reachable (key not verified)' if answer.status == 200 else _verdict(answer)
    else:
        verdict = _verdict(answer)
    return f'{KEY_NAME} set, {endpoint.base}: {verdict}'


async def _ollama(endpoint: Endpoint, config: Config, env: Mapping[str, str]) -> str:
    from codestral_bot.providers import ollama

    where = f'{endpoint.base}' + (' (OLLAMA_HOST)' if env.get('OLLAMA_HOST') else ' (default host)')
    answer = await _get(f'{endpoint.base}/api/tags', None)
    if answer.status is None:
        refused = 'ConnectError' in answer.problem
        return f'{where}: Ollama is not running' if refused else f'{where}: {answer.problem}'
    if answer.status != 200:
        return f'{where}: answered HTTP {answer.status}'
    model = _ollama_model(config)
    pulled = any(ollama.same_model(model, str(m.get('name', ''))) for m in _tags(answer.data))
    state = f'{model} pulled' if pulled else f'{model} not pulled (run `ollama pull {model}`)'
    return f'{where}: running, {state}'


def _ollama_model(config: Config) -> str:
    from codestral_bot.providers import ollama

    if config.fim_provider == 'ollama':
        return ollama.model_name(config.model)
    if config.chat_provider == 'ollama':
        return ollama.model_name(config.chat_model)
    return ollama.DEFAULT_MODEL


def _tags(data: Any) -> list[dict[str, Any]]:
    models = data.get('models') if isinstance(data, dict) else None
    return [m for m in models if isinstance(m, dict)] if isinstance(models, list) else []
