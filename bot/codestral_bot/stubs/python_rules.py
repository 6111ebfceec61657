"""What a Python function body says about itself: its shape, and the words around it.

Pure helpers over ``ast`` nodes and comment text, used by ``python.py`` to decide whether a
function is unfinished (a stub to fill) or empty on purpose. Every phrase list here comes from
real code read while labelling (``benchmarks/stub_labels/python.tsv``).
"""
from __future__ import annotations

import ast
import dataclasses
import re

__all__ = [
    'Shape', 'class_says_contract', 'decorator_names', 'dotted', 'dynamic_message', 'explains', 'says_unsupported_doc', 'intent_reason', 'is_marker_comment',
    'documents_the_raise', 'message_of', 'names_interface', 'none_returning', 'says_not_done', 'says_subclasses', 'says_todo', 'says_unsupported', 'shape_of',
]

_FuncDef = ast.FunctionDef | ast.AsyncFunctionDef

# A marker opens the comment (``# TODO: x``, ``# FIXME``, ``#XXX``) or follows a word boundary in
# prose; after a second ``#`` it belongs to commented-out code (``# f(x)  # TODO``).
_MARKER = re.compile(r'\b(TODO|FIXME|XXX|TBD)\b|\bnot (yet )?implemented\b|\bimplement (me|this|it)\b',
                     re.IGNORECASE)
_MARKER_CASED = re.compile(r'\b(TODO|FIXME|XXX|TBD)\b|\b[Nn]ot (yet )?implemented\b|\b[Ii]mplement (me|this|it)\b')

# Message or docstring of a body that is unfinished by its author's own words.
_NOT_DONE = re.compile(
    r'\b(TODO|FIXME|TBD)\b|\bnot (yet )?implemented\b|\bnot implemented yet\b|\bunimplemented\b|'
    r'\bimplement (me|this)\b|\bcoming soon\b|\bwork in progress\b|\bWIP\b',
    re.IGNORECASE)

# Deliberately unsupported: the message names why or what to use instead.
_UNSUPPORTED = re.compile(
    r'\bnot supported\b|\bunsupported\b|\bdoes not support\b|\bdoesn\'t support\b|\bcannot be\b|'
    r'\bcan\'t be\b|\bcan ?not\b|\binstead\b|\buse [`\'"]?[\w.]+|\bread[- ]only\b|\bimmutable\b|'
    r'\bnot allowed\b|\bnot possible\b|\bnot (applicable|available|meaningful|valid)\b|\bonly\b|\bmakes no sense\b|'
    r'\bnot a\b|\bis not\b|\bno longer\b|\bremoved\b|\bdeprecated\b|\bnot implemented (for|on|in|with|when|by)\b',
    re.IGNORECASE)

# "subclasses implement it": the contract, in a message or a docstring.
_SUBCLASSES = re.compile(
    r'sub-?class|overrid|override|must (be )?implement|should (be )?implement|implementations? (must|should|may)|'
    r'\babstract\b|to be implemented|needs to be implemented|must be defined|should be defined|'
    r'implemented by|provided by|derived class|child class|concrete class|inherit|must define|'
    r'[Dd]efault implementation (is to )?raise',
    re.IGNORECASE)

# Empty on purpose, in the author's words (docstring, comment or message), wrapped lines joined.
_INTENT = [
    (re.compile(r'pragma:?\s*no\s*cover', re.IGNORECASE), 'pragma: no cover'),
    (re.compile(r'\bnever (be )?(called|used|run|reached|invoked|executed)\b|\bunreachable\b|'
                r'\b(must|should|will) not be (called|used|reached|invoked)\b|\bnot (meant|intended|supposed) to be\b',
                re.IGNORECASE), 'comment says it is never called'),
    (re.compile(r'\bno[- ]?op\b|\bdo(es)? nothing\b|\bdo nothing\b|\bdoing nothing\b|\bnothing to do\b|'
                r'\bintentionally (empty|left|blank|does)\b|\bdeliberately\b|\bon purpose\b|\bpurposely\b|'
                r'\bnothing (is )?(needed|required|done)\b|\bno action\b|\bnot needed\b|\bignored?\b',
                re.IGNORECASE), 'docstring says it does nothing'),
    (re.compile(r'\bonly (so|to|for|because|needed|exists?|here|defined|present|there)\b|\bplaceholder (for|so)\b|'
                r'\bexists? (only )?(so|to|for)\b|\bpresent (so|to|for)\b|\bdummy\b|\bstub(bed)? out\b|'
                r'\bfor compat|\bcompatibility\b|\bbackwards?[- ]compat', re.IGNORECASE),
     'comment says the empty body is deliberate'),
    (re.compile(r'\boverride (this|it|me|to|in)\b|\b(can|may|should|could) be overrid|\boverridden\b|'
                r'\bhook\b|\bcallback\b|\bsubclass(es)? (can|may|should|might)\b|\bby default\b|'
                r'\bdefault implementation\b|\bcalled (when|whenever|after|before|by|on|once|if|for)\b|'
                r'\binvoked (when|whenever|after|before|by|on|once|if)\b|\bnotif(y|ied|ication)\b',
                re.IGNORECASE), 'a default hook that callers override'),
]


