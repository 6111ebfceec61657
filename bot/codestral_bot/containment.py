"""A fill must stay inside its function: the check after the filled file parses.

A fill that parses can still leave its function: ``return a + b; } require("child_process")…;
function _unused() {`` closes the body early and adds top-level code, Go's ``func init(){…}`` or
Java's ``static {…}`` after an early ``}`` run on load, a Python fill can add statements at a
shallower indent. So the file before and after the fill are compared as trees:

- every node that enclosed the stub (the body block, the function, a class, …) is still there,
  of the same type, starting where it started and ending where it ended shifted by the fill's
  length (tree-sitter), or still holding all of the fill (Python's ``ast``, whose extents end
  at the last statement);
- at every level of that chain, the declarations beside it are unchanged: the same number, the
  same kinds, the same text. The top level of the file included.

Offsets are UTF-8 byte offsets throughout (what tree-sitter and ``ast`` columns count).
"""
from __future__ import annotations

import ast
import dataclasses
from typing import TYPE_CHECKING

from codestral_bot.records import Stub
from codestral_bot.stubs.python_block import parse

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['escape_problem']


@dataclasses.dataclass(frozen=True)
class _Region:
    """The replaced bytes: ``start``..``old_end`` before, ``start``..``new_end`` after."""

    start: int
    old_end: int
    new_end: int

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end


def escape_problem(stub: Stub, old_text: str, new_text: str, start: int, new_end: int) -> str | None:
    """Why ``new_text[start:new_end]`` (replacing ``old_text[start:stub.end]``) reaches outside the
    stub's function, or None when it stays inside. Both texts must parse."""
    begin = _bytes(old_text[:start])
    region = _Region(begin, begin + _bytes(old_text[start:stub.end]), begin + _bytes(new_text[start:new_end]))
    old, new = old_text.encode('utf-8', 'surrogatepass'), new_text.encode('utf-8', 'surrogatepass')
    if stub.language == 'python':
        return _python_problem(stub, old, new, region)
    return _tree_sitter_problem(stub, old, new, region)


def _bytes(text: str) -> int:
    return len(text.encode('utf-8', 'surrogatepass'))


def _outside(name: str) -> str:
    return f'the fill reaches outside `{name}`'


# --- brace languages: tree-sitter -------------------------------------------------------------

def _tree_sitter_problem(stub: Stub, old: bytes, new: bytes, region: _Region) -> str | None:
    from codestral_bot.stubs.treesitter import grammar_for
    from codestral_bot.stubs.ts_grammar import parse

    grammar = grammar_for(stub.path)
    if grammar is None:
        return None
    old_root, new_root = parse(grammar, old).root_node, parse(grammar, new).root_node
    chain = _enclosing(old_root, region)
    if not chain:
        return f'{_outside(stub.name)}: no enclosing block found'
    for node in chain:
        twin = _same_node(new_root, node.type, node.start_byte, node.end_byte + region.delta)
        if twin is None:
            return f'{_outside(stub.name)}: the {node.type.replace("_", " ")} around it would end elsewhere'
        if _declarations(node, region, old) != _declarations(twin, _shifted(region), new):
            return f'{_outside(stub.name)}: it would add or change declarations beside it'
    return None


def _shifted(region: _Region) -> _Region:
    """The same region, seen from the filled file (its end is the new end)."""
    return _Region(region.start, region.new_end, region.new_end)


def _enclosing(root: Node, region: _Region) -> list[Node]:
    """Nodes that strictly enclose the region, innermost first, up to and including the root."""
    node: Node | None = root.descendant_for_byte_range(region.start, region.old_end)
    chain = []
    while node is not None:
        if node.start_byte < region.start and node.end_byte > region.old_end or node.parent is None:
            chain.append(node)
        node = node.parent
    return chain


def _same_node(root: Node, kind: str, start: int, end: int) -> Node | None:
    node: Node | None = root.descendant_for_byte_range(start, end)
    while node is not None and node.start_byte == start and node.end_byte == end:
        if node.type == kind:
            return node
        node = node.parent
    if root.type == kind and (root.start_byte, root.end_byte) == (start, end):
        return root
    return None


