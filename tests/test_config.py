from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from codestral_bot.config import COMMAND_LINE
from codestral_bot.config import DOTFILE
from codestral_bot.config import PYPROJECT
from codestral_bot.config import Config
from codestral_bot.config import load_config
from codestral_bot.config import render_config
from codestral_bot.errors import ConfigError


def _write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding='utf-8')


def _load(root: Path, cli: dict[str, object] | None = None, env: dict[str, str] | None = None,
          ) -> tuple[Config, dict[str, str]]:
    return load_config(root, cli or {}, env=env or {})


def _error(root: Path, cli: dict[str, object] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        _load(root, cli)
    message = str(info.value)
    assert '\n' not in message
    return message


def test_defaults_without_files(tmp_path: Path) -> None:
    config, provenance = _load(tmp_path)
    assert config.provider == 'mistral'
    assert config.model == 'codestral-latest'
    assert config.max_tokens == 512
    assert config.plan == 'payg'
    assert (config.rpm, config.tpm, config.tpd) == (300, 1_000_000, None)
    assert config.languages == ('python', 'javascript', 'typescript', 'go', 'rust', 'java')
    assert 'package-lock.json' in config.exclude
    assert set(provenance) == {f.name for f in dataclasses.fields(Config)}
    assert set(provenance.values()) == {'default'}


def test_precedence_defaults_pyproject_dotfile_cli(tmp_path: Path) -> None:
    _write(tmp_path, 'pyproject.toml', '[project]\nname = "x"\n\n[tool.codestral-bot]\n'
           'max_tokens = 100\ntemperature = 0.1\nmax_stubs = 7\n')
    _write(tmp_path, '.codestral-bot.toml', 'temperature = 0.3\nmax_stubs = 8\n')
    config, provenance = _load(tmp_path, {'max_stubs': 9})
    assert (config.max_tokens, config.temperature, config.max_stubs) == (100, 0.3, 9)
    assert config.suffix_tokens == 1000
    assert provenance['max_tokens'] == PYPROJECT == 'pyproject.toml [tool.codestral-bot]'
    assert provenance['temperature'] == DOTFILE == '.codestral-bot.toml'
    assert provenance['max_stubs'] == COMMAND_LINE == 'command line'
    assert provenance['suffix_tokens'] == 'default'


def test_cli_ignores_none_and_non_config_flags(tmp_path: Path) -> None:
    _write(tmp_path, '.codestral-bot.toml', 'max_tokens = 99\n')
    config, provenance = _load(tmp_path, {'max_tokens': None, 'staged': True, 'command': 'review'})
    assert config.max_tokens == 99
    assert provenance['max_tokens'] == DOTFILE


def test_pyproject_without_section_is_ignored(tmp_path: Path) -> None:
    empty, project = tmp_path / 'empty', tmp_path / 'project'
    empty.mkdir()
    project.mkdir()
    _write(project, 'pyproject.toml', '[tool.black]\nline-length = 100\n')
    assert _load(project) == _load(empty)


@pytest.mark.parametrize('spelling', ['max-tokens', 'max_tokens'])
def test_dashes_and_underscores(tmp_path: Path, spelling: str) -> None:
    _write(tmp_path, '.codestral-bot.toml', f'{spelling} = 64\nmax-comments-per-file = 3\n')
    config, _ = _load(tmp_path, {'prompt-tokens': 500})
    assert (config.max_tokens, config.max_comments_per_file, config.prompt_tokens) == (64, 3, 500)


def test_same_key_twice_in_one_file(tmp_path: Path) -> None:
    _write(tmp_path, '.codestral-bot.toml', 'max-tokens = 64\nmax_tokens = 65\n')
    assert "'max_tokens' is set twice" in _error(tmp_path)


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    _write(tmp_path, '.codestral-bot.toml', 'max_tokenz = 64\n')
    assert _error(tmp_path) == ".codestral-bot.toml: unknown key 'max_tokenz' (did you mean 'max_tokens'?)"


def test_unknown_dashed_key_suggests_dashed_spelling(tmp_path: Path) -> None:
    _write(tmp_path, 'pyproject.toml', '[tool.codestral-bot]\nbudget-dolars = 1\n')
    message = _error(tmp_path)
    assert message.startswith('pyproject.toml [tool.codestral-bot]: ')
    assert "unknown key 'budget-dolars' (did you mean 'budget-dollars'?)" in message


def test_unknown_key_without_close_match(tmp_path: Path) -> None:
    _write(tmp_path, '.codestral-bot.toml', 'zzz = 1\n')
    assert _error(tmp_path) == ".codestral-bot.toml: unknown key 'zzz'"


@pytest.mark.parametrize(('line', 'expected'), [
    ("temperature = 'hot'", "'temperature' must be a number from 0 to 1.5, got 'hot'"),
    ('temperature = 2', "'temperature' must be a number from 0 to 1.5, got 2"),
    ('max_tokens = 0', "'max_tokens' must be a whole number of at least 1, got 0"),
    ('max_tokens = 1.5', "'max_tokens' must be a whole number of at least 1, got 1.5"),
    ('max_stubs = true', "'max_stubs' must be a whole number of at least 1, got True"),
    ("plan = 'gold'", "'plan' must be one of 'free', 'payg', 'enterprise', 'custom', got 'gold'"),
    ("cache = 'yes'", "'cache' must be true or false, got 'yes'"),
    ('stop = "\\n\\n"', "'stop' must be a list of strings, got '\\n\\n'"),
    ('exclude = [1, 2]', "'exclude' must be a list of strings, got [1, 2]"),
    ("languages = ['cobol']", "'languages' must be a non-empty list of 'python', "),
    ('budget_dollars = 0', "'budget_dollars' must be a number greater than 0, got 0"),
    ("fail_on = 'never'", "'fail_on' must be one of 'error', 'warning', 'info', got 'never'"),
])
def test_wrong_types_and_ranges(tmp_path: Path, line: str, expected: str) -> None:
    _write(tmp_path, 'pyproject.toml', f'[tool.codestral-bot]\n{line}\n')
    message = _error(tmp_path)
    assert message.startswith(f'pyproject.toml [tool.codestral-bot]: {expected}')


@pytest.mark.parametrize(('line', 'expected'), [
    ("provider = 'openai'", "'provider' must be one of 'mistral', 'ollama', 'openrouter', got 'openai'"),
    ("api_base = 'localhost:8080'", "'api_base' must be an http:// or https:// URL, got 'localhost:8080'"),
])
def test_wrong_destination_in_user_config(tmp_path: Path, line: str, expected: str) -> None:
    # Destination keys are read only from the user's own file (the repository's are ignored).
    _write(tmp_path, 'user.toml', f'{line}\n')
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, env={'CODESTRAL_BOT_CONFIG': str(tmp_path / 'user.toml')})
    assert str(info.value).startswith(f'user config {tmp_path / "user.toml"}: {expected}')


