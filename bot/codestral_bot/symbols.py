"""The symbol index: what a file defines (signatures and docstrings, no bodies) and what it imports.

Python is read with ``ast``; the brace languages with tree-sitter (``symbols_ts``). A file is
parsed once per run, and only when a stub's file imports it (or, for Go and Java, shares its
package): the cost stays linear in the files a change touches, never the size of the repository.
"""
from __future__ import annotations

import ast
import dataclasses
import logging
import posixpath
import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence

from codestral_bot.records import SourceFile

__all__ = ['Definition', 'FileSymbols', 'Imported', 'SymbolIndex', 'attribute_uses', 'python_symbols']

logger = logging.getLogger('codestral_bot')

_DOC_LINES = 4  # a docstring longer than this is cut: its first lines say what the function does
_WORD = re.compile(r'[A-Za-z_$][\w$]*')
_FIRST_MEMBERS = ('__init__', 'constructor', 'new')  # how to build one: shown before other members
_LINE_CHARS = 160


def _is_internal(name: str, line: str) -> bool:
    """``_helper`` or ``protected …``: for the class's subclasses, not its users."""
    return name.startswith('_') or line.lstrip().startswith('protected ')


def _is_method(line: str) -> bool:
    """A member line of a method (``def f(...): ...``, ``f(x) { ... }``), not a field."""
    return line.lstrip().startswith(('def ', 'async def ', '@')) or line.rstrip().endswith('{ ... }')


@dataclasses.dataclass(frozen=True)
class Definition:
    """A top-level name another file may use, as a model should see it: signature + docstring."""

    path: str
    name: str
    kind: str  # 'function', 'class', 'variable', 'type'
    line: int  # 1-based
    text: str  # source-language text, no body, '\n' line ends (a class: its header and docstring)
    # a class's fields and method signatures, (name, one line): which are shown depends on the stub
    members: tuple[tuple[str, str], ...] = ()
    closing: str = ''  # after the members ('}' in the brace languages)
    brief: str = ''  # the signature without docs, on one line where it fits ('': the text is as brief)

    def render(self, wanted: frozenset[str] = frozenset(), limit: int = 8, others: int = 4, brief: bool = False,
               internal: bool = False) -> str:
        """The text with the members ``wanted`` (named near the stub; at most ``limit``) and ``others`` more.

        How to build one (``__init__``, ``constructor``, ``new``) comes first among the others, then
        the public members, then — ``internal``, for a subclass, which calls them too — the internal
        ones (``_helper``): a summary of every member of a large class would crowd out the other
        definitions. ``brief``: the signature without docs, and no count of the members left out.
        """
        head = (self.brief or self.text) if brief else self.text
        members = [m for m in self.members if internal or m[0] in _FIRST_MEMBERS or not _is_internal(*m)]
        if not members:
            return head
        order = sorted(range(len(members)), key=lambda i: (
            members[i][0] not in wanted, members[i][0] not in _FIRST_MEMBERS,
            internal and not _is_method(members[i][1]), _is_internal(*members[i]), i))
        named = min(sum(1 for name, _ in members if name in wanted), limit)
        keep = sorted(order[:named + others])
        if brief and not keep:
            if head.endswith(('...', '}')):  # a Go struct or Rust impl shown in brief already
                return head
            return f'{head} ... {self.closing}' if self.closing else f'{head} ...'
        lines = [head, *(members[i][1] for i in keep)]
        if len(keep) < len(members) and not brief:
            lines.append(f'    {self._comment()} ... {len(members) - len(keep)} more members')
        return '\n'.join(lines + ([self.closing] if self.closing else []))

    def _comment(self) -> str:
        return '#' if self.path.endswith(('.py', '.pyw')) else '//'


@dataclasses.dataclass(frozen=True)
class Imported:
    """One name a file imports: ``local`` in the file stands for ``name`` of the module ``paths``.

    ``name`` is None when the local name is the module itself (``import pkg.util as u``), '*'
    for a star import. ``paths`` are the repository files the module may be, best first.
    """

    local: str
    name: str | None
    paths: tuple[str, ...]
    reexports: bool = True  # False for a Go/Java package's other files: no name passes through them


@dataclasses.dataclass(frozen=True)
class FileSymbols:
    path: str
    language: str
    definitions: Mapping[str, Definition]
    imports: tuple[Imported, ...] = ()
    # alias → attribute names the file reads from it (``util.slugify`` → {'util': {'slugify'}})
    attributes: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    import_lines: frozenset[int] = frozenset()  # 0-based lines of the import statements


# ---------------------------------------------------------------- Python


def _cut(line: str) -> str:
    return line if len(line) <= _LINE_CHARS else line[:_LINE_CHARS - 3] + '...'


