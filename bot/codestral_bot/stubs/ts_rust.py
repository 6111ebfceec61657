"""Rust stubs: ``todo!()``, ``unimplemented!()``, ``panic!("not implemented")`` and TODO bodies."""
from __future__ import annotations

from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rules import binding_name
from codestral_bot.stubs.ts_rules import last_segment
from codestral_bot.stubs.ts_rules import normalized
from codestral_bot.stubs.ts_rules import says_not_implemented
from codestral_bot.stubs.ts_rules import text_of
from codestral_bot.stubs.ts_rules import values

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['RUST']

_FUNCTIONS = '[(function_item) (closure_expression)] @fn'
_COMMENTS = frozenset({'line_comment', 'block_comment'})
_STRINGS = ('string_literal', 'raw_string_literal')
_MACROS = {'todo': 'todo-macro', 'unimplemented': 'unimplemented-macro'}
_ZERO = frozenset({
    'Default::default()', 'Self::default()', 'None', 'Ok(())', '()', '0', '0.0', 'false', '""',
    'String::new()', 'Vec::new()',
})
_BINDINGS = {'let_declaration': ('pattern',)}


def _expression(statement: Node) -> Node | None:
    """The expression of `expr;` or of a block's tail expression."""
    if statement.type == 'expression_statement':
        return next(iter(values(statement, _COMMENTS)), None)
    return statement


def _stub_statement(statement: Node) -> str | None:
    macro = _expression(statement)
    if macro is None or macro.type != 'macro_invocation':
        return None
    name = last_segment(text_of(macro.child_by_field_name('macro')))
    if name in _MACROS:
        return _MACROS[name]
    if name == 'panic' and says_not_implemented(macro, _STRINGS):
        return 'panic-not-implemented'
    return None


def _filler(statement: Node) -> bool:
    value = _expression(statement)
    if value is not None and value.type == 'return_expression':
        returned = values(value, _COMMENTS)
        value = returned[0] if returned else None
        if value is None:
            return True
    return value is not None and normalized(value) in _ZERO


def _type_name(node: Node | None) -> str:
    """`Foo<T>`, `&mut Foo`, `crate::Foo` → `Foo`."""
    while node is not None and node.type in ('generic_type', 'reference_type', 'pointer_type'):
        node = node.child_by_field_name('type')
    return last_segment(text_of(node))


def _scope_name(node: Node) -> str | None:
    if node.type in ('function_item', 'trait_item', 'mod_item'):
        return text_of(node.child_by_field_name('name'))
    if node.type == 'impl_item':
        return _type_name(node.child_by_field_name('type')) or None
    if node.type == 'closure_expression':
        return binding_name(node, _BINDINGS) or '<anonymous>'
    return None


RUST = Rules(
    language='rust',
    functions=_FUNCTIONS,
    blocks=frozenset({'block'}),
    comments=_COMMENTS,
    default_indent='    ',
    stub_statement=_stub_statement,
    filler=_filler,
    scope_name=_scope_name,
    excluded=lambda node: False,  # trait signatures without a body are not function_items
)
