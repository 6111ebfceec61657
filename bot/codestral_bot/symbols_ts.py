"""The symbol index for the brace languages, read with tree-sitter (the grammars the stub finder loads).

Like the tag queries editors use (definition + name + doc comment), per file: the top-level
functions, types, constants, and for types their fields and method signatures; each kept as its
header up to the body, ``{ ... }`` in place of the body, with the doc comment above it. Imports are
resolved to repository files from the module path alone: JS/TS relative specifiers, Go packages
under the ``go.mod`` module path, Java package names, Rust ``crate::``/``super::``/``self::`` paths
and ``mod x;``. Go and Java also see the other files of their package, which need no import.
"""
from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codestral_bot.stubs.ts_grammar import parse
from codestral_bot.symbols import Definition
from codestral_bot.symbols import FileSymbols
from codestral_bot.symbols import Imported
from codestral_bot.symbols import attribute_uses

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ['file_symbols']

_DOC_LINES = 8
_SHORT = 25  # a type this short is shown whole (struct fields, interface methods)
_LINE_CHARS = 160
_FUNCTIONS = {'function_declaration', 'generator_function_declaration', 'function_item', 'function_signature',
              'method_declaration'}
_TYPES = {'class_declaration', 'abstract_class_declaration', 'interface_declaration', 'enum_declaration',
          'record_declaration', 'struct_item', 'enum_item', 'trait_item', 'union_item', 'type_alias_declaration',
          'type_item', 'annotation_type_declaration'}
_VARIABLES = {'lexical_declaration', 'variable_declaration', 'const_declaration', 'var_declaration',
              'const_item', 'static_item'}
_COMMENTS = {'comment', 'line_comment', 'block_comment'}
_JS_EXTENSIONS = ('.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts')


def _text(node: Node | None) -> str:
    return node.text.decode('utf-8', 'replace') if node is not None and node.text else ''


def _cut(line: str) -> str:
    return line if len(line) <= _LINE_CHARS else line[:_LINE_CHARS - 3] + '...'


def _doc(node: Node) -> list[str]:
    """The comment lines just above ``node`` (contiguous, no blank line between)."""
    lines: list[str] = []
    row = node.start_point.row
    prev = node.prev_named_sibling
    while prev is not None and prev.type in _COMMENTS and prev.end_point.row >= row - 1:
        lines = _text(prev).splitlines() + lines
        row = prev.start_point.row
        prev = prev.prev_named_sibling
    lines = [line.strip() for line in lines]
    return lines[:_DOC_LINES] + (['// ...'] if len(lines) > _DOC_LINES else [])


def _header(node: Node, source: bytes) -> str:
    """The node's text up to its body, with ``{ ... }`` for the body (whitespace of the header kept)."""
    body = node.child_by_field_name('body')
    if body is None:
        return _text(node)
    head = source[node.start_byte:body.start_byte].decode('utf-8', 'replace').rstrip()
    return head + (' { ... }' if body.type != 'expression' else ' ...')


def _value_header(node: Node, source: bytes) -> str:
    """``const f = (x) => { ... }``: the declaration up to the function's body; else its first line."""
    for declarator in node.named_children:
        value = declarator.child_by_field_name('value')
        if value is not None and value.type in ('arrow_function', 'function_expression', 'function'):
            body = value.child_by_field_name('body')
            if body is not None:
                head = source[node.start_byte:body.start_byte].decode('utf-8', 'replace').rstrip()
                return head + (' { ... }' if body.type == 'statement_block' else ' ...')
    lines = _text(node).splitlines()
    return lines[0] + (' ...' if len(lines) > 1 else '') if lines else ''


def _members(body: Node, source: bytes) -> tuple[tuple[str, str], ...]:
    """(name, one line) per field and public method of a class body."""
    out = []
    for member in body.named_children:
        if member.type in _COMMENTS:
            continue
        text = _text(member)
        name = _text(member.child_by_field_name('name')) or next(iter(re.findall(r'\w+(?=\s*[;:=]|\s*$)', text)), '')
        if re.match(r'\s*private\b', text) or name.startswith('#'):
            continue  # protected and `_name` members stay: a subclass calls them (shown for a base only)
        if member.child_by_field_name('body') is not None and member.type not in ('class_declaration',):
            out.append((name, '    ' + _cut(' '.join(_header(member, source).split()))))
        elif '\n' not in text.strip():
            out.append((name, '    ' + _cut(text.strip())))
    return tuple(out)


