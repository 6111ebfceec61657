"""Whether a function body is a stub, and of which kind, from its tree-sitter nodes."""
from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_intent import says_implement
from codestral_bot.stubs.ts_intent import says_yet
from codestral_bot.stubs.ts_intent import todo_line
from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rules import all_of_type
from codestral_bot.stubs.ts_rules import first_of_type
from codestral_bot.stubs.ts_rules import is_eclipse_mark
from codestral_bot.stubs.ts_rules import says_not_implemented
from codestral_bot.stubs.ts_rules import text_of

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['Verdict', 'body_items', 'braces', 'classify', 'last_row', 'leading_comments', 'qualified_name',
           'todo_comment_beside']

# Nodes that hold a list of declarations or statements: a function's comment neighbours are
# its siblings in one of these, so the climb to the function's statement stops below them.
_CONTAINERS = frozenset({
    'program', 'source_file', 'statement_block', 'block', 'class_body', 'declaration_list',
    'interface_body', 'enum_body', 'enum_body_declarations', 'object', 'statement_list',
    'constructor_body',
})
# Written above a function but not part of its node.
_PREFIXES = frozenset({'attribute_item', 'decorator'})
_CALLS = ('call_expression', 'method_invocation', 'macro_invocation', 'new_expression',
          'object_creation_expression')
