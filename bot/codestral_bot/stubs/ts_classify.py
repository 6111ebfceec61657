"""Whether a function body is a stub, and of which kind, from its tree-sitter nodes."""
from __future__ import annotations

from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rules import has_todo_mark
from codestral_bot.stubs.ts_rules import is_eclipse_mark
from codestral_bot.stubs.ts_rules import text_of

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['body_items', 'braces', 'classify', 'qualified_name']

# Nodes that hold a list of declarations or statements: a function's comment neighbours are
# its siblings in one of these, so the climb to the function's statement stops below them.
_CONTAINERS = frozenset({
    'program', 'source_file', 'statement_block', 'block', 'class_body', 'declaration_list',
    'interface_body', 'enum_body', 'enum_body_declarations', 'object', 'statement_list',
    'constructor_body',
})
# Written above a function but not part of its node.
_PREFIXES = frozenset({'attribute_item', 'decorator'})


def braces(body: Node) -> tuple[Node, Node]:
    """The body's opening and closing brace tokens (a body node is never empty)."""
    opening = next((child for child in body.children if child.type == '{'), body.children[0])
    closing = next((child for child in reversed(body.children) if child.type == '}'), body.children[-1])
    return opening, closing


def body_items(body: Node) -> list[Node]:
    """The statements and comments between a body's braces (Go wraps statements in a list).

    A comment right after a top-level function's closing brace can belong to the body node.
    """
    opening, closing = braces(body)
    items: list[Node] = []
    for child in body.named_children:
        if opening.end_byte <= child.start_byte and child.end_byte <= closing.start_byte:
            items.extend(child.named_children if child.type == 'statement_list' else [child])
    return items


def classify(function: Node, body: Node, items: list[Node], rules: Rules) -> str | None:
    """The stub kind of a body made of ``items``, or None for a body with real code."""
    statements = [item for item in items if item.type not in rules.comments]
    if len(statements) > 1:
        return None  # real code, whatever its comments say
    if statements:
        kind = rules.stub_statement(statements[0])
        if kind is not None:
            return kind
    if not items:
        return 'empty-todo' if _todo_beside(function, body, rules) else None
    comments = [text_of(item) for item in items if item.type in rules.comments]
    if not any(has_todo_mark(comment) for comment in comments):
        return None
    if statements and not rules.filler(statements[0]):
        return None  # a TODO note in a body with real code
    if any(is_eclipse_mark(comment) for comment in comments):
        return 'eclipse-auto-generated'
    return 'todo-zero-return' if statements else 'todo-comment'


def _statement_of(function: Node) -> Node:
    """The node whose siblings are the function's neighbours: `export …`, `const f = …;`."""
    node = function
    row = function.start_point.row
    while True:
        parent = node.parent
        if parent is None or parent.type in _CONTAINERS or parent.parent is None:
            return node
        if parent.start_point.row != row:
            return node
        node = parent


def _todo_after(statement: Node, body: Node, rules: Rules) -> bool:
    """A TODO comment after the closing brace, on its line."""
    closing = braces(body)[1]
    inside = [child for child in body.children if child.start_byte >= closing.end_byte]
    after = inside[0] if inside else statement.next_sibling
    return (
        after is not None and after.type in rules.comments
        and after.start_point.row == closing.end_point.row and has_todo_mark(text_of(after))
    )


def _is_argument(function: Node, statement: Node) -> bool:
    """`which(x).catch(() => {})`: an empty callback passed to a call, a no-op by intent."""
    node = function.parent
    while node is not None and node != statement.parent:
        if node.type in ('arguments', 'argument_list'):
            return True
        node = node.parent
    return False


def _todo_beside(function: Node, body: Node, rules: Rules) -> bool:
    """An empty body marked by a TODO comment on the line above or after the closing brace."""
    statement = _statement_of(function)
    if _is_argument(function, statement):
        return False  # the TODO is about the statement the callback sits in, not the callback
    if _todo_after(statement, body, rules):
        return True
    top = statement
    before = statement.prev_sibling
    while before is not None and before.type in _PREFIXES:
        top, before = before, before.prev_sibling
    if before is None or before.type not in rules.comments:
        return False
    if before.end_point.row < top.start_point.row - 1 or not _own_line(before):
        return False
    return has_todo_mark(text_of(before))


def _own_line(comment: Node) -> bool:
    """A comment that starts its line, not one trailing the code before it."""
    previous = comment.prev_sibling
    return previous is None or previous.end_point.row < comment.start_point.row


def qualified_name(function: Node, rules: Rules) -> str:
    """`Cart.total`, `Store.Get`, `outer.<anonymous>`: the named scopes around the function."""
    parts = [rules.scope_name(function) or '<anonymous>']
    node = function.parent
    while node is not None:
        name = rules.scope_name(node)
        if name:
            parts.append(name)
        node = node.parent
    return '.'.join(reversed(parts))