def _type_parts(node: Node, source: bytes) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """A struct, interface or short type whole; a class as its header + members + closing brace."""
    text = _text(node)
    body = node.child_by_field_name('body')
    has_code = body is not None and any(m.child_by_field_name('body') is not None for m in body.named_children)
    if text.count('\n') < _SHORT and not has_code:
        return text, (), ''
    if body is None:
        return text.splitlines()[0] + ' ...', (), ''
    head = source[node.start_byte:body.start_byte].decode('utf-8', 'replace').rstrip()
    return head + ' {', _members(body, source), '}'


def _names(node: Node) -> list[str]:
    name = node.child_by_field_name('name')
    if name is not None:
        return [_text(name)]
    found = []
    for child in node.named_children:  # specs and declarators: `const a = 1, b = 2`, `var ( ... )`
        inner = child.child_by_field_name('name')
        if inner is not None and inner.type in ('identifier', 'type_identifier'):
            found.append(_text(inner))
        elif child.type in ('var_spec_list', 'const_spec_list'):
            found += _names(child)
    return found


def _brief(text: str, members: tuple[tuple[str, str], ...], closing: str) -> str:
    """The header on one line, no doc comment: a type shown whole keeps only its first line."""
    if members or closing or '{ ... }' in text or text.rstrip().endswith(' ...'):
        return _cut(' '.join(text.split()))  # a function header (or a class's, before its members)
    first = text.splitlines()[0].rstrip() if text.strip() else ''
    if first == text.rstrip():
        return first
    return first + (' ... }' if first.endswith('{') else ' ...')


class _Builder:
    def __init__(self, path: str, source: bytes) -> None:
        self.path = path
        self.source = source
        self.definitions: dict[str, Definition] = {}
        self.methods: dict[str, list[tuple[str, str]]] = {}  # Go receivers and Rust impls, by type name

    def add(self, name: str, kind: str, node: Node, text: str, doc_of: Node,
            members: tuple[tuple[str, str], ...] = (), closing: str = '') -> None:
        if name and name not in self.definitions:
            lines = [*_doc(doc_of), *text.splitlines()]
            self.definitions[name] = Definition(self.path, name, kind, node.start_point.row + 1,
                                                '\n'.join(_cut(line.rstrip()) for line in lines), members, closing,
                                                _brief(text, members, closing))

    def visit(self, node: Node, doc_of: Node) -> None:
        kind = node.type
        if kind == 'export_statement':
            inner = node.child_by_field_name('declaration') or next(
                (c for c in node.named_children if c.type in _FUNCTIONS | _TYPES | _VARIABLES), None)
            if inner is not None:
                self.visit(inner, node)
        elif kind == 'method_declaration' and node.child_by_field_name('receiver') is not None:
            receiver = re.findall(r'\w+', _text(node.child_by_field_name('receiver')))
            line = _cut(' '.join(_header(node, self.source).split()))
            self.methods.setdefault(receiver[-1] if receiver else '', []).append(
                (_text(node.child_by_field_name('name')), line))
        elif kind in _FUNCTIONS:
            self.add(_text(node.child_by_field_name('name')), 'function', node, _header(node, self.source), doc_of)
        elif kind in _TYPES:
            text, members, closing = _type_parts(node, self.source)
            self.add(_text(node.child_by_field_name('name')), 'class' if 'class' in kind else 'type', node,
                     text, doc_of, members, closing)
        elif kind == 'type_declaration':  # Go
            for spec in node.named_children:
                if spec.type in ('type_spec', 'type_alias'):
                    text, members, closing = _type_parts(node, self.source)
                    self.add(_text(spec.child_by_field_name('name')), 'type', node, text, doc_of, members, closing)
        elif kind == 'impl_item':  # Rust: the methods join their type's summary
            self._impl(node)
        elif kind in ('const_declaration', 'var_declaration'):  # Go: each spec of a block on its own line
            self._go_specs(node, 'const' if kind == 'const_declaration' else 'var')
        elif kind in _VARIABLES:
            text = _value_header(node, self.source)
            for name in _names(node):
                self.add(name, 'variable', node, text, doc_of)

    def _go_specs(self, node: Node, keyword: str) -> None:
        """``const ( A Dir = 1 << iota; B )``: ``const A Dir = 1 << iota`` under A's own doc comment."""
        specs = [c for c in node.named_children if c.type in ('const_spec', 'var_spec')]
        specs += [s for c in node.named_children if c.type == 'var_spec_list' for s in c.named_children
                  if s.type == 'var_spec']
        grouped = _text(node)[len(keyword):].lstrip().startswith('(')
        for spec in specs:
            lines = _text(spec).splitlines()
            text = f'{keyword} {lines[0]}' + (' ...' if len(lines) > 1 else '')
            for name in spec.children_by_field_name('name'):
                self.add(_text(name), 'variable', spec if grouped else node, text, spec if grouped else node)

    def _impl(self, node: Node) -> None:
        names = re.findall(r'\w+', _text(node.child_by_field_name('type')))
        body = node.child_by_field_name('body')
        if not names or body is None:
            return
        for member in body.named_children:
            if member.type == 'function_item' and _text(member).startswith('pub'):
                line = '    ' + _cut(' '.join(_header(member, self.source).split()))
                self.methods.setdefault(names[0], []).append((_text(member.child_by_field_name('name')), line))

    def finish(self, language: str) -> dict[str, Definition]:
        for name, methods in self.methods.items():
            known = self.definitions.get(name)
            if known is None or not methods:
                continue
            text, closing = known.text, known.closing
            brief = known.brief or known.text
            if language == 'rust':  # the methods of every `impl` block, shown as one block
                text, closing, brief = f'{text}\nimpl {name} {{', '}', f'{brief}\nimpl {name} {{'
            self.definitions[name] = dataclasses.replace(known, text=text, members=known.members + tuple(methods),
                                                         closing=closing, brief=brief)
        return self.definitions