# A returned message that says nothing but "not implemented".
_BARE_NOT_IMPLEMENTED = frozenset({
    'not implemented', 'not yet implemented', 'unimplemented', 'method not implemented',
    'not implemented yet',
})
# `Optional.empty`, `Collections.emptyList`, `Vec::new`: a type's empty value (called with no argument).
_EMPTY_VALUE = re.compile(r'^[A-Z][\w<>]*(?:\.|::)\w+$')
# `errors.New("…")`, `fmt.Errorf(…)`, `new NotSupportedError()`, `io::Error::new(…)`: an error value.
_ERROR_CONSTRUCTOR = re.compile(r'(?:^|[.:])(?:New|Errorf|new)$|(?:Error|Exception|Err)\w*$')


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


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A stub of ``kind`` and the evidence for it, or (``kind`` None) a candidate and why it is none."""

    kind: str | None
    reason: str
    todo: str | None = None  # the developer's TODO line, when there is one


def classify(function: Node, body: Node, items: list[Node], rules: Rules) -> Verdict | None:
    """Whether a body made of ``items`` is a stub; None for a body that never looked like one."""
    statements = [item for item in items if item.type not in rules.comments]
    if len(statements) > 1:
        return None  # real code, whatever its comments say
    todo = _todo_in(items, rules) or _todo_above(function, body, rules)
    if statements:
        return _one_statement(statements[0], todo, rules)
    if todo is None:
        return _declared_but_empty(function, rules)
    if items and any(is_eclipse_mark(text_of(item)) for item in items):
        return Verdict('eclipse-auto-generated', f'Eclipse marker: {_quote(todo)}', todo)
    return Verdict('todo-comment' if items else 'empty-todo', f'TODO comment: {_quote(todo)}', todo)


def _declared_but_empty(function: Node, rules: Rules) -> Verdict | None:
    """An empty (or comment-only) body under a declared result it cannot give: `func f() int {}`.

    Each language rejects it (Go "missing return", Rust E0308, Java "missing return statement",
    TypeScript TS2355), so committed code never holds one: it is work left to do.
    """
    declared = rules.declared_result(function)
    if declared is None:
        return None
    return Verdict('empty-typed', f'declared return type over an empty body: {_quote(declared)}')


def _one_statement(statement: Node, todo: str | None, rules: Rules) -> Verdict | None:
    kind = rules.stub_statement(statement)
    if kind is not None:
        return Verdict(kind, f'body is {_quote(text_of(statement))}', todo)
    if todo is not None and rules.filler(statement):
        eclipse = is_eclipse_mark(todo)
        kind = 'eclipse-auto-generated' if eclipse else 'todo-zero-return'
        return Verdict(kind, f'TODO comment over a placeholder: {_quote(todo)}', todo)
    if todo is not None and says_implement(todo) and _placeholder(statement, rules):
        return Verdict('todo-placeholder', f'TODO comment over a placeholder: {_quote(todo)}', todo)
    if rules.returned(statement) is not None and _returns_not_implemented(statement, rules):
        # `return nil, errors.New("collMod is not implemented yet")`: an error in place of the code.
        return Verdict('return-not-implemented', f'body is {_quote(text_of(statement))}', todo)
    miss = rules.near_miss(statement)
    return Verdict(None, miss) if miss is not None and todo is None else None


def _returns_not_implemented(statement: Node, rules: Rules) -> bool:
    """A returned message that is only "not implemented", or says "… not implemented yet".

    Longer messages without a "yet" describe a limitation ("method Chown is not implemented for
    GCS", "Micro.evaluate: Not implemented" from a default hook), not a missing body.
    """
    for message in all_of_type(statement, rules.strings):
        words = ' '.join(re.findall(r'[a-z]+', text_of(message).lower()))
        if words in _BARE_NOT_IMPLEMENTED or (says_yet(words) and says_not_implemented(message, ())):
            return True
    return False


def _placeholder(statement: Node, rules: Rules) -> bool:
    """A throw, a call of a "not implemented" helper, or a return of plain values (no call but an
    error's constructor)."""
    if rules.throws(statement) or _calls_not_implemented(statement):
        return True
    values = rules.returned(statement)
    return values is not None and not any(_computes(value) for value in values)


def _calls_not_implemented(statement: Node) -> bool:
    """`notImplemented("navigation", window)`: a project's own placeholder helper."""
    call = first_of_type(statement, _CALLS)
    if call is None:
        return False
    callee = call.child_by_field_name('function') or call.child_by_field_name('name')
    return callee is not None and says_not_implemented(callee, ())


def _computes(node: Node) -> bool:
    """Whether an expression calls something other than an error constructor."""
    call = first_of_type(node, _CALLS)
    if call is None:
        return False
    callee = _callee(call)
    if _ERROR_CONSTRUCTOR.search(callee):
        return any(_computes(child) for child in _arguments(call))
    # `Optional.empty()`, `Collections.emptyList()`, `Vec::new()`: a type's empty value.
    return not (_EMPTY_VALUE.match(callee) and not _arguments(call))


def _callee(call: Node) -> str:
    """What a call calls, as written: `Optional.empty`, `errors.New`, `new Foo`, `Vec::new`."""
    arguments = call.child_by_field_name('arguments')
    end = arguments.start_byte if arguments is not None else call.end_byte
    data = call.text or b''
    return ''.join(data[:end - call.start_byte].decode('utf-8', 'replace').split()).removeprefix('new')


def _arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name('arguments')
    return list(arguments.named_children) if arguments is not None else []


def _quote(text: str) -> str:
    line = ' '.join(text.strip().splitlines()[0].split()) if text.strip() else ''
    return f'`{line[:77]}...`' if len(line) > 80 else f'`{line}`'


def _todo_in(items: list[Node], rules: Rules) -> str | None:
    """The first TODO line of the body's comments."""
    for item in items:
        if item.type in rules.comments:
            line = todo_line(text_of(item))
            if line is not None:
                return line
    return None


def leading_comments(function: Node, rules: Rules) -> list[Node]:
    """The comments right above the function (its doc comment), nearest last."""
    statement = _statement_of(function)
    top, before = statement, statement.prev_sibling
    while before is not None and before.type in _PREFIXES:
        top, before = before, before.prev_sibling
    found: list[Node] = []
    while before is not None and before.type in rules.comments and _own_line(before):
        if last_row(before) < top.start_point.row - 1:
            break
        found.insert(0, before)
        top, before = before, before.prev_sibling
    return found


def _todo_above(function: Node, body: Node, rules: Rules) -> str | None:
    """A TODO beside the function that asks for it to be written ("TODO: Will be private" does not)."""
    found = _todo_beside(function, body, rules)
    return found[0] if found is not None and says_implement(found[0]) else None


def todo_comment_beside(function: Node, body: Node, rules: Rules, *, any_todo: bool = False) -> Node | None:
    """The comment above the function or after its closing brace whose TODO asks for it to be written.

    With ``any_todo`` (a body that cannot stay as it is) any TODO there counts: over an empty
    body, `// TODO: return the sum of a and b` is the body's specification, stale once written.
    """
    found = _todo_beside(function, body, rules)
    return found[1] if found is not None and (any_todo or says_implement(found[0])) else None


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


def _todo_after(statement: Node, body: Node, rules: Rules) -> tuple[str, Node] | None:
    """A TODO comment after the closing brace, on its line (its TODO line and the comment)."""
    closing = braces(body)[1]
    inside = [child for child in body.children if child.start_byte >= closing.end_byte]
    after = inside[0] if inside else statement.next_sibling
    if after is None or after.type not in rules.comments:
        return None
    todo = todo_line(text_of(after)) if after.start_point.row == closing.end_point.row else None
    return (todo, after) if todo is not None else None


def _is_argument(function: Node, statement: Node) -> bool:
    """`which(x).catch(() => {})`: an empty callback passed to a call, a no-op by intent."""
    node = function.parent
    while node is not None and node != statement.parent:
        if node.type in ('arguments', 'argument_list'):
            return True
        node = node.parent
    return False


def _todo_beside(function: Node, body: Node, rules: Rules) -> tuple[str, Node] | None:
    """The TODO line of a comment directly above the function or after its closing brace, and the comment."""
    statement = _statement_of(function)
    if _is_argument(function, statement):
        return None  # the TODO is about the statement the callback sits in, not the callback
    after = _todo_after(statement, body, rules)
    if after is not None:
        return after
    above = leading_comments(function, rules)
    # Only the comment nearest the function: a TODO in an earlier paragraph is about something else.
    if not above:
        return None
    todo = todo_line(text_of(above[-1]))
    if todo is None or _is_doc_comment(above[-1]) and _bare(todo):
        return None  # `/// TODO` as the doc comment of a finished accessor: the docs are missing, not the code
    return todo, above[-1]


def _is_doc_comment(comment: Node) -> bool:
    return text_of(comment).lstrip().startswith(('///', '//!', '/**'))


def _bare(todo: str) -> bool:
    return todo.strip(' \t.:;!-*/').upper() in ('TODO', 'FIXME', 'XXX')


def _own_line(comment: Node) -> bool:
    """A comment that starts its line, not one trailing the code before it."""
    previous = comment.prev_sibling
    return previous is None or last_row(previous) < comment.start_point.row


def last_row(node: Node) -> int:
    """The row of the node's last character (a node may end just past a newline: a Rust line comment)."""
    row, column = node.end_point
    return row - 1 if column == 0 and row > node.start_point.row else row


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
