"""A ``ModelClient`` that answers FIM requests from the completion cache when it can."""
from __future__ import annotations

from typing import Any

from codestral_bot.cache import CachedCompletion
from codestral_bot.cache import CompletionCache
from codestral_bot.cache import cache_key
from codestral_bot.config import Config
from codestral_bot.providers import Endpoint
from codestral_bot.providers.base import ModelClient
from codestral_bot.providers.base import OnText
from codestral_bot.records import Completion

__all__ = ['CachingClient']


class CachingClient:
    def __init__(self, inner: ModelClient, config: Config, endpoint: Endpoint, stats: Any) -> None:
        self.inner = inner
        self.cache = CompletionCache(max_bytes=config.cache_max_mb * 2**20)
        self.endpoint = f'{endpoint.provider}:{endpoint.base}'
        self.model = config.model
        self.params = {'max_tokens': config.max_tokens, 'temperature': config.temperature,
                       'stop': list(config.stop)}
        self.stats = stats

    async def fim(self, prompt: str, suffix: str, *, on_text: OnText | None = None) -> Completion:
        key = cache_key(self.endpoint, self.model, prompt, suffix, self.params)
        hit = self.cache.get(key)
        if hit is not None:
            if self.stats is not None:
                self.stats.record_cache_hit()
            return hit.to_completion()
        completion = await self.inner.fim(prompt, suffix, on_text=on_text)
        if completion.finish_reason == 'stop':  # an incomplete answer must not come back next time
            self.cache.put(key, CachedCompletion.of(completion))
        return completion

    async def chat(self, messages: list[dict[str, Any]], *, response_format: dict[str, Any] | None = None,
                   on_text: OnText | None = None) -> Completion:
        return await self.inner.chat(messages, response_format=response_format, on_text=on_text)

    async def aclose(self) -> None:
        self.cache.close()
        await self.inner.aclose()
