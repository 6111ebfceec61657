"""What a language's stubs look like, and the node helpers the per-language rules share."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = [
    'Rules',
    'all_of_type',
    'binding_name',
    'first_of_type',
    'is_eclipse_mark',
    'last_segment',
    'named_field',
    'normalized',
    'says_not_implemented',
    'split_top_level',
    'text_of',
    'values',
]

# "Not implemented", "Method not implemented.", "not yet implemented", NotImplementedError,
# "unimplemented", GoLand's "implement me", NetBeans' "Not supported yet.".
_NOT_IMPLEMENTED = re.compile(
    r'not[\s_-]*(?:yet[\s_-]*)?implemented|\bunimplemented\b|\bimplement\s+me\b|not supported yet',
    re.IGNORECASE,
)
# A message that *is* a TODO ("TODO", "todo: parse", "TODO(ann)…"), not one about a to-do item.
_TODO_MESSAGE = re.compile(r'^\W*(?:todo|fixme)\b\s*(?:$|[:(\-.!…,]|implement)', re.IGNORECASE)
# TODO/FIXME as a word in a comment: upper case anywhere, any case as the comment's first word.
_ECLIPSE_MARK = re.compile(r'TODO Auto-generated (?:method|constructor) stub')
_SEGMENT_SEPARATOR = re.compile(r'::|\.')
_QUOTES = re.compile(r'^[a-zA-Z]*#*["\'`]+|["\'`]+#*$')


@dataclasses.dataclass(frozen=True)
class Rules:
    """One language's stub conventions, as functions over tree-sitter nodes."""

    language: str  # Stub.language
    functions: str  # query capturing every function-like node that may have a body
    blocks: frozenset[str]  # node types of a function body in braces
    comments: frozenset[str]
    default_indent: str  # one indentation level when the file shows none
    stub_statement: Callable[[Node], str | None]  # kind of a lone "not implemented" statement
    filler: Callable[[Node], bool]  # a statement only there to compile: return of a zero value
    scope_name: Callable[[Node], str | None]  # name a node adds to a qualified name, if any
    # why a function is never a stub (interface members, Rust tests, ...), or None
    excluded: Callable[[Node], str | None]
    strings: tuple[str, ...] = ()  # node types of string literals (a message's text)
    # the values a `return` statement (or a tail expression) gives back; None for other statements
    returned: Callable[[Node], list[Node] | None] = lambda node: None
    throws: Callable[[Node], bool] = lambda node: False  # a throw/panic statement, whatever it says
    # why a lone statement that looks like a stub is not one ("UnsupportedOperationException
    # without a message": an optional operation), or None
    near_miss: Callable[[Node], str | None] = lambda node: None
    classes: frozenset[str] = frozenset()  # node types of classes (contract checks)
    generated: Callable[[str], bool] = lambda text: False  # a file no one should edit
    # The declared result of a function whose body must give a value back (`int`, `u32`, `number`),
    # as written; None when it has none or an empty body satisfies it (`void`, `()`). An empty body
    # under such a type is a compile error, so no finished code has one.
    declared_result: Callable[[Node], str | None] = lambda node: None


def text_of(node: Node | None) -> str:
    if node is None or node.text is None:
        return ''
    return node.text.decode('utf-8', 'replace')


def normalized(node: Node) -> str:
    """The node's text without any blanks: ``return  0 ;`` and ``return 0;`` compare equal."""
    return ''.join(text_of(node).split())


def named_field(node: Node, *fields: str) -> Node | None:
    for field in fields:
        child = node.child_by_field_name(field)
        if child is not None:
            return child
    return None


def values(node: Node, comments: frozenset[str]) -> list[Node]:
    """The named children of ``node`` that are not comments."""
    return [child for child in node.named_children if child.type not in comments]


def last_segment(name: str) -> str:
    """``std::todo`` → ``todo``; ``java.lang.Foo<T>`` → ``Foo``."""
    name = name.split('<', 1)[0]
    return _SEGMENT_SEPARATOR.split(name)[-1].strip()


def first_of_type(node: Node, types: Iterable[str]) -> Node | None:
    """The first node of one of ``types`` in ``node``'s subtree, in document order."""
    wanted = frozenset(types)
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in wanted:
            return current
        stack.extend(reversed(current.named_children))
    return None


def all_of_type(node: Node, types: Iterable[str]) -> list[Node]:
    """Every node of one of ``types`` in ``node``'s subtree, in document order."""
    wanted = frozenset(types)
    found: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in wanted:
            found.append(current)
            continue
        stack.extend(reversed(current.named_children))
    return found


def says_not_implemented(node: Node | None, strings: Iterable[str]) -> bool:
    """Whether arguments (or a name) say "not implemented" or carry a message that is a TODO."""
    if node is None:
        return False
    if _NOT_IMPLEMENTED.search(text_of(node)):
        return True
    message = first_of_type(node, strings)
    return message is not None and bool(_TODO_MESSAGE.search(_QUOTES.sub('', text_of(message))))


def is_eclipse_mark(comment: str) -> bool:
    return bool(_ECLIPSE_MARK.search(comment))


def binding_name(node: Node, bindings: Mapping[str, tuple[str, ...]]) -> str | None:
    """The name an anonymous function or object gets from what it is assigned to.

    ``bindings`` maps a parent type to the fields naming it: ``const f = () => {}`` is named by
    its ``variable_declarator``'s ``name``.
    """
    parent = node.parent
    if parent is None or parent.type not in bindings:
        return None
    target = named_field(parent, *bindings[parent.type])
    if target is None or target.id == node.id:
        return None
    name = text_of(target).strip('\'"`')
    return name.removeprefix('this.') if re.fullmatch(r'[\w$#.]+', name) else None


def split_top_level(text: str, separator: str) -> list[str]:
    """``text`` cut at each ``separator`` outside brackets: `A<B | C> | D` → `A<B | C>`, `D`."""
    parts: list[str] = []
    depth = start = 0
    for i, char in enumerate(text):
        if char in '<([{':
            depth += 1
        elif char in '>)]}' and depth > 0 and text[i - 1:i + 1] != '=>' and text[i - 1:i + 1] != '->':
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts
