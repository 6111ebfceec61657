"""A developer's TODO written above a brace-language function leaves the file with the fill.

The TODO is the stub's evidence (an empty body with a `// TODO: implement` over it) or comes with
it (over `todo!()`, a zero return); once the body is written it is stale. The fill removes the
TODO comment's lines and nothing else: doc comments, attributes, annotations and decorators
between it and the header stay byte for byte, and so does the rest of a doc comment the TODO
is one paragraph of. Real CLI runs (``review --staged --apply`` / ``--patch``) in real git
repositories against the fake Codestral API.
"""
from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

import pytest

from codestral_bot.github.items import suggestion_item
from codestral_bot.records import FileChange
from codestral_bot.records import Fill
from codestral_bot.sources import decode_source
from codestral_bot.stubs import find_stubs
from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import root_of
from tests.repo_util import run_cli
from tests.repo_util import write


@dataclasses.dataclass(frozen=True)
class Case:
    path: str
    stubbed: str
    answer: str  # what the (perfect) model returns: the body, without its first line's indent
    filled: str  # the file after --apply


CASES = {
    'go-empty-body-under-doc': Case(
        'calc/add.go',
        'package calc\n\n// Add returns the sum of a and b.\n// TODO: implement\nfunc Add(a, b int) int {\n}\n',
        'return a + b',
        'package calc\n\n// Add returns the sum of a and b.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n',
    ),
    'go-braces-on-one-line': Case(
        'calc/sub.go',
        'package calc\n\n// TODO: implement Sub\nfunc Sub(a, b int) int {}\n\nvar x = 1\n',
        'return a - b',
        'package calc\n\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n\nvar x = 1\n',
    ),
    'go-zero-return': Case(
        'calc/mul.go',
        'package calc\n\n// TODO: implement Mul\nfunc Mul(a, b int) int {\n\treturn 0\n}\n',
        'return a * b',
        'package calc\n\nfunc Mul(a, b int) int {\n\treturn a * b\n}\n',
    ),
    'rust-above-an-attribute': Case(
        'src/lib.rs',
        '// TODO: implement add\n#[inline]\npub fn add(a: i32, b: i32) -> i32 {\n}\n',
        'a + b',
        '#[inline]\npub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n',
    ),
    'rust-last-line-of-a-doc-comment-over-todo-macro': Case(
        'src/lib.rs',
        '/// Adds a and b.\n/// TODO: implement\npub fn add(a: i32, b: i32) -> i32 {\n    todo!()\n}\n',
        'a + b',
        '/// Adds a and b.\npub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n',
    ),
    'java-above-an-annotation': Case(
        'src/Calc.java',
        'class Calc {\n    /** Adds a and b. */\n    // TODO: implement\n    @Override\n'
        '    public int add(int a, int b) {\n    }\n}\n',
        'return a + b;',
        'class Calc {\n    /** Adds a and b. */\n    @Override\n    public int add(int a, int b) {\n'
        '        return a + b;\n    }\n}\n',
    ),
    'java-paragraph-of-a-javadoc': Case(
        'src/Calc.java',
        'class Calc {\n    /**\n     * Subtracts b from a.\n     *\n     * TODO: implement\n     * @return the difference\n'
        '     */\n    public int sub(int a, int b) {\n    }\n}\n',
        'return a - b;',
        'class Calc {\n    /**\n     * Subtracts b from a.\n     *\n     * @return the difference\n'
        '     */\n    public int sub(int a, int b) {\n        return a - b;\n    }\n}\n',
    ),
    'java-todo-sharing-the-opening-line-of-a-javadoc-stays': Case(  # no whole line is the TODO's own
        'src/Calc.java',
        'class Calc {\n    /** TODO: implement. Negates a.\n     * @param a the value */\n    public int neg(int a) {\n    }\n}\n',
        'return -a;',
        'class Calc {\n    /** TODO: implement. Negates a.\n     * @param a the value */\n    public int neg(int a) {\n'
        '        return -a;\n    }\n}\n',
    ),
    'go-after-the-closing-brace': Case(
        'calc/neg.go',
        'package calc\n\nfunc Neg(a int) int {} // TODO: implement\n\nvar x = 1\n',
        'return -a',
        'package calc\n\nfunc Neg(a int) int {\n\treturn -a\n}\n\nvar x = 1\n',
    ),
    'javascript-after-the-closing-brace': Case(
        'lib/neg.js',
        'function neg(a) {} // TODO: implement\nmodule.exports = { neg };\n',
        'return -a;',
        'function neg(a) {\n  return -a;\n}\nmodule.exports = { neg };\n',
    ),
    'typescript-after-the-closing-brace-and-semicolon': Case(
        'src/neg.ts',
        'export const neg = (a: number): number => {};  // TODO: implement\n',
        'return -a',
        'export const neg = (a: number): number => {\n  return -a\n};\n',
    ),
    'javascript-a-block-comment-that-is-only-the-todo': Case(
        'lib/add.js',
        '/**\n * TODO: implement\n */\nfunction add(a, b) {\n}\n\nmodule.exports = { add };\n',
        'return a + b;',
        'function add(a, b) {\n  return a + b;\n}\n\nmodule.exports = { add };\n',
    ),
    'javascript-above-export': Case(
        'lib/sub.mjs',
        'export const one = 1;\n\n// TODO: implement\nexport function sub(a, b) {}\n',
        'return a - b;',
        'export const one = 1;\n\nexport function sub(a, b) {\n  return a - b;\n}\n',
    ),
    'typescript-above-export-zero-return': Case(
        'src/add.ts',
        '// TODO: implement add\nexport function add(a: number, b: number): number {\n  return 0\n}\n',
        'return a + b',
        'export function add(a: number, b: number): number {\n  return a + b\n}\n',
    ),
    'typescript-above-a-decorator': Case(
        'src/cart.ts',
        'class Cart {\n  items: number[] = []\n\n  // TODO: implement\n  @memo\n  total(): number {\n  }\n}\n',
        'return this.items.reduce((a, b) => a + b, 0)',
        'class Cart {\n  items: number[] = []\n\n  @memo\n  total(): number {\n'
        '    return this.items.reduce((a, b) => a + b, 0)\n  }\n}\n',
    ),
    'typescript-multi-line-block-todo': Case(
        'src/sub.ts',
        'const twice = (a: number): number => {\n  return 2 * a\n}\n\n'
        '/* TODO: implement sub,\n   the long way */\nexport const sub = (a: number, b: number): number => {\n}\n',
        'return a - b',
        'const twice = (a: number): number => {\n  return 2 * a\n}\n\n'
        'export const sub = (a: number, b: number): number => {\n  return a - b\n}\n',
    ),
}


