"""Does a stub's prompt show the helpers its body will call? Measured on real projects.

For every function of a downloaded project whose body calls a helper defined in *another* file of
the same project (found independently of the bot: a call to a name the file imports from the
project, or ``module.name`` / ``pkg.Name`` on such an import, or — Go — a function of the same
package in another file, and a file of the project that defines that name at top level), the
body is turned into a stub (Python ``# TODO: implement`` + ``pass``, JS ``throw new Error("Not implemented")``, Go
``panic("not implemented")``, Java ``throw new UnsupportedOperationException("Not implemented yet")``, Rust
``todo!()``), and the request is built as ``review`` builds it (prompt budget
3000 tokens, ``context_share`` 0.25). Reported per project:

- stubs: functions sampled; hit: share whose called helpers *all* have their signature in the prompt;
  helpers: share of the (stub, helper) pairs that reached the prompt; and the hit rate among the
  stubs whose file, once the body is gone, still names every helper (an import, another call):
  a helper imported inside the removed body, or a package function no other line names, leaves
  no trace for any context engine to follow;
- snippet tokens (median) and extra prompt tokens per stub (median; with minus without context —
  smaller, because the file's own prefix yields room to the snippets when it is cut);
- files parsed per stub (median, a fresh index per stub: a one-stub run) and the CPU time of a
  one-stub run's local work (decode, find the stub, build the request) without and with the
  context (median ms, CPU time: the machine is shared), both measured in the same run.

Download the corpus first (sdists with pip, a tarball with npm, Git repositories), then:

    mkdir -p /tmp/bench_ctx && cd /tmp/bench_ctx
    pip download --no-binary :all: --no-deps httpx==0.28.1 requests==2.32.3 click==8.1.8 rich==13.9.4
    for f in *.tar.gz; do tar xzf $f; done
    npm pack axios@1.7.9 && mkdir axios-1.7.9 && tar xzf axios-1.7.9.tgz -C axios-1.7.9
    git clone https://github.com/spf13/cobra  # measured at adbc881
    # the others at the commits the README names (here: `fetch` snapshots, exported with
    # `git --git-dir <mirror> archive HEAD | tar x -C <name>`): pallets/flask, python-attrs/attrs,
    # sindresorhus/ky, gin-gonic/gin, go-chi/chi, labstack/echo, google/gson, jhy/jsoup,
    # BurntSushi/ripgrep, seanmonstar/reqwest, rust-itertools/itertools
    cd - && nice -n 10 .venv/bin/python benchmarks/bench_context.py /tmp/bench_ctx/httpx-0.28.1 \\
        /tmp/bench_ctx/requests-2.32.3 /tmp/bench_ctx/click-8.1.8 /tmp/bench_ctx/rich-13.9.4 /tmp/bench_ctx/flask \\
        /tmp/bench_ctx/attrs /tmp/bench_ctx/axios-1.7.9/package /tmp/bench_ctx/ky /tmp/bench_ctx/cobra \\
        /tmp/bench_ctx/gin /tmp/bench_ctx/chi /tmp/bench_ctx/echo /tmp/bench_ctx/gson /tmp/bench_ctx/jsoup \\
        /tmp/bench_ctx/ripgrep /tmp/bench_ctx/reqwest /tmp/bench_ctx/itertools [--sample 150] [--seed 1]

``BENCH_SHARE=0.5`` measures another ``context_share``; ``BENCH_MISSES=1`` lists each stub that missed a
helper on stderr.
"""
from __future__ import annotations

import argparse
import ast
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from codestral_bot.context import build_request
from codestral_bot.records import SourceFile
from codestral_bot.repo_context import RepoContext
from codestral_bot.sources import decode_source
from codestral_bot.stubs import find_stubs
from codestral_bot.stubs import language_of
from codestral_bot.symbols import SymbolIndex

PROMPT_TOKENS = 3000
SHARE = float(os.environ.get("BENCH_SHARE", "0.25"))
_SKIP_DIRS = {'node_modules', '.git', 'dist', 'build', 'vendor', 'testdata'}