def _dedent(lines: list[str], by: int) -> list[str]:
    return [line[by:] if line[:by].strip() == '' else line.lstrip() for line in lines]


def _signature_lines(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[str]:
    """The header from ``def``/``class`` to its colon (several lines when the arguments wrap)."""
    first = node.lineno - 1
    body = node.body[0]
    if body.lineno - 1 > first:
        header = lines[first:body.lineno - 1]
        while header and not header[-1].rstrip().endswith(':'):  # comments between header and body
            header.pop()
        header = header or [lines[first]]
    else:  # a one-liner: `def f(): pass`
        header = [lines[first][:body.col_offset].rstrip()]
    return _dedent([_cut(line.rstrip()) for line in header], node.col_offset)


def _decorators(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[str]:
    """Decorators that change how the name is called or built (short ones only)."""
    out = []
    for d in node.decorator_list:
        text = lines[d.lineno - 1].strip()
        if len(text) <= 60 and d.lineno == getattr(d, 'end_lineno', d.lineno):
            out.append(text)
    return out


def _docstring(node: ast.AST, indent: str) -> list[str]:
    doc = ast.get_docstring(node)  # type: ignore[arg-type]
    if not doc:
        return []
    doc_lines = doc.strip().split('\n\n')[0].splitlines()  # the first paragraph says what it does
    if len(doc_lines) > _DOC_LINES:
        doc_lines = doc_lines[:_DOC_LINES] + ['...']
    doc_lines = [_cut(line.replace('"""', "'''")) for line in doc_lines]
    if len(doc_lines) == 1:
        return [f'{indent}"""{doc_lines[0]}"""']
    return [f'{indent}"""{doc_lines[0]}', *[f'{indent}{line}' if line else '' for line in doc_lines[1:]],
            f'{indent}"""']


def _function_text(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [*_decorators(lines, node), *_signature_lines(lines, node), *_docstring(node, '    '), '    ...']


def _one_line(header: list[str]) -> str:
    """A wrapped signature joined on one line: a class summary lists one member a line."""
    joined = ' '.join(part.strip() for part in header)
    return _cut(re.sub(r'([(\[]) | ([)\]])|,(?=[)\]])', r'\1\2', joined))


def _elided(signature: str) -> str:
    """``def f(x): ...`` — once: a signature cut at the line limit ends in ``...`` already."""
    return signature if signature.endswith('...') else signature + ' ...'


def _class_members(lines: list[str], node: ast.ClassDef) -> tuple[tuple[str, str], ...]:
    """(name, one line) per field and public method, in order: the summary picks among them."""
    members: list[tuple[str, str]] = []
    for item in node.body:
        if isinstance(item, (ast.AnnAssign, ast.Assign)) and item.lineno == item.end_lineno:
            target = item.targets[0] if isinstance(item, ast.Assign) else item.target
            name = target.id if isinstance(target, ast.Name) else ''
            members.append((name, '    ' + _cut(lines[item.lineno - 1].strip())))
        elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if item.name.startswith('__') and item.name not in ('__init__', '__call__'):
                continue
            decorators = [d for d in _decorators(lines, item) if d in ('@property', '@staticmethod', '@classmethod')]
            members.append((item.name, '    ' + _elided(_one_line([*decorators, *_signature_lines(lines, item)]))))
    return tuple(members)


def _class_head(lines: list[str], node: ast.ClassDef) -> list[str]:
    doc = ast.get_docstring(node)
    first = [f'    """{_cut(doc.strip().splitlines()[0])}"""'] if doc and doc.strip() else []
    return [*_decorators(lines, node), *_signature_lines(lines, node), *first]


def _variable(lines: list[str], node: ast.Assign | ast.AnnAssign) -> list[str] | None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if len(targets) != 1 or not isinstance(targets[0], ast.Name):
        return None
    first = lines[node.lineno - 1].rstrip()
    if node.end_lineno != node.lineno:
        first += ' ...'
    return [_cut(first)]


def _top_level(tree: ast.Module) -> Iterable[ast.stmt]:
    """Module statements, looking into ``if``/``try`` blocks (``if TYPE_CHECKING:``, fallbacks)."""
    stack = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.If, ast.Try)):
            inner = [*node.body, *node.orelse, *getattr(node, 'finalbody', [])]
            for handler in getattr(node, 'handlers', []):
                inner += handler.body
            stack.extend(reversed(inner))
        else:
            yield node


def _definition(path: str, lines: list[str], node: ast.stmt) -> Definition | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return Definition(path, node.name, 'function', node.lineno, '\n'.join(_function_text(lines, node)),
                          brief=_elided(_one_line(_signature_lines(lines, node))))
    if isinstance(node, ast.ClassDef):
        return Definition(path, node.name, 'class', node.lineno, '\n'.join(_class_head(lines, node)),
                          _class_members(lines, node), brief=_one_line(_signature_lines(lines, node)))
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        text = _variable(lines, node)
        if text is not None:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            assert isinstance(target, ast.Name)
            return Definition(path, target.id, 'variable', node.lineno, '\n'.join(text))
    return None


def attribute_uses(text: str, aliases: set[str]) -> dict[str, frozenset[str]]:
    """alias → the names read from it (``util.slugify``, ``pkg::name``), by a regex over the text.

    A regex, not a walk of the syntax tree: ten times cheaper on a large file, and a hit inside a
    string or comment only adds a candidate that then finds no definition.
    """
    if not aliases:
        return {}
    names = '|'.join(sorted((re.escape(a) for a in aliases), key=len, reverse=True))
    found: dict[str, set[str]] = {}
    for alias, attr in re.findall(rf'(?<![\w$.])({names})(?:\.|::)([A-Za-z_$][\w$]*)', text):
        found.setdefault(alias, set()).add(attr)
    return {k: frozenset(v) for k, v in found.items()}


_NESTED_IMPORT = re.compile(r'^[ \t]+((?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+[^\n(]*?)[ \t]*$', re.MULTILINE)


def _nested_imports(text: str) -> list[ast.stmt]:
    """Imports inside functions (``from .shell import complete`` to import lazily), one line each.

    Found by a regex and parsed line by line: walking the whole tree for them costs more than
    parsing the file.
    """
    found: list[ast.stmt] = []
    for match in _NESTED_IMPORT.finditer(text):
        try:
            (node,) = ast.parse(match.group(1)).body
        except (SyntaxError, ValueError):
            continue  # `import` in a string, a wrapped import list
        line = text.count('\n', 0, match.start()) + 1
        found.append(ast.copy_location(node, ast.Pass(lineno=line, col_offset=0, end_lineno=line)))
    return found


def python_symbols(path: str, text: str, resolve: Callable[[str, int, str], tuple[str, ...]]) -> FileSymbols:
    """``resolve(module, level, from_path)`` → candidate repository paths of a module."""
    from codestral_bot.stubs import python_block

    # the stub finder's tree of the same text when it has one (not remembered: the repository's
    # other files would push out the trees the fills are checked against)
    tree = python_block.remembered(text) or python_block.parse(text, path)
    imports: list[Imported] = []
    import_lines: set[int] = set()
    others: list[ast.stmt] = []
    for node in [*_top_level(tree), *_nested_imports(text)]:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            import_lines.update(range(node.lineno - 1, (node.end_lineno or node.lineno)))
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split('.')[0]
                target = alias.name if alias.asname else alias.name.split('.')[0]
                imports.append(Imported(local, None, resolve(target, 0, path)))
                if not alias.asname and '.' in alias.name:  # `import a.b` → `a.b.f()` reads a.b
                    imports.append(Imported(alias.name, None, resolve(alias.name, 0, path)))
        elif isinstance(node, ast.ImportFrom):
            imports += _from_import(node, path, resolve)
        else:
            others.append(node)
    modules = {i.local.split('.')[0] for i in imports if i.name is None} | {i.local for i in imports}
    return FileSymbols(path, 'python', _Definitions(lambda: _python_definitions(path, text, others)),
                       tuple(imports), attribute_uses(text, modules), frozenset(import_lines))


def _python_definitions(path: str, text: str, nodes: list[ast.stmt]) -> dict[str, Definition]:
    lines = text.splitlines()
    definitions: dict[str, Definition] = {}
    for node in nodes:
        found = _definition(path, lines, node)
        if found is not None and found.name not in definitions:
            definitions[found.name] = found
    return definitions


class _Definitions(Mapping[str, Definition]):
    """A file's definitions, rendered the first time they are asked for: the stub's own file is
    indexed for its imports, and rendering 120,000 functions of a 5 MB file costs half a second."""

    def __init__(self, build: Callable[[], dict[str, Definition]]) -> None:
        self._build: Callable[[], dict[str, Definition]] | None = build
        self._found: dict[str, Definition] = {}

    def _all(self) -> dict[str, Definition]:
        if self._build is not None:
            self._found, self._build = self._build(), None
        return self._found

    def __getitem__(self, name: str) -> Definition:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


def _from_import(node: ast.ImportFrom, path: str,
                 resolve: Callable[[str, int, str], tuple[str, ...]]) -> list[Imported]:
    module = node.module or ''
    base = resolve(module, node.level, path)
    out = []
    for alias in node.names:
        local = alias.asname or alias.name
        if alias.name == '*':
            out.append(Imported('*', '*', base))
            continue
        # `from pkg import util` may name a submodule: then `local` is that module
        sub = resolve(f'{module}.{alias.name}' if module else alias.name, node.level, path)
        if sub:
            out.append(Imported(local, None, sub))
        out.append(Imported(local, alias.name, base))
    return out


# ---------------------------------------------------------------- module paths → files


class _PythonModules:
    """Dotted module names → repository paths, from the list of paths alone (no file is read)."""

    def __init__(self, paths: Sequence[str]) -> None:
        py = [p for p in paths if p.endswith('.py')]
        self._files = set(py)
        self._roots = self._source_roots(py)

    def _root_of(self, path: str) -> str:
        """The folder a file's top package lives in: the first folder up without ``__init__.py``."""
        folder = posixpath.dirname(path)
        while folder and f'{folder}/__init__.py' in self._files:
            folder = posixpath.dirname(folder)
        return folder

    def _source_roots(self, py: list[str]) -> list[str]:
        roots = {''} | {self._root_of(path) for path in py}
        return sorted(roots, key=lambda r: (r.count('/'), r))

    def resolve(self, module: str, level: int, from_path: str) -> tuple[str, ...]:
        rel = module.replace('.', '/')
        if level:
            folder = posixpath.dirname(from_path)
            for _ in range(level - 1):
                folder = posixpath.dirname(folder)
            bases = [folder]
        else:  # the importing file's own source root first
            bases = list(dict.fromkeys([self._root_of(from_path), posixpath.dirname(from_path), '', *self._roots]))
        near = set(bases[:2]) | {''} if not level else set(bases)
        found = []
        for base in bases:
            stem = posixpath.join(base, rel) if rel else base
            # from another root, only packages: a lone `scripts/json.py` must not shadow `json`
            lone = base in near or '/' in rel
            for candidate in (f'{stem}.py', f'{stem}/__init__.py') if lone else (f'{stem}/__init__.py',):
                candidate = candidate.lstrip('/')
                if candidate in self._files and candidate != from_path and candidate not in found:
                    found.append(candidate)
        return tuple(found)


class SymbolIndex:
    """The symbols of the files stubs need, parsed on first use and kept for the run.

    ``read`` returns the file at the revision under review (working tree, index, PR head) and
    may raise; a file that cannot be read or parsed has no symbols and is logged once.
    """

    def __init__(self, paths: Sequence[str], read: Callable[[str], SourceFile]) -> None:
        self.paths = tuple(paths)
        self._path_set = frozenset(self.paths)
        self._read = read
        self._python = _PythonModules(self.paths)
        self._files: dict[str, FileSymbols | None] = {}
        self._words: dict[str, Counter[str]] = {}
        self._folders: dict[str, list[str]] | None = None
        self._texts: dict[str, str] = {}  # files read for a look before (or instead of) a parse
        self.parsed = 0  # files parsed this run (the benchmark and tests check it stays small)

    def _text(self, path: str) -> str:
        return self._read(path).text

    def text(self, path: str) -> str:
        """A file's text, read once per run ('' when it cannot be read: one unreadable file costs
        its snippets only)."""
        if path not in self._texts:
            try:
                self._texts[path] = self._read(path).text
            except Exception as e:
                logger.debug('%s: not read (%s)', path, e)
                self._texts[path] = ''
        return self._texts[path]

    def folder(self, folder: str) -> tuple[str, ...]:
        """The repository's files directly in ``folder`` (grouped once per run, on first use)."""
        if self._folders is None:
            self._folders = {}
            for path in self.paths:
                self._folders.setdefault(posixpath.dirname(path), []).append(path)
        return tuple(self._folders.get(folder, ()))

    def words(self, path: str) -> Counter[str]:
        """How often each identifier occurs in a Go or Java file (after ``symbols`` read it; else empty)."""
        return self._words.get(path, Counter())

    def symbols(self, path: str, text: str | None = None) -> FileSymbols | None:
        if path not in self._files:
            self._files[path] = self._load(path, text)
        return self._files[path]

    def _load(self, path: str, text: str | None) -> FileSymbols | None:
        from codestral_bot.stubs import language_of

        language = language_of(path)
        if language is None:
            return None
        try:
            if text is None:
                text = self._texts[path] if path in self._texts else self._read(path).text
            self.parsed += 1
            if language in ('go', 'java'):  # for ranking a package's helpers by use (repo_context)
                self._words[path] = Counter(_WORD.findall(text))
                self._texts[path] = text
            if language == 'python':
                return python_symbols(path, text, self._python.resolve)
            from codestral_bot import symbols_ts

            return symbols_ts.file_symbols(path, language, text, self._path_set, self._text)
        except Exception as e:  # one unreadable helper file never stops a fill
            logger.debug('%s: no symbols (%s)', path, e)
            return None
