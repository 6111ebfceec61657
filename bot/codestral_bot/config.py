"""Project configuration: one declarative schema, read from files and flags, with provenance.

Sources, later wins, key by key:

1. the defaults declared on ``Config`` below;
2. the user's own ``config.toml`` in the platform's config folder (``platformdirs``, e.g.
   ``~/.config/codestral-bot/config.toml``; ``$CODESTRAL_BOT_CONFIG`` names another file);
3. ``[tool.codestral-bot]`` in ``pyproject.toml`` at the repo root;
4. ``.codestral-bot.toml`` at the repo root (top-level keys). When both files exist,
   both are read and ``.codestral-bot.toml`` wins for every key it sets;
5. the environment, for ``api_base`` only (``CODESTRAL_BOT_API_BASE``, named by the review
   interface); otherwise the environment holds secrets only, never configuration;
6. command-line flags.

Where requests (and so the API key) go is decided only by the person running the bot: the
repository's files (3, 4) come from whoever wrote the branch under review, so the keys that choose
a destination (``DESTINATION_KEYS``) are ignored there, with one warning line per file.

Keys may be written with dashes or underscores (``max-tokens`` = ``max_tokens``). An unknown key,
a wrong type or a value out of range raises ``ConfigError`` with one line naming the file and
the key. API keys are refused in files: they belong in the environment, not in the repository.
"""
from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import os
import re
import tomllib
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import TypeVar

from codestral_bot.errors import ConfigError
from codestral_bot.globs import DEFAULT_EXCLUDE
from codestral_bot.pacing.plans import PLAN_NAMES
from codestral_bot.pacing.plans import resolve as resolve_plan
from codestral_bot.testpaths import DEFAULT_TEST_GLOBS

__all__ = [
    'DESTINATION_KEYS',
    'DEFAULT_MODELS',
    'LANGUAGES',
    'PROVIDERS',
    'Config',
    'load_config',
    'render_config',
    'user_config_path',
]

PROVIDERS = ('mistral', 'ollama', 'openrouter')
LANGUAGES = ('python', 'javascript', 'typescript', 'go', 'rust', 'java')
SEVERITIES = ('error', 'warning', 'info')
# Each provider's model when the user names none (issue 8: Ollama's tag, OpenRouter's slug).
DEFAULT_MODELS = {
    'mistral': 'codestral-latest',
    'ollama': 'codestral:22b',
    'openrouter': 'mistralai/codestral-2508',
}

PYPROJECT = 'pyproject.toml [tool.codestral-bot]'
DOTFILE = '.codestral-bot.toml'
ENVIRONMENT = 'environment (CODESTRAL_BOT_API_BASE)'
USER_CONFIG_ENV = 'CODESTRAL_BOT_CONFIG'
# Keys that decide where requests, and the key in their header, are sent.
DESTINATION_KEYS = ('api_base', 'provider', 'fim_provider', 'chat_provider')
_REPOSITORY = (PYPROJECT, DOTFILE)
MAX_CONFIG_BYTES = 1024 * 1024  # a pyproject.toml is a few KiB
COMMAND_LINE = 'command line'
DEFAULT = 'default'

_T = TypeVar('_T')
_Check = Callable[[Any], Any]


class _Invalid(Exception):
    """A value failed its check; the message says what the key must be."""


# --- checks: each returns the normalized value or raises _Invalid -----------------------------

def _choice(*options: str) -> _Check:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or value not in options:
            raise _Invalid('must be one of ' + ', '.join(repr(o) for o in options))
        return value
    return check


