from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from codestral_bot.records import Skipped
from codestral_bot.records import Stub
from codestral_bot.stubs._base import ParseFailure
from codestral_bot.stubs.treesitter import LANGUAGE_BY_SUFFIX
from codestral_bot.stubs.treesitter import find_stubs
from codestral_bot.stubs.treesitter import syntax_problem

CORPUS = Path(__file__).parent / 'corpus'
LANGUAGES = ('javascript', 'typescript', 'go', 'rust', 'java')
Key = tuple[str, str, str, int, int]  # file, name, kind, start_line, end_line

# ---------------------------------------------------------------------------------------------
# The labelled corpus (format: tests/corpus/README.md)


@functools.cache
def _labels(language: str) -> dict[str, list[dict[str, object]]]:
    with open(CORPUS / language / 'expected.json', encoding='utf-8') as f:
        labels: dict[str, list[dict[str, object]]] = json.load(f)
    return labels


def _case_files(language: str) -> list[str]:
    return sorted(p.name for p in (CORPUS / language).iterdir() if p.name != 'expected.json')


def _read(language: str, name: str) -> str:
    # newline='' keeps the file's own line endings, as the pipeline does.
    with open(CORPUS / language / name, encoding='utf-8', newline='') as f:
        return f.read()


def _expected(language: str, name: str) -> set[Key]:
    entries = _labels(language).get(name, [])
    return {(name, str(e['name']), str(e['kind']), *e['lines']) for e in entries}  # type: ignore[misc]


@functools.cache
def _found(language: str, name: str) -> frozenset[Key]:
    stubs = find_stubs(f'src/{name}', _read(language, name))
    return frozenset((name, s.name, s.kind, s.start_line, s.end_line) for s in stubs)


def _score(language: str) -> tuple[int, int, int, int, int]:
    """Cases (positive, negative) and true positives, false positives, false negatives."""
    tp = fp = fn = positive = negative = 0
    for name in _case_files(language):
        expected, found = _expected(language, name), set(_found(language, name))
        tp, fp, fn = tp + len(found & expected), fp + len(found - expected), fn + len(expected - found)
        positive, negative = positive + bool(expected), negative + (not expected)
    return positive, negative, tp, fp, fn


def _table() -> str:
    lines = [
        '| language | positive cases | negative cases | stubs | precision | recall |',
        '|---|---|---|---|---|---|',
    ]
    for language in LANGUAGES:
        positive, negative, tp, fp, fn = _score(language)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        lines.append(
            f'| {language} | {positive} | {negative} | {tp + fn} | {precision:.1%} | {recall:.1%} |'
        )
    return '\n'.join(lines)


class _CorpusSummary:
    """A plugin object: pytest calls it when it writes the end-of-run summary."""

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.section('tree-sitter stub corpus: precision and recall per language')
        for line in _table().splitlines():
            terminalreporter.write_line(line)


@pytest.fixture(scope='module')
def corpus_report(request: pytest.FixtureRequest) -> None:
    """Shows the precision/recall table in the run's summary, even with -q and no failure."""
    manager = request.config.pluginmanager
    if not manager.has_plugin('stub-corpus-summary'):
        manager.register(_CorpusSummary(), 'stub-corpus-summary')


CASES = [(language, name) for language in LANGUAGES for name in _case_files(language)]


@pytest.mark.parametrize(('language', 'name'), CASES, ids=[f'{lang}/{name}' for lang, name in CASES])
def test_corpus_case(language: str, name: str, corpus_report: None) -> None:
    assert set(_found(language, name)) == _expected(language, name)


@pytest.mark.parametrize('language', LANGUAGES)
def test_corpus_is_labelled_and_large_enough(language: str) -> None:
    files = set(_case_files(language))
    labels = _labels(language)
    assert files == set(labels), 'every file labelled, every label a file'
    positive = sum(bool(labels[name]) for name in files)
    assert positive >= 10
    assert len(files) - positive >= 10


