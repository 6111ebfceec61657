"""Context from the whole repository: the definitions a stub's body will likely call.

For each stub, the names it may need are ranked by how directly the stub refers to them:

0. named in the stub's own function (signature, annotations, docstring, TODO text);
1. imported but used nowhere else in the file (a body still to be written is the likely user);
1¼. named like the stub, in a module the file imports or a sibling module named like it
   (``from_ansi`` and ``ansi.py``'s ``AnsiDecoder``): a body often imports its main helper itself;
1¾. (Go) a private function of the package that nothing calls yet;
2. used in the enclosing class (fields, sibling methods);
3. used elsewhere in the file, nearest use first;
3½. the rest of a module the file imports whole (``import utils from './utils.js'``), in its order;
4. (Go, Java) defined in another file of the package, the most used across the package first.

In tiers 2 and 3, a name sharing a word with the stub's name, parameters or docstring
(``_build_request_auth`` and ``BasicAuth``; a parameter ``headers`` and ``Headers``) moves half a
tier up: on the benchmark's Python projects this cut the misses by a quarter.

Each is resolved to its definition in another file of the repository (following re-exports a
few levels). Every name gets its signature (one line, no docs) before any gets its docs: the
signatures go in rank order while ``share`` of the prompt budget lasts, then what is left buys the
first-ranked their docstring (the first paragraph) and, for a class, a few members, one line
each: those the stub names, then how to build one. A name the stub's own file defines is never a
snippet: that file is in the prompt already. Snippets go at the head of the prompt as comments in
the file's language, under the path they come from (one ``Path:`` line per file, as editor FIM
engines do); the stub's own file keeps the rest of the budget.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path

from codestral_bot import git
from codestral_bot.records import ContextSnippet
from codestral_bot.records import SourceFile
from codestral_bot.records import Stub
from codestral_bot.sources import read_source
from codestral_bot.symbols import Definition
from codestral_bot.symbols import FileSymbols
from codestral_bot.symbols import Imported
from codestral_bot.symbols import SymbolIndex
from codestral_bot.tokens import estimate_tokens

__all__ = ['RepoContext', 'Selection', 'for_pull_request', 'render']

_PY_IMPORT = re.compile(r'^[ \t]*(?:import|from)[ \t]+[\w.]', re.MULTILINE)

_WORD = re.compile(r'[A-Za-z_$][\w$]*')
_REEXPORT_DEPTH = 3
_HEADER_WALK = 40  # lines above a body searched for its function's header
_DOC_MARKS = ('//', '/*', '*', '#', '@')
_TIER_BASE = -1  # the enclosing class's bases: the stub calls their members as its own
_TIER_SCOPE = 2.0
_TIER_NAMESAKE = 1.25  # after the names the stub's file imports and uses nowhere else
_TIER_MODULE = 3.5
# a top-level definition's name in any of the languages, by a regex over a file not yet parsed
_DEFINED = re.compile(r'^(?:[ \t]*(?:export|pub(?:\([^)]*\))?|public|async|default|static|final|abstract)[ \t]+)*'
                      r'(?:def|class|function\*?|func(?:[ \t]+\([^)]*\))?|fn|struct|interface|enum|trait|type)[ \t]+'
                      r'([A-Za-z_$][\w$]*)', re.MULTILINE)
_TIER_KIN = 2.75  # a package name the package's functions named like the stub use
_GO_FUNC = re.compile(r'^func[ \t]', re.MULTILINE)
_GO_FUNC_NAME = re.compile(r'(?:\([^)]*\)\s*)?(\w+)')
_BASE_PART = 4  # of the context budget, at most, for the methods of the stub's bases
_TIER_ORPHAN = 1.75  # a package's private function nothing calls yet
_NAMESAKES = 6  # at most: a common word (`style`) would otherwise fill the budget with one module
_TERM_BONUS = 0.5
# parts of names too common to tie a stub to a helper
_COMMON = frozenset({'get', 'set', 'new', 'the', 'from', 'for', 'with', 'init', 'self', 'make', 'build', 'type',
                     'types', 'str', 'int', 'obj', 'value', 'data', 'args', 'kwargs', 'default', 'has', 'add'})
_SMALLEST = 12  # tokens: no snippet is cheaper (path line + one short line)


@dataclasses.dataclass(frozen=True)
class Selection:
    snippets: tuple[ContextSnippet, ...] = ()
    head: str = ''  # what goes in front of the prompt


@dataclasses.dataclass(frozen=True)
class _Candidate:
    imported: Imported
    name: str  # the name to look up in the imported module
    rank: tuple[float, float]


@dataclasses.dataclass(frozen=True)
class _Regions:
    stub: frozenset[str]  # words of the stub's function
    scope: frozenset[str]  # words of the enclosing class (without the stub)
    uses: dict[str, float]  # word → distance in lines from the stub to its nearest use elsewhere
    terms: frozenset[str] = frozenset()  # the words the stub's names are made of (`_subwords`)
    bases: frozenset[str] = frozenset()  # what the enclosing class extends or implements


def _comment(language: str) -> str:
    return '#' if language == 'python' else '//'


def render(definition: Definition, language: str, wanted: frozenset[str] = frozenset(), others: int = 4,
           brief: bool = False, internal: bool = False) -> str:
    """The definition as comment lines; a class shows the members ``wanted`` first."""
    mark = _comment(language)
    lines = definition.render(wanted, others=others, brief=brief, internal=internal).split('\n')
    return ''.join(f'{mark} {line}'.rstrip() + '\n' for line in lines)


def _path_line(path: str, language: str) -> str:
    return f'{_comment(language)} Path: {path}\n'


def _short_name(stub: Stub) -> str:
    return re.split(r'[.:]+', stub.name)[-1] if stub.name else ''


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(' \t'))


def _header_line(lines: list[str], stub: Stub) -> int:
    """0-based line of the stub's function header: the nearest line above the body naming it."""
    name = _short_name(stub)
    first = stub.start_line - 1
    for i in range(min(first, len(lines) - 1), max(first - _HEADER_WALK, -1), -1):
        if name and re.search(rf'(?<![\w$]){re.escape(name)}(?![\w$])', lines[i]):
            return _doc_start(lines, i)
    return max(first - 1, 0)


