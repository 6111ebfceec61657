"""Item 7: text from models, files and file names never reaches a terminal or a workflow command raw."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from codestral_bot.output import clean
from codestral_bot.github.actions import annotation
from codestral_bot.github.items import Item
from tests.fakes.codestral import FakeCodestral
from tests.repo_util import run_cli
from tests.security._util import bot_env
from tests.security._util import stub_repo

CONTROLS = ['\x1b', '\x07', '\x9b', '\x9d', '\u202e', '\u2066', '\x08', '\x00']
NASTY = 'return "\x1b[1A\x1b[2K\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x9b2J\u202eevil"  # \x07\x08'


def _raw_controls(text: str) -> list[str]:
    return [c for c in CONTROLS if c in text]


def test_fill_with_escape_sequences_is_shown_escaped(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    fake_codestral.enqueue('fim', NASTY)
    result = run_cli(['review', '--no-comments'], root, bot_env(tmp_path, fake_codestral))
    assert result.returncode == 1, result.stderr
    assert _raw_controls(result.stdout + result.stderr) == []
    assert '\\x1b[1A' in result.stdout and '\\u202e' in result.stdout


def test_finding_with_escape_sequences_is_shown_escaped(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    message = 'Looks fine.\x1b[2K\x1b[1A\x1b[2K\r\x07 all good \x9b'
    fake_codestral.enqueue('chat', json.dumps({'findings': [
        {'path': 'geo.py', 'line': 6, 'end_line': None, 'severity': 'warning', 'message': message,
         'suggestion': None}]}))
    result = run_cli(['review', '--no-fill'], root, bot_env(tmp_path, fake_codestral))
    assert result.returncode in (0, 1), result.stderr
    assert _raw_controls(result.stdout + result.stderr) == []
    assert '\r' not in result.stdout


def test_json_output_stays_valid_json(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    fake_codestral.enqueue('fim', NASTY)
    result = run_cli(['review', '--no-comments', '--json'], root, bot_env(tmp_path, fake_codestral))
    data = json.loads(result.stdout)
    assert '\u202e' in json.dumps(data, ensure_ascii=False)  # the data itself is kept, only shown escaped
    assert _raw_controls(result.stdout) == []


@pytest.mark.parametrize('char', CONTROLS)
def test_clean_escapes_every_control(char: str) -> None:
    assert char not in clean(f'a{char}b') and char not in clean(f'a{char}b', one_line=True)


def test_clean_keeps_text_and_crlf_line_ends() -> None:
    assert clean('tab\tand\r\nnew line\n') == 'tab\tand\r\nnew line\n'
    assert clean('a\rb') == 'a\\rb'
    assert clean('a\nb', one_line=True) == 'a\\nb'


def test_workflow_command_data_and_properties_are_escaped() -> None:
    item = Item('finding', 'dir/a:b,c%.py', 3, 4, 'warning',
                'bad\r\n::error file=x::pwned %0A\n::add-mask::x', 'f' * 64)
    line = annotation(item)
    assert '\n' not in line and '\r' not in line
    head, _, data = line.partition('::')[2].partition('::')
    assert 'file=dir/a%3Ab%2Cc%25.py' in head
    assert '%0D%0A::error' in data and '%250A' in data


def test_model_text_cannot_issue_workflow_commands(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    message = 'Fine.\n::add-mask::hunter2\n  ::stop-commands::token\n##[set-output name=x;]y'
    fake_codestral.enqueue('chat', json.dumps({'findings': [
        {'path': 'geo.py', 'line': 6, 'end_line': None, 'severity': 'warning', 'message': message,
         'suggestion': '::error file=geo.py::pwned'}]}))
    result = run_cli(['review', '--no-fill'], root, bot_env(tmp_path, fake_codestral, GITHUB_ACTIONS='true'))
    assert result.returncode in (0, 1), result.stderr
    for line in (result.stdout + result.stderr).splitlines():
        assert not line.lstrip().startswith(('::', '##[')), line


def test_clean_defuses_command_lines_only_at_line_start() -> None:
    assert clean('::warning::x\nok a::b') == '\\::warning::x\nok a::b'
    assert clean('  ##[group]x') == '\\  ##[group]x'
