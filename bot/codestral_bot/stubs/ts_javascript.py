"""JavaScript and TypeScript stubs: ``throw new Error("Not implemented")`` and TODO bodies."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rules import binding_name
from codestral_bot.stubs.ts_rules import named_field
from codestral_bot.stubs.ts_rules import normalized
from codestral_bot.stubs.ts_rules import says_not_implemented
from codestral_bot.stubs.ts_rules import split_top_level
from codestral_bot.stubs.ts_rules import text_of
from codestral_bot.stubs.ts_rules import values

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['JAVASCRIPT', 'TYPESCRIPT']

_FUNCTIONS = """
[(function_declaration) (generator_function_declaration) (function_expression)
 (generator_function) (arrow_function) (method_definition)] @fn
"""
_COMMENTS = frozenset({'comment', 'html_comment'})
_STRINGS = ('string', 'template_string')
_ZERO = frozenset({
    'null', 'undefined', 'void0', '0', 'false', "''", '""', '``', '[]', '{}', 'Promise.resolve()',
})
# Declarations that name what they contain.
_NAMED = frozenset({
    'function_declaration', 'generator_function_declaration', 'method_definition',
    'class_declaration', 'abstract_class_declaration', 'internal_module', 'module',
})
# Anonymous values named by what they are assigned to; objects and classes only name a scope
# when they are bound.
_ANONYMOUS_FUNCTIONS = frozenset({'function_expression', 'generator_function', 'arrow_function'})
_ANONYMOUS_SCOPES = frozenset({'class', 'object'})
# `module.exports.f = function…`, `Foo.prototype.f = …`: the name the code calls it by.
_ASSIGNED_PREFIX = re.compile(r'^(?:module\.exports|exports)\.|\.prototype(?=\.)')
# Results an empty body satisfies: TS2355 exempts `void`, `undefined` and `any` (and a union with
# `void`); `never` has its own error, and `unknown` is left out to be safe.
_NO_VALUE = frozenset({'void', 'undefined', 'any', 'unknown', 'never'})
_GENERATORS = frozenset({'generator_function_declaration', 'generator_function'})
_PROMISE = re.compile(r'^Promise\s*<(.*)>$', re.DOTALL)
# Comments that silence the type checker, for the file or for the next line.
_NO_CHECK = re.compile(rb'^\s*//\s*@ts-nocheck\b', re.MULTILINE)
_SILENCED = re.compile(rb'//\s*@ts-(?:ignore|expect-error)\b')
_BINDINGS = {
    'variable_declarator': ('name',),
    'pair': ('key',),
    'public_field_definition': ('name',),
    'field_definition': ('property',),
    'assignment_expression': ('left',),
}


def _thrown(statement: Node) -> Node | None:
    thrown = next(iter(values(statement, _COMMENTS)), None)
    while thrown is not None and thrown.type == 'parenthesized_expression':
        thrown = next(iter(values(thrown, _COMMENTS)), None)
    return thrown


def _stub_statement(statement: Node) -> str | None:
    if statement.type != 'throw_statement':
        return None
    thrown = _thrown(statement)
    if thrown is None:
        return None
    if thrown.type in _STRINGS:
        return 'throw-not-implemented' if says_not_implemented(thrown, _STRINGS) else None
    if thrown.type not in ('new_expression', 'call_expression'):
        return None
    callee = named_field(thrown, 'constructor', 'function')
    # new NotImplementedError() needs no message; new Error("…") needs one that says so.
    if says_not_implemented(callee, ()):
        return 'throw-not-implemented'
    if says_not_implemented(thrown.child_by_field_name('arguments'), _STRINGS):
        return 'throw-not-implemented'
    return None


def _filler(statement: Node) -> bool:
    if statement.type != 'return_statement':
        return False
    returned = values(statement, _COMMENTS)
    return not returned or (len(returned) == 1 and normalized(returned[0]) in _ZERO)


def _scope_name(node: Node) -> str | None:
    if node.type in _NAMED:
        return text_of(node.child_by_field_name('name')).strip('\'"`') or None
    if node.type in _ANONYMOUS_FUNCTIONS:
        own = text_of(node.child_by_field_name('name'))
        bound = _ASSIGNED_PREFIX.sub('', binding_name(node, _BINDINGS) or '')
        return own or bound or '<anonymous>'
    if node.type in _ANONYMOUS_SCOPES:
        return text_of(node.child_by_field_name('name')) or binding_name(node, _BINDINGS)
    return None


def _excluded(node: Node) -> str | None:
    parent = node.parent
    while parent is not None:
        if parent.type == 'ambient_declaration':
            return 'a `declare` context describes code that lives elsewhere'
        parent = parent.parent
    return None


def _declared_result(function: Node) -> str | None:
    """A return type annotation an empty body does not satisfy (TS2355), as written.

    Not generators (their annotation is what they yield), not `asserts x` (returns void), and
    not where the checker is silenced (`// @ts-nocheck`, `// @ts-ignore` over the header).
    """
    annotation = function.child_by_field_name('return_type')
    if annotation is None or annotation.type == 'asserts_annotation' or _generator(function):
        return None
    declared = ' '.join(text_of(annotation).removeprefix(':').split())
    result = declared
    if any(child.type == 'async' for child in function.children):
        promised = _PROMISE.match(declared)
        result = promised.group(1) if promised is not None else declared
    members = [member.strip('() ') for member in split_top_level(result, '|')]
    if any(member in _NO_VALUE for member in members) or _unchecked(function, annotation):
        return None
    return declared


def _generator(function: Node) -> bool:
    return function.type in _GENERATORS or any(child.type == '*' for child in function.children)


def _unchecked(function: Node, annotation: Node) -> bool:
    root = function
    while root.parent is not None:
        root = root.parent
    data = root.text or b''
    if _NO_CHECK.search(data, 0, function.start_byte):
        return True
    # The error is reported at the annotation: a directive on the line above silences it.
    line = data.rfind(b'\n', 0, annotation.start_byte) + 1
    previous = data[data.rfind(b'\n', 0, max(line - 1, 0)) + 1:line] if line else b''
    return bool(_SILENCED.search(previous))


def _returned(statement: Node) -> list[Node] | None:
    if statement.type != 'return_statement':
        return None
    returned = values(statement, _COMMENTS)
    return [value for node in returned for value in (
        values(node, _COMMENTS) if node.type == 'sequence_expression' else [node])]


def _rules(language: str, default_indent: str) -> Rules:
    typed = language == 'typescript'
    return Rules(
        language=language,
        functions=_FUNCTIONS,
        blocks=frozenset({'statement_block'}),
        comments=_COMMENTS,
        default_indent=default_indent,
        stub_statement=_stub_statement,
        filler=_filler,
        scope_name=_scope_name,
        excluded=_excluded,
        strings=_STRINGS,
        returned=_returned,
        throws=lambda node: node.type == 'throw_statement',
        classes=frozenset({'class_declaration', 'class', 'abstract_class_declaration'}),
        declared_result=_declared_result if typed else lambda node: None,
    )


JAVASCRIPT = _rules('javascript', '  ')
TYPESCRIPT = _rules('typescript', '  ')