def test_corpus_precision_and_recall_are_perfect(corpus_report: None) -> None:
    scores = [_score(language) for language in LANGUAGES]
    assert all(fp == 0 and fn == 0 for _, _, _, fp, fn in scores), '\n' + _table()


# ---------------------------------------------------------------------------------------------
# Spans: what a fill replaces, and that lead + body + tail lands where the body goes


def _one(path: str, text: str) -> Stub:
    stubs = find_stubs(path, text)
    assert len(stubs) == 1, stubs
    return stubs[0]


def _fill(text: str, stub: Stub, body: str) -> str:
    return text[:stub.start] + stub.lead + body + stub.tail + text[stub.end:]


def test_multiline_body_covers_whole_lines() -> None:
    text = 'class Cart {\n  total() {\n    throw new Error("Not implemented");\n  }\n}\n'
    stub = _one('cart.js', text)
    assert text[stub.start:stub.end] == '    throw new Error("Not implemented");\n'
    assert (stub.indent, stub.lead, stub.tail) == ('    ', '    ', '\n')
    assert (stub.start_line, stub.end_line) == (3, 3)
    assert (stub.language, stub.name, stub.kind) == ('javascript', 'Cart.total', 'throw-not-implemented')
    filled = _fill(text, stub, 'return 0;')
    assert filled == 'class Cart {\n  total() {\n    return 0;\n  }\n}\n'


def test_one_line_body_covers_inside_of_braces() -> None:
    text = 'impl Foo {\n    fn bar(&self) -> u8 { todo!() }\n}\n'
    stub = _one('foo.rs', text)
    assert text[stub.start:stub.end] == ' todo!() '
    assert (stub.name, stub.kind) == ('Foo.bar', 'todo-macro')
    assert (stub.indent, stub.lead, stub.tail) == ('        ', '\n        ', '\n    ')
    filled = _fill(text, stub, '42')
    assert filled == 'impl Foo {\n    fn bar(&self) -> u8 {\n        42\n    }\n}\n'


def test_todo_comment_lines_are_the_span() -> None:
    text = 'public class A {\n    void run() {\n        // TODO: first\n        // and second\n    }\n}\n'
    stub = _one('A.java', text)
    assert text[stub.start:stub.end] == '        // TODO: first\n        // and second\n'
    assert (stub.start_line, stub.end_line, stub.kind) == (3, 4, 'todo-comment')


def test_empty_body_gets_enclosing_indent_plus_one_level() -> None:
    text = 'class A {\n    m() {\n        return 1;\n    }\n    // TODO\n    n() {}\n}\n'
    stub = _one('a.ts', text)
    inside = text.index('{}') + 1
    assert (stub.kind, stub.name, stub.start, stub.end) == ('empty-todo', 'A.n', inside, inside)
    assert (stub.indent, stub.lead, stub.tail) == ('        ', '\n        ', '\n    ')
    assert _fill(text, stub, 'return 2;').endswith('    n() {\n        return 2;\n    }\n}\n')


def test_crlf_offsets_and_line_endings() -> None:
    eclipse = '        // TODO Auto-generated method stub\r\n        return 0;\r\n'
    text = (
        'class A {\r\n    int f() {\r\n' + eclipse + '    }\r\n'
        '    int g() { throw new UnsupportedOperationException("TODO"); }\r\n}\r\n'
    )
    first, second = find_stubs('A.java', text)
    assert text[first.start:first.end] == eclipse
    assert (first.lead, first.tail) == ('        ', '\r\n')
    assert text[second.start:second.end] == ' throw new UnsupportedOperationException("TODO"); '
    assert (second.lead, second.tail) == ('\r\n        ', '\r\n    ')
    filled = _fill(text, first, 'return 1;')
    assert filled == text.replace(eclipse, '        return 1;\r\n')


