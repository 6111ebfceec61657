"""A perfect model gives back the original file, byte for byte, and sees the developer's TODO.

Real implemented functions (``tests/roundtrip/``, excerpts of real projects: see its README) have
their bodies replaced by each stub form of their language; the fake API answers each request with
the original body; ``review --staged --apply`` must write back exactly the original file. For the
forms holding a TODO comment, the prompt must end with the TODO lines (then the body's indent).
In the brace languages the TODO may also sit over the function (``ABOVE``): the fill removes it.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path
from typing import Any

import pytest

from codestral_bot import stubs
from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import run_cli
from tests.repo_util import write

ROUNDTRIP = Path(__file__).parent / 'roundtrip'
FILES = {
    'python': 'textwrap_excerpt.py',
    'go': 'args.go',
    'rust': 'chain.rs',
    'java': 'ArrayTypeName.java',
    'typescript': 'shallow.ts',
    'javascript': 'util.js',
}
# Each form: the stub body's lines ('{name}': the function's name), and whether its leading lines
# are a TODO comment the prompt must end with (all lines up to the first code line).
FORMS: dict[str, dict[str, list[str]]] = {
    'python': {
        'raise': ['raise NotImplementedError'],
        'ellipsis': ['...'],
        'pass-todo': ['pass  # TODO: implement'],
        'todo-return': ['# TODO: handle {name} the same way as hashkey', '#   (the TODO goes on)', 'return None'],
    },
    'go': {
        'panic': ['panic("not implemented")'],
        'todo-return': ['// TODO: implement {name}', '// (the TODO goes on)', 'return nil'],
        'block-todo': ['/* TODO: implement {name},', '   the long way */'],
    },
    'rust': {
        'todo': ['todo!()'],
        'unimplemented': ['unimplemented!()'],
        'todo-comment': ['// TODO: implement {name}'],
    },
    'java': {
        'unsupported': ['throw new UnsupportedOperationException("TODO");'],
        'todo-comment': ['// TODO: implement {name}', '// (the TODO goes on)'],
    },
    'typescript': {
        'throw': ['throw new Error("not implemented")'],
        'todo-comment': ['// TODO: implement {name}', '// (the TODO goes on)'],
    },
    'javascript': {
        'throw': ['throw new Error("not implemented");'],
        'todo-comment': ['// TODO: implement {name}'],
    },
}
CASES = [(language, form) for language in FILES for form in FORMS[language]]
# A TODO written over the function instead (its lines go right above the header, under its doc
# comment, over its attributes, annotations, `export` or `const`), with an empty body or one that
# holds other evidence: the fill removes the TODO, the rest of the file comes back as it was.
ABOVE: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    'go': {
        'above-empty': (['// TODO: implement {name}'], []),
        'above-zero-return': (['// TODO: implement {name}'], ['return nil']),
        'above-block': (['/* TODO: implement {name},', '   the long way */'], []),
    },
    'rust': {
        'above-empty': (['// TODO: implement {name}'], []),
        'above-todo-macro': (['// TODO: implement {name}'], ['todo!()']),
    },
    'java': {
        'above-empty': (['// TODO: implement {name}'], []),
        'above-unsupported': (['// TODO: implement {name}'], ['throw new UnsupportedOperationException("TODO");']),
    },
    'typescript': {
        'above-empty': (['// TODO: implement {name}'], []),
        'above-throw': (['// TODO: implement {name}'], ['throw new Error("not implemented")']),
    },
    'javascript': {
        'above-empty': (['// TODO: implement {name}'], []),
        'above-doc-block': (['/**', ' * TODO: implement {name}', ' */'], []),
    },
}
ABOVE_CASES = [(language, form) for language in ABOVE for form in ABOVE[language]]
_FUNCTIONS = {  # tree-sitter node types of the functions whose bodies are replaced
    'go': {'function_declaration', 'method_declaration'},
    'rust': {'function_item'},
    'java': {'method_declaration', 'constructor_declaration'},
    'typescript': {'function_declaration', 'arrow_function', 'method_definition', 'function_expression'},
    'javascript': {'function_declaration', 'arrow_function', 'method_definition', 'function_expression'},
}
_BLOCKS = ('block', 'statement_block', 'constructor_body')
# Where a function's statement starts: `export function`, `const f = () => {`, `#[inline] fn`.
_CONTAINERS = {'program', 'source_file', 'class_body', 'declaration_list', 'statement_block', 'block'}
_PREFIXES = {'attribute_item', 'decorator'}
_GRAMMARS = {
    'go': ('tree_sitter_go', 'language'), 'rust': ('tree_sitter_rust', 'language'),
    'java': ('tree_sitter_java', 'language'), 'typescript': ('tree_sitter_typescript', 'language_typescript'),
    'javascript': ('tree_sitter_javascript', 'language'),
}


@dataclasses.dataclass(frozen=True)
class Body:
    """The lines a stub form replaces: whole lines, [first, last] (0-based), in the original file."""

    name: str
    first: int
    last: int
    indent: str
    top: int = -1  # the first line of the function's statement (attributes, annotations, `export`)


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip(' \t'))]


def _python_bodies(text: str) -> list[Body]:
    lines = text.splitlines()
    bodies = []
    nodes = list(ast.parse(text).body)
    while nodes:  # functions at module and class level (an inner function goes with its outer body)
        node = nodes.pop(0)
        if isinstance(node, ast.ClassDef):
            nodes += node.body
        if isinstance(node, ast.FunctionDef):
            first_stmt = node.body[0]
            has_doc = isinstance(first_stmt, ast.Expr) and isinstance(getattr(first_stmt, 'value', None), ast.Constant)
            first = (first_stmt.end_lineno or 0) if has_doc else first_stmt.lineno - 1
            while not lines[first].strip():
                first += 1
            bodies.append(Body(node.name, first, (node.end_lineno or 0) - 1, _indent(lines[first])))
    return bodies


def _brace_bodies(language: str, text: str) -> list[Body]:
    import tree_sitter

    module, attribute = _GRAMMARS[language]
    grammar = tree_sitter.Language(getattr(importlib.import_module(module), attribute)())
    root = tree_sitter.Parser(grammar).parse(text.encode()).root_node
    lines = text.splitlines()
    bodies: list[Body] = []
    stack = [root]
    while stack:
        node = stack.pop()
        body = node.child_by_field_name('body') if node.type in _FUNCTIONS[language] else None
        if body is not None and body.type in _BLOCKS and body.end_point.row - body.start_point.row >= 2:
            first, last = body.start_point.row + 1, body.end_point.row - 1
            name = node.child_by_field_name('name') or (node.parent.child_by_field_name('name') if node.parent else None)
            bodies.append(Body((name.text or b'').decode() if name else '', first, last, _indent(lines[first]),
                               _top(node)))
            continue  # outermost functions only: an inner one goes with its outer body
        stack.extend(reversed(node.children))
    return sorted(bodies, key=lambda b: b.first)


def _top(function: Any) -> int:
    node = function
    while node.parent is not None and node.parent.type not in _CONTAINERS and (
            node.parent.start_point.row == function.start_point.row):
        node = node.parent
    while node.prev_named_sibling is not None and node.prev_named_sibling.type in _PREFIXES:
        node = node.prev_named_sibling
    return int(node.start_point.row)


def _bodies(language: str, text: str) -> list[Body]:
    return _python_bodies(text) if language == 'python' else _brace_bodies(language, text)


@dataclasses.dataclass(frozen=True)
class Replaced:
    body: Body
    original: str  # the original body's text, without the first line's indent and the last eol
    start: int  # where the form's lines start in the stubbed text (a character offset)
    end: int


def _stub_out(text: str, language: str, form: list[str], above: list[str]) -> tuple[str, list[Replaced]]:
    """``text`` with each body replaced by ``form``, and ``above`` written over each function."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    replaced = []
    position = 0
    for body in _bodies(language, text):
        eol = lines[body.last][len(lines[body.last].rstrip('\r\n')):]
        if above:
            out += lines[position:body.top]
            out += [f'{_indent(lines[body.top])}{line.format(name=body.name)}{eol}' for line in above]
            position = body.top
        out += lines[position:body.first]
        start = sum(len(line) for line in out)
        out += [f'{body.indent}{line.format(name=body.name)}{eol}' for line in form]
        original = ''.join(lines[body.first:body.last + 1])[len(body.indent):-len(eol)]
        replaced.append(Replaced(body, original, start, sum(len(line) for line in out)))
        position = body.last + 1
    out += lines[position:]
    return ''.join(out), replaced