def _env(fake: FakeCodestral, tmp_path: Path) -> dict[str, str]:
    return cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake.url,
                   CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))


def _review(repo: Any, fake: FakeCodestral, tmp_path: Path, case: Case, *options: str) -> Path:
    target = write(repo, case.path, case.stubbed.encode('utf-8'))
    repo.git.add('-A')
    fake.responder = lambda body: case.answer
    result = run_cli(['review', '--staged', '--no-comments', *options], root_of(repo), _env(fake, tmp_path))
    assert result.returncode in (0, 1), result.stderr
    assert fake.count('fim') == 1, result.stderr
    return target


@pytest.mark.parametrize('name', CASES)
def test_apply_removes_the_todo_above_and_keeps_the_docs(repo: Any, fake_codestral: FakeCodestral,
                                                         tmp_path: Path, name: str) -> None:
    case = CASES[name]
    target = _review(repo, fake_codestral, tmp_path, case, '--apply')
    assert target.read_bytes().decode('utf-8') == case.filled


@pytest.mark.parametrize('name', ['go-empty-body-under-doc', 'java-paragraph-of-a-javadoc',
                                  'javascript-a-block-comment-that-is-only-the-todo', 'javascript-after-the-closing-brace'])
def test_the_patch_removes_the_todo_above(repo: Any, fake_codestral: FakeCodestral, tmp_path: Path,
                                          name: str) -> None:
    case = CASES[name]
    patch = tmp_path / 'fills.patch'
    target = _review(repo, fake_codestral, tmp_path, case, '--patch', str(patch))
    assert target.read_bytes().decode('utf-8') == case.stubbed  # --patch writes no source file
    subprocess.run(['git', 'apply', str(patch)], cwd=root_of(repo), check=True)
    assert target.read_bytes().decode('utf-8') == case.filled