def _declarations(node: Node, region: _Region, data: bytes) -> list[tuple[str, bytes]]:
    """The named children of ``node`` beside the region: kind and text (the one holding it: kind only)."""
    out = []
    for child in node.named_children:
        if child.end_byte <= region.start or child.start_byte >= region.old_end:
            out.append((child.type, data[child.start_byte:child.end_byte]))
        elif child.start_byte < region.start and child.end_byte > region.old_end:
            out.append((child.type, b''))
    return out


# --- Python: ast ------------------------------------------------------------------------------

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _statements(node: ast.AST) -> list[ast.stmt]:
    """The statements directly under ``node``, every block of it (``else``, ``except``, ``case``…)."""
    out: list[ast.stmt] = []
    for field in ('body', 'orelse', 'finalbody'):
        out += [s for s in getattr(node, field, None) or [] if isinstance(s, ast.stmt)]
    for holder in [*(getattr(node, 'handlers', None) or []), *(getattr(node, 'cases', None) or [])]:
        out += holder.body
    return out


def _python_problem(stub: Stub, old: bytes, new: bytes, region: _Region) -> str | None:
    try:
        old_tree, new_tree = parse(old), parse(new)
    except (SyntaxError, ValueError):
        return None  # the syntax check says why
    old_at, new_at = _Offsets(old), _Offsets(new)
    chain = _python_chain(old_tree, old_at, region.start)
    if not chain or not isinstance(chain[-1], _FUNCTIONS):
        return f'{_outside(stub.name)}: no enclosing function found'
    old_parent: ast.AST = old_tree
    new_parent: ast.AST = new_tree
    for scope in chain:
        twin = _python_twin(new_parent, scope)
        if twin is None or _shape(old_parent, old_at, old, scope) != _shape(new_parent, new_at, new, twin):
            return f'{_outside(stub.name)}: it would add or change declarations beside it'
        old_parent, new_parent = scope, twin
    return _python_spill(stub, new_tree, new_at, new_parent, region)


def _python_spill(stub: Stub, tree: ast.Module, at: _Offsets, function: ast.AST, region: _Region) -> str | None:
    """Every statement that starts in the fill ends inside the function (``ast`` extents end at
    a statement's last token: comments after the code are not in the tree)."""
    low, high = at.start(function), at.end(function)
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and region.start <= at.start(node) < region.new_end:
            if not low <= at.start(node) <= at.end(node) <= high:
                return f'{_outside(stub.name)}: part of it would run outside the function'
    return None


class _Offsets:
    """ast (line, column) → byte offset."""

    def __init__(self, data: bytes) -> None:
        self.starts = [0]
        found = data.find(b'\n')
        while found != -1:
            self.starts.append(found + 1)
            found = data.find(b'\n', found + 1)

    def start(self, node: ast.AST) -> int:
        return self.starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        return self.starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]

    def reach(self, node: ast.AST) -> int:
        """The start of the line after ``node``'s last line: where a body that is only a
        docstring gets its fill inserted."""
        line = node.end_lineno  # type: ignore[attr-defined]
        return self.starts[line] if line < len(self.starts) else self.end(node) + 1


def _python_chain(tree: ast.Module, at: _Offsets, start: int) -> list[ast.stmt]:
    """The statements holding the stub's first byte (classes, ifs, the function), outermost first."""
    chain: list[ast.stmt] = []
    node: ast.AST = tree
    while True:
        holder = next((s for s in _statements(node) if at.start(s) < start <= at.reach(s)), None)
        if holder is None:
            return chain
        chain.append(holder)
        if isinstance(holder, _FUNCTIONS):
            return chain  # the stub is this function's body
        node = holder


def _where(node: ast.AST) -> tuple[int, int]:
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


def _python_twin(parent: ast.AST, scope: ast.AST) -> ast.AST | None:
    """``scope`` in the filled file: the same kind of statement at the same place, same name."""
    for statement in _statements(parent):
        if type(statement) is type(scope) and _where(statement) == _where(scope) \
                and getattr(statement, 'name', None) == getattr(scope, 'name', None):
            return statement
    return None


def _shape(parent: ast.AST, at: _Offsets, data: bytes, holder: ast.AST) -> list[tuple[str, bytes]]:
    """The statements beside ``holder`` under ``parent``: kind and text (``holder``: kind only)."""
    shape = []
    for statement in _statements(parent):
        text = b'' if _where(statement) == _where(holder) else data[at.start(statement):at.end(statement)]
        shape.append((type(statement).__name__, text))
    return shape
