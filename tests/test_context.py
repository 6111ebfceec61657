from __future__ import annotations

from codestral_bot.context import build_request
from codestral_bot.sources import decode_source
from codestral_bot.stubs.python import find_stubs
from codestral_bot.tokens import estimate_tokens


def _request(src: str, prompt_tokens: int = 3000, suffix_tokens: int = 1000):  # type: ignore[no-untyped-def]
    source = decode_source('m.py', src.encode())
    stub = [s for s in find_stubs('m.py', src, bare_pass_is_stub=True) if s.name.endswith('target')][0]
    return build_request(source, stub, prompt_tokens=prompt_tokens, suffix_tokens=suffix_tokens)


def test_small_file_is_sent_whole() -> None:
    src = 'import os\n\ndef target(x):\n    pass\n\nprint(1)\n'
    req = _request(src)
    assert req.prompt == 'import os\n\ndef target(x):\n    '
    assert req.suffix == '\n\nprint(1)\n'


def test_prefix_is_cut_by_whole_lines_keeping_imports_and_the_class() -> None:
    filler = ''.join(f'    def m{i}(self):\n        return {i} * {i}\n\n' for i in range(400))
    src = f'import math\nfrom x import y\n\n\nclass Big:\n{filler}    def target(self):\n        pass\n'
    req = _request(src, prompt_tokens=300)
    assert estimate_tokens(req.prompt) <= 300
    assert req.prompt.startswith('import math\nfrom x import y\n')
    assert 'class Big:\n' in req.prompt
    assert req.prompt.endswith('    def target(self):\n        ')
    assert 'def m0(' not in req.prompt
    body = req.prompt.split('class Big:\n', 1)[1]
    assert all(line == '' or line.startswith('    ') for line in body.split('\n'))  # whole lines only


def test_suffix_is_cut_from_the_bottom() -> None:
    after = ''.join(f'def after{i}():\n    return {i}\n\n' for i in range(500))
    req = _request(f'def target():\n    pass\n\n{after}', suffix_tokens=100)
    assert estimate_tokens(req.suffix) <= 100
    assert req.suffix.startswith('\n\ndef after0():\n')
    assert req.suffix.endswith('\n')


def test_crlf_is_sent_as_lf() -> None:
    req = _request('def target():\r\n    pass\r\nx = 1\r\n')
    assert '\r' not in req.prompt + req.suffix


def test_the_todo_ends_the_prompt_and_is_never_cut() -> None:
    filler = ''.join(f'def f{i}(x):\n    return x * {i}\n\n' for i in range(400))
    src = (f'import os\n\n{filler}def target(items):\n    # TODO: handle kwargs the same way as hashkey\n'
           '    #   and keep the order\n    return None\n\nprint(1)\n')
    req = _request(src, prompt_tokens=60)
    assert req.prompt.endswith('def target(items):\n    # TODO: handle kwargs the same way as hashkey\n'
                               '    #   and keep the order\n    ')
    assert 'def f0(' not in req.prompt
    assert 'return None' not in req.prompt + req.suffix  # the placeholder is what the fill replaces


def test_a_comment_after_the_placeholder_gets_its_own_line() -> None:
    req = _request('def target():\n    pass  # TODO: implement (see #12)\n')
    assert req.prompt == 'def target():\n    # TODO: implement (see #12)\n    '


def test_a_hash_inside_a_string_is_no_comment() -> None:
    req = _request('def target():\n    raise NotImplementedError("use # sparingly")\n')
    assert req.prompt == 'def target():\n    '


def test_brace_comments_of_every_shape() -> None:
    from codestral_bot.context import comment_lines

    span = '  /* TODO: parse the\n   * header first */\n  return 0; // FIXME: zero\n  x = "// no";\n'
    assert comment_lines(span, 'go', '  ', whole_lines=True) == [
        '  /* TODO: parse the\n', '   * header first */\n', '  // FIXME: zero\n']
    assert comment_lines(' /* TODO: x */ ', 'javascript', '    ', whole_lines=False) == ['    /* TODO: x */\n']
    assert comment_lines('  -- TODO: later\n', 'sql', '  ', whole_lines=True) == ['  -- TODO: later\n']
    assert comment_lines('    // TODO Auto-generated method stub\n', 'java', '    ', whole_lines=True) == []


def test_a_one_line_brace_body_sends_its_todo_on_a_line_of_its_own() -> None:
    from codestral_bot.stubs.treesitter import find_stubs as find_brace_stubs

    src = 'function g() { /* TODO: sum the items */ }\n'
    (stub,) = find_brace_stubs('a.js', src)
    req = build_request(decode_source('a.js', src.encode()), stub, prompt_tokens=100, suffix_tokens=100)
    assert req.prompt == 'function g() {\n  /* TODO: sum the items */\n  '
    assert req.suffix == '\n}\n'
