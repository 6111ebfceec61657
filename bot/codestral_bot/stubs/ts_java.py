"""Java stubs: ``throw new UnsupportedOperationException(…)`` and Eclipse's generated bodies."""
from __future__ import annotations

from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rules import binding_name
from codestral_bot.stubs.ts_rules import last_segment
from codestral_bot.stubs.ts_rules import named_field
from codestral_bot.stubs.ts_rules import normalized
from codestral_bot.stubs.ts_rules import says_not_implemented
from codestral_bot.stubs.ts_rules import text_of
from codestral_bot.stubs.ts_rules import values

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['JAVA']

_FUNCTIONS = """
[(method_declaration) (constructor_declaration) (compact_constructor_declaration)
 (lambda_expression)] @fn
"""
_COMMENTS = frozenset({'line_comment', 'block_comment'})
_STRINGS = ('string_literal',)
_ZERO = frozenset({
    'null', '0', '0L', '0l', '0.0', '0.0f', '0.0F', '0f', '0F', '0.0d', '0d', 'false', "'\\0'", '""',
})
_NAMED = frozenset({
    'method_declaration', 'constructor_declaration', 'compact_constructor_declaration',
    'class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration',
    'annotation_type_declaration', 'enum_constant',
})
_MEMBER_HOLDERS = frozenset({'class_body', 'interface_body', 'enum_body', 'annotation_type_body'})
_BINDINGS = {'variable_declarator': ('name',)}


def _thrown(statement: Node) -> Node | None:
    if statement.type != 'throw_statement':
        return None
    thrown = next(iter(values(statement, _COMMENTS)), None)
    return thrown if thrown is not None and thrown.type == 'object_creation_expression' else None


def _unsupported(thrown: Node) -> bool:
    return last_segment(text_of(thrown.child_by_field_name('type'))) == 'UnsupportedOperationException'


def _stub_statement(statement: Node) -> str | None:
    thrown = _thrown(statement)
    if thrown is None:
        return None
    exception = thrown.child_by_field_name('type')
    if _unsupported(thrown):
        # Java's optional operations throw it by design; only a message saying so makes a stub.
        arguments = thrown.child_by_field_name('arguments')
        return 'unsupported-operation' if says_not_implemented(arguments, _STRINGS) else None
    if says_not_implemented(exception, ()):
        return 'throw-not-implemented'  # e.g. commons-lang's NotImplementedException
    if says_not_implemented(thrown.child_by_field_name('arguments'), _STRINGS):
        return 'throw-not-implemented'
    return None


def _near_miss(statement: Node) -> str | None:
    thrown = _thrown(statement)
    if thrown is None or not _unsupported(thrown):
        return None
    return 'UnsupportedOperationException without a TODO or "not implemented": unsupported by design'


def _returned(statement: Node) -> list[Node] | None:
    return values(statement, _COMMENTS) if statement.type == 'return_statement' else None


def _filler(statement: Node) -> bool:
    if statement.type == 'explicit_constructor_invocation':
        # Eclipse's constructor stub: `super();` before the TODO.
        return normalized(named_field(statement, 'arguments') or statement) == '()'
    if statement.type != 'return_statement':
        return False
    returned = values(statement, _COMMENTS)
    return not returned or (len(returned) == 1 and normalized(returned[0]) in _ZERO)


def _scope_name(node: Node) -> str | None:
    if node.type in _NAMED:
        return text_of(node.child_by_field_name('name')) or None
    if node.type == 'lambda_expression':
        return binding_name(node, _BINDINGS) or '<anonymous>'
    if node.type == 'class_body' and node.parent is not None:
        return '<anonymous>' if node.parent.type == 'object_creation_expression' else None
    return None


def _declared_result(method: Node) -> str | None:
    """A method's type other than `void` ("missing return statement"); constructors and lambdas
    declare none, abstract and interface methods have no body."""
    if method.type != 'method_declaration':
        return None
    declared = method.child_by_field_name('type')
    return None if declared is None or declared.type == 'void_type' else text_of(declared)


def _excluded(node: Node) -> str | None:
    # Interface default and static methods are code like any other (their optional operations
    # are told apart by their message); annotation members have no code.
    parent = node.parent
    while parent is not None and parent.type not in _MEMBER_HOLDERS:
        parent = parent.parent
    return 'annotation member' if parent is not None and parent.type == 'annotation_type_body' else None


JAVA = Rules(
    language='java',
    functions=_FUNCTIONS,
    blocks=frozenset({'block', 'constructor_body'}),
    comments=_COMMENTS,
    default_indent='    ',
    stub_statement=_stub_statement,
    filler=_filler,
    scope_name=_scope_name,
    excluded=_excluded,
    strings=_STRINGS,
    returned=_returned,
    throws=lambda node: node.type == 'throw_statement',
    near_miss=_near_miss,
    classes=frozenset({'class_declaration', 'enum_declaration', 'record_declaration'}),
    declared_result=_declared_result,
)
