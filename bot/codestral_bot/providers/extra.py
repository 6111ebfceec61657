"""The providers beyond Mistral's hosts, behind the two calls ``providers/__init__`` delegates.

- ``ollama``: a local server at ``OLLAMA_HOST`` (default http://localhost:11434); no key, no quota.
- ``openrouter``: chat only, key ``OPENROUTER_API_KEY``, at ``api_base`` or https://openrouter.ai/api/v1.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from codestral_bot.errors import UsageError
from codestral_bot.providers import Endpoint

if TYPE_CHECKING:
    from codestral_bot.config import Config
    from codestral_bot.budget import Allowance
    from codestral_bot.cost import RunStats
    from codestral_bot.pacing import Pacer
    from codestral_bot.providers.base import ModelClient

__all__ = ['make_client', 'resolve']


def resolve(provider: str, config: Config, env: Mapping[str, str], role: str) -> Endpoint:
    """The endpoint for ``role`` ('fim' or 'chat'); fills through OpenRouter are refused up front."""
    if provider == 'ollama':
        from codestral_bot.providers import ollama

        # --api-base / CODESTRAL_BOT_API_BASE / api_base name the server as for any provider, when
        # Ollama is the only one; mixed with another provider, the base is that one's (OLLAMA_HOST here)
        roles = {config.fim_provider or config.provider, config.chat_provider or config.provider}
        api_base = (config.api_base or env.get('CODESTRAL_BOT_API_BASE')) if roles == {'ollama'} else None
        return ollama.endpoint({**env, 'OLLAMA_HOST': api_base} if api_base else env)
    if provider == 'openrouter':
        from codestral_bot.providers import openrouter

        # Said once, before anything is sent, rather than once per stub. With fills off the
        # endpoint is still returned: review always builds a FIM client, it just never asks it.
        if role == 'fim' and config.fill:
            raise UsageError(openrouter.NO_FIM)
        return openrouter.endpoint(config, env)
    raise UsageError(f'unknown provider {provider!r}: use mistral, ollama or openrouter')


def make_client(endpoint: Endpoint, config: Config, *, role: str, pacer: Pacer | None,
                stats: RunStats | None, timeout: float, allowance: Allowance | None = None) -> ModelClient:
    if endpoint.provider == 'ollama':
        from codestral_bot.providers.ollama import OllamaClient

        # No pacer: there is no quota to respect; OllamaClient caps its own concurrency.
        return OllamaClient(base=endpoint.base, model=config.model, chat_model=config.chat_model,
                            max_tokens=config.max_tokens, temperature=config.temperature,
                            stop=list(config.stop), timeout=timeout, stats=stats,
                            concurrency=config.concurrency)
    if endpoint.provider == 'openrouter':
        from codestral_bot.providers.openrouter import OpenRouterClient

        return OpenRouterClient(base=endpoint.base, key=endpoint.key, model=config.chat_model or config.model,
                                max_tokens=config.max_tokens, temperature=config.temperature,
                                stop=list(config.stop), timeout=timeout, pacer=pacer, stats=stats,
                                allowance=allowance)
    raise UsageError(f'unknown provider {endpoint.provider!r}: use mistral, ollama or openrouter')
