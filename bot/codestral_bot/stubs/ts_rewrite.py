"""Newer syntax the bundled grammars cannot read, blanked out so the rest of the file still parses.

The newest grammar wheels on PyPI lag behind the languages: TypeScript 4.7's ``in``/``out``
variance annotations, a variable named ``using``, generic call signatures after a member without
``;``, Rust macros named like a primitive type (``str![…]``), Go 1.26's ``new(expr)``. None of them
changes what a function body holds, so a file that fails to parse is read again with those
constructs rewritten. Every rewrite keeps each byte where it is (the same number of ASCII
characters replaces ASCII characters), so node offsets and rows still point into the real text.
Only files that failed to parse are rewritten, and the rewrite is kept only when it parses cleanly.
"""
from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ['rewrite']

# `<in out K, out V = never>`: the modifier before a type parameter's name.
_VARIANCE = re.compile(rb'(?<=[<,])(\s*)((?:in\s+out|in|out)\s+)(?=[A-Za-z_$][\w$]*\s*(?:[,>=]|extends\b))')
# `using` used as a plain name (`using.foo()`, `using = 1`), not as a declaration (`using x = …`).
_USING = re.compile(rb'(?<![\w$.])using(?![\w$])(?!\s+[A-Za-z_$])')
# A line that opens with a generic call signature's type parameters: `  <A, B>(…`, `  <`.
_SIGNATURE_START = re.compile(rb'^([ \t]*)[ \t]<(?:[ \t]*\r?$|(?:const\s+)?[A-Za-z_$][\w$]*\s*(?:[,>=]|extends\b))')
# The end of a member that has no `;`: tree-sitter reads `Z\n<A>(…)` as the type `Z<A>`, while
# TypeScript ends the member at the line break.
_OPEN_END = re.compile(rb'(?:[\w)\]}?]|(?<!=)>)$')
# `export type * from "./x"` (TypeScript 5.0): the `type` changes nothing in a body.
_EXPORT_TYPE_STAR = re.compile(rb'(?<![\w$.])export\s+(type)\s+\*')
# `try!(…)` of 2015-edition Rust, where `try` is now a keyword.
_TRY_MACRO = re.compile(rb'(?<![\w:])try!(?=\s*\()')
# `str![…]`, `u8!(…)`: a macro whose name is a primitive type's.
_PRIMITIVE_MACRO = re.compile(
    rb'(?<![\w:])(str|bool|char|[iu](?:8|16|32|64|128|size)|f32|f64)!(?=\s*[\[({])'
)
# `new(42)`, `new(f(x))`, `new(T{a: 1})`, `new(x + 1)`: an expression where the grammar wants a type.
_GO_NEW = re.compile(
    rb'(?<![\w.])new\((?=\s*(?:[-+!^&]?\s*[\d"\'`]|(?!(?:struct|interface|map|func|chan)\b)'
    rb'[\w.]+\s*(?:\(|\{|[-+/%<>=!&|^]|\*\s*\w)))'
)


def _blank(match: re.Match[bytes], group: int) -> bytes:
    start, end = match.span(group)
    whole = match.group(0)
    offset = match.start(0)
    return whole[:start - offset] + b' ' * (end - start) + whole[end - offset:]


def _typescript(data: bytes) -> bytes:
    data = _VARIANCE.sub(lambda m: _blank(m, 2), data)
    data = _EXPORT_TYPE_STAR.sub(lambda m: _blank(m, 1), data)
    return _end_members(_USING.sub(b'usin_', data))


def _end_members(data: bytes) -> bytes:
    """Put the `;` a line break means before each generic call signature, in its indentation."""
    lines = data.split(b'\n')
    last_code = b''
    in_block = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if in_block or stripped.startswith((b'/*', b'//')):
            in_block = (in_block or stripped.startswith(b'/*')) and b'*/' not in stripped
            continue
        match = _SIGNATURE_START.match(line)
        if match is not None and _OPEN_END.search(last_code):
            at = match.end(1)
            lines[index] = line[:at] + b';' + line[at + 1:]
        if stripped:
            last_code = stripped.split(b'//', 1)[0].rstrip()
    return b'\n'.join(lines)


def _rust(data: bytes) -> bytes:
    data = _TRY_MACRO.sub(b'tr_!', data)
    return _PRIMITIVE_MACRO.sub(lambda m: m.group(1)[:-1] + b'_!', data)


def _go(data: bytes) -> bytes:
    return _GO_NEW.sub(b'ne_(', data)


_REWRITES: dict[str, Callable[[bytes], bytes]] = {
    'typescript': _typescript,
    'tsx': lambda data: _VARIANCE.sub(lambda m: _blank(m, 2), _USING.sub(b'usin_', data)),
    'javascript': lambda data: _USING.sub(b'usin_', data),
    'rust': _rust,
    'go': _go,
}


def rewrite(grammar: str, data: bytes) -> bytes:
    """``data`` with the constructs the grammar cannot read blanked out (same length); may be ``data``."""
    rewrite_for = _REWRITES.get(grammar)
    return rewrite_for(data) if rewrite_for is not None else data
