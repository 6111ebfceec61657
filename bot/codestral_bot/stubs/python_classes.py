"""What a Python file's classes say about their methods: typing protocols, zope interfaces, event
classes, base-class contracts, null objects, and which classes extend or refuse which methods.

``ModuleFacts`` reads one file; ``Hierarchy`` adds the repository through a ``grep`` callable
(``contracts.git_grep``) so the finder itself stays pure.
"""
from __future__ import annotations

import ast
import dataclasses
import functools
import re
from collections import deque
from collections.abc import Iterator

from codestral_bot.stubs import python_rules as rules
from codestral_bot.stubs.contracts import Grep
from codestral_bot.stubs.contracts import bases_in
from codestral_bot.stubs.contracts import inherited_body_in
from codestral_bot.stubs.contracts import overridden_in
from codestral_bot.stubs.contracts import subclasses_in

__all__ = ['ClassFacts', 'FuncDef', 'Hierarchy', 'ModuleFacts', 'has_self', 'is_dunder']

FuncDef = ast.FunctionDef | ast.AsyncFunctionDef

_CONTRACT_NAME = re.compile(r'^(Abstract|Base)[A-Z_]|Base$|^Abstract$|^Base$|Interface$|Mixin$|^_?Base')
_NULL_NAME = re.compile(r'^_?(Null|Dummy|Noop|NoOp|Nop|Fake|Mock|Stub|Empty|Silent|Void)[A-Z_]|(Null|Dummy|Noop)[A-Z]?\w*$')
_INTERFACE_BASES = {'Interface', 'zope.interface.Interface', 'interface.Interface', 'InterfaceClass'}
_NETWORK_PROTOCOL = re.compile(r'asyncio|twisted|(^|\.)protocols?$')


@dataclasses.dataclass
class ClassFacts:
    """What a class says about the methods inside it."""

    node: ast.ClassDef
    members_reason: str | None  # every member is a declaration: typing.Protocol, Interface, events
    contract: bool  # ABC, Base*/Abstract*/*Mixin name, or its docstring says subclasses implement it
    null_object: bool


