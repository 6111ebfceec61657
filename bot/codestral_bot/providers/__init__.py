"""Which backend answers, with which key, at which address. One module per provider.

Mistral's rules: ``CODESTRAL_API_KEY`` → https://codestral.mistral.ai, else ``MISTRAL_API_KEY`` →
https://api.mistral.ai; ``--api-base`` / ``CODESTRAL_BOT_API_BASE`` / config ``api_base``
override the address (proxies, gateways, local servers), never the key.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

from codestral_bot.errors import UsageError

if TYPE_CHECKING:
    from codestral_bot.budget import Allowance
    from codestral_bot.config import Config
    from codestral_bot.cost import RunStats
    from codestral_bot.pacing import Pacer
    from codestral_bot.providers.base import ModelClient

__all__ = ['Endpoint', 'make_client', 'resolve_endpoint']


@dataclasses.dataclass(frozen=True)
class Endpoint:
    provider: str
    base: str
    key: str | None = dataclasses.field(repr=False)
    key_name: str | None  # the environment variable the key came from, to name in messages

    @property
    def needs_key(self) -> bool:
        return self.provider != 'ollama'


def _mistral(config: Config, env: Mapping[str, str], api_base: str | None) -> Endpoint:
    from codestral_bot.providers.mistral import CODESTRAL_BASE
    from codestral_bot.providers.mistral import MISTRAL_BASE
    from codestral_bot.redact import check_key

    if env.get('CODESTRAL_API_KEY', '').strip():
        key_name, default_base = 'CODESTRAL_API_KEY', CODESTRAL_BASE
    elif env.get('MISTRAL_API_KEY', '').strip():
        key_name, default_base = 'MISTRAL_API_KEY', MISTRAL_BASE
    else:
        key_name, default_base = None, CODESTRAL_BASE
    key = check_key(key_name, env.get(key_name)) if key_name else None
    return Endpoint('mistral', (api_base or default_base).rstrip('/'), key, key_name)


def resolve_endpoint(config: Config, env: Mapping[str, str], role: str = 'fim') -> Endpoint:
    """``role`` is 'fim' or 'chat': each may use its own provider (``fim_provider``/``chat_provider``)."""
    provider = (config.fim_provider if role == 'fim' else config.chat_provider) or config.provider
    api_base = config.api_base or env.get('CODESTRAL_BOT_API_BASE') or None
    if provider == 'mistral':
        return _mistral(config, env, api_base)
    try:
        from codestral_bot.providers import extra
    except ImportError:
        raise UsageError(f'provider {provider!r} is not available in this version') from None
    return extra.resolve(provider, config, env, role)


def make_client(endpoint: Endpoint, config: Config, *, role: str = 'fim', pacer: Pacer | None = None,
                stats: RunStats | None = None, timeout: float = 60.0,
                allowance: Allowance | None = None) -> ModelClient:
    if endpoint.provider == 'mistral':
        from codestral_bot.providers.mistral import MistralClient

        return MistralClient(
            base=endpoint.base, key=endpoint.key, model=config.model, chat_model=config.chat_model,
            max_tokens=config.max_tokens, temperature=config.temperature, stop=list(config.stop),
            timeout=timeout, pacer=pacer, stats=stats, allowance=allowance,
        )
    from codestral_bot.providers import extra

    return extra.make_client(endpoint, config, role=role, pacer=pacer, stats=stats, timeout=timeout,
                             allowance=allowance)