@dataclass
class Case:
    path: str
    name: str
    text: str  # the file with this function's body turned into a stub
    line: int  # 1-based line of the function's header
    helpers: set[str]  # names the original body called, defined in other files of the project
    inherited: frozenset[str] = frozenset()  # `self.m()` calls of a method a base class in another file defines


@dataclass
class Result:
    named: bool  # every helper is still named somewhere in the stubbed file (an import, another call)
    hit: bool
    found: int
    helpers: int
    snippet_tokens: int
    extra_tokens: int
    parsed: int
    base_ms: float
    context_ms: float
    missed: tuple[str, ...] = ()
    inherited: int = 0
    inherited_found: int = 0


def _files(root: Path) -> list[str]:
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith('.'))
        for name in sorted(names):
            rel = Path(folder, name).relative_to(root).as_posix()
            if language_of(rel) is not None or name in ('go.mod', 'Cargo.toml'):
                out.append(rel)
    return out


def _is_test(path: str) -> bool:
    return bool(re.search(r'(^|/)(tests?|__tests__|docs?|_?examples?)/|_test\.go$|(^|/)test_[^/]*\.py$', path))


# ---------------------------------------------------------------- ground truth, without the bot's resolver


def _defined_anywhere(root: Path, files: list[str]) -> dict[str, set[str]]:
    """Top-level names each file defines, by a plain regex per language."""
    patterns = {
        'python': r'^(?:async\s+)?def\s+(\w+)|^class\s+(\w+)|^(\w+)\s*(?::[^=]*)?=',
        'javascript': r'^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\*?\s+(\w+)|^(?:export\s+)?class\s+(\w+)'
                      r'|^(?:export\s+)?(?:const|let|var)\s+(\w+)\s*=',
        'go': r'^func\s+(\w+)\s*[\[(]|^type\s+(\w+)|^(?:var|const)\s+(\w+)',
        'java': r'^(?:public\s+|final\s+|abstract\s+|sealed\s+)*(?:class|interface|enum|record|@interface)\s+(\w+)',
        'rust': r'^(?:pub(?:\([^)]*\))?\s+)?(?:async\s+|const\s+|unsafe\s+)*(?:fn|struct|enum|trait|type|static|const)\s+(\w+)',
    }
    out: dict[str, set[str]] = {}
    for rel in files:
        language = language_of(rel)
        lang = 'javascript' if language in ('javascript', 'typescript') else language
        if lang not in patterns:
            continue
        text = (root / rel).read_text('utf-8', 'replace')
        found = re.findall(patterns[lang], text, re.MULTILINE)
        names = {n for groups in found for n in ((groups,) if isinstance(groups, str) else groups) if n}
        out[rel] = names
    return out


