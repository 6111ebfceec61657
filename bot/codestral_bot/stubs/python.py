"""Python stubs, found with the standard library's ``ast`` (exact spans, no grammar to load).

A stub needs evidence that its author left it unfinished (``Stub.evidence`` says which):

- a TODO/FIXME/XXX comment in the body or right above its statement, over a body that does
  nothing (``pass``, ``...``, a docstring, ``raise NotImplementedError``, a trivial ``return``);
- ``raise NotImplementedError`` (after optional log lines) outside a contract, or any ``raise``
  whose message says "not implemented"/"TODO";
- a ``...`` body outside typing constructs;
- a declared return type that an empty, ``pass`` or docstring-only body cannot satisfy.

A bare ``pass`` or docstring-only body is not a stub unless ``bare_pass_is_stub``. Never stubs:
abstract methods, overloads, ``typing.Protocol`` members, zope ``Interface`` members, hook
specifications, event classes, contracts that subclasses fulfil (the class says so, or a subclass
in this file or the repository overrides the method), deliberately unsupported operations,
bodies whose comments or docstring say they are empty on purpose, ``if TYPE_CHECKING:`` blocks and
``.pyi`` files. Each candidate turned down becomes a ``Skipped`` with the reason.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
import dataclasses
from collections.abc import Callable
from collections.abc import Iterator

from codestral_bot.records import Skipped
from codestral_bot.records import Stub
from codestral_bot.stubs import python_block
from codestral_bot.stubs import python_rules as rules
from codestral_bot.stubs._base import ParseFailure
from codestral_bot.stubs.contracts import Grep
from codestral_bot.stubs.python_classes import ClassFacts
from codestral_bot.stubs.python_classes import Hierarchy
from codestral_bot.stubs.python_classes import ModuleFacts
from codestral_bot.stubs.python_classes import has_self
from codestral_bot.stubs.python_classes import is_dunder

__all__ = ['find_stubs', 'syntax_problem']

_LINE = re.compile(r'[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$')
_FuncDef = ast.FunctionDef | ast.AsyncFunctionDef
_Defs = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


class _Lines:
    """Line starts of a text, to turn (line, utf-8 byte column) into a character offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Only the line breaks Python's tokenizer knows: str.splitlines also splits on \f, \x1c...
        self.lines = _LINE.findall(text)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, byte_col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode()[:byte_col].decode(errors='replace'))

    def line_end(self, lineno: int) -> int:
        """Offset just past the line's ending (or the end of the text)."""
        return self.starts[lineno]

    def eol_of(self, lineno: int) -> str:
        line = self.lines[lineno - 1]
        return line[len(line.rstrip('\r\n')):]

    def indent_of(self, lineno: int) -> str:
        line = self.lines[lineno - 1]
        return line[:len(line) - len(line.lstrip(' \t'))]


_ABSTRACT = {'abstractmethod', 'abstractproperty', 'abstractclassmethod', 'abstractstaticmethod'}
_HOOK_NAME = re.compile(r'^_*(visit|depart|on|handle|before|after|pre|post|setup|teardown|setUp|tearDown|'
                        r'start|stop|begin|end|enter|exit|leave|finish|finalize|close|reset|flush|clear|'
                        r'connection|data|event|notify)(_|$)|^_*(visit|depart|on|handle)[A-Z]')
# Example code in documentation shows signatures on purpose: weak evidence (a type, `...`) is not enough there.
_DOCS_PATH = re.compile(r'(^|/)(docs?|examples?)/')
def _type_checking(test: ast.expr) -> bool | None:
    """True for ``if TYPE_CHECKING`` (also ``and``-ed with a version check), False for
    ``if not TYPE_CHECKING``, None when the test is about something else."""
    if rules.dotted(test).endswith('TYPE_CHECKING') and not isinstance(test, ast.Call):
        return True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and _type_checking(test.operand):
        return False
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and any(_type_checking(v) for v in test.values):
        return True
    return None


@dataclasses.dataclass(frozen=True)
class _Verdict:
    kind: str | None  # the stub kind, or None: not a stub
    text: str  # the evidence (a stub) or the reason it is skipped


