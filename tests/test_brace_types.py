"""Type evidence in the brace languages: a declared result over an empty body is a stub.

`func Add(a, b int) int {}`, `fn add(a: u32) -> u32 {}`, `int add(int a) {}` and
`function add(a: number): number {}` do not compile (Go "missing return", Rust E0308, Java
"missing return statement", TypeScript TS2355), so committed code never holds one: the body is
work left to do, with or without a TODO. Results an empty body satisfies (`void`, `()`, `!`,
`Promise<void>` of an async function, an `impl` of traits `()` has) and functions without a body
(overloads, `declare`, abstract and interface methods, trait signatures) are never stubs.
Direct ``find_stubs`` checks, then real CLI runs in real git repositories against the fake
Codestral API, then the perfect-model round trip over ``tests/roundtrip/``.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from codestral_bot.commands._common import stub_hint
from codestral_bot.github.items import suggestion_item
from codestral_bot.records import FileChange
from codestral_bot.records import Fill
from codestral_bot.records import Skipped
from codestral_bot.sources import decode_source
from codestral_bot.stubs import find_stubs
from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import root_of
from tests.repo_util import run_cli
from tests.repo_util import write
from tests.test_todo_above import Case
from tests.test_todo_above import _review
from tests.test_todo_roundtrip import FILES
from tests.test_todo_roundtrip import ROUNDTRIP
from tests.test_todo_roundtrip import apply_perfect_fills
from tests.test_todo_roundtrip import _bodies
from tests.test_todo_roundtrip import _indent
from tests.test_todo_roundtrip import Replaced

EVIDENCE = 'declared return type over an empty body: `{}`'

# ---------------------------------------------------------------------------------------------
# find_stubs: each language's declared results that need a value

POSITIVE = {
    'go-function': ('a.go', 'package a\n\nfunc Add(a, b int) int {\n}\n', 'Add', 'int'),
    'go-one-line': ('a.go', 'package a\n\nfunc Add(a, b int) int {}\n', 'Add', 'int'),
    'go-two-results': ('a.go', 'package a\n\nfunc (s *Store) Get(k string) (int, error) {\n}\n',
                       'Store.Get', '(int, error)'),
    'go-named-results': ('a.go', 'package a\n\nfunc Count() (n int) {\n}\n', 'Count', '(n int)'),
    'go-comment-only': ('a.go', 'package a\n\nfunc Add(a, b int) int {\n\t// the sum, overflow wraps\n}\n',
                        'Add', 'int'),
    'go-func-literal': ('a.go', 'package a\n\nvar check = func() error {\n}\n', 'check', 'error'),
    'rust-function': ('src/lib.rs', 'pub fn add(a: u32) -> u32 {\n}\n', 'add', 'u32'),
    'rust-result-of-unit': ('src/lib.rs', 'fn run() -> Result<(), Error> {}\n', 'run', 'Result<(), Error>'),
    'rust-impl-iterator': ('src/lib.rs', 'fn evens() -> impl Iterator<Item = u32> {\n}\n', 'evens',
                           'impl Iterator<Item = u32>'),
    'rust-impl-fn-and-send': ('src/lib.rs', 'fn adder() -> impl Fn(u8) -> u8 + Send {}\n', 'adder',
                              'impl Fn(u8) -> u8 + Send'),
    'rust-trait-default-method': ('src/lib.rs', 'trait Shape {\n    fn area(&self) -> f64 {\n    }\n}\n',
                                  'Shape.area', 'f64'),
    'rust-method-comment-only': ('src/lib.rs', 'impl Cart {\n    pub fn total(&self) -> u64 {\n'
                                 '        // sum of the line items\n    }\n}\n', 'Cart.total', 'u64'),
    'rust-closure': ('src/lib.rs', 'fn f() {\n    let g = |x: u8| -> u8 {};\n    g(1);\n}\n', 'f.g', 'u8'),
    'java-method': ('src/Calc.java', 'class Calc {\n    int add(int a, int b) {\n    }\n}\n', 'Calc.add', 'int'),
    'java-generic': ('src/Calc.java', 'class Calc {\n    <T> List<T> first(List<T> xs) {}\n}\n',
                     'Calc.first', 'List<T>'),
    'java-comment-only': ('src/Calc.java', 'class Calc {\n    public String name() {\n'
                          '        /* the display name */\n    }\n}\n', 'Calc.name', 'String'),
    'java-interface-default': ('src/Sized.java', 'interface Sized {\n    default int size() {\n    }\n}\n',
                               'Sized.size', 'int'),
    'java-base-class': ('src/BaseCalc.java', 'abstract class BaseCalc {\n    int add(int a, int b) {}\n}\n',
                        'BaseCalc.add', 'int'),
    'ts-function': ('src/a.ts', 'export function add(a: number): number {\n}\n', 'add', 'number'),
    'ts-arrow': ('src/a.ts', 'export const add = (a: number, b: number): number => {\n}\n', 'add', 'number'),
    'ts-method': ('src/a.ts', 'class Cart {\n  total(): number {\n  }\n}\n', 'Cart.total', 'number'),
    'ts-getter': ('src/a.ts', 'class Cart {\n  get size(): number {}\n}\n', 'Cart.size', 'number'),
    'ts-async-promise-of-a-value': ('src/a.ts', 'async function load(): Promise<string> {\n}\n', 'load',
                                    'Promise<string>'),
    'ts-promise-of-void-not-async': ('src/a.ts', 'function later(): Promise<void> {\n}\n', 'later',
                                     'Promise<void>'),
    'ts-type-predicate': ('src/a.ts', 'function isName(x: unknown): x is string {\n}\n', 'isName', 'x is string'),
    'ts-comment-only': ('src/a.ts', 'function add(a: number): number {\n  // a + b, rounded\n}\n', 'add', 'number'),
    'tsx-function': ('src/a.tsx', 'export function label(n: number): string {\n}\n', 'label', 'string'),
}


@pytest.mark.parametrize('case', POSITIVE)
def test_a_declared_result_over_an_empty_body_is_a_stub(case: str) -> None:
    path, text, name, declared = POSITIVE[case]
    (stub,) = find_stubs(path, text)
    assert (stub.name, stub.kind, stub.evidence) == (name, 'empty-typed', EVIDENCE.format(declared))
    assert stub.todo_span is None


NEGATIVE = {
    'go-no-result': ('a.go', 'package a\n\nfunc Reset() {\n}\n'),
    'go-interface': ('a.go', 'package a\n\ntype Sizer interface {\n\tSize() int\n}\n'),
    'go-assembly-declaration': ('a.go', 'package a\n\nfunc add(a, b int) int\n'),
    'rust-no-return-type': ('src/lib.rs', 'fn reset() {\n}\n'),
    'rust-unit': ('src/lib.rs', 'fn reset() -> () {}\n'),
    'rust-never': ('src/lib.rs', 'fn stop() -> ! {\n}\n'),
    'rust-impl-debug': ('src/lib.rs', 'fn nothing() -> impl std::fmt::Debug + Clone {}\n'),
    'rust-impl-unknown-trait': ('src/lib.rs', 'async fn handler() -> impl IntoResponse {}\n'),
    'rust-trait-signature': ('src/lib.rs', 'trait Shape {\n    fn area(&self) -> f64;\n}\n'),
    'rust-extern-block': ('src/lib.rs', 'extern "C" {\n    fn abs(x: i32) -> i32;\n}\n'),
    'java-void': ('src/Calc.java', 'class Calc {\n    void reset() {\n    }\n}\n'),
    'java-constructor': ('src/Calc.java', 'class Calc {\n    Calc() {\n    }\n}\n'),
    'java-abstract': ('src/Calc.java', 'abstract class Calc {\n    abstract int add(int a, int b);\n}\n'),
    'java-interface-method': ('src/Calc.java', 'interface Calc {\n    int add(int a, int b);\n}\n'),
    'java-native': ('src/Calc.java', 'class Calc {\n    native int add(int a, int b);\n}\n'),
    'java-lambda': ('src/Calc.java', 'class Calc {\n    Runnable r = () -> {};\n}\n'),
    'ts-void': ('src/a.ts', 'function reset(): void {\n}\n'),
    'ts-undefined': ('src/a.ts', 'function reset(): undefined {}\n'),
    'ts-any': ('src/a.ts', 'function anything(): any {}\n'),
    'ts-unknown': ('src/a.ts', 'function anything(): unknown {}\n'),
    'ts-never': ('src/a.ts', 'function stop(): never {}\n'),
    'ts-union-with-void': ('src/a.ts', 'function maybe(): number | void {}\n'),
    'ts-async-promise-void': ('src/a.ts', 'async function save(): Promise<void> {\n}\n'),
    'ts-async-arrow-promise-void': ('src/a.ts', 'const save = async (): Promise<void> => {};\n'),
    'ts-no-annotation': ('src/a.ts', 'function reset() {\n}\n'),
    'ts-constructor': ('src/a.ts', 'class Cart {\n  constructor(private items: number[]) {}\n}\n'),
    'ts-asserts': ('src/a.ts', 'function check(x: unknown): asserts x is string {}\n'),
    'ts-generator': ('src/a.ts', 'function* ids(): Generator<number> {}\nclass C {\n  *keys(): Iterable<string> {}\n}\n'),
    'ts-overloads': ('src/a.ts', 'function pick(x: string): string;\nfunction pick(x: number): number;\n'
                     'function pick(x: any): any {}\n'),
    'ts-declare-function': ('src/a.ts', 'declare function sum(a: number): number;\n'),
    'ts-declare-module': ('src/a.ts', "declare module 'calc' {\n  export function sum(a: number): number;\n}\n"),
    'ts-abstract': ('src/a.ts', 'abstract class Shape {\n  abstract area(): number;\n}\n'),
    'ts-interface-method': ('src/a.ts', 'interface Shape {\n  area(): number;\n}\n'),
    'ts-nocheck': ('src/a.ts', '// @ts-nocheck\nexport function add(a: number): number {}\n'),
    'ts-ignore': ('src/a.ts', '// @ts-ignore\nexport function add(a: number): number {}\n'),
    'ts-declaration-file': ('src/a.d.ts', 'export function add(a: number): number {}\n'),
    'javascript': ('src/a.js', 'function add(a, b) {\n}\n'),
}


@pytest.mark.parametrize('case', NEGATIVE)
def test_a_result_an_empty_body_satisfies_or_no_body_is_not_a_stub(case: str) -> None:
    path, text = NEGATIVE[case]
    skipped: list[Skipped] = []
    assert find_stubs(path, text, skipped) == []
    assert skipped == []  # never a candidate, so never a skip to report


@pytest.mark.parametrize(('path', 'text', 'reason'), [
    ('a.go', 'package a\n\nfunc Size() int {\n\t// unreachable: the caller checks first\n}\n',
     "marked as never run ('unreachable')"),
    ('src/Calc.java', 'class Calc {\n    // never called: the proxy answers\n    int add(int a, int b) {}\n}\n',
     "marked as never run ('never called')"),
    ('src/lib.rs', '#[test]\nfn answer() -> Result<(), String> {}\n', 'a #[test] function'),
])
def test_intent_markers_and_rust_tests_still_turn_it_down(path: str, text: str, reason: str) -> None:
    skipped: list[Skipped] = []
    assert find_stubs(path, text, skipped) == []
    assert [s.reason for s in skipped] == [reason]


@pytest.mark.parametrize(('path', 'text', 'todo'), [
    ('a.go', 'package a\n\n// Add sums.\n// TODO: return the sum of a and b\nfunc Add(a, b int) int {\n}\n',
     '// TODO: return the sum of a and b\n'),
    ('src/lib.rs', '/// Adds.\n// TODO: handle overflow\n#[inline]\npub fn add(a: u32) -> u32 {\n}\n',
     '// TODO: handle overflow\n'),
    ('src/Calc.java', 'class Calc {\n    // TODO: sum both\n    @Override\n    public int add(int a, int b) {\n    }\n}\n',
     '    // TODO: sum both\n'),
    ('src/a.ts', '// TODO: the sum\nexport function add(a: number): number {}\n', '// TODO: the sum\n'),
])
def test_a_todo_above_goes_with_the_fill_whatever_it_says(path: str, text: str, todo: str) -> None:
    """Over a body that cannot stay empty, the TODO is its specification: stale once written."""
    (stub,) = find_stubs(path, text)
    assert stub.kind == 'empty-typed' and stub.todo_span is not None
    assert text[stub.todo_span[0]:stub.todo_span[1]] == todo


def test_a_todo_that_asks_for_the_body_stays_the_evidence() -> None:
    (stub,) = find_stubs('a.go', 'package a\n\n// TODO: implement\nfunc Add(a, b int) int {\n}\n')
    assert (stub.kind, stub.evidence) == ('empty-todo', 'TODO comment: `TODO: implement`')
    assert stub.todo_span is not None


# ---------------------------------------------------------------------------------------------
# The hook's text prefilter must let these through (it runs before any parser)

HINTED = [
    b'+func Add(a, b int) int {\n+}\n', b'+func Add(a, b int) int {}\n', b'+func F() (int, error) {\n+\t// x\n }\n',
    b'+pub fn add(a: u32) -> u32 {\n+}\n', b'+    int add(int a, int b) {\n+    }\n',
    b'+  public int add(int a) {}\r\n', b'+    List<String> names() {}\n', b'+    int[] ids() {\n+    }\n',
    b'+export function add(a: number): number {\n+}\n', b'+const f = (a: number): number => {};\n',
    b'+): number {\n+  // later\n+}\n', b'+    default int size() {}\n',
    b'+func Add(a, b int) int { // codestral-bot: ignore\n+}\n', b'+    int f() { /* later */ }\n',
    b'+fn f() -> u8 {\r\n+    // later\r\n+}\r\n', b' func F() int {\n-\treturn 1\n+\t// later\n }\n',
    # parameters over several lines; Allman braces
    b'+    int add(int a,\n+            int b) {\n+    }\n', b'+    int add(int a, int b)\n+    {\n+    }\n',
    b'+    public static String join(List<String> parts)\r\n+    {\r\n+        // later\r\n+    }\r\n',
]
NOT_HINTED = [
    b'+func Add(a, b int) int {\n+\treturn a + b\n+}\n', b'+x.catch(() => {})\n', b'+} catch (e) {}\n',
    b'+func reset() {\n+}\n', b'+fn reset() {}\n', b'+    public void run() {}\n', b'+function noop() {}\n',
    b'+    new Object() {}\n', b'+} else if (x) {}\n', b' func Add(a int) int {}\n', b'+m := map[string]int{}\n',
    b' func F() int {\n-\treturn 1\n }\n', b' func F() int {\n+\tx := 1\n }\n',
    b'+    if (x)\n+    {\n+    }\n', b'+    void run()\n+    {\n+    }\n', b'+    while (busy())\n+    {\n+    }\n',
    b'+    int add(int a, int b)\n+    {\n+        return a + b;\n+    }\n',
]


@pytest.mark.parametrize('diff', HINTED)
def test_the_prefilter_sees_an_empty_typed_body(diff: bytes) -> None:
    assert stub_hint(diff)


@pytest.mark.parametrize('diff', NOT_HINTED)
def test_the_prefilter_passes_over_code(diff: bytes) -> None:
    assert not stub_hint(diff)


# ---------------------------------------------------------------------------------------------
# The CLI: filled, the TODO above removed, the exclusions kept

CASES = {
    'go': Case('calc/add.go', 'package calc\n\n// TODO: return the sum of a and b\nfunc Add(a, b int) int {\n}\n',
               'return a + b', 'package calc\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n'),
    'go-no-todo-one-line': Case('calc/add.go', 'package calc\n\nfunc Add(a, b int) (int, error) {}\n',
                                'return a + b, nil',
                                'package calc\n\nfunc Add(a, b int) (int, error) {\n\treturn a + b, nil\n}\n'),
    'rust-comment-only': Case('src/lib.rs', 'pub fn add(a: u32, b: u32) -> u32 {\n    // wrapping\n}\n',
                              'a.wrapping_add(b)', 'pub fn add(a: u32, b: u32) -> u32 {\n    a.wrapping_add(b)\n}\n'),
    'rust-todo-above': Case('src/lib.rs', '/// Adds.\n// TODO: the sum\npub fn add(a: u32, b: u32) -> u32 {}\n',
                            'a + b', '/// Adds.\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n'),
    'java': Case('src/Calc.java', 'class Calc {\n    int add(int a, int b) {\n    }\n}\n', 'return a + b;',
                 'class Calc {\n    int add(int a, int b) {\n        return a + b;\n    }\n}\n'),
    'java-todo-above-default-method': Case(
        'src/Sized.java', 'interface Sized {\n    // TODO: count them\n    default int size() {}\n}\n', 'return 0;',
        'interface Sized {\n    default int size() {\n        return 0;\n    }\n}\n'),
    'typescript': Case('src/add.ts', 'export function add(a: number, b: number): number {\n}\n', 'return a + b',
                       'export function add(a: number, b: number): number {\n  return a + b\n}\n'),
    'typescript-todo-above-arrow': Case(
        'src/add.ts', '// TODO: the sum\nexport const add = (a: number, b: number): number => {\n  // fast\n}\n',
        'return a + b', 'export const add = (a: number, b: number): number => {\n  return a + b\n}\n'),
}


@pytest.mark.parametrize('name', CASES)
def test_apply_fills_the_body_and_removes_the_todo_above(repo: Any, fake_codestral: FakeCodestral,
                                                         tmp_path: Path, name: str) -> None:
    case = CASES[name]
    target = _review(repo, fake_codestral, tmp_path, case, '--apply')
    assert target.read_bytes().decode('utf-8') == case.filled


def test_the_patch_fills_it_too(repo: Any, fake_codestral: FakeCodestral, tmp_path: Path) -> None:
    case = CASES['go']
    patch = tmp_path / 'fills.patch'
    target = _review(repo, fake_codestral, tmp_path, case, '--patch', str(patch))
    assert target.read_bytes().decode('utf-8') == case.stubbed
    subprocess.run(['git', 'apply', str(patch)], cwd=root_of(repo), check=True)
    assert target.read_bytes().decode('utf-8') == case.filled


def test_crlf_and_no_final_newline_keep_their_bytes(repo: Any, fake_codestral: FakeCodestral, tmp_path: Path) -> None:
    case = CASES['go']
    crlf = Case(case.path, case.stubbed.replace('\n', '\r\n').removesuffix('\r\n'), case.answer,
                case.filled.replace('\n', '\r\n').removesuffix('\r\n'))
    target = _review(repo, fake_codestral, tmp_path, crlf, '--apply')
    assert target.read_bytes() == crlf.filled.encode('utf-8')


def test_a_pull_request_suggestion_takes_the_todo_above_out_too() -> None:
    case = CASES['go']  # line 3: the TODO, 4: the header, 5: the closing brace
    source = decode_source(case.path, case.stubbed.encode())
    (stub,) = find_stubs(case.path, source.text)
    fill = Fill(stub=stub, status='filled', replacement=stub.lead + case.answer + stub.tail)
    change = FileChange(case.path, None, 'added', frozenset(range(1, 6)), ((1, 5),))
    item = suggestion_item(fill, source, change, True)
    assert (item.start_line, item.line, item.problem) == (3, 5, None)
    assert item.suggestion == 'func Add(a, b int) int {\n\treturn a + b\n}'


def test_the_hook_takes_it_past_its_prefilter(repo: Any, fake_codestral: FakeCodestral, tmp_path: Path) -> None:
    case = CASES['go-no-todo-one-line']
    target = write(repo, case.path, case.stubbed)
    repo.git.add('-A')
    fake_codestral.responder = lambda body: case.answer
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    result = run_cli(['review', '--hook', '--staged', '--apply', '--no-comments', case.path], root_of(repo), env)
    assert fake_codestral.count('fim') == 1, result.stderr
    assert target.read_bytes().decode('utf-8') == case.filled


@pytest.mark.parametrize('stubbed', [
    'class Calc {\n    int add(int a,\n            int b) {\n    }\n}\n',  # parameters over two lines
    'class Calc\n{\n    int add(int a, int b)\n    {\n    }\n}\n',  # Allman braces
])
def test_the_hook_takes_wrapped_and_allman_headers_past_its_prefilter(repo: Any, fake_codestral: FakeCodestral,
                                                                     tmp_path: Path, stubbed: str) -> None:
    target = write(repo, 'src/Calc.java', stubbed)
    repo.git.add('-A')
    fake_codestral.responder = lambda body: 'return a + b;'
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake_codestral.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    result = run_cli(['review', '--hook', '--staged', '--apply', '--no-comments', 'src/Calc.java'], root_of(repo), env)
    assert fake_codestral.count('fim') == 1, result.stderr
    assert 'return a + b;' in target.read_text()


def _json(repo: Any) -> dict[str, Any]:
    result = run_cli(['review', '--staged', '--dry-run', '--json', '--no-comments'], root_of(repo), cli_env())
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_json_names_the_evidence(repo: Any) -> None:
    write(repo, 'calc/add.go', CASES['go-no-todo-one-line'].stubbed)
    repo.git.add('-A')
    (stub,) = _json(repo)['stubs']
    assert (stub['name'], stub['evidence']) == ('Add', EVIDENCE.format('(int, error)'))


@pytest.mark.parametrize(('path', 'text', 'reason'), [
    ('calc/add_test.go', 'package calc\n\nfunc helper() int {\n}\n', 'test code (*_test.go)'),
    ('calc/add.go', 'package calc\n\nfunc Add(a, b int) int { // codestral-bot: ignore\n}\n', 'codestral-bot: ignore'),
    ('src/a.ts', 'export function add(a: number): number {\n  // no-op until the store lands\n}\n',
     "its comments say it is meant this way ('no-op')"),
])
def test_the_exclusions_still_apply(repo: Any, path: str, text: str, reason: str) -> None:
    write(repo, path, text)
    repo.git.add('-A')
    doc = _json(repo)
    assert doc['stubs'] == []
    assert [k['reason'] for k in doc['skipped']] == [reason]


def test_an_empty_typed_body_already_in_the_base_revision_is_left_alone(repo: Any) -> None:
    write(repo, 'calc/add.go', 'package calc\n\nfunc Add(a, b int) int {\n}\n')
    commit_all(repo)
    write(repo, 'calc/add.go', 'package calc\n\n// Add sums.\nfunc Add(x, y int) int {\n}\n')
    repo.git.add('-A')
    doc = _json(repo)
    assert doc['stubs'] == []
    assert [(k['name'], k['reason']) for k in doc['skipped']] == [('Add', 'already a stub in the base revision')]


# ---------------------------------------------------------------------------------------------
# Round trip: every function with a declared result emptied (a TODO over some), a perfect model
# gives the original file back byte for byte

# Which of a round-trip file's functions declare a result (from the header's text).
_TYPED = {
    'go': lambda header, name: True,
    'rust': lambda header, name: True,
    'java': lambda header, name: name != 'ArrayTypeName',  # its constructors
    'typescript': lambda header, name: bool(re.search(r'\)\s*:\s*[\w<>\[\] |]+\s*(=>\s*)?\{\s*$', header)),
}


def _empty_typed(text: str, language: str, todo: str) -> tuple[str, list[Replaced]]:
    """``text`` with each typed function's body emptied, ``todo`` written over every other one."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    replaced = []
    position = 0
    typed = [b for b in _bodies(language, text) if _TYPED[language](''.join(lines[b.top:b.first]), b.name)]
    for n, body in enumerate(typed):
        eol = lines[body.last][len(lines[body.last].rstrip('\r\n')):]
        if todo and n % 2 == 0:
            out += lines[position:body.top]
            out.append(f'{_indent(lines[body.top])}{todo.format(name=body.name)}{eol}')
            position = body.top
        out += lines[position:body.first]
        start = sum(len(line) for line in out)
        original = ''.join(lines[body.first:body.last + 1])[len(body.indent):-len(eol)]
        replaced.append(Replaced(body, original, start, start))
        position = body.last + 1
    out += lines[position:]
    return ''.join(out), replaced


@pytest.mark.parametrize('todo', ['', '// TODO: {name} as documented'])
@pytest.mark.parametrize('language', list(_TYPED))
def test_a_perfect_answer_gives_back_the_original_file(tmp_path: Path, fake_codestral: FakeCodestral,
                                                       language: str, todo: str) -> None:
    name = FILES[language]
    original = (ROUNDTRIP / name).read_text(encoding='utf-8')
    stubbed, replaced = _empty_typed(original, language, todo)
    path = f'src/{name}'
    found = sorted(find_stubs(path, stubbed), key=lambda s: s.start)
    assert [s.name.rsplit('.', 1)[-1] for s in found] == [r.body.name for r in replaced]
    assert {s.kind for s in found} == {'empty-typed'}
    filled, _, _ = apply_perfect_fills(tmp_path, fake_codestral, path, stubbed, list(zip(found, replaced, strict=True)))
    assert fake_codestral.count('fim') == len(replaced) >= 1
    assert filled == original