# ---------------------------------------------------------------- imports


def _js_resolve(spec: str, from_path: str, files: frozenset[str]) -> tuple[str, ...]:
    if not spec.startswith('.'):
        return ()  # a package (or a tsconfig alias): not the repository's own source
    stem = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), spec))
    bare = re.sub(r'\.(m|c)?js$', '', stem)
    candidates = [stem, *[bare + e for e in _JS_EXTENSIONS], *[f'{stem}/index{e}' for e in _JS_EXTENSIONS]]
    return tuple(dict.fromkeys(c for c in candidates if c in files and c != from_path))


def _js_imports(root: Node, path: str, files: frozenset[str]) -> list[Imported]:
    out = []
    for node in root.named_children:
        source = node.child_by_field_name('source')
        if node.type in ('import_statement', 'export_statement') and source is not None:
            paths = _js_resolve(_text(source).strip('\'"`'), path, files)
            out += _js_clause(node, paths)
        elif node.type in ('lexical_declaration', 'variable_declaration'):
            out += _js_require(node, path, files)
    return out


def _js_clause(node: Node, paths: tuple[str, ...]) -> list[Imported]:
    out = []
    for clause in node.named_children:
        parts = [clause, *clause.named_children]
        parts += [inner for part in parts[1:] if part.type in ('named_imports', 'export_clause')
                  for inner in part.named_children]
        if clause.type == 'export_clause':
            parts = [clause, *clause.named_children]
        for part in parts:
            if part.type == 'identifier' and clause.type == 'import_clause':  # default import
                # `export default function name`, or an object of helpers read as `utils.isArray`
                out += [Imported(_text(part), _text(part), paths), Imported(_text(part), None, paths)]
            elif part.type == 'namespace_import':
                out.append(Imported(_text(part.named_children[-1]), None, paths))
            elif part.type in ('import_specifier', 'export_specifier'):
                name = _text(part.child_by_field_name('name'))
                out.append(Imported(_text(part.child_by_field_name('alias')) or name, name, paths))
    if node.type == 'export_statement' and not out:  # export * from './x'
        out.append(Imported('*', '*', paths))
    return out


def _js_require(node: Node, path: str, files: frozenset[str]) -> list[Imported]:
    out = []
    for declarator in node.named_children:
        value = declarator.child_by_field_name('value')
        if value is None or value.type != 'call_expression' or _text(value.child_by_field_name('function')) != 'require':
            continue
        spec = re.findall(r'[\'"`]([^\'"`]+)', _text(value.child_by_field_name('arguments')))
        paths = _js_resolve(spec[0], path, files) if spec else ()
        target = declarator.child_by_field_name('name')
        if target is not None and target.type == 'identifier':
            out.append(Imported(_text(target), None, paths))
        elif target is not None:
            out += [Imported(n, n, paths) for n in re.findall(r'[A-Za-z_$][\w$]*', _text(target))]
    return out