def test_tab_indented_go() -> None:
    text = (
        'package p\n\nfunc A() int {\n\tif true {\n\t\treturn 1\n\t}\n\treturn 0\n}\n\n'
        'func B() { panic("not implemented") }\n\nfunc C() {\n\tpanic("unimplemented")\n}\n'
    )
    one_line, own_lines = find_stubs('p.go', text)
    assert (one_line.name, one_line.indent, one_line.lead, one_line.tail) == ('B', '\t', '\n\t', '\n')
    assert (own_lines.name, own_lines.indent, own_lines.lead) == ('C', '\t', '\t')
    assert text[own_lines.start:own_lines.end] == '\tpanic("unimplemented")\n'
    assert 'func B() {\n\treturn\n}\n\nfunc C() {\n' in _fill(text, one_line, 'return')


def test_offsets_are_characters_not_bytes() -> None:
    text = '// café ☕ — 𝄞\nconst greet = (name) => {\n  throw new Error("Not implemented: grüß");\n};\n'
    stub = _one('g.js', text)
    assert text[stub.start:stub.end] == '  throw new Error("Not implemented: grüß");\n'
    assert stub.name == 'greet'


def test_todo_mark_is_a_word_in_a_comment() -> None:
    assert find_stubs('a.js', 'function a() {\n  // OTODOKE\n}\n') == []
    assert find_stubs('a.js', 'function a() {\n  // TODOS\n}\n') == []
    assert find_stubs('a.js', 'function a() {\n  return "TODO";\n}\n') == []
    assert _one('a.js', 'function a() {\n  // todo: wire up\n}\n').kind == 'todo-comment'
    assert _one('a.js', 'function a() {\n  /* FIXME(ann) */\n}\n').kind == 'todo-comment'


def test_declaration_files_and_unknown_suffixes_have_no_stubs() -> None:
    stubby = 'export function f(): void {\n  throw new Error("Not implemented");\n}\n'
    assert find_stubs('types/index.d.ts', stubby) == []
    assert find_stubs('notes.txt', stubby) == []
    assert len(find_stubs('index.ts', stubby)) == 1


def test_language_by_suffix() -> None:
    expected = {
        '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.jsx': 'javascript',
        '.ts': 'typescript', '.tsx': 'typescript', '.go': 'go', '.rs': 'rust', '.java': 'java',
    }
    assert {suffix: LANGUAGE_BY_SUFFIX[suffix] for suffix in expected} == expected


def test_tsx_is_parsed_with_the_tsx_grammar() -> None:
    text = 'export const C = () => {\n  // TODO\n};\nexport const D = () => <div>hi</div>;\n'
    assert _one('c.tsx', text).language == 'typescript'
    with pytest.raises(ParseFailure):
        find_stubs('c.ts', text)  # JSX is not TypeScript


# ---------------------------------------------------------------------------------------------
# Parse failures and fill validation

BROKEN = {
    'a.js': 'function f() {\n  return (1;\n}\n',
    'a.ts': 'function f(): number {\n  return 1\n',
    'a.go': 'package p\n\nfunc f() {\n\tx := \n}\n',
    'a.rs': 'fn f() {\n    let x = ;\n}\n',
    'A.java': 'class A {\n    void f() {\n        int x = ;\n    }\n}\n',
}


@pytest.mark.parametrize('path', sorted(BROKEN))
def test_syntax_error_raises_parse_failure(path: str) -> None:
    # The message names the file: the pipeline prints it as it is.
    with pytest.raises(ParseFailure, match=rf'^{re.escape(path)}: line \d+: ') as info:
        find_stubs(path, BROKEN[path])
    assert '\n' not in str(info.value)


