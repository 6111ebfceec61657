"""Rust stubs: ``todo!()``, ``unimplemented!()``, ``panic!("not implemented")`` and TODO bodies."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rules import binding_name
from codestral_bot.stubs.ts_rules import last_segment
from codestral_bot.stubs.ts_rules import normalized
from codestral_bot.stubs.ts_rules import says_not_implemented
from codestral_bot.stubs.ts_rules import split_top_level
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
_NOT_VALUES = frozenset({
    'let_declaration', 'expression_statement', 'empty_statement', 'macro_invocation', 'function_item',
    'struct_item', 'enum_item', 'impl_item', 'use_declaration', 'const_item', 'static_item',
    # control flow is code, not a placeholder value
    'match_expression', 'if_expression', 'block', 'loop_expression', 'for_expression',
    'while_expression', 'unsafe_block', 'async_block',
})
# `#[test]`, `#[tokio::test]`, `#[bench]`, `#[rstest]`
_TEST_ATTRIBUTE = re.compile(r'#\[\s*(?:[\w:]*::)?(?:test|bench|rstest)\b')
_CFG_TEST = re.compile(r'#\[\s*cfg\s*\(\s*test\s*\)')
# Traits `()` does not implement: an `impl Trait` result naming one needs a value. `()` does
# implement Debug, Default, Clone, Hash, Serialize, axum's IntoResponse, bevy's Bundle …, so
# `fn f() -> impl Debug {}` compiles: an `impl` of other traits is no evidence.
_NOT_UNIT_TRAITS = frozenset({
    'Iterator', 'IntoIterator', 'DoubleEndedIterator', 'ExactSizeIterator', 'FusedIterator', 'Future',
    'IntoFuture', 'Stream', 'Sink', 'Fn', 'FnMut', 'FnOnce', 'Display', 'Error', 'Read', 'Write',
    'BufRead', 'Seek', 'AsRef', 'AsMut', 'Deref', 'DerefMut', 'Borrow', 'BorrowMut', 'ToString',
    'AsyncRead', 'AsyncWrite', 'AsyncBufRead', 'AsyncSeek', 'Buf', 'BufMut',
})
# The trait a bound names: `std::iter::Iterator<Item = u8>` → `Iterator`, `for<'a> Fn(&'a u8)` → `Fn`.
_BOUND_NAME = re.compile(r"(?:for\s*<[^>]*>\s*)?(?:\w+\s*::\s*)*(\w+)")


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


def _returned(statement: Node) -> list[Node] | None:
    """What a `return x;` or a tail expression gives back (a `let` or an item gives nothing)."""
    value = _expression(statement)
    if value is None or value.type in _NOT_VALUES:
        return None
    if value.type == 'return_expression':
        return values(value, _COMMENTS)
    return [value]


def _filler(statement: Node) -> bool:
    returned = _returned(statement)
    return returned is not None and all(normalized(value) in _ZERO for value in returned)


def _panics(statement: Node) -> bool:
    macro = _expression(statement)
    return macro is not None and macro.type == 'macro_invocation' and (
        last_segment(text_of(macro.child_by_field_name('macro'))) == 'panic')


def _attributes(node: Node) -> str:
    """The text of the attributes written above an item."""
    texts = []
    before = node.prev_sibling
    while before is not None and before.type in ('attribute_item', 'line_comment', 'block_comment'):
        if before.type == 'attribute_item':
            texts.append(text_of(before))
        before = before.prev_sibling
    return ' '.join(texts)


def _excluded(node: Node) -> str | None:
    """Tests, and code in `const _: () = { … };` blocks, which only has to compile."""
    if node.type == 'function_item' and _TEST_ATTRIBUTE.search(_attributes(node)):
        return 'a #[test] function'
    parent = node.parent
    while parent is not None:
        if parent.type == 'mod_item' and _CFG_TEST.search(_attributes(parent)):
            return 'inside a #[cfg(test)] module'
        if parent.type == 'const_item' and text_of(parent.child_by_field_name('name')) == '_':
            return 'inside a `const _` block: compiled, never called'
        parent = parent.parent
    return None


def _declared_result(function: Node) -> str | None:
    """`-> T` but `()`, `!` and an `impl` of traits `()` may have: an empty block is `()` (E0308)."""
    declared = function.child_by_field_name('return_type')
    if declared is None or declared.type == 'never_type':
        return None
    text = ' '.join(text_of(declared).split())
    if not text.replace(' ', '').strip('()'):
        return None  # `()`, `(())`
    if text.startswith('impl ') and not _names_a_trait_unit_lacks(text.removeprefix('impl ')):
        return None
    return text


def _names_a_trait_unit_lacks(bounds: str) -> bool:
    for bound in split_top_level(bounds, '+'):
        name = _BOUND_NAME.match(bound.lstrip('?( '))
        if name is not None and name.group(1) in _NOT_UNIT_TRAITS:
            return True
    return False


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
    excluded=_excluded,
    strings=_STRINGS,
    returned=_returned,
    throws=_panics,
    declared_result=_declared_result,
)