class _Finder:
    def __init__(self, path: str, text: str, tree: ast.Module, *, bare_pass_is_stub: bool,
                 grep: Grep | None, module: ModuleFacts | None = None,
                 wanted: Callable[[int, int], bool] | None = None) -> None:
        self.path = path
        self.wanted = wanted
        self.lines = _Lines(text)
        self.tree = tree
        self.module = ModuleFacts(tree) if module is None else module
        self.hierarchy = Hierarchy(self.module, grep)
        self.bare_pass_is_stub = bare_pass_is_stub
        self.grep = grep
        self.skipped: list[Skipped] = []
        self._comments: dict[tuple[int, int], dict[int, str]] = {}

    def comments(self, first: int, last: int) -> dict[int, str]:
        """Line → comment token text (never a string) of lines ``first``..``last``, where ``first``
        starts a statement (a ``def``): tokenizing from there finds the comments a whole-file
        pass finds (no string or bracket is open at a statement's start), and the file is not
        tokenized for every candidate."""
        key = (first, last)
        if key not in self._comments:
            found: dict[int, str] = {}
            region = ''.join(self.lines.lines[first - 1:last])
            tokens = tokenize.generate_tokens(io.StringIO(region).readline)
            try:
                for tok in tokens:
                    if tok.type == tokenize.COMMENT:
                        found[tok.start[0] + first - 1] = tok.string
            except (tokenize.TokenError, SyntaxError):
                pass
            self._comments[key] = found
        return self._comments[key]

    def walk(self, body: list[ast.stmt], scope: str, cls: ClassFacts | None,
             limit: int = 1 << 62) -> Iterator[Stub]:
        """``limit``: the last line the statements of ``body`` (and the comment lines after the
        last of them) can reach."""
        for i, node in enumerate(body):
            reach = _first_line(body[i + 1]) - 1 if i + 1 < len(body) else limit
            if self.wanted is not None and isinstance(node, _Defs) and not self.wanted(_first_line(node), reach):
                continue  # nothing of it can be part of the change
            if isinstance(node, ast.ClassDef):
                yield from self.walk(node.body, f'{scope}{node.name}.', self.module.describe(node), reach)
            elif isinstance(node, _FuncDef):
                stub = self.stub_of(node, f'{scope}{node.name}', cls)
                if stub is not None:
                    yield stub
                yield from self.walk(node.body, f'{scope}{node.name}.', None, reach)
            elif isinstance(node, ast.If) and _type_checking(node.test) is not None:
                # declarations for the type checker only: walk just the branch that runs
                runs = node.orelse if _type_checking(node.test) else node.body
                yield from self.walk(runs, scope, cls, reach)
            else:
                for field in ('body', 'orelse', 'finalbody', 'handlers'):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        yield from self.walk(
                            [s for s in inner if isinstance(s, ast.stmt | ast.excepthandler)],  # type: ignore[misc]
                            scope, cls, reach)

    def stub_of(self, node: _FuncDef, name: str, cls: ClassFacts | None) -> Stub | None:
        shape = rules.shape_of(node)
        if shape.kind is None:
            return None
        verdict = self.verdict(node, shape, cls)
        if verdict is None:
            return None
        if verdict.kind is None:
            self.skipped.append(Skipped(self.path, shape.last.lineno, name, verdict.text))
            return None
        if shape.kind == 'docstring-only':
            assert shape.doc is not None
            return self.docstring_only(node, shape.doc, name, verdict.text)
        return self.span(node, shape.last, name, verdict.kind, shape.doc, verdict.text)

    # --- the evidence ---------------------------------------------------------------------------

    def body_comments(self, node: _FuncDef, shape: rules.Shape) -> list[str]:
        last = self.trailing_comment_end(node, shape)
        comments = self.comments(node.lineno, last)
        return [comments[n] for n in range(node.lineno, last + 1) if n in comments]

    def trailing_comment_end(self, node: _FuncDef, shape: rules.Shape) -> int:
        """Last line of the body, counting comment lines right after a docstring-only body."""
        last = shape.last.end_lineno or shape.last.lineno
        if shape.kind != 'docstring-only':
            return last
        indent = len(self.body_indent(node))
        lines = self.lines.lines
        while last < len(lines) and lines[last].lstrip().startswith('#') and (
                len(lines[last]) - len(lines[last].lstrip(' \t'))) >= indent:
            last += 1
        return last

    def comments_above(self, node: _FuncDef) -> list[str]:
        """The comment block right above the ``def`` (or its decorators): ``# override in subclasses``."""
        line = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        found = []
        while line >= 1 and self.lines.lines[line - 1].lstrip().startswith('#'):
            found.append(self.lines.lines[line - 1].strip())
            line -= 1
        return found

    def verdict(self, node: _FuncDef, shape: rules.Shape, cls: ClassFacts | None) -> _Verdict | None:
        comments = self.body_comments(node, shape)
        marker = any(rules.is_marker_comment(c) for c in comments)
        doc = ast.get_docstring(node) or ''
        message = rules.message_of(shape.last)
        prose = ' '.join([doc, *(c.lstrip('#') for c in comments + self.comments_above(node))])
        if rules.intent_reason(' '.join(comments)) == 'pragma: no cover':
            return _Verdict(None, 'pragma: no cover')
        raises_nie = shape.kind == 'not-implemented'
        if shape.kind == 'return' and not marker:
            return None  # a real return, no sign it is unfinished
        if shape.kind == 'raise' and not rules.says_not_done(message):
            return None  # raising a specific error is what the function does (even under a TODO note)
        declared = self.declaration(node, cls)
        if declared is not None:
            return _Verdict(None, declared)
        if marker and shape.kind == 'return' and cls is not None and \
                self.hierarchy.overridden(cls.node.name, node.name):
            return _Verdict(None, 'a base-class default that subclasses override; the TODO is a note about it')
        if marker and not raises_nie:
            return _Verdict('todo-comment' if shape.kind in ('return', 'raise') else self.kind_of(shape),
                            'TODO/FIXME comment in the body')
        if shape.kind in ('not-implemented', 'raise'):
            return self.raise_verdict(node, shape, cls, message, prose, marker)
        intent = rules.intent_reason(prose)
        if intent is not None:
            return _Verdict(None, intent)
        if shape.kind == 'ellipsis':
            if _DOCS_PATH.search(self.path):
                return _Verdict(None, 'documentation example: the signature and docstring are the point')
            if shape.doc is not None and _returns_none(node):
                # `def close(self) -> None: """Keep the buffer open.""" ...`: a documented no-op
                return _Verdict(None, 'docstring over `...` in a function returning None: a documented no-op')
            contract = self.contract(node, cls, prose, message)
            return _Verdict(None, contract) if contract else _Verdict('ellipsis', '`...` body outside a typing construct')
        return self.empty_verdict(node, shape, cls, prose)

    def raise_verdict(self, node: _FuncDef, shape: rules.Shape, cls: ClassFacts | None, message: str, prose: str,
                      marker: bool) -> _Verdict:
        """``raise NotImplementedError`` (or a raise saying "not implemented"): a stub or a contract?"""
        kind = 'not-implemented' if shape.kind == 'not-implemented' else 'todo-comment'
        if marker:
            return _Verdict(kind, 'TODO/FIXME at a raise NotImplementedError')
        if node.name == '__init__':
            return _Verdict(None, '__init__ raising NotImplementedError: the class is not to be instantiated')
        intent = rules.intent_reason(prose)
        if intent is not None and intent != 'a default hook that callers override':
            return _Verdict(None, intent)
        if rules.says_todo(message):
            return _Verdict(kind, 'TODO/FIXME at a raise NotImplementedError')
        if rules.dynamic_message(shape.last):
            return _Verdict(None, 'raises an error naming what it was given: deliberately unsupported')
        if (message and rules.says_unsupported(message)) or rules.says_unsupported_doc(prose):
            return _Verdict(None, 'deliberately unsupported operation (the message says so)')
        if rules.names_interface(prose, self.body_comments(node, shape)):
            return _Verdict(None, 'an interface member this class deliberately does not support')
        if rules.documents_the_raise(prose):
            return _Verdict(None, 'its docstring documents that it raises NotImplementedError')
        if rules.dotted(node.returns).rsplit('.', 1)[-1] in ('NoReturn', 'Never') if node.returns else False:
            return _Verdict(None, 'declared NoReturn: it always raises by design')
        if any(isinstance(d, ast.Name) and d.id in self.module.local_functions() for d in node.decorator_list):
            return _Verdict(None, 'registered through a decorator of this module: the function is a token')
        if cls is not None and self.hierarchy.refuses_inherited(cls.node, node.name):
            return _Verdict(None, 'refuses a method its base class implements: deliberately unsupported')
        if cls is not None and not message and not prose.strip() and is_dunder(node.name) and \
                self.hierarchy.working_class(cls.node, node, needed=1):
            return _Verdict(None, 'a protocol method (dunder) this class deliberately does not support')
        if cls is not None and not message and not prose.strip() and self.hierarchy.working_class(cls.node, node):
            return _Verdict(None, 'a bare raise NotImplementedError in a working class, with no note: '
                                  'a deliberate gap (add a TODO to have it filled)')
        contract = self.contract(node, cls, prose, message)
        if contract:
            return _Verdict(None, contract)
        if rules.explains(message):
            return _Verdict(None, 'the message explains why it is not supported')
        intent = rules.intent_reason(prose)
        if intent is not None and not rules.says_not_done(message):
            return _Verdict(None, intent)
        if rules.says_not_done(message):
            return _Verdict(kind, 'the raised message says it is not implemented')
        return _Verdict(kind, 'raise NotImplementedError outside a contract')

    def kind_of(self, shape: rules.Shape) -> str:
        return {'docstring-only': 'docstring-only', 'pass': 'pass', 'ellipsis': 'ellipsis',
                'not-implemented': 'not-implemented'}.get(shape.kind or '', 'todo-comment')

    def declaration(self, node: _FuncDef, cls: ClassFacts | None) -> str | None:
        """Why the function is a declaration rather than code (abstract, overload, spec), or None."""
        decorators = rules.decorator_names(node)
        if decorators & _ABSTRACT:
            return 'abstract method'
        if 'overload' in decorators:
            return 'typing overload'
        if any('spec' in d.lower() for d in decorators):
            return 'hook specification (pluggy/pytest hookspec)'
        if cls is not None and cls.members_reason:
            return cls.members_reason
        if cls is not None and not has_self(node) and not decorators & {'staticmethod', 'classmethod'}:
            return 'interface declaration: a method without self'
        return None

    def empty_verdict(self, node: _FuncDef, shape: rules.Shape, cls: ClassFacts | None, prose: str) -> _Verdict:
        if not rules.none_returning(node.returns) and not self.is_generator_like(node):
            contract = self.contract(node, cls, prose, '')
            if contract:
                return _Verdict(None, contract)
            if _DOCS_PATH.search(self.path):
                return _Verdict(None, 'documentation example: the signature and docstring are the point')
            returns = ast.unparse(node.returns) if node.returns is not None else ''
            return _Verdict(self.kind_of(shape), f'declared to return {returns} but the body returns nothing')
        if not self.bare_pass_is_stub:
            return _Verdict(None, 'empty body with no sign it is unfinished (set bare_pass_is_stub to fill these)')
        if cls is not None and cls.null_object:
            return _Verdict(None, 'null object: its methods do nothing on purpose')
        if _HOOK_NAME.search(node.name) and rules.none_returning(node.returns):
            return _Verdict(None, 'default hook or visitor method: empty until overridden')
        contract = self.contract(node, cls, prose, '')
        if contract:
            return _Verdict(None, contract)
        return _Verdict(self.kind_of(shape), 'empty body (bare_pass_is_stub)')

    @staticmethod
    def is_generator_like(node: _FuncDef) -> bool:
        """A property setter/deleter or context manager declared without a body: not type evidence."""
        return bool(rules.decorator_names(node) & {'setter', 'deleter', 'contextmanager'})

    def contract(self, node: _FuncDef, cls: ClassFacts | None, prose: str, message: str) -> str | None:
        """Why the body is a contract that subclasses fulfil, or None."""
        if rules.says_subclasses(message) or rules.says_subclasses(prose):
            return 'abstract contract: it says subclasses implement it'
        if cls is None:
            return None
        if cls.contract:
            return 'abstract contract: a base class (ABC, Base*/Abstract*/*Mixin, or its docstring says so)'
        if cls.null_object:
            return 'null object: its methods do nothing on purpose'
        if self.hierarchy.all_methods_empty(cls.node):
            return 'abstract contract: no method of the class has a body'
        if self.module.overridden_here(cls.node.name, node.name):
            return 'abstract contract: a subclass in this file overrides it'
        if self.grep is not None and self.hierarchy.overridden_elsewhere(cls.node.name, node.name):
            return 'abstract contract: a subclass in the repository overrides it'
        return None

    # --- the span -------------------------------------------------------------------------------

    def first_replaced_line(self, stmt: ast.stmt, doc: ast.stmt | None, def_line: int) -> int:
        """Comment lines right above the statement (``# TODO: implement``) are part of the stub."""
        floor = (doc.end_lineno or doc.lineno) if doc is not None else def_line
        line = stmt.lineno
        lines = self.lines.lines
        # Comment blocks separated by blank lines count too: the whole comment-only head of the
        # body (a TODO, then commented-out code, then the placeholder) is what the fill replaces.
        while line - 1 > floor and (lines[line - 2].lstrip().startswith('#') or not lines[line - 2].strip()):
            line -= 1
        while line < stmt.lineno and not lines[line - 1].strip():
            line += 1
        return line

    def span(self, node: _FuncDef, stmt: ast.stmt, name: str, kind: str, doc: ast.stmt | None,
             evidence: str) -> Stub:
        lines = self.lines
        last = stmt.end_lineno or stmt.lineno
        before = lines.lines[stmt.lineno - 1].encode()[:stmt.col_offset].decode(errors='replace')
        if before.strip():  # one-line `def f(): pass`: the body shares its line with code
            start = lines.offset(stmt.lineno, len(before.rstrip().encode()))
            end = lines.offset(last, stmt.end_col_offset or 0)
            indent = self.body_indent(node)
            eol = lines.eol_of(stmt.lineno) or '\n'
            return self.stub(name, kind, start, end, stmt, indent, lead=eol + indent, tail='', evidence=evidence)
        first = self.first_replaced_line(self.first_body_stmt(node, stmt, doc), doc, node.lineno)
        indent = lines.indent_of(stmt.lineno)
        return self.stub(name, kind, lines.starts[first - 1], lines.line_end(last), stmt, indent,
                         lead=indent, tail=lines.eol_of(last), first_line=first, evidence=evidence)

    @staticmethod
    def first_body_stmt(node: _FuncDef, stmt: ast.stmt, doc: ast.stmt | None) -> ast.stmt:
        """The first statement the fill replaces: log lines before a ``raise`` go too."""
        body = node.body[1:] if doc is not None else node.body
        return body[0] if body else stmt

    def docstring_only(self, node: _FuncDef, doc: ast.stmt, name: str, evidence: str) -> Stub:
        # Keep the docstring; the fill goes right after its closing quotes, or replaces the comment
        # lines under it (a TODO there is the instruction, and the fill takes its place).
        indent = self.body_indent(node)
        doc_end = doc.end_lineno or doc.lineno
        last = self.trailing_comment_end(node, rules.Shape('docstring-only', None, doc))
        if last > doc_end:
            lines = self.lines
            return self.stub(name, 'docstring-only', lines.starts[doc_end], lines.line_end(last), doc, indent,
                             lead=indent, tail=lines.eol_of(last), first_line=doc_end + 1, evidence=evidence,
                             last_line=last)
        end = self.lines.offset(doc_end, doc.end_col_offset or 0)
        eol = self.lines.eol_of(doc.lineno) or '\n'
        return self.stub(name, 'docstring-only', end, end, doc, indent, lead=eol + indent, tail='',
                         evidence=evidence)

    def body_indent(self, node: _FuncDef) -> str:
        first = node.body[0]
        before = self.lines.lines[first.lineno - 1].encode()[:first.col_offset].decode(errors='replace')
        if not before.strip():
            return before
        unit = '\t' if self.lines.indent_of(node.lineno).startswith('\t') else '    '
        return self.lines.indent_of(node.lineno) + unit

    def stub(self, name: str, kind: str, start: int, end: int, stmt: ast.stmt, indent: str, *, lead: str,
             tail: str, evidence: str, first_line: int | None = None, last_line: int | None = None) -> Stub:
        start_line = first_line if first_line is not None else stmt.lineno
        return Stub(
            path=self.path, language='python', kind=kind, name=name, start=start, end=end,
            start_line=start_line, end_line=last_line or stmt.end_lineno or stmt.lineno,
            indent=indent, lead=lead, tail=tail, evidence=evidence,
        )