@dataclasses.dataclass(frozen=True)
class Shape:
    """A body reduced to what matters: ``kind`` is None when it does real work."""

    kind: str | None  # 'docstring-only', 'pass', 'ellipsis', 'not-implemented', 'raise', 'return', 'empty'
    doc: ast.Expr | None
    last: ast.stmt  # the statement the fill replaces (the docstring for 'docstring-only')


def _is_docstring(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def dotted(node: ast.expr) -> str:
    """``a.b.c`` for attribute chains and names, '' otherwise; calls and subscripts see through."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f'{inner}.{node.attr}' if inner else node.attr
    return node.id if isinstance(node, ast.Name) else ''


def decorator_names(node: _FuncDef | ast.ClassDef) -> set[str]:
    """Last parts of each decorator's name: ``@abc.abstractmethod`` → ``abstractmethod``."""
    return {dotted(d).rsplit('.', 1)[-1] for d in node.decorator_list}


_LOG_CALLS = {'debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log', 'print'}


def _is_log_line(stmt: ast.stmt) -> bool:
    """``logger.debug(...)``, ``warnings.warn(...)``, ``print(...)`` before a ``raise``."""
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and dotted(stmt.value.func).rsplit('.', 1)[-1] in _LOG_CALLS)


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


def _unpacks_arguments(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Name)


def shape_of(node: _FuncDef) -> Shape:
    body = node.body
    doc = body[0] if _is_docstring(body[0]) else None
    rest = body[1:] if doc is not None else body
    assert isinstance(doc, ast.Expr | None)
    if not rest:
        assert doc is not None
        return Shape('docstring-only', doc, doc)
    last = rest[-1]
    if all(_is_log_line(s) for s in rest[:-1]) and isinstance(last, ast.Raise) and last.exc is not None:
        name = dotted(last.exc).rsplit('.', 1)[-1]
        if name.endswith('NotImplementedError') or name == 'NotImplemented':  # ape's APINotImplementedError too
            return Shape('not-implemented', doc, last)
        return Shape('raise', doc, last)
    if len(rest) > 1 and isinstance(last, ast.Pass) and all(_unpacks_arguments(s) for s in rest[:-1]):
        return Shape('pass', doc, last)  # `(host, port) = host_port` then `pass`: still does nothing
    if len(rest) != 1:
        return Shape(None, doc, last)
    if isinstance(last, ast.Pass):
        return Shape('pass', doc, last)
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Constant) and last.value.value is Ellipsis:
        return Shape('ellipsis', doc, last)
    if _is_trivial_return(last):
        return Shape('return', doc, last)
    return Shape(None, doc, last)


def message_of(stmt: ast.stmt) -> str:
    """The string parts of a raised exception's arguments (f-string pieces included)."""
    if not isinstance(stmt, ast.Raise) or not isinstance(stmt.exc, ast.Call):
        return ''
    parts: list[str] = []
    for arg in stmt.exc.args:
        for sub in ast.walk(arg):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                parts.append(sub.value)
    return ' '.join(parts)


def dynamic_message(stmt: ast.stmt) -> bool:
    """The raised message is built from values at run time (``% node``, an f-string, a call)."""
    if not isinstance(stmt, ast.Raise) or not isinstance(stmt.exc, ast.Call):
        return False
    return any(not (isinstance(a, ast.Constant) or (
        isinstance(a, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in a.values))) for a in stmt.exc.args)


_TODO_WORD = re.compile(r'\b(TODO|FIXME|TBD|XXX)\b')