STUBBED = {
    'a.js': ('function f(x) {\n  throw new Error("Not implemented");\n}\n', 'return x + 1;', 'return x +;'),
    'a.ts': ('const f = (x: number): number => {\n  // TODO\n};\n', 'return x * 2;', 'return x * ;'),
    'a.tsx': ('export function C() {\n  // TODO\n}\n', 'return <div />;', 'return <div>;'),
    'a.go': ('package p\n\nfunc f(x int) int {\n\tpanic("not implemented")\n}\n', 'return x + 1', 'return x +'),
    'a.rs': ('fn f(x: u8) -> u8 {\n    todo!()\n}\n', 'x + 1', 'x + + 1 ('),
    'A.java': (
        'class A {\n    int f(int x) {\n        throw new UnsupportedOperationException("Not implemented");\n    }\n}\n',
        'return x + 1;',
        'return x + 1',
    ),
}


def _filled(path: str, body: str) -> tuple[str, int, int]:
    text = STUBBED[path][0]
    stub = _one(path, text)
    filled = _fill(text, stub, body)
    return filled, stub.start, stub.start + len(stub.lead + body + stub.tail)


@pytest.mark.parametrize('path', sorted(STUBBED))
def test_good_fill_passes_validation(path: str) -> None:
    filled, start, end = _filled(path, STUBBED[path][1])
    assert syntax_problem(path, filled, start, end) is None


@pytest.mark.parametrize('path', sorted(STUBBED))
def test_fill_that_breaks_syntax_is_reported(path: str) -> None:
    filled, start, end = _filled(path, STUBBED[path][2])
    problem = syntax_problem(path, filled, start, end)
    assert problem is not None and problem.startswith('line ') and '\n' not in problem


@pytest.mark.parametrize('path', sorted(STUBBED))
def test_fill_with_an_extra_closing_brace_is_reported(path: str) -> None:
    # The damage shows up below the fill (a stray brace, or a MISSING one at the end of the file).
    filled, start, end = _filled(path, STUBBED[path][1] + '\n}\n}')
    assert syntax_problem(path, filled, start, end) is not None


def test_error_before_the_fill_is_not_blamed_on_it() -> None:
    text = 'let a = (1;\nfunction f() {\n  return 1;\n}\n'
    start = text.index('  return')
    assert syntax_problem('a.js', text, start, start + len('  return 1;\n')) is None


def test_syntax_problem_ignores_unknown_suffixes() -> None:
    assert syntax_problem('a.txt', '}{', 0, 2) is None


# ---------------------------------------------------------------------------------------------
# Robustness and start-up

SUFFIXES = ('.js', '.ts', '.tsx', '.go', '.rs', '.java')
FRAGMENTS = [
    'function f() {', 'fn f() {', 'func f() {', 'void f() {', '}', '{', '(', ')', ';', '\n', '\r\n',
    '\t', '    ', '// TODO', '/* TODO */', 'todo!()', 'panic("not implemented")', '"', "'", '`',
    'throw new Error("Not implemented");', 'class A {', 'impl A {', 'package p\n', '=>', 'return 0;',
    '/*', '*/', '#[test]', '@Override', 'é', '𝄞', '\x00', '\ud800',
]
SOURCES = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=30).map(''.join)


@pytest.mark.parametrize('suffix', SUFFIXES)
@settings(max_examples=150, deadline=None)
@given(text=SOURCES)
def test_find_stubs_only_ever_raises_parse_failure(suffix: str, text: str) -> None:
    try:
        stubs = find_stubs(f'x{suffix}', text)
    except ParseFailure as e:
        assert '\n' not in str(e)
        return
    for stub in stubs:
        assert 0 <= stub.start <= stub.end <= len(text)
        assert 1 <= stub.start_line <= stub.end_line
    assert syntax_problem(f'x{suffix}', text, 0, len(text)) is None


@pytest.mark.parametrize('suffix', SUFFIXES)
@settings(max_examples=50, deadline=None)
@given(text=st.text())
def test_syntax_problem_never_raises(suffix: str, text: str) -> None:
    problem = syntax_problem(f'x{suffix}', text, 0, len(text))
    assert problem is None or '\n' not in problem


