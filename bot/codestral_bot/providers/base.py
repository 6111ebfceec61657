"""What every model backend offers the pipeline. One module per provider implements it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import Protocol

from codestral_bot.records import Completion

__all__ = ['ModelClient', 'OnText']

OnText = Callable[[str], None]  # receives each streamed piece of text, for progress display


class ModelClient(Protocol):
    async def fim(self, prompt: str, suffix: str, *, on_text: OnText | None = None) -> Completion:
        """One fill-in-the-middle request. Raises a ``ModelError`` subclass on failure."""
        ...

    async def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        response_format: dict[str, Any] | None = None,
        on_text: OnText | None = None,
    ) -> Completion:
        """One chat completion. Raises a ``ModelError`` subclass on failure."""
        ...

    async def aclose(self) -> None: ...
