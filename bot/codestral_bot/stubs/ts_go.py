"""Go stubs: ``panic("not implemented")`` (impl), ``panic("unimplemented")`` (gopls), TODO + zero return."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rules import binding_name
from codestral_bot.stubs.ts_rules import first_of_type
from codestral_bot.stubs.ts_rules import normalized
from codestral_bot.stubs.ts_rules import says_not_implemented
from codestral_bot.stubs.ts_rules import text_of
from codestral_bot.stubs.ts_rules import values

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['GO']

_FUNCTIONS = '[(function_declaration) (method_declaration) (func_literal)] @fn'
_COMMENTS = frozenset({'comment'})
_STRINGS = ('interpreted_string_literal', 'raw_string_literal')
_ZERO = frozenset({'nil', '0', '0.0', '""', '``', 'false', 'err'})
# T{}, []int{}, map[string]int{}, *new(T), time.Duration(0)
_ZERO_SHAPES = re.compile(r'[\w.*\[\]]+\{\}|\*new\(.+\)|[\w.]+\(0\)')
# gofmt/go generate's marker; such files are rewritten by tools, never by hand.
_GENERATED = re.compile(r'^// Code generated .* DO NOT EDIT\.\r?$', re.MULTILINE)
_BINDINGS = {
    'short_var_declaration': ('left',),
    'assignment_statement': ('left',),
    'var_spec': ('name',),
}


def _stub_statement(statement: Node) -> str | None:
    if statement.type != 'expression_statement':
        return None
    call = next(iter(values(statement, _COMMENTS)), None)
    if call is None or call.type != 'call_expression':
        return None
    if text_of(call.child_by_field_name('function')) != 'panic':
        return None
    arguments = call.child_by_field_name('arguments')
    return 'panic-not-implemented' if says_not_implemented(arguments, _STRINGS) else None


def _is_zero(value: Node) -> bool:
    text = normalized(value)
    return text in _ZERO or bool(_ZERO_SHAPES.fullmatch(text))


def _returned(statement: Node) -> list[Node] | None:
    if statement.type != 'return_statement':
        return None
    returned = values(statement, _COMMENTS)
    if returned and returned[0].type == 'expression_list':
        returned = values(returned[0], _COMMENTS)
    return returned


def _filler(statement: Node) -> bool:
    returned = _returned(statement)
    return returned is not None and all(_is_zero(value) for value in returned)


def _panics(statement: Node) -> bool:
    call = next(iter(values(statement, _COMMENTS)), None) if statement.type == 'expression_statement' else None
    return call is not None and call.type == 'call_expression' and (
        text_of(call.child_by_field_name('function')) == 'panic')


def _receiver_type(method: Node) -> str:
    receiver = method.child_by_field_name('receiver')
    found = first_of_type(receiver, ('type_identifier',)) if receiver is not None else None
    return text_of(found)


def _scope_name(node: Node) -> str | None:
    if node.type == 'function_declaration':
        return text_of(node.child_by_field_name('name'))
    if node.type == 'method_declaration':
        name = text_of(node.child_by_field_name('name'))
        receiver = _receiver_type(node)
        return f'{receiver}.{name}' if receiver else name
    if node.type == 'func_literal':
        # The literal sits in an expression_list: `h := func() {…}`.
        holder = node.parent if node.parent is not None and node.parent.type == 'expression_list' else node
        return binding_name(holder, _BINDINGS) or '<anonymous>'
    return None


def _declared_result(function: Node) -> str | None:
    """Any result list: a body without a terminating statement does not compile ("missing
    return"), named results (`(n int)`) included."""
    result = function.child_by_field_name('result')
    return text_of(result) if result is not None else None


def _generated(text: str) -> bool:
    return bool(_GENERATED.search(text))


GO = Rules(
    language='go',
    functions=_FUNCTIONS,
    blocks=frozenset({'block'}),
    comments=_COMMENTS,
    default_indent='\t',
    stub_statement=_stub_statement,
    filler=_filler,
    scope_name=_scope_name,
    excluded=lambda node: None,  # interface method sets have no bodies to find
    strings=_STRINGS,
    returned=_returned,
    throws=_panics,
    generated=_generated,
    declared_result=_declared_result,
)
