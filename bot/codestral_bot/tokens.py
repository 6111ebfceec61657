"""Token estimates for budgets and pacing, before the API tells us the real count.

Codestral's tokenizer is not shipped in a wheel, and downloading it at run time fails offline;
code averages about 3.5 characters a token, which errs on the side of overestimating.
"""
from __future__ import annotations

import math

__all__ = ['estimate_tokens']


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 3.5)