def _text(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid('must be a non-empty string')
    return value


def _url(value: Any) -> Any:
    from urllib.parse import urlsplit

    expect = 'must be an http:// or https:// URL'
    if not isinstance(value, str) or not re.match(r'https?://[^/\s]+', value) or re.search(r'[\s\x00-\x1f\x7f]', value):
        raise _Invalid(expect)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as e:
        raise _Invalid(f'{expect} ({e})') from None
    if not parts.hostname:
        raise _Invalid(expect)
    return value.rstrip('/')


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise _Invalid('must be true or false')
    return value


def _whole(low: int) -> _Check:
    def check(value: Any) -> Any:
        # bool is an int subclass; `true` is never meant as a count.
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise _Invalid(f'must be a whole number of at least {low}')
        return value
    return check


def _number(low: float, high: float | None = None, *, above: bool = False) -> _Check:
    if high is not None:
        expect = f'must be a number from {low:g} to {high:g}'
    else:
        expect = f'must be a number greater than {low:g}' if above else f'must be a number of at least {low:g}'

    def check(value: Any) -> Any:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or value < low or (above and value == low) or (high is not None and value > high):
            raise _Invalid(expect)
        return float(value)
    return check


def _strings(value: Any) -> Any:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise _Invalid('must be a list of strings')
    return tuple(value)


def _languages(value: Any) -> Any:
    expect = 'must be a non-empty list of ' + ', '.join(repr(x) for x in LANGUAGES)
    if not isinstance(value, (list, tuple)) or not value or any(v not in LANGUAGES for v in value):
        raise _Invalid(expect)
    return tuple(dict.fromkeys(value))


def _key(default: _T, check: _Check, doc: str, unset: str = '') -> _T:
    """A schema entry: the default, its check, a line of help, and what leaving it unset means."""
    meta = {'check': check, 'doc': doc, 'unset': unset}
    return dataclasses.field(default=default, metadata=meta)


@dataclasses.dataclass(frozen=True)
class Config:
    """The effective configuration. Lists are tuples so a ``Config`` can be shared and hashed."""

    provider: str = _key('mistral', _choice(*PROVIDERS), 'backend for fills and review')
    fim_provider: str | None = _key(None, _choice(*PROVIDERS), 'backend for fills', '= provider')
    chat_provider: str | None = _key(None, _choice(*PROVIDERS), 'backend for review', '= provider')
    model: str = _key('codestral-latest', _text, 'FIM model (Ollama: codestral:22b)')
    chat_model: str | None = _key(None, _text, 'chat model', '= model')
    api_base: str | None = _key(None, _url, 'API base URL', "provider's host")
    plan: str = _key('payg', _choice(*PLAN_NAMES), 'rate-limit plan')
    rps: float | None = _key(None, _number(0, above=True), 'requests per second', "plan's, or rpm / 60")
    rpm: int | None = _key(None, _whole(1), 'requests per minute', "plan's, or rps × 60")
    tpm: int | None = _key(None, _whole(1), 'tokens per minute', "plan's")
    tpd: int | None = _key(None, _whole(1), 'tokens per day', "plan's")
    concurrency: int | None = _key(None, _whole(1), 'requests in flight', 'automatic')
    prompt_tokens: int = _key(3000, _whole(1), 'token budget of the prefix')
    suffix_tokens: int = _key(1000, _whole(0), 'token budget of the suffix')
    context_share: float = _key(0.25, _number(0, 1), 'share of prompt_tokens for definitions from other files')
    max_tokens: int = _key(512, _whole(1), 'longest fill, in tokens')
    temperature: float = _key(0.2, _number(0, 1.5), 'sampling temperature')
    stop: tuple[str, ...] = _key((), _strings, 'extra stop sequences')
    include: tuple[str, ...] = _key((), _strings, 'globs of files to look at', 'all files')
    exclude: tuple[str, ...] = _key(DEFAULT_EXCLUDE, _strings, 'globs of files to skip')
    languages: tuple[str, ...] = _key(LANGUAGES, _languages, 'languages to fill')
    include_tests: bool = _key(False, _flag, 'look for stubs in test code too')
    test_globs: tuple[str, ...] = _key(DEFAULT_TEST_GLOBS, _strings, 'globs of test code (not searched)')
    max_stubs: int = _key(50, _whole(1), 'stubs filled per run')
    max_file_bytes: int = _key(1024 * 1024, _whole(1), 'larger files are skipped (bytes)')
    max_comments: int = _key(30, _whole(0), 'review comments per run')
    max_comments_per_file: int = _key(10, _whole(0), 'review comments per file')
    budget_tokens: int | None = _key(None, _whole(1), 'tokens per run', 'no budget')
    budget_dollars: float | None = _key(None, _number(0, above=True), 'dollars per run', 'no budget')
    timeout: float | None = _key(None, _number(0, above=True), 'deadline in seconds', "command's default")
    cache: bool = _key(True, _flag, 'reuse earlier completions')
    cache_max_mb: int = _key(50, _whole(1), 'cache size bound in MB')
    price_input: float = _key(0.30, _number(0), '$ per 1M input tokens')
    price_output: float = _key(0.90, _number(0), '$ per 1M output tokens')
    fail_on: str | None = _key(None, _choice(*SEVERITIES), 'exit 1 on comments this severe', 'never')
    comments: bool = _key(True, _flag, 'post review comments')
    fill: bool = _key(True, _flag, 'fill stubs')
    bare_pass_is_stub: bool = _key(False, _flag, 'Python: a bare pass/docstring body is a stub')


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}
# A file key that looks like a credential; `max_tokens` and friends end in "tokens", not "token".
_SECRET = re.compile(r'(^|_)(api_?key|key|token|secret|password|authorization)$')