def _doc_start(lines: list[str], header: int) -> int:
    """The first line of the comments and decorators just above a header: they belong to the stub."""
    while header > 0 and lines[header - 1].lstrip().startswith(_DOC_MARKS):
        header -= 1
    return header


def _scope_range(lines: list[str], header: int) -> tuple[int, int] | None:
    """The enclosing class (or impl block) around the header, by indentation: (first, last) lines."""
    level = _indent(lines[header])
    if level == 0:
        return None
    start = next((i for i in range(header - 1, -1, -1) if lines[i].strip() and _indent(lines[i]) < level), None)
    if start is None:
        return None
    outer = _indent(lines[start])
    end = next((i for i in range(header + 1, len(lines))
                if lines[i].strip() and _indent(lines[i]) <= outer and not lines[i].lstrip().startswith(('}', ')'))),
               len(lines))
    return start, end - 1


def _words(lines: list[str]) -> frozenset[str]:
    return frozenset(w for line in lines for w in _WORD.findall(line))


def _regions(source: SourceFile, stub: Stub, import_lines: frozenset[int]) -> _Regions:
    lines = source.text.splitlines()
    header = _header_line(lines, stub)
    stub_lines = range(header, min(stub.end_line, len(lines)))
    scope = _scope_range(lines, header)
    scope_lines = [lines[i] for i in range(*(scope[0], scope[1] + 1)) if i not in stub_lines] if scope else []
    uses: dict[str, float] = {}
    for i, line in enumerate(lines):
        if i in import_lines or i in stub_lines:
            continue
        distance = abs(i - header)
        for word in set(_WORD.findall(line)):
            if distance < uses.get(word, len(lines) + 1):
                uses[word] = distance
    stub_words = _words([lines[i] for i in stub_lines])
    return _Regions(stub_words, _words(scope_lines), uses,
                    frozenset(_subwords(_short_name(stub)).union(*(_subwords(w) for w in stub_words))),
                    _bases(lines[scope[0]]) if scope else frozenset())


