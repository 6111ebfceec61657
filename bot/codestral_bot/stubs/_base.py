from __future__ import annotations

__all__ = ['ParseFailure']


class ParseFailure(ValueError):
    """The file does not parse as its language: skip it with a one-line warning."""