def test_import_does_not_load_tree_sitter() -> None:
    code = (
        'import sys\n'
        'from codestral_bot.stubs import treesitter\n'
        'print("tree_sitter" in sys.modules)\n'
        'treesitter.find_stubs("a.go", "package p\\n")\n'
        'print(sorted({m.split(".")[0] for m in sys.modules if m.startswith("tree_sitter_")}))\n'
    )
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ['False', "['tree_sitter_go']"]


# ---------------------------------------------------------------------------------------------
# Newer syntax than the bundled grammars read (see ts_rewrite): the file still parses, offsets hold


NEWER_SYNTAX = {
    'variance.ts': (
        'export interface Queue<in out A, out E = never> {}\n'
        'export class Box<out O> {\n  get(): O {\n    throw new Error("not implemented");\n  }\n}\n'
    ),
    'using.ts': (
        'const using = load();\nusing.start();\n'
        'export function stop(): void {\n  // TODO: implement\n}\n'
    ),
    'call_signature.ts': (
        'export interface Map {\n  (self: number): string\n  <A>(f: (a: A) => string): string\n}\n'
        'export function run(): void {\n  // TODO: implement\n}\n'
    ),
    'str_macro.rs': (
        'fn expected() -> String {\n    str![r#"a"#].to_string()\n}\n\nfn parse() -> u8 {\n    todo!()\n}\n'
    ),
    'new_expr.go': (
        'package p\n\nfunc ptr() *int64 {\n\treturn new(int64(3))\n}\n\n'
        'func Parse() error {\n\tpanic("not implemented")\n}\n'
    ),
}


@pytest.mark.parametrize('name', sorted(NEWER_SYNTAX))
def test_newer_syntax_parses_and_its_stubs_are_found(name: str) -> None:
    text = NEWER_SYNTAX[name]
    (stub,) = find_stubs(name, text)
    # Offsets point into the real text, not into the rewritten one.
    assert text[stub.start:stub.end].strip() in ('throw new Error("not implemented");', '// TODO: implement',
                                                 'todo!()', 'panic("not implemented")')


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('<>(),;:= \n\tinoutsgtrnew!u8[]{}/*AZaz_.'))))
def test_rewrites_keep_every_byte_where_it_is(text: str) -> None:
    from codestral_bot.stubs.ts_rewrite import rewrite

    data = text.encode()
    for grammar in ('typescript', 'tsx', 'javascript', 'rust', 'go', 'java'):
        assert len(rewrite(grammar, data)) == len(data)


# ---------------------------------------------------------------------------------------------
# Evidence: what makes a stub, and what makes a stub-looking body intentional


def _verdicts(path: str, text: str) -> tuple[dict[str, str], dict[str, str]]:
    skipped: list[Skipped] = []
    stubs = find_stubs(path, text, skipped)
    return {s.name: s.evidence for s in stubs}, {s.name: s.reason for s in skipped}


JAVA_OPTIONAL = '''\
public final class ReadOnlyList<E> extends AbstractList<E> {
    public E get(int index) { return items[index]; }

    @Override
    public void clear() {
        throw new UnsupportedOperationException();
    }

    public void sort() {
        throw new UnsupportedOperationException("Not supported yet.");
    }
}
'''


def test_java_unsupported_operation_needs_a_message_or_todo() -> None:
    stubs, skipped = _verdicts('ReadOnlyList.java', JAVA_OPTIONAL)
    assert list(stubs) == ['ReadOnlyList.sort']
    assert 'Not supported yet.' in stubs['ReadOnlyList.sort']
    assert 'unsupported by design' in skipped['ReadOnlyList.clear']


JAVA_INTERFACE = '''\
public interface Store<K, V> {
    default void evict(K key) {
        throw new UnsupportedOperationException("TODO");
    }

    default void compact() {
        throw new UnsupportedOperationException("not implemented");
    }

    static <K, V> Store<K, V> empty() {
        throw new UnsupportedOperationException("not implemented");
    }
}
'''