def _bases(header: str) -> frozenset[str]:
    """``class A(Base, Mixin):``, ``class A extends B implements C {``, ``impl Trait for A {``: the
    names whose members the stub's body calls as its own (``self.helper()``, ``this.helper()``)."""
    python = re.match(r'\s*class\s+\w+\s*(?:\[[^\]]*\])?\s*\((.*)\)\s*:', header)
    if python:
        return frozenset(w for w in _WORD.findall(re.sub(r'\w+\s*=\s*[\w.]+', '', python.group(1)))
                         if w not in ('object', 'Generic', 'Protocol'))
    brace = re.search(r'\b(?:extends|implements)\s+([^{]*)', header)
    if brace:
        return frozenset(w for w in _WORD.findall(re.sub(r'<[^<>]*>', '', brace.group(1)))
                         if w not in ('extends', 'implements'))
    rust = re.match(r'\s*impl\b[^{]*?\b(\w+)\s*(?:<[^{]*>)?\s+for\s', header)
    return frozenset([rust.group(1)]) if rust else frozenset()


def _subwords(name: str) -> set[str]:
    """``_build_request_auth`` → {build, request, auth}; ``HTTPTransport`` → {http, transport};
    ``RealIP`` → {real, ip} (a two-letter word counts when it is an acronym)."""
    parts = re.findall(r'[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+', name)
    return {p.lower() for p in parts if len(p) >= 3 or (len(p) == 2 and p.isupper())} - _COMMON


_SUFFIXES = ('s', 'es', 'r', 'er', 'ers', 'or', 'd', 'ed', 'ing', 'ion')


def _shared(words: set[str] | frozenset[str], terms: set[str] | frozenset[str]) -> set[str]:
    """The ``words`` alike one of ``terms``: the same, or the same but for an ending (``handle`` and
    ``handler``, ``route`` and ``router``, ``explain`` and ``explained``; not ``append`` and
    ``appendable``)."""
    return {w for w in words if w in terms or any(
        min(len(w), len(t)) >= 4 and (w[len(t):] in _SUFFIXES and w.startswith(t)
                                      or t[len(w):] in _SUFFIXES and t.startswith(w)) for t in terms)}


def _rank(word: str, regions: _Regions) -> tuple[float, float]:
    """(tier, distance in lines to the nearest use): the tiers of the module docstring."""
    if word in regions.bases:
        return (_TIER_BASE, 0.0)
    if word in regions.stub:
        return (0, 0.0)
    if word not in regions.uses:
        return (1, 0.0)
    tier: float = _TIER_SCOPE if word in regions.scope else 3
    if _shared(_subwords(word), regions.terms):
        tier -= _TERM_BONUS
    return (tier, regions.uses[word])


def _candidates(symbols: FileSymbols, regions: _Regions) -> list[_Candidate]:
    found: list[_Candidate] = []
    for imp in symbols.imports:
        if not imp.paths:
            continue  # outside the repository (standard library, dependencies)
        if imp.name is None:
            attrs = set(symbols.attributes.get(imp.local, ()))
            if imp.local in regions.stub:  # `util.slugify` in a docstring or TODO is no Attribute node
                attrs |= regions.stub
            for attr in sorted(attrs):
                rank = min(_rank(attr, regions), _rank(imp.local, regions))
                found.append(_Candidate(imp, attr, rank))
        elif imp.name == '*':  # a star import, or a Go/Java package's other files
            for word in sorted(regions.stub | regions.scope | regions.uses.keys()):
                found.append(_Candidate(imp, word, _rank(word, regions)))
        else:
            found.append(_Candidate(imp, imp.name, _rank(imp.local, regions)))
    return sorted(found, key=lambda c: c.rank)