# --- reading the sources ----------------------------------------------------------------------

def load_config(
    repo_root: Path,
    cli: Mapping[str, object],
    *,
    env: Mapping[str, str] | None = None,
) -> tuple[Config, dict[str, str]]:
    """The effective ``Config`` and, for every key, the source its value came from.

    ``cli`` holds the flags the user passed, by their config name (``max_tokens``); ``None``
    values and names that are not configuration keys (``staged``, ``command``) are ignored, so a
    caller may pass ``vars(args)``. ``env`` defaults to ``os.environ``.
    """
    env = os.environ if env is None else env
    user_path = user_config_path(env)
    layers = [
        (f'user config {user_path}', _read_toml(user_path, str(user_path))),
        (PYPROJECT, _pyproject_table(repo_root / 'pyproject.toml')),
        (DOTFILE, _read_toml(repo_root / DOTFILE, DOTFILE, repo_root)),
        (ENVIRONMENT, _env_values(env)),
        (COMMAND_LINE, _cli_values(cli)),
    ]
    values: dict[str, Any] = {}
    provenance = {name: DEFAULT for name in _FIELDS}
    for source, raw in layers:
        if source in _REPOSITORY:
            raw = _without_destinations(raw or {}, source)
        for name, value in _parse_layer(raw or {}, source).items():
            values[name] = value
            provenance[name] = source
    config = _resolve(dataclasses.replace(Config(), **values), provenance)
    return config, provenance


def user_config_path(env: Mapping[str, str]) -> Path:
    """The user's own config file: trusted for every key, unlike the repository's files."""
    override = env.get(USER_CONFIG_ENV, '').strip()
    if override:
        return Path(override).expanduser()
    import platformdirs  # imported here: the hook's fast path never loads the configuration

    return Path(platformdirs.user_config_dir('codestral-bot', appauthor=False)) / 'config.toml'


def _without_destinations(raw: Mapping[str, Any], source: str) -> dict[str, Any]:
    """A repository file's keys minus those that move requests elsewhere, said in one line."""
    kept = {}
    dropped = []
    for key, value in raw.items():
        if isinstance(key, str) and key.replace('-', '_') in DESTINATION_KEYS:
            dropped.append(key)
        else:
            kept[key] = value
    if dropped:
        logging.getLogger('codestral_bot').warning(
            '%s: ignoring %s: where requests and the API key go is set only by you '
            '(flags, environment, or your user config), never by a repository', source, ', '.join(dropped))
    return kept


def _read_toml(path: Path, label: str, root: Path | None = None) -> dict[str, Any] | None:
    """The file's table; ``root``: a repository file, which must be a regular file inside it."""
    try:
        data = _read_config_file(path, label, root)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(f'{label}: cannot read the file: {e.strerror}') from e
    try:
        return tomllib.loads(data.decode('utf-8'))
    except UnicodeDecodeError as e:
        raise ConfigError(f'{label}: the file is not UTF-8 text') from e
    except tomllib.TOMLDecodeError as e:
        # tomllib says where: "... (at line 3, column 7)".
        raise ConfigError(f'{label}: invalid TOML: {_one_line(str(e))}') from e


def _read_config_file(path: Path, label: str, root: Path | None) -> bytes:
    """At most ``MAX_CONFIG_BYTES`` of a regular file: a repository's config may be a link to
    ``/dev/zero``, a FIFO or a file outside it, none of which is configuration."""
    import stat

    real = path.resolve() if root is not None else path
    if root is not None and path.is_symlink() and not real.is_relative_to(root.resolve()):
        raise ConfigError(f'{label}: a link to a file outside the repository; not read')
    if not stat.S_ISREG(real.stat().st_mode):  # FileNotFoundError: no such file, as before
        raise ConfigError(f'{label}: not a regular file; not read')
    with real.open('rb') as f:
        data = f.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f'{label}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not read')
    return data


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    data = _read_toml(path, 'pyproject.toml', path.parent)
    tool = (data or {}).get('tool', {})
    if not isinstance(tool, dict):
        return None
    if 'codestral_bot' in tool and 'codestral-bot' not in tool:
        # A silently ignored section would be worse than an error.
        raise ConfigError("pyproject.toml: the section is [tool.codestral-bot] (with a dash), not [tool.codestral_bot]")
    table = tool.get('codestral-bot')
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f'{PYPROJECT}: must be a table of keys')
    return table


def _env_values(env: Mapping[str, str]) -> dict[str, object]:
    base = env.get('CODESTRAL_BOT_API_BASE', '').strip()
    return {'api_base': base} if base else {}