def test_java_interface_default_methods_are_stubs_only_with_a_todo() -> None:
    stubs, skipped = _verdicts('Store.java', JAVA_INTERFACE)
    assert sorted(stubs) == ['Store.empty', 'Store.evict']
    assert 'implementations override it' in skipped['Store.compact']


def test_go_todo_implement_over_any_plain_return_is_a_stub() -> None:
    text = (
        'package p\n\nfunc Lock(fd int) (int, error) {\n\t// TODO: implement\n'
        '\treturn 0, syscall.EWINDOWS\n}\n\n'
        'func Timeout() int {\n\t// TODO: read from the environment\n\treturn defaultTimeout\n}\n\n'
        'func Ctx() context.Context {\n\treturn context.TODO()\n}\n'
    )
    stubs, skipped = _verdicts('lock_windows.go', text)
    assert list(stubs) == ['Lock']
    assert stubs['Lock'] == 'TODO comment over a placeholder: `TODO: implement`'
    (stub,) = find_stubs('lock_windows.go', text)
    assert stub.start_line == 4  # the TODO line stays in the span: the prompt ends with it


def test_go_returned_not_implemented_yet_error_is_a_stub() -> None:
    text = (
        'package p\n\nfunc (h *Handler) CollMod() error {\n'
        '\treturn errors.New("collMod is not implemented yet")\n}\n\n'
        'func (f *Fs) Chown() error {\n\treturn errors.New("method Chown is not implemented for GCS")\n}\n'
    )
    stubs, _ = _verdicts('h.go', text)
    assert list(stubs) == ['Handler.CollMod']


def test_todo_implement_over_a_throw_is_a_stub() -> None:
    text = 'class Body {\n  async formData() {\n    // TODO: Implement.\n    throw new NotSupportedError()\n  }\n}\n'
    stubs, _ = _verdicts('body.js', text)
    assert list(stubs) == ['Body.formData']


def test_todo_in_commented_out_code_or_a_sentence_is_no_marker() -> None:
    text = (
        'function a() {\n  // x = y; // TODO fix\n}\n'
        'function b() {\n  // This is a TODO for the docs team.\n}\n'
        'function c() {\n  return "TODO";\n}\n'
    )
    assert find_stubs('a.js', text) == []


@pytest.mark.parametrize('marker', [
    '// never called: the parser rejects this node first',
    '/* istanbul ignore next */',
    '/* c8 ignore next */',
    '// unreachable',
])
def test_intent_markers_make_a_throw_intentional(marker: str) -> None:
    text = f'class V {{\n  visit() {{\n    {marker}\n    throw new Error("not implemented");\n  }}\n}}\n'
    stubs, skipped = _verdicts('v.js', text)
    assert stubs == {}
    assert 'V.visit' in skipped


def test_base_class_contracts_are_skipped() -> None:
    text = (
        'class Dispatcher extends EventEmitter {\n'
        '  dispatch() {\n    throw new Error("not implemented")\n  }\n'
        '  close() {\n    throw new Error("not implemented")\n  }\n}\n'
        'class BaseHandler {\n  handle() {\n    throw new Error("not implemented")\n  }\n}\n'
        'class Parser {\n  parse() {\n    throw new Error("not implemented yet")\n  }\n'
        '  format() {\n    throw new Error("not implemented yet")\n  }\n}\n'
    )
    stubs, skipped = _verdicts('d.js', text)
    assert sorted(stubs) == ['Parser.format', 'Parser.parse']
    assert 'interface for subclasses' in skipped['Dispatcher.dispatch']
    assert 'base class BaseHandler' in skipped['BaseHandler.handle']