class ModuleFacts:
    """File-wide facts: where ``Protocol`` comes from, which classes extend which."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.tree_body = tree.body

    # Each fact is gathered the first time a candidate needs it: a file of functions only never
    # needs its classes, and walking 5 MB of statements takes a good part of a second.

    @functools.cached_property
    def _statements(self) -> list[ast.AST]:
        return list(_statements(self.tree))

    @functools.cached_property
    def typing_names(self) -> set[str]:
        return self._typing_protocol_names(self._statements)

    @functools.cached_property
    def classes(self) -> dict[str, list[ast.ClassDef]]:
        classes: dict[str, list[ast.ClassDef]] = {}
        for node in self._statements:
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, []).append(node)
        return classes

    @functools.cached_property
    def interfaces(self) -> set[str]:
        return self._interface_names()

    @staticmethod
    def _typing_protocol_names(statements: list[ast.AST]) -> set[str]:
        """Local names of ``typing.Protocol``: ``Protocol`` unless it comes from asyncio, Twisted or
        a ``protocol`` module or the file defines its own (libraries re-export typing's from compat
        modules), plus aliases (``from typing import Protocol as TypingProtocol``)."""
        names = {'Protocol'}
        for node in statements:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != 'Protocol':
                        continue
                    if _NETWORK_PROTOCOL.search(node.module or ''):
                        names.discard(alias.asname or alias.name)
                    else:
                        names.add(alias.asname or alias.name)
            elif isinstance(node, ast.ClassDef) and node.name == 'Protocol':
                names.discard('Protocol')
        return names

    def _interface_names(self) -> set[str]:
        """zope interfaces of this file: classes extending ``Interface`` or another interface here."""
        found: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, nodes in self.classes.items():
                if name in found:
                    continue
                bases = {rules.dotted(b) for n in nodes for b in n.bases}
                if bases & (_INTERFACE_BASES | found) or (
                        re.match(r'I[A-Z]', name) and bases and all(re.match(r'(\w+\.)*I[A-Z]', b) for b in bases)):
                    found.add(name)
                    changed = True
        return found

    def is_typing_protocol(self, node: ast.ClassDef) -> bool:
        for base in node.bases:
            name = rules.dotted(base)
            if name in self.typing_names or (isinstance(base, ast.Subscript) and name.endswith('Protocol')):
                return True
            prefix, _, last = name.rpartition('.')
            if last == 'Protocol' and prefix and not _NETWORK_PROTOCOL.search(prefix):
                return True
        return False

    def describe(self, node: ast.ClassDef) -> ClassFacts:
        bases = {rules.dotted(b) for b in node.bases}
        base_tails = {b.rsplit('.', 1)[-1] for b in bases}
        keywords = {rules.dotted(k.value).rsplit('.', 1)[-1] for k in node.keywords}
        members = None
        if self.is_typing_protocol(node):
            members = 'typing.Protocol member: a structural type, not code'
        elif node.name in self.interfaces:
            members = 'zope Interface member: the declaration is the specification'
        elif node.name.endswith('Events') or any(t.endswith('Events') for t in base_tails):
            members = 'event hook specification: signature and docstring are the specification'
        contract = bool(_CONTRACT_NAME.search(node.name) or (base_tails | keywords) & {'ABC', 'ABCMeta'}
                        or rules.class_says_contract(node))
        return ClassFacts(node, members, contract, bool(_NULL_NAME.search(node.name)))

    def overridden_here(self, class_name: str, method: str) -> bool:
        """A class of this file extends ``class_name`` (at any depth) and defines ``method``, itself
        or through a mixin of this file it also extends (``class SMTPSender(SenderMixin, SMTPClient)``)."""
        seen, todo = {class_name}, [class_name]
        while todo:
            parent = todo.pop()
            for nodes in self.classes.values():
                for node in nodes:
                    bases = [rules.dotted(b).rsplit('.', 1)[-1] for b in node.bases]
                    if parent not in bases:
                        continue
                    providers = [node, *(m for b in bases if b != parent for m in self.classes.get(b, []))]
                    if any(_defines(s, method) for p in providers for s in p.body):
                        return True
                    if node.name not in seen:
                        seen.add(node.name)
                        todo.append(node.name)
        return False

    def local_functions(self) -> set[str]:
        return {n.name for n in self.tree_body if isinstance(n, FuncDef)}


_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)


def _statements(tree: ast.Module) -> Iterator[ast.AST]:
    """``ast.walk``'s nodes in its order (breadth first, fields in order), but only statements and
    the ``except``/``case`` clauses holding them: classes and imports are never inside an
    expression, and skipping expressions is most of the nodes of a big file."""
    todo: deque[ast.AST] = deque([tree])
    while todo:
        node = todo.popleft()
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                todo.extend(v for v in value if isinstance(v, _BLOCKS))
        yield node


def _defines(stmt: ast.stmt, name: str) -> bool:
    """``def name``, ``name = ...`` or ``name: T = ...`` in a class body (also under an ``if``)."""
    if isinstance(stmt, ast.If):
        return any(_defines(s, name) for s in stmt.body + stmt.orelse)
    if isinstance(stmt, FuncDef):
        return stmt.name == name
    if isinstance(stmt, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
    return isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name


def is_dunder(name: str) -> bool:
    return name.startswith('__') and name.endswith('__') and name not in ('__init__', '__call__')


def has_self(node: FuncDef) -> bool:
    args = node.args.posonlyargs + node.args.args
    return bool(args) and args[0].arg in ('self', 'cls', 'klass', 'mcs', 'mcls', 'metacls')


class Hierarchy:
    """Who extends a class and what its bases implement: this file first, then the repository
    through the ``grep`` callable (bounded: a few classes per level, a few levels)."""

    def __init__(self, module: ModuleFacts, grep: Grep | None) -> None:
        self.module = module
        self.grep = grep

    def overridden_elsewhere(self, class_name: str, method: str, depth: int = 2) -> bool:
        """A class anywhere in the repository extends ``class_name`` (two levels deep, a few
        classes per level) and defines ``method``."""
        assert self.grep is not None
        names = [class_name]
        for _ in range(depth):
            found: list[str] = []
            for name in names:
                texts = [text for _, text in self.grep(name)]
                if overridden_in(texts, name, method):
                    return True
                found.extend(subclasses_in(texts, name))
            names = list(dict.fromkeys(found))[:5]
        return False

    def refuses_inherited(self, node: ast.ClassDef, method: str, depth: int = 3) -> bool:
        """A base class (up to three levels up, in this file or the repository) gives the method a
        real body, and this class overrides it to raise."""
        names = [rules.dotted(b).rsplit('.', 1)[-1] for b in node.bases]
        for _ in range(depth):
            parents: list[str] = []
            for name in names:
                if name in self.module.classes:
                    classes = self.module.classes[name]
                    found = [rules.shape_of(s).kind is None for c in classes for s in c.body
                             if isinstance(s, FuncDef) and s.name == method]
                    if found:
                        return found[0]
                    parents.extend(rules.dotted(b).rsplit('.', 1)[-1] for c in classes for b in c.bases)
                elif self.grep is not None and name.isidentifier():
                    texts = [text for _, text in self.grep(f'class {name}')]
                    real = inherited_body_in(texts, name, method)
                    if real is not None:
                        return real
                    parents.extend(bases_in(texts, name))
            names = [n for n in dict.fromkeys(parents) if n not in ('object', 'ABC', 'Generic', 'Protocol')][:12]
        return False

    @staticmethod
    def working_class(node: ast.ClassDef, method: FuncDef, needed: int = 2) -> bool:
        """At least ``needed`` other methods of the class (``__init__`` aside) do real work."""
        real = [s for s in node.body if isinstance(s, FuncDef) and s is not method and s.name != '__init__'
                and rules.shape_of(s).kind is None]
        return len(real) >= needed

    def overridden(self, class_name: str, method: str) -> bool:
        """A subclass in this file or the repository defines ``method``."""
        return self.module.overridden_here(class_name, method) or (
            self.grep is not None and self.overridden_elsewhere(class_name, method))

    @staticmethod
    def all_methods_empty(node: ast.ClassDef) -> bool:
        methods = [s for s in node.body if isinstance(s, FuncDef) and s.name != '__init__']
        # every method raising NotImplementedError: an abstract base without ABC (empty `pass` bodies
        # are a scaffold, left to bare_pass_is_stub)
        return len(methods) >= 2 and all(rules.shape_of(m).kind == 'not-implemented' for m in methods)
