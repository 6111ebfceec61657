"""Grammar loading and parsing, imported lazily.

``tree_sitter`` and the grammar wheels are imported on first use, for one grammar at a time: the
pre-commit hook must start fast when the change holds no file of these languages.
"""
from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language
    from tree_sitter import Node
    from tree_sitter import Query
    from tree_sitter import Tree

__all__ = ['describe_error', 'error_nodes', 'language', 'matching_nodes', 'parse', 'parse_tolerant']

# grammar → (wheel module, function returning the grammar's language pointer)
_WHEELS: dict[str, tuple[str, str]] = {
    'javascript': ('tree_sitter_javascript', 'language'),
    'typescript': ('tree_sitter_typescript', 'language_typescript'),
    'tsx': ('tree_sitter_typescript', 'language_tsx'),
    'go': ('tree_sitter_go', 'language'),
    'rust': ('tree_sitter_rust', 'language'),
    'java': ('tree_sitter_java', 'language'),
}

@functools.cache
def language(grammar: str) -> Language:
    import tree_sitter

    module_name, attribute = _WHEELS[grammar]
    module = importlib.import_module(module_name)
    return tree_sitter.Language(getattr(module, attribute)())


@functools.cache
def _query(grammar: str, source: str) -> Query:
    import tree_sitter

    return tree_sitter.Query(language(grammar), source)


def parse(grammar: str, data: bytes) -> Tree:
    import tree_sitter

    # A parser per call: parsers are cheap and not safe to share between threads.
    return tree_sitter.Parser(language(grammar)).parse(data)


def parse_tolerant(grammar: str, data: bytes) -> Tree:
    """The tree of ``data``, read again with newer syntax blanked out when it has an error.

    The first tree is returned when the rewritten text does not parse either: its errors are the
    ones to report.
    """
    from codestral_bot.stubs.ts_rewrite import rewrite

    tree = parse(grammar, data)
    if not tree.root_node.has_error:
        return tree
    rewritten = rewrite(grammar, data)
    if rewritten == data:
        return tree
    retry = parse(grammar, rewritten)
    return tree if retry.root_node.has_error else retry


def matching_nodes(grammar: str, query_source: str, root: Node) -> list[Node]:
    """The nodes captured by ``query_source`` under ``root``, in document order."""
    import tree_sitter

    captures = tree_sitter.QueryCursor(_query(grammar, query_source)).captures(root)
    nodes = [node for group in captures.values() for node in group]
    return sorted(nodes, key=lambda node: (node.start_byte, -node.end_byte))


def error_nodes(root: Node, from_byte: int = 0) -> Iterator[Node]:
    """ERROR and MISSING nodes in document order, skipping those that end before ``from_byte``."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            yield node
            continue
        # Only subtrees flagged with an error can hold one: the walk stays off clean code.
        stack.extend(
            child for child in reversed(node.children)
            if child.has_error and child.end_byte >= from_byte
        )


def describe_error(node: Node) -> str:
    """A one-line reason naming the 1-based line of a syntax error."""
    line = node.start_point.row + 1
    if node.is_missing:
        return f'line {line}: syntax error, missing {node.type!r}'
    snippet = node.text.decode('utf-8', 'replace') if node.text else ''
    snippet = ' '.join(snippet.split())
    if len(snippet) > 40:
        snippet = snippet[:37] + '...'
    return f'line {line}: syntax error near {snippet!r}' if snippet else f'line {line}: syntax error'