def test_messages_that_name_a_reason_are_unsupported_by_design() -> None:
    text = (
        'fn ror(&self) -> Self {\n    unimplemented!("use bitand() instead")\n}\n'
        'fn size(&self) -> usize {\n    unimplemented!()\n}\n'
    )
    stubs, skipped = _verdicts('ops.rs', text)
    assert list(stubs) == ['size']
    assert 'says why' in skipped['ror']


def test_rust_tests_and_const_blocks_are_not_stubs() -> None:
    text = (
        'pub fn add(a: i32) -> i32 {\n    todo!()\n}\n\n'
        '#[test]\nfn adds() {\n    todo!()\n}\n\n'
        '#[cfg(test)]\nmod tests {\n    fn helper() -> i32 {\n        todo!()\n    }\n}\n\n'
        'const _: () = {\n    fn probe() {\n        unimplemented!()\n    }\n};\n'
    )
    stubs, skipped = _verdicts('lib.rs', text)
    assert list(stubs) == ['add']
    assert skipped == {
        'adds': 'a #[test] function',
        'tests.helper': 'inside a #[cfg(test)] module',
        'probe': 'inside a `const _` block: compiled, never called',
    }


@pytest.mark.parametrize(('language', 'name'), CASES, ids=[f'{lang}/{name}' for lang, name in CASES])
def test_every_stub_has_evidence(language: str, name: str) -> None:
    for stub in find_stubs(f'src/{name}', _read(language, name)):
        assert stub.evidence, stub


def test_classes_written_against_an_interface_or_by_a_quick_fix_are_stubs() -> None:
    text = (
        'export class PgBackend implements Backend {\n'
        '  query(): Rows {\n    throw new Error("not implemented");\n  }\n'
        '  close(): void {\n    throw new Error("not implemented");\n  }\n}\n'
        'export class Mailer {\n'
        '  send(): void {\n    throw new Error("Method not implemented.");\n  }\n'
        '  queue(): void {\n    throw new Error("Method not implemented.");\n  }\n}\n'
        'export class Service {\n  a(): number {\n    return 1;\n  }\n  b(): number {\n    return 2;\n  }\n'
        '  c(): number {\n    throw new Error("Not implemented");\n  }\n'
        '  d(): number {\n    throw new Error("Not implemented");\n  }\n'
        '  e(): number {\n    return 5;\n  }\n}\n'
    )
    stubs, _ = _verdicts('backend.ts', text)
    assert sorted(stubs) == [
        'Mailer.queue', 'Mailer.send', 'PgBackend.close', 'PgBackend.query', 'Service.c', 'Service.d',
    ]


def test_words_about_the_class_do_not_make_a_method_intentional() -> None:
    text = (
        'class Items {\n  size() {\n    return this.items.length;\n  }\n  at(i) {\n    return this.items[i];\n  }\n'
        '  has(x) {\n    return this.items.includes(x);\n  }\n'
        '  /** Returns an immutable, read-only view of the items. */\n'
        '  view() {\n    throw new Error("not implemented");\n  }\n'
        '  /** Always throws: this list is fixed. */\n'
        '  push() {\n    throw new Error("not implemented");\n  }\n}\n'
    )
    stubs, skipped = _verdicts('items.js', text)
    assert list(stubs) == ['Items.view']
    assert 'always throws' in skipped['Items.push'].lower()


def test_a_bare_todo_doc_comment_over_a_finished_body_asks_for_docs_not_code() -> None:
    # ripgrep efd9cfb: `/// TODO` is the missing doc comment of a finished accessor
    from codestral_bot.stubs import find_stubs

    text = ('pub struct S { buffer: u8 }\n\nimpl S {\n    /// TODO\n    pub fn buffer(&self) -> u8 {\n'
            '        self.buffer\n    }\n\n    // TODO: implement\n    pub fn other(&self) -> u8 {\n'
            '        self.buffer\n    }\n}\n')
    assert [s.name for s in find_stubs('sink.rs', text, [])] == ['S.other']