@pytest.mark.parametrize('name', ['java-above-an-annotation', 'go-braces-on-one-line', 'go-after-the-closing-brace'])
def test_crlf_and_a_missing_final_newline_keep_their_bytes(repo: Any, fake_codestral: FakeCodestral,
                                                           tmp_path: Path, name: str) -> None:
    case = CASES[name]
    crlf = Case(case.path, case.stubbed.replace('\n', '\r\n').removesuffix('\r\n'), case.answer,
                case.filled.replace('\n', '\r\n').removesuffix('\r\n'))
    target = _review(repo, fake_codestral, tmp_path, crlf, '--apply')
    assert target.read_bytes() == crlf.filled.encode('utf-8')


def test_the_prompt_keeps_the_todo_above_when_the_prefix_is_cut(repo: Any, fake_codestral: FakeCodestral,
                                                               tmp_path: Path) -> None:
    """The TODO, the lines under it and the header end the prompt even when a small budget cuts
    the prefix to a few lines: it is the model's instruction."""
    filler = ''.join(f'// Note {i}: a long comment line that only spends prompt tokens here.\n' for i in range(40))
    header = 'export function add(\n  a: number,\n  b: number,\n): number {\n'
    case = Case('src/add.ts', f'{filler}\n// TODO: implement\n{header}}}\n', 'return a + b', '')
    _review(repo, fake_codestral, tmp_path, case, '--prompt-tokens', '20')
    prompt = fake_codestral.requests[-1].json['prompt']
    assert prompt.endswith(f'\n// TODO: implement\n{header}  ')
    assert 'Note 0:' not in prompt


def test_a_todo_above_goes_with_the_one_inside(repo: Any, fake_codestral: FakeCodestral, tmp_path: Path) -> None:
    """A TODO in the body too: both asked for the body, both are stale once it is written."""
    case = Case(
        'calc/div.go',
        'package calc\n\n// TODO: implement Div\nfunc Div(a, b int) int {\n\t// TODO: implement, rounding down\n}\n',
        'return a / b',
        'package calc\n\nfunc Div(a, b int) int {\n\treturn a / b\n}\n',
    )
    target = _review(repo, fake_codestral, tmp_path, case, '--apply')
    assert target.read_bytes().decode('utf-8') == case.filled


def _filled(case: Case) -> tuple[Fill, Any]:
    source = decode_source(case.path, case.stubbed.encode())
    (stub,) = find_stubs(case.path, source.text)
    return Fill(stub=stub, status='filled', replacement=stub.lead + case.answer + stub.tail), source


def test_a_pull_request_suggestion_takes_the_todo_line_out_too() -> None:
    case = CASES['go-empty-body-under-doc']  # line 4: the TODO, 5: the header, 6: the closing brace
    fill, source = _filled(case)
    change = FileChange(case.path, None, 'added', frozenset(range(1, 7)), ((1, 6),))
    item = suggestion_item(fill, source, change, True)
    assert (item.start_line, item.line, item.problem) == (4, 6, None)
    assert item.suggestion == 'func Add(a, b int) int {\n\treturn a + b\n}'


def test_a_todo_line_outside_the_hunk_leaves_the_suggestion_to_the_body() -> None:
    case = CASES['java-above-an-annotation']  # line 3: the TODO, 5: the header, 6: the closing brace
    fill, source = _filled(case)
    change = FileChange(case.path, case.path, 'modified', frozenset({5, 6}), ((4, 7),))
    item = suggestion_item(fill, source, change, True)
    assert (item.start_line, item.line, item.problem) == (5, 6, None)
    assert item.suggestion == '    public int add(int a, int b) {\n        return a + b;\n    }'
