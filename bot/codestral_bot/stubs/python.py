"""Python stubs, found with the standard library's ``ast`` (exact spans, no grammar to load).

A stub is a function whose body (after an optional docstring) is only ``pass``, ``...``,
``raise NotImplementedError[(…)]``, nothing at all, or a TODO/FIXME comment standing over a
trivial ``return``. Never: abstract methods, overloads, Protocol members, ``if TYPE_CHECKING:``
blocks, ``.pyi`` files.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator

from codestral_bot.records import Stub
from codestral_bot.stubs._base import ParseFailure

__all__ = ['find_stubs', 'syntax_problem']

_TODO = re.compile(r'\b(TODO|FIXME)\b')
_LINE = re.compile(r'[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$')
_FuncDef = ast.FunctionDef | ast.AsyncFunctionDef


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


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ''


def _is_excluded_def(node: _FuncDef) -> bool:
    names = {_decorator_name(d) for d in node.decorator_list}
    return bool(names & {'abstractmethod', 'abstractproperty', 'abstractclassmethod',
                         'abstractstaticmethod', 'overload'})


def _is_protocol(node: ast.ClassDef) -> bool:
    for base in node.bases:
        if isinstance(base, ast.Subscript):
            base = base.value
        if _decorator_name(base) == 'Protocol':
            return True
    return False


_BASE_NAME = re.compile(r'^(Abstract|Base)[A-Z_]|Base$|^Abstract$|Interface$')


def _is_base_class(node: ast.ClassDef) -> bool:
    """`class BaseStore(ABC)`, `class AbstractParser`: ``raise NotImplementedError`` there declares
    what subclasses must do; it is the contract, not missing code."""
    if _BASE_NAME.search(node.name):
        return True
    names = {_decorator_name(b) for b in node.bases} | {_decorator_name(k.value) for k in node.keywords}
    return bool(names & {'ABC', 'ABCMeta'})


def _is_type_checking(node: ast.If) -> bool:
    return _decorator_name(node.test) == 'TYPE_CHECKING'


def _is_docstring(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _stub_kind(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Pass):
        return 'pass'
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis:
        return 'ellipsis'
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        if _decorator_name(exc) == 'NotImplementedError' and not _speaks_of_subclasses(stmt.exc):
            return 'not-implemented'
    return None


_ON_PURPOSE = re.compile(r'\b(no-?op|do(es)? nothing|intentionally empty|override (this|it|me))\b', re.IGNORECASE)


def _says_empty_on_purpose(doc: ast.stmt) -> bool:
    """A docstring saying the body is empty by design: a hook meant to be overridden, a no-op."""
    value = doc.value.value if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) else ''
    return bool(_ON_PURPOSE.search(str(value)))


def _speaks_of_subclasses(exc: ast.expr) -> bool:
    """`raise NotImplementedError("subclasses must override")`: a contract, not a stub."""
    if not isinstance(exc, ast.Call):
        return False
    words = ' '.join(a.value for a in exc.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return bool(re.search(r'subclass|overrid|must implement|should implement', words, re.IGNORECASE))


def _is_trivial_return(stmt: ast.stmt) -> bool:
    """``return``, ``return None``, ``return 0``, ``return []``...: a placeholder, not an answer."""
    if not isinstance(stmt, ast.Return):
        return False
    value = stmt.value
    if value is None:
        return True
    if isinstance(value, ast.Constant):
        return value.value in (None, 0, False, '', b'') and not isinstance(value.value, float)
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        return not value.elts
    return isinstance(value, ast.Dict) and not value.keys


class _Finder:
    def __init__(self, path: str, text: str, tree: ast.Module) -> None:
        self.path = path
        self.lines = _Lines(text)
        self.tree = tree
        self._todo_lines: set[int] | None = None

    def todo_lines(self) -> set[int]:
        """Lines holding a TODO/FIXME *comment* token (never a string), computed once on demand."""
        if self._todo_lines is None:
            found = set()
            tokens = tokenize.generate_tokens(io.StringIO(self.lines.text).readline)
            try:
                for tok in tokens:
                    if tok.type == tokenize.COMMENT and _TODO.search(tok.string):
                        found.add(tok.start[0])
            except (tokenize.TokenError, SyntaxError):
                pass
            self._todo_lines = found
        return self._todo_lines

    def walk(self, body: list[ast.stmt], scope: str, in_protocol: bool,
             in_base: bool = False) -> Iterator[Stub]:
        for node in body:
            if isinstance(node, ast.ClassDef):
                yield from self.walk(node.body, f'{scope}{node.name}.', _is_protocol(node), _is_base_class(node))
            elif isinstance(node, _FuncDef):
                if not in_protocol and not _is_excluded_def(node):
                    stub = self.stub_of(node, f'{scope}{node.name}')
                    if stub is not None and not (in_base and stub.kind == 'not-implemented'):
                        yield stub
                yield from self.walk(node.body, f'{scope}{node.name}.', False)
            elif isinstance(node, ast.If) and _is_type_checking(node):
                continue
            else:
                for field in ('body', 'orelse', 'finalbody', 'handlers'):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        yield from self.walk(
                            [s for s in inner if isinstance(s, ast.stmt | ast.excepthandler)],  # type: ignore[misc]
                            scope, in_protocol)

    def stub_of(self, node: _FuncDef, name: str) -> Stub | None:
        body = node.body
        doc = body[0] if _is_docstring(body[0]) else None
        rest = body[1:] if doc is not None else body
        if not rest:
            assert doc is not None
            return None if _says_empty_on_purpose(doc) else self.docstring_only(node, doc, name)
        if len(rest) != 1:
            return None
        kind = _stub_kind(rest[0])
        if kind is None and _is_trivial_return(rest[0]) and self.has_todo_above(node, rest[0], doc):
            kind = 'todo-comment'
        if kind is None or (doc is not None and _says_empty_on_purpose(doc)):
            return None
        return self.span(node, rest[0], name, kind, doc)

    def has_todo_above(self, node: _FuncDef, stmt: ast.stmt, doc: ast.stmt | None) -> bool:
        first = self.first_replaced_line(stmt, doc, node.lineno)
        todo = self.todo_lines()
        return any(line in todo for line in range(first, (stmt.end_lineno or stmt.lineno) + 1))

    def first_replaced_line(self, stmt: ast.stmt, doc: ast.stmt | None, def_line: int) -> int:
        """Comment lines right above the statement (``# TODO: implement``) are part of the stub."""
        floor = (doc.end_lineno or doc.lineno) if doc is not None else def_line
        line = stmt.lineno
        while line - 1 > floor and self.lines.lines[line - 2].lstrip().startswith('#'):
            line -= 1
        return line

    def span(self, node: _FuncDef, stmt: ast.stmt, name: str, kind: str, doc: ast.stmt | None) -> Stub:
        lines = self.lines
        last = stmt.end_lineno or stmt.lineno
        before = lines.lines[stmt.lineno - 1].encode()[:stmt.col_offset].decode(errors='replace')
        if before.strip():  # one-line `def f(): pass`: the body shares its line with code
            start = lines.offset(stmt.lineno, len(before.rstrip().encode()))
            end = lines.offset(last, stmt.end_col_offset or 0)
            indent = self.body_indent(node)
            eol = lines.eol_of(stmt.lineno) or '\n'
            return self.stub(name, kind, start, end, node, stmt, indent, lead=eol + indent, tail='')
        first = self.first_replaced_line(stmt, doc, node.lineno)
        indent = lines.indent_of(stmt.lineno)
        return self.stub(name, kind, lines.starts[first - 1], lines.line_end(last), node, stmt, indent,
                         lead=indent, tail=lines.eol_of(last), first_line=first)

    def docstring_only(self, node: _FuncDef, doc: ast.stmt, name: str) -> Stub:
        # Keep the docstring; the fill goes on a new line right after its closing quotes.
        end = self.lines.offset(doc.end_lineno or doc.lineno, doc.end_col_offset or 0)
        indent = self.body_indent(node)
        eol = self.lines.eol_of(doc.lineno) or '\n'
        return self.stub(name, 'docstring-only', end, end, node, doc, indent, lead=eol + indent, tail='')

    def body_indent(self, node: _FuncDef) -> str:
        first = node.body[0]
        before = self.lines.lines[first.lineno - 1].encode()[:first.col_offset].decode(errors='replace')
        if not before.strip():
            return before
        unit = '\t' if self.lines.indent_of(node.lineno).startswith('\t') else '    '
        return self.lines.indent_of(node.lineno) + unit

    def stub(self, name: str, kind: str, start: int, end: int, node: _FuncDef, stmt: ast.stmt,
             indent: str, *, lead: str, tail: str, first_line: int | None = None) -> Stub:
        start_line = first_line if first_line is not None else stmt.lineno
        return Stub(
            path=self.path, language='python', kind=kind, name=name, start=start, end=end,
            start_line=start_line, end_line=stmt.end_lineno or stmt.lineno,
            indent=indent, lead=lead, tail=tail,
        )


def _parse(path: str, text: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as e:
        raise ParseFailure(f'{path}:{e.lineno or 0}: syntax error: {e.msg}') from None
    except ValueError as e:  # e.g. NUL bytes
        raise ParseFailure(f'{path}: cannot parse: {e}') from None


def find_stubs(path: str, text: str) -> list[Stub]:
    if path.endswith('.pyi'):
        return []
    tree = _parse(path, text)
    return list(_Finder(path, text, tree).walk(tree.body, '', False))


def syntax_problem(path: str, text: str, start: int, end: int) -> str | None:
    """Why the filled file is not valid Python (start/end are unused: ``ast`` checks the whole file)."""
    try:
        ast.parse(text, filename=path)
    except SyntaxError as e:
        return f'the filled file does not parse: line {e.lineno}: {e.msg}'
    except ValueError as e:
        return f'the filled file does not parse: {e}'
    return None