def _todo_lines(form: list[str], name: str, indent: str) -> str:
    """The comment lines the prompt must end with ('' when the form holds no TODO)."""
    comments = []
    for line in form:
        text = line.format(name=name)
        if text.startswith(('#', '//', '/*')) or (comments and comments[-1].lstrip().startswith('/*')
                                                  and '*/' not in comments[-1]):
            comments.append(indent + text + '\n')
        elif '# TODO' in text:
            comments.append(indent + text[text.index('# TODO'):] + '\n')
        else:
            break
    return ''.join(comments)


def _answer(stubbed: str, pairs: list[tuple[Any, Replaced]], prompts: dict[str, str]) -> Any:
    """Each stub's original body; ``pairs``: (stub, what it replaced), the nearest head first."""
    def respond(body: dict[str, Any]) -> str:
        prompt = body['prompt']
        for stub, match in pairs:
            head = stubbed[:stub.start].replace('\r\n', '\n')
            if prompt.startswith(head):
                prompts[match.body.name] = prompt[len(head):]
                prompts[f'{match.body.name} (whole)'] = prompt
                return match.original.replace('\r\n', '\n')
        raise AssertionError(f'no stub for the prompt ending {prompt[-80:]!r}')
    return respond


def _run_roundtrip(tmp_path: Path, fake: FakeCodestral, language: str, form: list[str],
                   eol: str = '\n', above: list[str] | None = None) -> tuple[str, str, list[Replaced], dict[str, str]]:
    name = FILES[language]
    original = (ROUNDTRIP / name).read_text(encoding='utf-8').replace('\n', eol)
    stubbed, replaced = _stub_out(original, language, form, above or [])
    path = f'src/{name}'
    found = sorted(stubs.find_stubs(path, stubbed), key=lambda s: s.start)
    assert [s.name.rsplit('.', 1)[-1] for s in found] == [r.body.name for r in replaced if r.body.name]
    filled, prompts, stderr = apply_perfect_fills(tmp_path, fake, path, stubbed, list(zip(found, replaced, strict=True)))
    assert len(prompts) == 2 * len({r.body.name for r in replaced}), stderr
    return original, filled, replaced, prompts