def _cli_values(cli: Mapping[str, object]) -> dict[str, object]:
    values = {}
    for key, value in cli.items():
        name = key.replace('-', '_')
        if value is not None and name in _FIELDS:
            values[name] = value
    return values


def _parse_layer(raw: Mapping[str, object], source: str) -> dict[str, object]:
    values: dict[str, object] = {}
    spelled: dict[str, str] = {}
    for key, value in raw.items():
        name = _field_name(key, source)
        if name in values:
            raise ConfigError(f'{source}: {name!r} is set twice (as {spelled[name]!r} and {key!r})')
        values[name] = _check(name, key, value, source)
        spelled[name] = key
    return values


def _field_name(key: str, source: str) -> str:
    name = key.replace('-', '_')
    if _SECRET.search(name.lower()):
        raise ConfigError(
            f'{source}: {key!r} looks like a secret; API keys are never read from files '
            '(they end up committed): set CODESTRAL_API_KEY, MISTRAL_API_KEY or OPENROUTER_API_KEY '
            'in the environment instead'
        )
    if name not in _FIELDS:
        raise ConfigError(f'{source}: unknown key {key!r}{_suggestion(key)}')
    return name


def _suggestion(key: str) -> str:
    dashed = '-' in key
    names = [n.replace('_', '-') if dashed else n for n in _FIELDS]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return f' (did you mean {close[0]!r}?)' if close else ''


def _check(name: str, key: str, value: object, source: str) -> object:
    check: _Check = _FIELDS[name].metadata['check']
    try:
        return check(value)
    except _Invalid as e:
        raise ConfigError(f'{source}: {key!r} {e}, got {_shown(value)}') from None


def _shown(value: object) -> str:
    # Echo short values so the user sees the typo; a long string may be a pasted secret.
    from codestral_bot.redact import mask_url

    text = mask_url(repr(value))
    if isinstance(value, str) and len(value) > 24:
        return f'a string of {len(value)} characters'
    return text if len(text) <= 60 else f'a {type(value).__name__}'


def _one_line(text: str) -> str:
    return ' '.join(text.split())


# --- values derived from others ---------------------------------------------------------------

def _resolve(config: Config, provenance: Mapping[str, str]) -> Config:
    """Fill the keys whose default depends on another key, so consumers read plain values."""
    fim = config.fim_provider or config.provider
    chat = config.chat_provider or config.provider
    model = config.model
    if provenance['model'] == DEFAULT:
        model = DEFAULT_MODELS[fim]
    chat_model = config.chat_model or (model if chat == fim else DEFAULT_MODELS[chat])
    # The plan table lives in pacing.plans; an rps or rpm override derives the other there.
    rps, rpm, tpm, tpd = resolve_plan(config.plan, rps=config.rps, rpm=config.rpm, tpm=config.tpm, tpd=config.tpd)
    return dataclasses.replace(
        config, fim_provider=fim, chat_provider=chat, model=model, chat_model=chat_model,
        rps=rps, rpm=_ceil(rpm), tpm=_ceil(tpm), tpd=_ceil(tpd),
    )


def _ceil(value: float | None) -> int | None:
    return None if value is None else math.ceil(value)


# --- `codestral-bot config` -------------------------------------------------------------------

_HEADER = (
    '# effective configuration; later wins: default < user config < pyproject.toml < .codestral-bot.toml'
    ' < environment < command line (api_base and the providers never from the repository)'
)

def render_config(
    config: Config,
    provenance: Mapping[str, str],
    secrets: Mapping[str, str | None],
) -> str:
    """Every key with its value and source, then each secret as only 'set' or 'not set'."""
    width = max(len(n) for n in _FIELDS) + 2
    lines = [_HEADER]
    for name, field in _FIELDS.items():
        value = _render_value(getattr(config, name), field.metadata['unset'])
        lines.append(f'{name:<{width}}{value:<28}  # {provenance.get(name, DEFAULT)}')
    lines.append('# secrets, from the environment only (values are never shown)')
    for var in sorted(secrets):
        state = 'set' if secrets[var] else 'not set'
        lines.append(f'{var:<{width}}{state}')
    return '\n'.join(lines) + '\n'


def _render_value(value: object, unset: str) -> str:
    if value is None:
        return f'(unset: {unset})' if unset else '(unset)'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, str):
        from codestral_bot.redact import mask_url

        return _quote(mask_url(value))
    if isinstance(value, tuple):
        listed = '[' + ', '.join(_quote(v) for v in value) + ']'
        return f'{listed} ({unset})' if unset and not value else listed
    return f'{value:g}' if isinstance(value, float) else str(value)


def _quote(text: str) -> str:
    escaped = text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
    return f'"{escaped}"'