def _package_files(folder: str, suffix: str, files: frozenset[str], exclude: str) -> tuple[str, ...]:
    return tuple(sorted(p for p in files if posixpath.dirname(p) == folder and p.endswith(suffix)
                        and p != exclude and not p.endswith('_test.go')))


def _go_imports(root: Node, path: str, files: frozenset[str], read: Callable[[str], str]) -> list[Imported]:
    out = [Imported('*', '*', _package_files(posixpath.dirname(path), '.go', files, path), reexports=False)]
    module, base = _go_module(path, files, read)
    for spec in _descendants(root, 'import_spec'):
        target = _text(spec.child_by_field_name('path')).strip('"`')
        if not module or not target.startswith(module + '/'):
            continue
        folder = posixpath.join(base, target[len(module) + 1:])
        local = _text(spec.child_by_field_name('name')) or target.rsplit('/', 1)[-1]
        out.append(Imported(local, None, _package_files(folder, '.go', files, path), reexports=False))
    return out


def _go_module(path: str, files: frozenset[str], read: Callable[[str], str]) -> tuple[str, str]:
    folder = posixpath.dirname(path)
    while True:
        mod = posixpath.join(folder, 'go.mod') if folder else 'go.mod'
        if mod in files:
            found = re.search(r'^module\s+(\S+)', read(mod), re.MULTILINE)
            return (found.group(1).strip('"') if found else '', folder)
        if not folder:
            return '', ''
        folder = posixpath.dirname(folder)


def _java_imports(root: Node, path: str, files: frozenset[str]) -> list[Imported]:
    out = [Imported('*', '*', _package_files(posixpath.dirname(path), '.java', files, path), reexports=False)]
    for node in root.named_children:
        if node.type != 'import_declaration':
            continue
        dotted = _text(next((c for c in node.named_children if c.type in ('scoped_identifier', 'identifier')), None))
        tail = '/' + dotted.replace('.', '/')
        if any(c.type == 'asterisk' for c in node.named_children):
            folders = {posixpath.dirname(p) for p in files if p.endswith('.java') and posixpath.dirname('/' + p).endswith(tail)}
            paths = tuple(p for folder in sorted(folders) for p in _package_files(folder, '.java', files, path))
            out.append(Imported('*', '*', paths, reexports=False))
        else:
            name = dotted.rsplit('.', 1)[-1]
            out.append(Imported(name, name, tuple(p for p in sorted(files) if ('/' + p).endswith(tail + '.java'))))
    return out


def _rust_module_files(parts: list[str], folder: str, files: frozenset[str]) -> tuple[str, ...]:
    stem = posixpath.join(folder, *parts) if parts else folder
    return tuple(c for c in (f'{stem}.rs', f'{stem}/mod.rs') if c in files)


def _rust_crate_src(path: str, files: frozenset[str]) -> str:
    """The folder ``crate::`` names: the nearest one up with a ``lib.rs`` or ``main.rs`` (a binary
    may live at ``crates/core/main.rs``), else the one under the ``Cargo.toml``."""
    folder = posixpath.dirname(path)
    while True:
        if posixpath.join(folder, 'lib.rs') in files or posixpath.join(folder, 'main.rs') in files:
            return folder
        if not folder:
            break
        folder = posixpath.dirname(folder)
    folder = posixpath.dirname(path)
    while folder and not posixpath.join(posixpath.dirname(folder), 'Cargo.toml') in files:
        folder = posixpath.dirname(folder)
    return folder


def _rust_imports(root: Node, path: str, files: frozenset[str]) -> list[Imported]:
    here = posixpath.dirname(path)
    own = here if posixpath.basename(path) in ('mod.rs', 'lib.rs', 'main.rs') else posixpath.splitext(path)[0]
    out = []
    for node in root.named_children:
        if node.type == 'mod_item' and node.child_by_field_name('body') is None:
            name = _text(node.child_by_field_name('name'))
            out.append(Imported(name, None, _rust_module_files([name], own, files)))
        elif node.type == 'use_declaration':
            for use_path, local in _rust_use_paths(_text(node.child_by_field_name('argument'))):
                out += _rust_use(use_path, local, path, own, files)
    # paths written out where they are used: `crate::error::builder(e)` imports nothing
    spelled = {m.group(0) for m in _RUST_INLINE_PATH.finditer(_text(root))}
    for inline in sorted(spelled):
        parts = inline.split('::')
        out += _rust_use(parts, parts[-1], path, own, files)
    return out