def explains(message: str) -> bool:
    """A message in prose ("Possible, but doubtful we need this yet"): the author decided, and said why.
    A long one may even say "not implemented at this time" and go on to name what to do instead."""
    if says_todo(message):
        return False
    words = re.findall(r'[A-Za-z]+', message)
    return (len(words) >= 3 and not says_not_done(message)) or len(words) >= 10


_UNSUPPORTED_DOC = re.compile(r'\bnot supported\b|\bunsupported\b|\bnot available\b|\bnot allowed\b|'
                              r'\bnot possible\b|\bcannot be\b|\b[Uu]se [`\w.()]+ instead\b', re.IGNORECASE)


def says_unsupported_doc(text: str) -> bool:
    """A docstring saying the operation is not supported ("Not supported, use reversed(mylist)")."""
    return bool(_UNSUPPORTED_DOC.search(' '.join(text.split())))


def says_todo(text: str) -> bool:
    return bool(_TODO_WORD.search(text))


def is_marker_comment(comment: str) -> bool:
    """A TODO/FIXME/XXX written as prose, not inside commented-out code or a URL."""
    text = comment.lstrip('#').strip()
    match = _MARKER.search(text)
    if match is None:
        return False
    if match.group(1) is None and not _MARKER_CASED.search(text):
        return False
    if match.group(1) is not None and match.group(1) != match.group(1).upper():
        return False  # "todo" in prose ("the todo list") is no marker
    before = text[:match.start()]
    if match.group(1) == 'XXX' and text.rstrip().endswith('?'):
        return False  # "XXX does this method make any sense?": a doubt, not a to-do
    return '#' not in before and '://' not in before


_INTERFACE_NAME = re.compile(r'(^|[\s{(`])I[A-Z][a-z]\w*(\.\w+)?\b')
_DOCUMENTED_RAISE = re.compile(r'raises? (L\{|`+|:exc:`)?NotImplementedError|@raise NotImplementedError|'
                               r'NotImplementedError[`}]* (is )?(always )?raised|\balways raises?\b', re.IGNORECASE)


_MEMBER_REFERENCE = re.compile(r'^#+\s*L?\{?[A-Z]\w*\.\w+\}?\s*$')


def names_interface(text: str, comments: list[str] | tuple[str, ...] = ()) -> bool:
    """``# ITransport.getHost``: the method is an interface member this class declares and refuses."""
    return bool(_INTERFACE_NAME.search(text)) or any(_MEMBER_REFERENCE.match(c.strip()) for c in comments)


def documents_the_raise(text: str) -> bool:
    """"Not implemented; raises NotImplementedError." / "@raise NotImplementedError: Always."."""
    return bool(_DOCUMENTED_RAISE.search(' '.join(text.split())))


def says_not_done(text: str) -> bool:
    return bool(_NOT_DONE.search(text))


def says_unsupported(text: str) -> bool:
    return bool(_UNSUPPORTED.search(text))


def says_subclasses(text: str) -> bool:
    return bool(_SUBCLASSES.search(text))


# The user's opt-out is the stub policy's to report ('codestral-bot: ignore'), not a word of intent.
_OPT_OUT = re.compile(r'codestral-bot:\s*ignore', re.IGNORECASE)


def intent_reason(text: str) -> str | None:
    """Why the author says the body is empty on purpose, or None."""
    flat = ' '.join(_OPT_OUT.sub('', text).split())
    for pattern, reason in _INTENT:
        if pattern.search(flat):
            return reason
    return None


def class_says_contract(node: ast.ClassDef) -> bool:
    doc = ast.get_docstring(node) or ''
    return says_subclasses(doc)


_NONE_TYPES = {'None', 'NoReturn', 'Never', 'Any', 'object', 'Optional', 'typing.Optional',
               'typing.Any', 'typing.NoReturn', 'typing.Never', 't.Any', 't.Optional', 'Self'}


def none_returning(annotation: ast.expr | None) -> bool:
    """No annotation, or one an empty body satisfies (None, Optional[...], X | None, Any, NoReturn)."""
    if annotation is None:
        return True
    if isinstance(annotation, ast.Constant):
        if annotation.value is None:
            return True
        if isinstance(annotation.value, str):  # "a string annotation"
            text = annotation.value.replace(' ', '')
            return text in _NONE_TYPES or 'None' in text.split('|') or text.startswith(('Optional[', 'NoReturn'))
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return none_returning(annotation.left) or none_returning(annotation.right)
    name = dotted(annotation)
    return name in _NONE_TYPES or name.rsplit('.', 1)[-1] in ('Optional', 'NoReturn', 'Never', 'Any')