def _first_line(node: ast.AST) -> int:
    """A statement's first line, its decorators included."""
    decorators = getattr(node, 'decorator_list', None)
    return decorators[0].lineno if decorators else node.lineno  # type: ignore[attr-defined]


def _parse(path: str, text: str) -> ast.Module:
    try:
        return python_block.parse_remembered(text, path)
    except SyntaxError as e:
        raise ParseFailure(f'{path}:{e.lineno or 0}: syntax error: {e.msg}') from None
    except ValueError as e:  # e.g. NUL bytes
        raise ParseFailure(f'{path}: cannot parse: {e}') from None


def find_stubs(path: str, text: str, skipped: list[Skipped] | None = None, *,
               bare_pass_is_stub: bool = False, grep: Grep | None = None,
               wanted: Callable[[int, int], bool] | None = None) -> list[Stub]:
    """The stubs of one file; candidates turned down go to ``skipped`` with their reason.

    ``grep`` (``contracts.git_grep``) lets a ``raise NotImplementedError`` that a subclass elsewhere
    in the repository overrides count as a contract; without it only this file is looked at.
    ``wanted(first, last)``: whether a function or class spanning those lines (decorators and the
    comment lines after it included) can matter; the others are not looked at (a change to a
    big file touches a few of its functions).
    """
    if path.endswith('.pyi'):
        return []
    tree = _parse(path, text)
    finder = _Finder(path, text, tree, bare_pass_is_stub=bare_pass_is_stub, grep=grep, wanted=wanted)
    stubs = list(finder.walk(tree.body, '', None))
    if skipped is not None:
        skipped.extend(finder.skipped)
    return stubs