def test_wrong_value_on_command_line(tmp_path: Path) -> None:
    assert _error(tmp_path, {'temperature': 9.0}).startswith("command line: 'temperature' must be")


def test_long_bad_value_is_not_echoed(tmp_path: Path) -> None:
    pasted = 'x' * 40
    _write(tmp_path, '.codestral-bot.toml', f"model = {40 * 'x'!r}\nmax_tokens = '{pasted}'\n")
    message = _error(tmp_path)
    assert pasted not in message
    assert 'a string of 40 characters' in message


@pytest.mark.parametrize('name', ['pyproject.toml', '.codestral-bot.toml'])
def test_invalid_toml_names_file_and_position(tmp_path: Path, name: str) -> None:
    _write(tmp_path, name, 'model = "a"\nmax_tokens = = 3\n')
    message = _error(tmp_path)
    assert message.startswith(f'{name}: invalid TOML: ')
    assert 'line 2' in message


@pytest.mark.parametrize('key', ['api_key', 'api-key', 'codestral_api_key', 'github-token'])
def test_api_key_in_file_is_refused(tmp_path: Path, key: str) -> None:
    _write(tmp_path, '.codestral-bot.toml', f"{key} = 'sk-secret-value'\n")
    message = _error(tmp_path)
    assert message.startswith(f'.codestral-bot.toml: {key!r} looks like a secret')
    assert 'environment' in message
    assert 'sk-secret-value' not in message