def _costs(chosen: list[tuple[Definition, int]], texts: list[str], language: str) -> list[int]:
    """Each snippet's tokens, its file's ``Path:`` line counted with the first snippet from that file."""
    headed: set[str] = set()
    costs = []
    for (definition, _), text in zip(chosen, texts):
        header = '' if definition.path in headed else _path_line(definition.path, language)
        headed.add(definition.path)
        costs.append(estimate_tokens(header + text))
    return costs


def _brief(definition: Definition, language: str, wanted: frozenset[str], terms: frozenset[str], tier: float,
           budget: int) -> str:
    """The signature; a base of the stub's class with its methods, as many as a quarter of the budget holds,
    those named like the stub first: the stub calls them as its own (``self.helper()``), and no
    other line of its file names them."""
    if tier != _TIER_BASE:
        return render(definition, language, wanted, others=0, brief=True)
    alike = frozenset(name for name, _ in definition.members if _shared(_subwords(name), terms))
    others = len(definition.members)
    while True:
        text = render(definition, language, wanted | alike, others=others, brief=True, internal=True)
        if others == 0 or estimate_tokens(text) <= budget // _BASE_PART:
            return text
        others //= 2


def _exported(name: str, language: str) -> bool:
    return name[:1].isupper() if language == 'go' else True  # Java: a file's words do not say


def _head(chosen: list[tuple[Definition, str]], language: str) -> str:
    """The snippets grouped under one ``Path:`` line per file, files in the order they were chosen."""
    by_path: dict[str, list[str]] = {}
    for definition, text in chosen:
        by_path.setdefault(definition.path, []).append(text)
    head = ''.join(_path_line(path, language) + ''.join(texts) for path, texts in by_path.items())
    return head + '\n' if head else ''