def syntax_problem(path: str, text: str, start: int, end: int, lines_before: int = 0) -> str | None:
    """Why the filled file is not valid Python (start/end are unused: ``ast`` checks the whole
    text). ``text`` may be the one top-level block of the file that holds the fill
    (``python_block``), ``lines_before`` lines into the file."""
    try:
        python_block.parse(text, filename=path)
    except SyntaxError as e:
        line = e.lineno + lines_before if e.lineno is not None else None
        return f'the filled file does not parse: line {line}: {e.msg}'
    except ValueError as e:
        return f'the filled file does not parse: {e}'
    return None


def still_a_stub_in_block(path: str, block: python_block.Block, name: str, start: int) -> bool:
    """``find_stubs(path, filled file, bare_pass_is_stub=True)`` holds ``name`` at ``start``,
    looking only at the filled block: the file-wide facts (imports, classes) come from the tree
    before the fill with the block's statement swapped for the filled one, as a whole-file pass
    would see them."""
    if path.endswith('.pyi'):
        return False
    try:
        tree = python_block.parse(block.new, path)  # not remembered: the file's trees stay
    except (SyntaxError, ValueError):
        return False
    body = [*block.tree.body[:block.index], *tree.body, *block.tree.body[block.index + 1:]]
    module = ModuleFacts(ast.Module(body=body, type_ignores=[]))
    finder = _Finder(path, block.new, tree, bare_pass_is_stub=True, grep=None, module=module)
    return any(s.name == name and s.start + block.start == start for s in finder.walk(tree.body, '', None))


def _returns_none(node: _FuncDef) -> bool:
    return isinstance(node.returns, ast.Constant) and node.returns.value is None