def test_misspelled_section_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, 'pyproject.toml', '[tool.codestral_bot]\nmax_tokens = 3\n')
    assert '[tool.codestral-bot]' in _error(tmp_path)


def test_api_base_from_environment_between_files_and_cli(tmp_path: Path) -> None:
    _write(tmp_path, 'user.toml', "api_base = 'https://file.example'\n")
    env = {'CODESTRAL_BOT_CONFIG': str(tmp_path / 'user.toml')}
    config, provenance = _load(tmp_path, env=env)
    assert config.api_base == 'https://file.example'
    env['CODESTRAL_BOT_API_BASE'] = 'http://127.0.0.1:9/'
    config, provenance = _load(tmp_path, env=env)
    assert config.api_base == 'http://127.0.0.1:9'
    assert provenance['api_base'] == 'environment (CODESTRAL_BOT_API_BASE)'
    config, provenance = _load(tmp_path, {'api_base': 'https://cli.example'}, env=env)
    assert (config.api_base, provenance['api_base']) == ('https://cli.example', COMMAND_LINE)


def test_derived_defaults_follow_provider_and_plan(tmp_path: Path) -> None:
    _write(tmp_path, 'user.toml', "provider = 'ollama'\nchat_provider = 'openrouter'\n")
    _write(tmp_path, '.codestral-bot.toml', "plan = 'free'\n")
    config, _ = _load(tmp_path, env={'CODESTRAL_BOT_CONFIG': str(tmp_path / 'user.toml')})
    assert (config.fim_provider, config.model) == ('ollama', 'codestral:22b')
    assert (config.chat_provider, config.chat_model) == ('openrouter', 'mistralai/codestral-2508')
    assert (config.rpm, config.tpm, config.tpd) == (30, 100_000, 2_000_000)


def test_explicit_values_beat_derived_ones(tmp_path: Path) -> None:
    _write(tmp_path, '.codestral-bot.toml', "model = 'codestral-2508'\nplan = 'free'\nrpm = 12\n")
    config, _ = _load(tmp_path)
    assert (config.model, config.chat_model, config.chat_provider) == ('codestral-2508', 'codestral-2508', 'mistral')
    assert (config.rpm, config.tpm) == (12, 100_000)


def test_render_lists_every_key_with_source_and_masks_secrets(tmp_path: Path) -> None:
    _write(tmp_path, '.codestral-bot.toml', 'stop = ["\\n\\n"]\n')
    config, provenance = _load(tmp_path, {'max_tokens': 77})
    secret = 'sk-abcdef1234567890'
    text = render_config(config, provenance, {'CODESTRAL_API_KEY': secret, 'MISTRAL_API_KEY': None,
                                              'OPENROUTER_API_KEY': ''})
    lines = {line.split()[0]: line for line in text.splitlines() if not line.startswith('#')}
    for field in dataclasses.fields(Config):
        assert field.name in lines
    assert lines['max_tokens'].split()[1:] == ['77', '#', 'command', 'line']
    assert lines['stop'].endswith('# .codestral-bot.toml')
    assert '"\\n\\n"' in lines['stop']
    assert lines['temperature'].split()[1] == '0.2'
    assert lines['CODESTRAL_API_KEY'].split()[1:] == ['set']
    assert lines['MISTRAL_API_KEY'].split()[1:] == ['not', 'set']
    assert lines['OPENROUTER_API_KEY'].split()[1:] == ['not', 'set']
    assert secret not in text
    assert secret[-4:] not in text