def apply_perfect_fills(tmp_path: Path, fake: FakeCodestral, path: str, stubbed: str,
                        pairs: list[tuple[Any, Replaced]]) -> tuple[str, dict[str, str], str]:
    """``stubbed`` staged in a new repository and filled by ``review --apply`` with each stub's
    original body: (the file after, the prompts by function, stderr)."""
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'README.md', 'x\n')
    commit_all(repo)
    target = write(repo, path, stubbed)
    repo.git.add('-A')
    prompts: dict[str, str] = {}
    fake.responder = _answer(stubbed, pairs[::-1], prompts)  # the nearest head first
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    result = run_cli(['review', '--staged', '--apply', '--no-comments', '--prompt-tokens', '60000',
                      '--suffix-tokens', '60000'], tmp_path / 'repo', env)
    assert result.returncode in (0, 1), result.stderr
    return target.read_bytes().decode('utf-8'), prompts, result.stderr


@pytest.mark.parametrize(('language', 'form'), CASES)
def test_a_perfect_answer_gives_back_the_original_file(tmp_path: Path, fake_codestral: FakeCodestral,
                                                       language: str, form: str) -> None:
    original, filled, replaced, prompts = _run_roundtrip(tmp_path, fake_codestral, language, FORMS[language][form])
    assert filled == original
    for r in replaced:
        todo = _todo_lines(FORMS[language][form], r.body.name, r.body.indent)
        assert prompts[r.body.name] == todo + r.body.indent, r.body.name  # the prompt ends with the TODO


def test_crlf_file_round_trip_with_a_multi_line_todo(tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    original, filled, _, prompts = _run_roundtrip(tmp_path, fake_codestral, 'python', FORMS['python']['todo-return'], '\r\n')
    assert filled == original
    assert prompts['dedent'] == ('    # TODO: handle dedent the same way as hashkey\n    #   (the TODO goes on)\n'
                                 '    ')


@pytest.mark.parametrize(('language', 'form'), ABOVE_CASES)
@pytest.mark.parametrize('eol', ['\n', '\r\n'])
def test_a_todo_over_the_header_leaves_with_a_perfect_fill(tmp_path: Path, fake_codestral: FakeCodestral,
                                                           language: str, form: str, eol: str) -> None:
    todo, body = ABOVE[language][form]
    original, filled, replaced, prompts = _run_roundtrip(tmp_path, fake_codestral, language, body, eol, todo)
    assert filled == original
    for r in replaced:  # the TODO is in the prompt, over the function it asks for
        lines = [line.format(name=r.body.name).strip() for line in todo]
        prompt = [line.strip() for line in prompts[f'{r.body.name} (whole)'].splitlines()]
        assert any(prompt[i:i + len(lines)] == lines for i in range(len(prompt))), r.body.name
