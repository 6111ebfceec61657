"""The exception tree. Expected failures carry a sentence the user can act on.

    FatalError                 stops the command; ``main`` prints it on one line, exit 2
    ├── UsageError             bad flags or flag combinations
    ├── ConfigError            a bad key or value in a configuration file
    ├── GitError               not a repository, a ref that does not exist, a git command failed
    └── ModelError             a request to the model API failed (recorded on the stub's Fill,
        │                      never stops the other stubs)
        ├── ModelAuthError     401/403: the key is bad for every request
        ├── ModelRejected      400/404/422: the request itself is wrong; never retried
        ├── ModelRateLimited   429 after the retries ran out
        ├── ModelUnavailable   5xx, timeouts, connection failures after the retries ran out
        └── ModelIncomplete    the answer was cut (stream dropped mid-way)

Anything else reaching ``main`` is a bug: exit 3 with a log file.
"""
from __future__ import annotations

__all__ = [
    'ConfigError',
    'FatalError',
    'GitError',
    'ModelAuthError',
    'ModelError',
    'ModelIncomplete',
    'ModelRateLimited',
    'ModelRejected',
    'ModelUnavailable',
    'UsageError',
]


class FatalError(RuntimeError):
    pass


class UsageError(FatalError):
    pass


class ConfigError(FatalError):
    pass


class GitError(FatalError):
    pass


class ModelError(FatalError):
    def __init__(self, message: str, *, status: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status  # None: no HTTP answer (timeout, connection failure, cut stream)
        self.headers = headers or {}


class ModelAuthError(ModelError):
    pass


class ModelRejected(ModelError):
    pass


class ModelRateLimited(ModelError):
    pass


class ModelUnavailable(ModelError):
    pass


class ModelIncomplete(ModelError):
    pass