_RUST_INLINE_PATH = re.compile(r'(?<![\w:])(?:crate|super|self)(?:::[A-Za-z_]\w*)+(?=\s*[(:{<!])')


def _rust_use_paths(text: str, prefix: tuple[str, ...] = ()) -> list[tuple[list[str], str]]:
    """`crate::a::{b, c as d, e::{self, f}}` → (['crate','a','b'], 'b'), (['crate','a','c'], 'd'),
    (['crate','a','e'], 'e'), (['crate','a','e','f'], 'f'): a use tree, braces nested to any depth."""
    text = ' '.join(text.split())
    brace = text.find('{')
    if brace >= 0 and text.endswith('}'):
        head = [p.strip() for p in text[:brace].split('::') if p.strip()]
        out = []
        for item in _top_level_items(text[brace + 1:-1]):
            out += _rust_use_paths(item, (*prefix, *head))
        return out
    target, _, alias = text.partition(' as ')
    parts = [*prefix, *(p.strip() for p in target.split('::') if p.strip())]
    if parts and parts[-1] == 'self':  # `a::{self}` names the module a
        parts.pop()
    if not parts or '*' in target or '{' in target or '}' in target:
        return []
    return [(parts, alias.strip() or parts[-1])]


def _top_level_items(text: str) -> list[str]:
    """``a, b::{c, d}, e`` → ['a', 'b::{c, d}', 'e']: commas inside braces do not split."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {'{': 1, '}': -1}.get(char, 0)
        if char == ',' and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _rust_use(parts: list[str], local: str, path: str, own: str, files: frozenset[str]) -> list[Imported]:
    if parts[0] == 'crate':
        folder, rest = _rust_crate_src(path, files), parts[1:]
    elif parts[0] == 'super':
        folder, rest = posixpath.dirname(own), parts[1:]
    elif parts[0] == 'self':
        folder, rest = own, parts[1:]
    else:
        return []  # another crate
    if not rest:
        return []
    module = _rust_module_files(rest, folder, files)
    if module:  # `use crate::a::b;` naming a module
        return [Imported(local, None, module)]
    return [Imported(local, rest[-1], _rust_module_files(rest[:-1], folder, files)
                     or _rust_module_files(['lib'], folder, files) or _rust_module_files(['main'], folder, files))]


def _descendants(root: Node, kind: str) -> Iterable[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == kind:
            yield node
        elif node.type in ('source_file', 'import_declaration', 'import_spec_list'):
            stack.extend(reversed(node.named_children))


def _import_rows(root: Node) -> frozenset[int]:
    rows: set[int] = set()
    for node in root.named_children:
        if node.type in ('import_statement', 'import_declaration', 'use_declaration', 'mod_item', 'package_clause',
                         'package_declaration') or (node.type in _VARIABLES and 'require(' in _text(node)):
            rows.update(range(node.start_point.row, node.end_point.row + 1))
    return frozenset(rows)


def file_symbols(path: str, language: str, text: str, paths: Sequence[str] | frozenset[str],
                 read: Callable[[str], str]) -> FileSymbols:
    grammar = 'tsx' if path.endswith('.tsx') else language
    source = text.encode('utf-8')
    root = parse(grammar, source).root_node
    builder = _Builder(path, source)
    for node in root.named_children:
        builder.visit(node, node)
    files = paths if isinstance(paths, frozenset) else frozenset(paths)
    imports = _imports(language, root, path, files, read)
    aliases = {i.local for i in imports if i.name is None}
    return FileSymbols(path, language, builder.finish(language), tuple(imports), attribute_uses(text, aliases),
                       _import_rows(root))


def _imports(language: str, root: Node, path: str, files: frozenset[str], read: Callable[[str], str]) -> list[Imported]:
    if language in ('javascript', 'typescript'):
        return _js_imports(root, path, files)
    if language == 'go':
        return _go_imports(root, path, files, read)
    if language == 'java':
        return _java_imports(root, path, files)
    if language == 'rust':
        return _rust_imports(root, path, files)
    return []