class RepoContext:
    """Picks and renders the snippets of one run; the symbol index is shared by every stub."""

    def __init__(self, index: SymbolIndex, share: float) -> None:
        self.index = index
        self.share = share
        self._defined: dict[str, frozenset[str]] = {}
        self._functions: dict[str, list[tuple[set[str], frozenset[str]]]] = {}

    def select(self, source: SourceFile, stub: Stub, prompt_tokens: int) -> Selection:
        budget = int(prompt_tokens * self.share)
        if budget <= 0 or (stub.language == 'python' and not _PY_IMPORT.search(source.text)):
            return Selection()  # nothing imported, nothing to look up (and a 5 MB file is not indexed)
        symbols = self.index.symbols(source.path, source.text)
        if symbols is None or not symbols.imports:
            return Selection()
        regions = _regions(source, stub, symbols.import_lines)
        candidates = sorted(_candidates(symbols, regions) + self._namesakes(symbols, stub)
                            + self._popular(symbols, _subwords(_short_name(stub)))
                            + self._module_members(symbols), key=lambda c: c.rank)
        return self._fill(symbols, candidates, budget, stub.language, regions.stub, regions.terms)

    def _namesakes(self, symbols: FileSymbols, stub: Stub) -> list[_Candidate]:
        """Definitions named like the stub in the modules its file imports or in its folder:
        ``from_ansi`` and ``AnsiDecoder``, ``rule`` and ``rule.py``'s ``Rule``,
        ``_get_source_explained`` and ``debughelpers.py``'s ``explain_template_loading_attempts``.

        A body often imports its main helper inside itself (``from .rule import Rule``): once the
        body is a stub, no other line of the file names it, but the stub's own name still does.
        """
        terms = _subwords(_short_name(stub))
        if not terms:
            return []
        folder, _, own = symbols.path.rpartition('/')
        suffix = own[own.rfind('.'):] if '.' in own else ''
        # a module's first candidate file; every file of a Go or Java package
        paths = dict.fromkeys(p for imp in symbols.imports if imp.paths
                              for p in (imp.paths[:1] if imp.reexports else imp.paths))
        # sibling modules named like the stub, or defining a name like it (a Go or Java package's
        # files are all in `paths` already)
        for path in self.index.folder(folder) if symbols.language not in ('go', 'java') else ():
            name = path.rpartition('/')[2]
            if path in paths or path == symbols.path or not name.endswith(suffix):
                continue
            if _shared(_subwords(name[:-len(suffix) or None]), terms) or _shared(self._defined_words(path), terms):
                paths.setdefault(path)  # parsed only now: a regex over its text said it may hold one
        found: list[tuple[float, _Candidate]] = []
        for path in paths:
            other = self.index.symbols(path)
            if other is None or path == symbols.path:
                continue
            for name in other.definitions:
                shared = _shared(_subwords(name), terms)
                if shared and not name.startswith('_'):
                    overlap = len(shared) / len(_subwords(name) | terms)
                    found.append((-overlap, _Candidate(Imported(name, name, (path,)), name, (_TIER_NAMESAKE, -overlap))))
        found.sort(key=lambda f: f[0])
        return [c for _, c in found[:_NAMESAKES]]

    def _defined_words(self, path: str) -> frozenset[str]:
        """The words of the names a file defines at top level, by a regex over its text (once per run)."""
        if path not in self._defined:
            self._defined[path] = frozenset().union(*(_subwords(n) for n in _DEFINED.findall(self.index.text(path))))
        return self._defined[path]

    def _module_members(self, symbols: FileSymbols) -> list[_Candidate]:
        """After every name the file uses: the rest of a module it imports whole, in the module's order.

        ``import utils from './utils.js'`` then ``utils.isString(…)`` inside the body only: once the
        body is a stub, what the module offers is all there is to go by.
        """
        found: list[_Candidate] = []
        for imp in symbols.imports:
            if imp.name is not None or not imp.paths:
                continue
            other = self.index.symbols(imp.paths[0])
            for order, name in enumerate(other.definitions if other is not None else ()):
                if not name.startswith('_'):
                    found.append(_Candidate(imp, name, (_TIER_MODULE, order)))
        return found

    def _popular(self, symbols: FileSymbols, terms: set[str]) -> list[_Candidate]:
        """What the package's other files define, the most used across the package first.

        A Go or Java body calls its package's helpers without importing them; the ones its file
        never names yet are best guessed by how many files of the package call them, and first
        those the package's functions named like the stub call (``getFlagNameCompletions`` and
        ``getFlagCompletion`` share their helpers). A private function nothing in the package calls
        (only its definition names it) comes early: the body being written is its likely caller,
        as for a name imported but not used yet.
        """
        found: list[_Candidate] = []
        for imp in symbols.imports:
            if imp.name != '*' or imp.reexports:
                continue
            files = [(path, self.index.symbols(path), self.index.words(path)) for path in imp.paths]
            own = self.index.words(symbols.path)
            kin = self._kin_words([symbols.path, *imp.paths], terms)
            for path, other, words in files:
                for name, definition in (other.definitions.items() if other is not None else ()):
                    users = sum(1 for p, _, uses in files if p != path and name in uses)
                    if users:
                        found.append(_Candidate(imp, name, (_TIER_KIN if name in kin else 4, -users)))
                    elif (words[name] == 1 and not own[name] and definition.kind == 'function'
                          and not _exported(name, symbols.language)):
                        found.append(_Candidate(imp, name, (_TIER_ORPHAN, 0)))
        return sorted(found, key=lambda c: c.rank)

    def _kin_words(self, paths: list[str], terms: set[str]) -> set[str]:
        """The words in the bodies of Go functions named like the stub (a regex: a file is not parsed twice)."""
        kin: set[str] = set()
        for path in paths if terms else ():
            for name_words, body_words in self._functions_of(path):
                if _shared(name_words, terms):
                    kin |= body_words
        return kin

    def _functions_of(self, path: str) -> list[tuple[set[str], frozenset[str]]]:
        """(the words of its name, the words of its body) per Go function of a file, once per run."""
        if path not in self._functions:
            found = []
            for chunk in _GO_FUNC.split(self.index.text(path))[1:]:
                name = _GO_FUNC_NAME.match(chunk)
                if name:
                    found.append((_subwords(name.group(1)), frozenset(_WORD.findall(chunk))))
            self._functions[path] = found
        return self._functions[path]

    def _fill(self, symbols: FileSymbols, candidates: list[_Candidate], budget: int, language: str,
              wanted: frozenset[str], terms: frozenset[str]) -> Selection:
        """Every name its signature before any its docs: signatures in rank order while the budget
        lasts, then what is left buys the first-ranked their docstrings and a few more members."""
        chosen: list[tuple[Definition, int]] = []  # (definition, its candidate's tier)
        texts: list[str] = []  # each one's snippet: its signature, until the upgrade below
        seen: set[tuple[str, str]] = set()
        headed: set[str] = set()  # paths whose `Path:` line is paid for: one per file, not per snippet
        spent = 0
        for candidate in candidates:
            if budget - spent < _SMALLEST:
                break  # full: resolving further names would parse files for nothing
            for definition in self._resolve(candidate.imported.paths, candidate.name, _REEXPORT_DEPTH):
                key = (definition.path, definition.name)
                if key in seen or definition.path == symbols.path:
                    continue
                seen.add(key)
                header = '' if definition.path in headed else _path_line(definition.path, language)
                text = _brief(definition, language, wanted, terms, candidate.rank[0], budget)
                cost = estimate_tokens(header + text)
                if spent + cost <= budget:
                    chosen.append((definition, int(candidate.rank[0])))
                    texts.append(text)
                    headed.add(definition.path)
                    spent += cost
                break
        for i, (definition, tier) in enumerate(chosen):
            if tier == _TIER_BASE:
                continue  # a base's methods are worth more than its docs
            # a class the stub names shows a few members; any other, how to build one
            full = render(definition, language, wanted, others=4 if tier == 0 else 1)
            extra = estimate_tokens(full) - estimate_tokens(texts[i])
            if 0 < extra <= budget - spent:
                texts[i] = full
                spent += extra
        costs = _costs(chosen, texts, language)
        snippets = tuple(ContextSnippet(d.path, d.name, d.kind, d.line, cost) for (d, _), cost in zip(chosen, costs))
        return Selection(snippets, _head([(d, text) for (d, _), text in zip(chosen, texts)], language))

    def _resolve(self, paths: tuple[str, ...], name: str, depth: int) -> Iterator[Definition]:
        """The definition of ``name`` in the first of ``paths`` that has it, following re-exports."""
        for path in paths:
            symbols = self.index.symbols(path)
            if symbols is None:
                continue
            if name in symbols.definitions:
                yield symbols.definitions[name]
                return
            if depth <= 0:
                continue
            for imp in symbols.imports:
                if imp.paths and imp.reexports and (imp.local == name or imp.name == '*'):
                    inner = imp.name if imp.name not in (None, '*') else name
                    if imp.name is None:
                        continue  # `name` is a module here: nothing to show for it
                    found = list(self._resolve(imp.paths, inner, depth - 1))
                    if found:
                        yield found[0]
                        return


def for_pull_request(share: float, workspace: str | None, head_sha: str, changed: Sequence[str],
                     read: Callable[[str], SourceFile]) -> RepoContext | None:
    """The context of a pull request's stubs, read at its head revision.

    The workflow's checkout (``GITHUB_WORKSPACE``) is used when its ``HEAD`` is the PR's head
    (files read from its index: what was checked out, whatever the steps before did to the
    files); otherwise, as when it checked out the merge commit, only the PR's own files are known.
    """
    if share <= 0:
        return None
    root = Path(workspace) if workspace else None
    if root is not None and git.head_commit(root) == head_sha:
        changed_set = set(changed)
        paths = git.repo_files(root, staged=True)

        def read_head(path: str) -> SourceFile:
            return read(path) if path in changed_set else read_source(root, path, staged=True)

        return RepoContext(SymbolIndex(paths, read_head), share)
    return RepoContext(SymbolIndex(list(changed), read), share)