def _python_cases(rel: str, text: str, defined: dict[str, set[str]], package: str, root: Path) -> Iterator[Case]:
    tree = ast.parse(text)
    imported: dict[str, str] = {}  # local name → the name it stands for in the project
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or '').split('.')[0] == package):
            for alias in node.names:
                imported[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split('.')[0] == package and alias.asname:
                    modules.add(alias.asname)
    others = set().union(*(names for path, names in defined.items() if path != rel))
    lines = text.splitlines(keepends=True)
    for cls, node in _functions(tree):
        if len(node.body) < 2:
            continue
        helpers = _python_calls(node, imported, modules | {n for n in imported if n not in others}) & others
        inherited = _inherited_calls(node, cls, imported, defined, rel, root) if cls is not None else frozenset()
        if helpers or inherited:
            yield Case(rel, node.name, _python_stub(lines, node), node.lineno, helpers, inherited)


def _functions(tree: ast.Module) -> Iterator[tuple[ast.ClassDef | None, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function, with the top-level class it is a method of (else None)."""
    owner = {id(item): node for node in tree.body if isinstance(node, ast.ClassDef) for item in node.body}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield owner.get(id(node)), node


_METHODS: dict[tuple[str, str], set[str]] = {}


def _methods_of(root: Path, path: str, name: str) -> set[str]:
    """The methods class ``name`` of ``path`` defines (public ones and ``__init__``), by ``ast``."""
    if (path, name) not in _METHODS:
        try:
            tree = ast.parse((root / path).read_text('utf-8', 'replace'))
        except SyntaxError:
            tree = ast.Module(body=[], type_ignores=[])
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                _METHODS[(path, node.name)] = {i.name for i in node.body if isinstance(
                    i, (ast.FunctionDef, ast.AsyncFunctionDef)) and not i.name.startswith('__')}
        _METHODS.setdefault((path, name), set())
    return _METHODS[(path, name)]


def _inherited_calls(node: ast.AST, cls: ast.ClassDef, imported: dict[str, str], defined: dict[str, set[str]],
                     rel: str, root: Path) -> frozenset[str]:
    own = {i.name for i in cls.body if isinstance(i, (ast.FunctionDef, ast.AsyncFunctionDef))}
    inherited: set[str] = set()
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in imported:
            name = imported[base.id]
            for path, names in defined.items():
                if path != rel and path.endswith('.py') and name in names:
                    inherited |= _methods_of(root, path, name)
    called = {c.func.attr for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
              and isinstance(c.func.value, ast.Name) and c.func.value.id == 'self'}
    return frozenset((called & inherited) - own)


def _python_calls(node: ast.AST, imported: dict[str, str], modules: set[str]) -> set[str]:
    found = set()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        if isinstance(call.func, ast.Name) and call.func.id in imported:
            found.add(imported[call.func.id])
        elif (isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
              and call.func.value.id in modules):
            found.add(call.func.attr)
    return found


def _python_stub(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    body = node.body
    keep = 1 if ast.get_docstring(node) is not None else 0
    first, last = body[keep].lineno, body[-1].end_lineno or body[-1].lineno
    indent = lines[first - 1][:len(lines[first - 1]) - len(lines[first - 1].lstrip())]
    if body[keep].lineno == node.lineno:  # a one-liner body
        return ''
    # `pass` alone is not a stub (it may be meant): the TODO is the evidence a developer leaves
    return ''.join(lines[:first - 1]) + f'{indent}# TODO: implement\n{indent}pass\n' + ''.join(lines[last:])


def _brace_cases(rel: str, text: str, language: str, defined: dict[str, set[str]], root: Path) -> Iterator[Case]:
    from codestral_bot.stubs.ts_grammar import parse

    grammar = 'tsx' if rel.endswith('.tsx') else language
    data = text.encode()
    tree = parse(grammar, data).root_node
    imported, namespaces = _brace_imports(tree, language, rel, data, root)
    others = set().union(*(names for path, names in defined.items() if path != rel and _visible(path, rel, language)))
    same_package = {n for path, names in defined.items() if path != rel and language == 'go'
                    and os.path.dirname(path) == os.path.dirname(rel) for n in names}
    # a Go package's exported names, by its folder: `pkg.F` is a helper only if that folder defines F
    by_folder: dict[str, set[str]] = {}
    for path, names in defined.items():
        if path.endswith('.go') and not path.endswith('_test.go'):
            by_folder.setdefault(os.path.dirname(path), set()).update(names)
    for node in _nodes(tree, ('function_declaration', 'method_definition', 'method_declaration')):
        body = node.child_by_field_name('body')
        statements = body.named_children if body is not None else []
        if len(statements) == 1 and statements[0].type == 'statement_list':  # Go wraps them
            statements = statements[0].named_children
        if len(statements) < 2:
            continue
        helpers = _brace_calls(body, imported, namespaces, same_package, by_folder) & others
        if helpers:
            yield Case(rel, _brace_name(node), _brace_stub(data, body, language), node.start_point.row + 1, helpers)


def _nodes(tree, types: tuple[str, ...]) -> Iterator:  # type: ignore[no-untyped-def, type-arg]
    """Every node of ``types`` under ``tree``, depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type in types:
            yield node


def _visible(path: str, rel: str, language: str) -> bool:
    return language != 'go' or path.endswith('.go')


def _brace_name(node) -> str:  # type: ignore[no-untyped-def]
    name = node.child_by_field_name('name')
    return name.text.decode() if name is not None else '?'


def _go_module(root: Path) -> str:
    mod = root / 'go.mod'
    found = re.search(r'^module\s+(\S+)', mod.read_text()) if mod.exists() else None
    return found.group(1) if found else ''


def _brace_imports(tree, language: str, rel: str, data: bytes, root: Path) -> tuple[dict[str, str], dict[str, str]]:  # type: ignore[no-untyped-def]
    """(local name → imported name, namespace → its folder in the project ('' for JS objects))."""
    imported: dict[str, str] = {}
    namespaces: dict[str, str] = {}
    text = data.decode()
    if language in ('javascript', 'typescript'):
        for clause, spec in re.findall(r'^import\s+(.+?)\s+from\s+[\'"](\.[^\'"]+)[\'"]', text, re.MULTILINE | re.DOTALL):
            for default in re.findall(r'^\s*(\w+)\s*(?:,|$)', clause):
                imported[default] = default
                namespaces[default] = ''
            for name, alias in re.findall(r'(\w+)(?:\s+as\s+(\w+))?', (re.findall(r'\{([^}]*)\}', clause) or [''])[0]):
                imported[alias or name] = name
            namespaces.update((n, '') for n in re.findall(r'\*\s+as\s+(\w+)', clause))
    elif language == 'go':
        module = _go_module(root)
        for alias, path in re.findall(r'^\s*(\w+\s+)?"([^"]+)"', text, re.MULTILINE):
            if module and (path == module or path.startswith(module + '/')):  # the project's own packages only
                namespaces[alias.strip() or path.rsplit('/', 1)[-1]] = path[len(module):].lstrip('/')
    return imported, namespaces


def _brace_calls(body, imported: dict[str, str], namespaces: dict[str, str], same_package: set[str],  # type: ignore[no-untyped-def]
                 by_folder: dict[str, set[str]]) -> set[str]:
    found = set()
    stack = [body]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type != 'call_expression':
            continue
        func = node.child_by_field_name('function')
        if func is None:
            continue
        if func.type == 'identifier':
            name = func.text.decode()
            if name in imported:
                found.add(imported[name])
            elif name in same_package:
                found.add(name)
        elif func.type in ('member_expression', 'selector_expression'):
            obj, attr = func.named_children[0], func.named_children[-1]
            space = obj.text.decode() if obj.type in ('identifier', 'package_identifier') else None
            if space in namespaces and (func.type == 'member_expression'
                                        or attr.text.decode() in by_folder.get(namespaces[space], ())):
                found.add(attr.text.decode())
    return found


def _java_rust_cases(rel: str, text: str, language: str, defined: dict[str, set[str]]) -> Iterator[Case]:
    """Java: ``Helper.m(…)`` and ``new Helper(…)`` on a class the file imports from the project or its
    package defines; Rust: ``f(…)`` imported by ``use crate::…``/``super::…``, and ``m::f(…)`` /
    ``Type::new(…)`` through such a path."""
    from codestral_bot.stubs.ts_grammar import parse

    data = text.encode()
    tree = parse(language, data).root_node
    own = defined.get(rel, set())
    suffix = os.path.splitext(rel)[1]
    others = set().union(*(names for path, names in defined.items() if path != rel and path.endswith(suffix)))
    if language == 'java':
        folder = os.path.dirname(rel)
        near = {n for path, names in defined.items() if path != rel and os.path.dirname(path) == folder for n in names}
        imported = {m for m in re.findall(r'^import\s+(?:static\s+)?[\w.]+\.(\w+)\s*;', text, re.MULTILINE)} & others
        visible = (near | imported) - own
    else:
        visible = set()
        for body in re.findall(r'^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+(?:crate|super|self)::([^;]+);', text, re.MULTILINE):
            visible |= {w for w in re.findall(r'\w+', body) if w not in ('self', 'super', 'crate', 'as')}
        visible -= own
    for node in _nodes(tree, ('method_declaration', 'constructor_declaration', 'function_item')):
        body = node.child_by_field_name('body')
        if body is None or len([c for c in body.named_children if 'comment' not in c.type]) < 2:
            continue
        helpers = _java_rust_calls(body, language, visible) & others
        if helpers:
            yield Case(rel, _brace_name(node), _brace_stub(data, body, language), node.start_point.row + 1, helpers)


def _java_rust_calls(body, language: str, visible: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    found = set()
    stack = [body]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if language == 'java':
            if node.type == 'method_invocation':
                obj = node.child_by_field_name('object')
                if obj is not None and obj.type == 'identifier' and obj.text.decode() in visible:
                    found.add(obj.text.decode())
            elif node.type == 'object_creation_expression':
                kind = node.child_by_field_name('type')
                name = kind.text.decode().split('<')[0] if kind is not None else ''
                if name in visible:
                    found.add(name)
        elif node.type == 'call_expression':
            func = node.child_by_field_name('function')
            parts = func.text.decode().split('::') if func is not None else []
            if len(parts) == 1 and parts[0] in visible:
                found.add(parts[0])
            elif len(parts) >= 2 and (parts[0] in ('crate', 'super', 'self') or parts[0] in visible):
                # `module::f(…)` names f; `Type::new(…)` names Type
                found.add(parts[-1] if parts[-2][:1].islower() else parts[-2])
    return found


def _brace_stub(data: bytes, body, language: str) -> str:  # type: ignore[no-untyped-def]
    line_start = data.rfind(b'\n', 0, body.start_byte) + 1
    indent = re.match(rb'[ \t]*', data[line_start:]).group().decode()  # type: ignore[union-attr]
    inner = '\t' if language == 'go' or '\t' in indent else '    ' if language == 'rust' else '  '
    statement = {'go': 'panic("not implemented")', 'rust': 'todo!()',
                 'java': 'throw new UnsupportedOperationException("Not implemented yet");'}.get(
        language, 'throw new Error("Not implemented");')
    stub = '{\n' + indent + inner + statement + '\n' + indent + '}'
    return (data[:body.start_byte] + stub.encode() + data[body.end_byte:]).decode()


# ---------------------------------------------------------------- measuring


def _measure(case: Case, files: list[str], read: Callable[[str], SourceFile]) -> Result | None:
    t0 = time.process_time()  # CPU time: the machine is shared, wall time would measure the neighbours
    source = decode_source(case.path, case.text.encode())
    stubs = [s for s in find_stubs(case.path, source.text) if case.line <= s.start_line <= case.line + 40
             and s.name.split('.')[-1] == case.name]
    if not stubs:
        return None
    stub = stubs[0]
    plain = build_request(source, stub, prompt_tokens=PROMPT_TOKENS, suffix_tokens=1000)
    t1 = time.process_time()
    index = SymbolIndex(files, lambda p: source if p == case.path else read(p))  # a one-stub run
    selection = RepoContext(index, SHARE).select(source, stub, PROMPT_TOKENS)
    request = build_request(source, stub, prompt_tokens=PROMPT_TOKENS, suffix_tokens=1000, head=selection.head)
    t2 = time.process_time()
    names = {s.name for s in selection.snippets}
    reached = {h for h in case.helpers if h in names or _shown(h, selection.head)}
    inherited = {m for m in case.inherited if _shown(m, selection.head)}
    named = all(re.search(rf'(?<![\w$]){re.escape(h)}(?![\w$])', case.text) for h in case.helpers)
    return Result(named, reached == case.helpers, len(reached), len(case.helpers),
                  sum(s.tokens for s in selection.snippets), request.prompt_tokens - plain.prompt_tokens,
                  index.parsed, (t1 - t0) * 1000, (t2 - t1) * 1000, tuple(sorted(case.helpers - reached)),
                  len(case.inherited), len(inherited))


def _shown(helper: str, head: str) -> bool:
    """A method shown inside its class's summary (``utils.forEach`` lives in an object) counts too."""
    kinds = 'def|function|func|fn|class|struct|enum|trait|interface|record|type'
    return re.search(rf'^(#|//) .*\b({kinds})\s+{re.escape(helper)}\b|^(#|//)\s+{re.escape(helper)}\s*[(:=]',
                     head, re.MULTILINE) is not None


def _cases(root: Path, files: list[str]) -> list[Case]:
    defined = _defined_anywhere(root, files)
    package = next((p.split('/')[-2] for p in files if p.endswith('/__init__.py') and p.count('/') <= 2), '')
    cases: list[Case] = []
    for rel in files:
        language = language_of(rel)
        if language is None or _is_test(rel):
            continue
        text = (root / rel).read_text('utf-8', 'replace')
        try:
            if language == 'python':
                cases += [c for c in _python_cases(rel, text, defined, package, root) if c.text]
            elif language in ('javascript', 'typescript', 'go'):
                cases += _brace_cases(rel, text, language, defined, root)
            elif language in ('java', 'rust'):
                cases += _java_rust_cases(rel, text, language, defined)
        except SyntaxError:
            continue
    return cases


def run(root: Path, sample: int, rng: random.Random) -> dict[str, object]:
    files = _files(root)
    cache: dict[str, SourceFile] = {}

    def read(path: str) -> SourceFile:
        if path not in cache:
            cache[path] = decode_source(path, (root / path).read_bytes())
        return cache[path]

    every = _cases(root, files)
    cases = [c for c in every if c.helpers]
    if len(cases) > sample:
        cases = rng.sample(cases, sample)
    inheriting = [c for c in every if c.inherited]  # measured apart: `self.m()` of a base in another file
    if len(inheriting) > sample:
        inheriting = rng.sample(inheriting, sample)
    measured = [(c, _measure(c, files, read)) for c in cases]
    results = [r for _, r in measured if r is not None]
    by_base = [r for r in (_measure(c, files, read) for c in inheriting) if r is not None]
    if os.environ.get('BENCH_MISSES'):  # one line per stub that missed a helper: what to look at next
        for case, r in measured:
            if r is not None and not r.hit:
                print(f'  miss {case.path}:{case.line} {case.name}: {", ".join(r.missed)}'
                      f'{"" if r.named else " (not named in the stubbed file)"}', file=sys.stderr)
    name = root.parent.name if root.name == 'package' else root.name  # npm tarballs unpack to package/
    if not results:
        return {'project': name, 'stubs': 0}
    return {
        'project': name,
        'files': len(files),
        'stubs': len(results),
        'hit': sum(r.hit for r in results) / len(results),
        'named': sum(r.named for r in results),
        'named_hit': sum(r.hit for r in results if r.named) / max(sum(r.named for r in results), 1),
        'helpers': sum(r.found for r in results) / sum(r.helpers for r in results),
        'snippet_tokens': statistics.median(r.snippet_tokens for r in results),
        'extra_tokens': statistics.median(r.extra_tokens for r in results),
        'parsed': statistics.median(r.parsed for r in results),
        'base_ms': statistics.median(r.base_ms for r in results),
        'with_ms': statistics.median(r.base_ms + r.context_ms for r in results),
        'inheriting': len(by_base),
        'inherited_hit': sum(r.inherited_found == r.inherited for r in by_base) / max(len(by_base), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('roots', nargs='+', type=Path, help='unpacked projects')
    parser.add_argument('--sample', type=int, default=150, help='stubs per project (random, seeded)')
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args(argv)
    print('| project | files | stubs | all helpers in prompt | helpers in prompt '
          '| stubs whose file still names its helpers: all in prompt | snippet tokens (median) '
          '| extra prompt tokens (median) | files parsed (median) | CPU ms of a one-stub run, without → with (median) '
          '| methods whose inherited calls are all in prompt |')
    print('|---|---|---|---|---|---|---|---|---|---|---|')
    for root in args.roots:
        # a sample per project, whatever the other projects on the command line
        r = run(root, args.sample, random.Random(f'{args.seed}:{root.resolve()}'))
        if not r['stubs']:
            print(f'| {r["project"]} | | 0 | | | | | | | | |')
            continue
        inherited = f'{r["inherited_hit"]:.0%} of {r["inheriting"]}' if r['inheriting'] else ''
        print(f'| {r["project"]} | {r["files"]} | {r["stubs"]} | {r["hit"]:.0%} | {r["helpers"]:.0%} '
              f'| {r["named_hit"]:.0%} of {r["named"]} '
              f'| {r["snippet_tokens"]:.0f} | {r["extra_tokens"]:.0f} | {r["parsed"]:.0f} '
              f'| {r["base_ms"]:.1f} → {r["with_ms"]:.1f} | {inherited} |')
        sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
