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

Each ``ModelError`` class names its ``kind`` (``records.FailureKind``): what a failed ``Fill`` or
review request records, and what the exit code is computed from (``outcome.py``).
"""
from __future__ import annotations

TYPE_CHECKING = False  # not `typing`'s: the hook's fast path imports this module (mypy reads the name)
if TYPE_CHECKING:
    from codestral_bot.records import FailureKind

__all__ = [
    'ConfigError',
    'failure_kind',
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
    kind: FailureKind = 'model'

    def __init__(self, message: str, *, status: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status  # None: no HTTP answer (timeout, connection failure, cut stream)
        self.headers = headers or {}


class ModelAuthError(ModelError):
    kind: FailureKind = 'auth'


class ModelRejected(ModelError):
    kind: FailureKind = 'request'


class ModelRateLimited(ModelError):
    kind: FailureKind = 'rate_limited'


class ModelUnavailable(ModelError):
    kind: FailureKind = 'unreachable'


class ModelIncomplete(ModelError):
    kind: FailureKind = 'incomplete'


def failure_kind(error: ModelError) -> FailureKind:
    """The typed outcome of a failed request (a subclass elsewhere, e.g. the deadline, sets its own)."""
    return error.kind
