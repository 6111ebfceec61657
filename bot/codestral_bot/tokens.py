"""Token estimates for budgets and pacing, before the API tells us the real count.

Codestral's tokenizer is not shipped in a wheel, and downloading it at run time fails offline;
code averages about 3.5 characters a token, which errs on the side of overestimating.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

__all__ = ['chat_cost', 'estimate_tokens', 'fim_cost']


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 3.5)


def fim_cost(prompt: str, suffix: str, max_tokens: int) -> int:
    """What a FIM request may spend, for pacing and budgets before the API says."""
    return estimate_tokens(prompt) + estimate_tokens(suffix) + max_tokens


def chat_cost(messages: Sequence[Mapping[str, Any]], max_tokens: int) -> int:
    return sum(estimate_tokens(str(m.get('content', ''))) for m in messages) + max_tokens
