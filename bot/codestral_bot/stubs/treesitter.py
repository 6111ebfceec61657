"""Stubs in JavaScript, TypeScript, Go, Rust and Java, found and validated with tree-sitter.

Same shape as the Python finder: ``find_stubs(path, text, skipped)`` returns every stub of the file
(the caller keeps those touching added lines), each with its evidence, appends to ``skipped`` the
stub-looking bodies it decided are meant as they are, and raises ``ParseFailure`` (naming the file)
for a file that does not parse; ``syntax_problem`` checks a file after a fill. Importing this module does not import
tree-sitter: a grammar is loaded on the first file of its language.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING

from codestral_bot.records import Skipped
from codestral_bot.records import Stub
from codestral_bot.stubs._base import ParseFailure
from codestral_bot.stubs.ts_classify import body_items
from codestral_bot.stubs.ts_classify import classify
from codestral_bot.stubs.ts_classify import qualified_name
from codestral_bot.stubs.ts_classify import todo_comment_beside
from codestral_bot.stubs.ts_contract import why_intentional
from codestral_bot.stubs.ts_go import GO
from codestral_bot.stubs.ts_grammar import describe_error
from codestral_bot.stubs.ts_grammar import error_nodes
from codestral_bot.stubs.ts_grammar import matching_nodes
from codestral_bot.stubs.ts_grammar import parse_tolerant
from codestral_bot.stubs.ts_java import JAVA
from codestral_bot.stubs.ts_javascript import JAVASCRIPT
from codestral_bot.stubs.ts_javascript import TYPESCRIPT
from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rust import RUST
from codestral_bot.stubs.ts_span import body_span
from codestral_bot.stubs.ts_span import todo_removal
from codestral_bot.stubs.ts_text import SourceText
from codestral_bot.stubs.ts_text import detect_eol
from codestral_bot.stubs.ts_text import detect_indent_unit

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['LANGUAGE_BY_SUFFIX', 'find_stubs', 'grammar_for', 'syntax_problem']

LANGUAGE_BY_SUFFIX: dict[str, str] = {
    '.js': 'javascript',
    '.mjs': 'javascript',
    '.cjs': 'javascript',
    '.jsx': 'javascript',
    '.ts': 'typescript',
    '.mts': 'typescript',
    '.cts': 'typescript',
    '.tsx': 'typescript',
    '.go': 'go',
    '.rs': 'rust',
    '.java': 'java',
}
# .tsx needs its own grammar: `<T>x` is a cast in .ts and JSX in .tsx.
_GRAMMAR_BY_SUFFIX = {**LANGUAGE_BY_SUFFIX, '.tsx': 'tsx'}
_RULES: dict[str, Rules] = {
    'javascript': JAVASCRIPT,
    'typescript': TYPESCRIPT,
    'tsx': TYPESCRIPT,
    'go': GO,
    'rust': RUST,
    'java': JAVA,
}
# Declaration files describe code that lives elsewhere: nothing in them is to be written.
_DECLARATION_SUFFIXES = ('.d.ts', '.d.mts', '.d.cts')


def _suffix(path: str) -> str:
    name = path.replace('\\', '/').rsplit('/', 1)[-1].lower()
    dot = name.rfind('.')
    return name[dot:] if dot > 0 else ''


def grammar_for(path: str) -> str | None:
    """The grammar that parses ``path``: a language name, or 'tsx'; None for other files."""
    return _GRAMMAR_BY_SUFFIX.get(_suffix(path))


@dataclasses.dataclass
class _File:
    path: str
    source: SourceText
    rules: Rules
    skipped: list[Skipped] | None
    # per class: (methods that only throw "not implemented", methods with a body)
    class_counts: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def eol(self) -> str:
        return detect_eol(self.source.text)

    @functools.cached_property
    def unit(self) -> str:
        if self.rules.language == 'go':
            return '\t'  # gofmt indents with tabs; a file of stubs may have spaces only in its comments
        return detect_indent_unit(self.source.text, self.rules.default_indent)


def find_stubs(path: str, text: str, skipped: list[Skipped] | None = None) -> list[Stub]:
    """Every stub in the file, in order; ``ParseFailure`` (naming the file) for a syntax error."""
    grammar = grammar_for(path)
    if grammar is None or path.lower().endswith(_DECLARATION_SUFFIXES):
        return []
    try:
        source = SourceText(text)
    except ParseFailure as e:
        raise ParseFailure(f'{path}: {e}') from None
    root = parse_tolerant(grammar, source.data).root_node
    first_error = next(error_nodes(root), None)
    if first_error is not None:
        raise ParseFailure(f'{path}: {describe_error(first_error)}')
    rules = _RULES[grammar]
    if rules.generated(text):
        return []
    file = _File(path, source, rules, skipped)
    found = (_stub_of(function, file) for function in matching_nodes(grammar, rules.functions, root))
    return [stub for stub in found if stub is not None]


def _stub_of(function: Node, file: _File) -> Stub | None:
    body = function.child_by_field_name('body')
    if body is None or body.type not in file.rules.blocks:
        return None
    items = body_items(body)
    verdict = classify(function, body, items, file.rules)
    if verdict is None:
        return None
    why_not = verdict.reason if verdict.kind is None else (
        file.rules.excluded(function) or why_intentional(function, items, verdict, file.rules, file.class_counts))
    if verdict.kind is None or why_not is not None:
        _skip(function, body, why_not or verdict.reason, file)
        return None
    span = body_span(file.source, body, items, file.eol, lambda: file.unit)
    # The TODO over the header (or after the brace) that asked for the body: stale once it is written.
    beside = todo_comment_beside(function, body, file.rules, any_todo=verdict.kind == 'empty-typed')
    todo_span = todo_removal(file.source, beside, body) if beside is not None else None
    return Stub(
        path=file.path,
        language=file.rules.language,
        kind=verdict.kind,
        evidence=verdict.reason,
        name=qualified_name(function, file.rules),
        start=span.start,
        end=span.end,
        start_line=span.start_line,
        end_line=span.end_line,
        indent=span.indent,
        lead=span.lead,
        tail=span.tail,
        todo_span=todo_span,
    )


def _skip(function: Node, body: Node, reason: str, file: _File) -> None:
    if file.skipped is not None:
        name = qualified_name(function, file.rules)
        file.skipped.append(Skipped(file.path, body.start_point.row + 1, name, reason))


def syntax_problem(path: str, text: str, start: int, end: int) -> str | None:
    """Why the filled file does not parse around ``text[start:end]`` (the fill), or None.

    Counted: ERROR and MISSING nodes that overlap the fill, touch it (across blanks), or come
    after it — tree-sitter reads the file from the top, so code before the fill parses as it did,
    while an unbalanced brace in the fill shows up anywhere below it, often at the end of the file.
    So ``end`` needs no check of its own. Meant for a file that parsed before the fill.
    """
    grammar = grammar_for(path)
    if grammar is None:
        return None
    try:
        source = SourceText(text)
    except ParseFailure as e:
        return str(e)
    root = parse_tolerant(grammar, source.data).root_node
    if not root.has_error:
        return None
    # Adjacent: the token just before the fill, past any blanks (usually the opening brace).
    before = len(text[:start].rstrip()) - 1
    problem = next(error_nodes(root, source.byte(max(before, 0))), None)
    return describe_error(problem) if problem is not None else None
