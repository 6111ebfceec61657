"""Stub-looking bodies that are meant as they are: never run, unsupported by design, or contracts.

Asked only about a body ``classify`` called a stub. A developer's TODO outweighs every sign here
but "never run": the TODO says the body is unfinished, whatever the method's documentation says.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_classify import Verdict
from codestral_bot.stubs.ts_classify import body_items
from codestral_bot.stubs.ts_classify import leading_comments
from codestral_bot.stubs.ts_intent import intent_marker
from codestral_bot.stubs.ts_intent import never_called
from codestral_bot.stubs.ts_intent import says_yet
from codestral_bot.stubs.ts_intent import todo_line
from codestral_bot.stubs.ts_intent import unsupported_by_design
from codestral_bot.stubs.ts_rules import Rules
from codestral_bot.stubs.ts_rules import first_of_type
from codestral_bot.stubs.ts_rules import text_of

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['why_intentional']

# `BaseHandler`, `AbstractParser`, `HandlerBase`: named as a class to extend.
_BASE_NAME = re.compile(r'^(?:Abstract|Base)(?:[A-Z_]|$)|[a-z]Base$')
# A class with this many "not implemented" methods (and no more real ones), without a TODO, is an
# interface for subclasses.
_CONTRACT_METHODS = 2
# TypeScript's and Visual Studio's "implement interface" quick fix writes this: a generated stub.
_QUICK_FIX = re.compile(r'^Method not implemented\.?$')


def why_intentional(
    function: Node, items: list[Node], verdict: Verdict, rules: Rules, counts: dict[int, tuple[int, int]],
) -> str | None:
    """Why the stub-looking body is meant as it is, in a short sentence; None when it is a stub.

    ``counts`` caches, per class node of one file, what ``_unimplemented_methods`` found: a class
    with many stubs is scanned once, not once per stub.
    """
    words = '\n'.join(
        text_of(node) for node in [*leading_comments(function, rules), *items] if node.type in rules.comments
    )
    message = _message(items, rules)
    never = never_called(words) or never_called(message)
    if never is not None:
        return f'marked as never run ({never!r})'
    if verdict.todo is not None:
        return None
    if message and unsupported_by_design(message):
        return f'its message says why the operation is unsupported ({message[:60]!r})'
    marker = intent_marker(words)
    if marker is not None:
        return f'its comments say it is meant this way ({marker!r})'
    if verdict.kind == 'empty-typed':
        return None  # it does not compile: no base class's placeholder (nor an interface's default)
    return None if says_yet(message) else _contract(function, rules, counts)


def _default_method(function: Node) -> bool:
    """A Java interface `default` method: implementations override it, so throwing is its design."""
    modifiers = next((child for child in function.children if child.type == 'modifiers'), None)
    return modifiers is not None and 'default' in text_of(modifiers).split()


def _message(items: list[Node], rules: Rules) -> str:
    statements = [item for item in items if item.type not in rules.comments]
    found = first_of_type(statements[0], rules.strings) if statements and rules.strings else None
    return text_of(found).strip('\'"`')


def _enclosing_class(function: Node, rules: Rules) -> Node | None:
    node = function.parent
    while node is not None and node.type not in rules.classes:
        node = node.parent
    return node


def _contract(function: Node, rules: Rules, counts: dict[int, tuple[int, int]]) -> str | None:
    """A method of a base class that its subclasses implement."""
    if _default_method(function):
        return 'a default method of an interface: implementations override it'
    owner = _enclosing_class(function, rules)
    if owner is None:
        return None
    name = text_of(owner.child_by_field_name('name'))
    if _BASE_NAME.search(name):
        return f'a method of the base class {name}: subclasses implement it'
    if _implements(owner) or _QUICK_FIX.search(_message_of(function, rules)):
        return None  # a class being written against an interface, or an IDE's generated stub
    if owner.id not in counts:
        counts[owner.id] = _unimplemented_methods(owner, rules)
    throwing, methods = counts[owner.id]
    if throwing >= _CONTRACT_METHODS and 2 * throwing >= methods:
        return f'{name or "the class"} throws "not implemented" in most methods: an interface for subclasses'
    return None


def _implements(owner: Node) -> bool:
    """`class Pg implements Backend`: its methods are to be written, not overridden."""
    body = owner.child_by_field_name('body')
    header = (owner.text or b'')[:body.start_byte - owner.start_byte] if body is not None else b''
    return b'implements' in header.split()


def _message_of(function: Node, rules: Rules) -> str:
    body = function.child_by_field_name('body')
    return _message(body_items(body), rules) if body is not None else ''


def _unimplemented_methods(owner: Node, rules: Rules) -> tuple[int, int]:
    """How many methods of the class are only a "not implemented" statement (without a TODO or a
    "yet"), and how many methods with a body it has.

    An explicitly abstract class is no sign: its contract is its `abstract` methods, so a concrete
    method that throws is as unfinished as anywhere else.
    """
    class_body = owner.child_by_field_name('body')
    count = methods = 0
    for member in class_body.named_children if class_body is not None else []:
        body = member.child_by_field_name('body')
        if body is None or body.type not in rules.blocks:
            continue
        methods += 1
        items = body_items(body)
        statements = [item for item in items if item.type not in rules.comments]
        todo = any(todo_line(text_of(item)) for item in items if item.type in rules.comments)
        if len(statements) != 1 or todo or says_yet(text_of(statements[0])):
            continue
        if rules.stub_statement(statements[0]) is not None:
            count += 1
    return count, methods
