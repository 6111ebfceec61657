"""Context from the whole repository (issue 16): which definitions reach a stub's prompt, and how."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from codestral_bot.context import build_request
from codestral_bot.records import SourceFile
from codestral_bot.repo_context import RepoContext
from codestral_bot.sources import SourceSkipped
from codestral_bot.sources import decode_source
from codestral_bot.stubs import find_stubs
from codestral_bot.symbols import SymbolIndex
from codestral_bot.tokens import estimate_tokens
from tests.fakes.codestral import FakeCodestral
from tests.fakes.codestral import Reply
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import root_of
from tests.repo_util import run_cli
from tests.repo_util import write

UTIL = '''import re

SEP = '-'


def slugify(text: str, *, sep: str = SEP) -> str:
    """Lower-case words of ``text`` joined by ``sep``."""
    words = re.findall(r'\\w+', text.lower())
    return sep.join(words)


class Page:
    """A page of the site."""

    title: str
    slug: str = ''

    def url(self, base: str) -> str:
        """The absolute URL of the page."""
        return base.rstrip('/') + '/' + self.slug

    def _secret(self) -> None:
        return None
'''

VIEWS = '''from __future__ import annotations

from pkg.util import Page
from pkg.util import slugify


def make_page(title: str) -> Page:
    """A page for ``title``, its slug made from the title."""
    pass
'''

FILLED_BODY = '    return Page(title=title, slug=slugify(title))\n'


def _reader(files: dict[str, str]) -> Callable[[str], SourceFile]:
    def read(path: str) -> SourceFile:
        if path not in files:
            raise SourceSkipped(f'{path}: gone')
        return decode_source(path, files[path].encode())
    return read


def _select(files: dict[str, str], path: str, *, share: float = 0.25, prompt_tokens: int = 3000):
    index = SymbolIndex(sorted(files), _reader(files))
    source = _reader(files)(path)
    (stub,) = find_stubs(path, source.text)
    selection = RepoContext(index, share).select(source, stub, prompt_tokens)
    request = build_request(source, stub, prompt_tokens=prompt_tokens, suffix_tokens=500, head=selection.head)
    return selection, request, index


def test_imported_helpers_reach_the_prompt_as_commented_signatures() -> None:
    selection, request, _ = _select({'pkg/__init__.py': '', 'pkg/util.py': UTIL, 'pkg/views.py': VIEWS},
                                    'pkg/views.py')
    assert [(s.path, s.name, s.kind, s.line) for s in selection.snippets] == [
        ('pkg/util.py', 'Page', 'class', 12), ('pkg/util.py', 'slugify', 'function', 6)]
    assert request.prompt.startswith(
        '# Path: pkg/util.py\n'
        '# class Page:\n'
        '#     """A page of the site."""\n'
        "#     title: str\n"
        "#     slug: str = ''\n"
        '#     def url(self, base: str) -> str: ...\n'
        "# def slugify(text: str, *, sep: str = SEP) -> str:\n"
        '#     """Lower-case words of ``text`` joined by ``sep``."""\n'
        '#     ...\n'
        '\n'
        'from __future__ import annotations\n')
    assert 're.findall' not in request.prompt and '_secret' not in request.prompt  # no bodies, no privates
    assert request.prompt.endswith(VIEWS[:VIEWS.index('    pass')] + '    ')
    # one `Path:` line per file, paid for by its first snippet
    page_text, slugify_text = selection.head.split('# def slugify')
    assert [s.tokens for s in selection.snippets] == [estimate_tokens(page_text),
                                                      estimate_tokens('# def slugify' + slugify_text.rstrip('\n') + '\n')]


def test_names_the_stub_mentions_rank_before_the_other_imports() -> None:
    views = VIEWS.replace('from pkg.util import slugify\n', 'from pkg.util import slugify\nfrom pkg.util import SEP\n')
    views = views.replace('its slug made from the title', 'use slugify')
    selection, _, _ = _select({'pkg/util.py': UTIL, 'pkg/views.py': views}, 'pkg/views.py')
    # Page (annotation) and slugify (docstring) are named by the stub; SEP is only imported
    assert [s.name for s in selection.snippets] == ['Page', 'slugify', 'SEP']


def test_snippets_stay_within_their_share_of_the_prompt_budget() -> None:
    files = {'pkg/util.py': UTIL, 'pkg/views.py': VIEWS}
    counts = []
    for prompt_tokens in range(40, 1000, 4):
        selection, request, _ = _select(files, 'pkg/views.py', prompt_tokens=prompt_tokens)
        names = [s.name for s in selection.snippets]
        assert sum(s.tokens for s in selection.snippets) <= prompt_tokens // 4
        assert estimate_tokens(selection.head) <= prompt_tokens // 4 + 1  # the blank line after the snippets
        if '"""' in selection.head:  # every name its signature before any its docstring
            assert names == ['Page', 'slugify']
        counts.append(len(names))
    assert counts == sorted(counts) and counts[0] == 0
    briefly, _, _ = _select(files, 'pkg/views.py', prompt_tokens=next(
        40 + 4 * i for i, n in enumerate(counts) if n == 2))
    assert briefly.head == ("# Path: pkg/util.py\n# class Page:\n#     title: str\n#     slug: str = ''\n"
                            "# def slugify(text: str, *, sep: str = SEP) -> str: ...\n\n")
    none, request, _ = _select(files, 'pkg/views.py', share=0.0)
    assert none.snippets == () and request.prompt.startswith('from __future__')


def test_re_exports_and_module_attributes_are_followed() -> None:
    views = ('import pkg.text as text\nfrom pkg import Page\n\n\ndef make(title) -> str:\n'
             '    """Use text.slugify on the title."""\n    pass\n')
    files = {'pkg/__init__.py': 'from .util import *\n', 'pkg/util.py': UTIL,
             'pkg/text.py': 'from pkg.util import slugify\n', 'pkg/views.py': views}
    selection, _, _ = _select(files, 'pkg/views.py')
    assert {(s.path, s.name) for s in selection.snippets} == {('pkg/util.py', 'slugify'), ('pkg/util.py', 'Page')}


def test_only_the_files_the_stub_imports_are_parsed() -> None:
    files = {f'pkg/other{i}.py': f'def f{i}():\n    return {i}\n' for i in range(200)}
    files.update({'pkg/util.py': UTIL, 'pkg/views.py': VIEWS})
    _, _, index = _select(files, 'pkg/views.py')
    assert index.parsed == 2  # the stub's file and pkg/util.py, not the 200 others


def test_a_broken_or_missing_helper_file_costs_its_snippets_only() -> None:
    views = 'from pkg.util import slugify\nfrom pkg.gone import thing\n\n\ndef f(x) -> int:\n    pass\n'
    files = {'pkg/util.py': 'def slugify(:\n', 'pkg/views.py': views, 'pkg/gone.py': ''}
    index = SymbolIndex(sorted(files), _reader({k: v for k, v in files.items() if k != 'pkg/gone.py'}))
    source = decode_source('pkg/views.py', views.encode())
    (stub,) = find_stubs('pkg/views.py', views)
    assert RepoContext(index, 0.25).select(source, stub, 3000).snippets == ()


def test_names_from_outside_the_repository_are_not_snippets() -> None:
    views = ('import os\nfrom json import dumps\nfrom pkg.util import slugify\n\n\ndef slugify_all(xs) -> list:\n'
             '    pass\n')
    selection, _, index = _select({'pkg/util.py': UTIL, 'pkg/views.py': views}, 'pkg/views.py')
    assert [s.name for s in selection.snippets] == ['slugify']
    assert index.parsed == 2


# ---------------------------------------------------------------- end to end


KEY = 'test-key'


@pytest.fixture
def repo(tmp_path: Path):  # type: ignore[no-untyped-def]
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'pkg/__init__.py', '')
    write(repo, 'pkg/util.py', UTIL)
    commit_all(repo, 'init')
    return repo


def _env(fake: FakeCodestral, tmp_path: Path) -> dict[str, str]:
    return cli_env(CODESTRAL_API_KEY=KEY, CODESTRAL_BOT_API_BASE=fake.url,
                   CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))



def test_json_and_explain_list_the_snippets_and_the_round_trip_stays_exact(
        repo, fake_codestral: FakeCodestral, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = VIEWS.replace('    pass\n', FILLED_BODY)
    write(repo, 'pkg/views.py', VIEWS)
    fake_codestral.responder = lambda body: FILLED_BODY.strip()  # a perfect model
    env = _env(fake_codestral, tmp_path)
    result = run_cli(['review', '--json', '--no-comments'], root_of(repo), env)
    (fill,) = json.loads(result.stdout)['fills']
    assert [(c['path'], c['name'], c['kind'], c['line']) for c in fill['context']] == [
        ('pkg/util.py', 'Page', 'class', 12), ('pkg/util.py', 'slugify', 'function', 6)]
    assert all(c['tokens'] > 0 for c in fill['context'])
    (request,) = [r for r in fake_codestral.requests if r.endpoint == 'fim']
    assert request.json['prompt'].startswith('# Path: pkg/util.py\n# class Page:\n')

    explained = run_cli(['review', '--explain', '--no-comments', '--apply'], root_of(repo), env)
    assert explained.returncode == 0, explained.stderr
    lines = [line for line in explained.stderr.splitlines() if ': context: ' in line]
    assert lines == [
        f'pkg/views.py:9: make_page: context: pkg/util.py:12 Page (class, ≈{fill["context"][0]["tokens"]} tokens)',
        f'pkg/views.py:9: make_page: context: pkg/util.py:6 slugify (function, ≈{fill["context"][1]["tokens"]} tokens)',
    ]
    assert (root_of(repo) / 'pkg/views.py').read_bytes() == original.encode()  # snippets never reach the file


def test_staged_review_reads_the_helpers_from_the_index(repo, fake_codestral: FakeCodestral,
                                                        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'pkg/views.py', VIEWS)
    repo.git.add('-A')
    write(repo, 'pkg/util.py', UTIL.replace('def slugify(text: str', 'def slugify(unstaged_text: str'))
    fake_codestral.responder = lambda body: FILLED_BODY.strip()
    run_cli(['review', '--staged', '--no-comments'], root_of(repo), _env(fake_codestral, tmp_path))
    (request,) = [r for r in fake_codestral.requests if r.endpoint == 'fim']
    assert '# def slugify(text: str, *, sep: str = SEP) -> str:' in request.json['prompt']
    assert 'unstaged_text' not in request.json['prompt']


def test_context_share_zero_sends_the_file_alone(repo, fake_codestral: FakeCodestral,
                                                 tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'pkg/views.py', VIEWS)
    write(repo, '.codestral-bot.toml', 'context_share = 0\n')
    fake_codestral.responder = lambda body: FILLED_BODY.strip()
    run_cli(['review', '--no-comments'], root_of(repo), _env(fake_codestral, tmp_path))
    (request,) = [r for r in fake_codestral.requests if r.endpoint == 'fim']
    assert request.json['prompt'].startswith('from __future__ import annotations\n')


def test_a_looping_answer_is_refused_not_trimmed_into_a_fill(repo, fake_codestral: FakeCodestral,
                                                             tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(repo, 'pkg/views.py', VIEWS)
    # the incident: one line repeated for 1.2 MB, ending in a syntax error; once the answer is cut
    # to max_tokens, what is left is the repetition, which used to become the body `x = 1`
    fake_codestral.enqueue('fim', Reply(text='x = 1\n    ' * 120_000 + 'def (', finish_reason='stop'))
    result = run_cli(['review', '--no-comments'], root_of(repo), _env(fake_codestral, tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ''
    assert ("pkg/views.py:9: make_page: fill rejected: degenerate answer: the line 'x = 1' repeats"
            in result.stderr)
    assert (root_of(repo) / 'pkg/views.py').read_text() == VIEWS


# ---------------------------------------------------------------- the brace languages


def _snippets(files: dict[str, str], path: str) -> tuple[list[tuple[str, str]], str]:
    index = SymbolIndex(sorted(files), _reader(files))
    source = _reader(files)(path)
    (stub,) = find_stubs(path, source.text)
    selection = RepoContext(index, 0.25).select(source, stub, 3000)
    return [(s.path, s.name) for s in selection.snippets], selection.head


TS_TEXT = '''/** Lower-case words joined by sep. */
export function slugify(text: string, sep = '-'): string {
  return text.toLowerCase().split(/\\W+/).join(sep);
}
export class Page {
  title: string;
  constructor(title: string) { this.title = title; }
  url(base: string): string { return base + '/' + slugify(this.title); }
  private secret(): void {}
}
'''


def test_typescript_imports_through_an_index_re_export() -> None:
    app = ("import { Page, slugify } from './lib';\n\n"
           'export function makePage(title: string): Page {\n  throw new Error("Not implemented");\n}\n')
    found, head = _snippets({'src/lib/text.ts': TS_TEXT, 'src/lib/index.ts': "export * from './text';\n",
                             'src/app.ts': app}, 'src/app.ts')
    assert found == [('src/lib/text.ts', 'Page'), ('src/lib/text.ts', 'slugify')]
    assert head.startswith('// Path: src/lib/text.ts\n// class Page {\n')
    assert ('// }\n// /** Lower-case words joined by sep. */\n'
            "// function slugify(text: string, sep = '-'): string { ... }\n") in head
    assert 'toLowerCase' not in head and 'secret' not in head


def test_go_sees_its_package_and_the_module_s_packages() -> None:
    util = ('package util\n\n// Slugify lower-cases words joined by sep.\nfunc Slugify(text string, sep string) string {\n'
            '\treturn text\n}\n')
    app = ('package app\n\nimport (\n\t"fmt"\n\t"example.com/proj/util"\n)\n\n// MakeTitle trims with pageTitle.\n'
           'func MakeTitle(title string) string {\n\tpanic("not implemented")\n}\n\n'
           'func other() { fmt.Println(util.Slugify("a", "-")) }\n')
    found, head = _snippets({'go.mod': 'module example.com/proj\n\ngo 1.22\n', 'util/util.go': util,
                             'app/helpers.go': 'package app\n\nfunc pageTitle(s string) string { return s }\n',
                             'app/app_test.go': 'package app\n\nfunc pageTitle2() {}\n', 'app/app.go': app},
                            'app/app.go')
    assert found == [('app/helpers.go', 'pageTitle'), ('util/util.go', 'Slugify')]
    assert '// func Slugify(text string, sep string) string { ... }' in head


def test_rust_use_paths_and_java_imports_resolve_to_files() -> None:
    net = ('/// Parse a header line.\npub fn parse_header(line: &str) -> Option<String> { None }\n'
           'pub struct Request { pub path: String }\nimpl Request {\n    pub fn new(path: &str) -> Self { todo() }\n}\n')
    app = 'use crate::net::{parse_header, Request};\n\npub fn handle(line: &str) -> Request {\n    todo!()\n}\n'
    found, head = _snippets({'Cargo.toml': '', 'src/lib.rs': 'pub mod net;\npub mod app;\n',
                             'src/net/mod.rs': net, 'src/app.rs': app}, 'src/app.rs')
    assert found == [('src/net/mod.rs', 'Request'), ('src/net/mod.rs', 'parse_header')]
    assert '//     pub fn new(path: &str) -> Self { ... }' in head

    helper = ('package com.x.util;\n\n/** Helps. */\npublic class Helper {\n    private int count = 0;\n'
              '    public static String slugify(String text) { return text; }\n    private void secret() {}\n}\n')
    app = ('package com.x.app;\n\nimport com.x.util.Helper;\n\npublic class App {\n'
           '    public String make(String title) {\n        throw new UnsupportedOperationException("not implemented");\n    }\n}\n')
    found, head = _snippets({'src/com/x/util/Helper.java': helper, 'src/com/x/app/App.java': app},
                            'src/com/x/app/App.java')
    assert found == [('src/com/x/util/Helper.java', 'Helper')]
    assert head == ('// Path: src/com/x/util/Helper.java\n// /** Helps. */\n// public class Helper {\n'
                    '//     public static String slugify(String text) { ... }\n// }\n\n')


_CODEISH = st.text(alphabet=st.sampled_from(list('defclass import from (){}[]:;,.=\n    "\'#/*xyzABC_12')), max_size=200)


@settings(max_examples=120, deadline=None)
@given(_CODEISH, st.sampled_from(['m.py', 'm.ts', 'm.js', 'm.go', 'm.rs', 'M.java']))
def test_any_text_gives_symbols_or_a_syntax_error_never_a_crash(text: str, name: str) -> None:
    from codestral_bot import symbols_ts
    from codestral_bot.stubs import language_of
    from codestral_bot.symbols import python_symbols

    paths = frozenset({name, 'other.py', 'go.mod'})
    language = language_of(name)
    assert language is not None
    if language == 'python':
        try:
            symbols = python_symbols(name, text, lambda module, level, path: ())
        except SyntaxError:
            return
    else:  # tree-sitter always gives a tree, with ERROR nodes where the text is broken
        symbols = symbols_ts.file_symbols(name, language, text, paths, lambda path: 'module x\n')
    assert all(d.path == name and d.line >= 1 and d.name for d in symbols.definitions.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.from_regex(r'[a-z][a-z_]{0,6}', fullmatch=True), min_size=1, max_size=4),
       st.lists(st.from_regex(r'[A-Za-z][a-z]{0,6}', fullmatch=True), min_size=1, max_size=3, unique=True))
def test_rust_use_lists_name_every_item(path: list[str], items: list[str]) -> None:
    from codestral_bot.symbols_ts import _rust_use_paths

    text = f'crate::{"::".join(path)}::{{{", ".join(items)}}}'
    assert _rust_use_paths(text) == [(['crate', *path, item], item) for item in items]


# ---------------------------------------------------------------- the GitHub Action


from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.test_github_command import BASE  # noqa: E402
from tests.test_github_command import NUMBER  # noqa: E402
from tests.test_github_command import OWNER  # noqa: E402
from tests.test_github_command import REPO  # noqa: E402
from tests.test_github_command import gh_env  # noqa: E402,F401  (fixtures)
from tests.test_github_command import pull_file  # noqa: E402
from tests.test_github_command import workdir  # noqa: E402,F401


def test_github_reads_the_helpers_from_the_checkout_at_the_pr_head(
        fake_github: FakeGitHub, fake_codestral: FakeCodestral, gh_env, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    checkout = make_repo(workdir / 'workspace')
    write(checkout, 'pkg/__init__.py', '')
    write(checkout, 'pkg/util.py', UTIL)
    write(checkout, 'pkg/views.py', VIEWS)
    commit_all(checkout, 'head of the PR')
    write(checkout, 'pkg/util.py', 'def slugify(edited_by_a_step): pass\n')  # a workflow step's edit: not the head
    head = checkout.head.commit.hexsha
    fake_github.add_pull(OWNER, REPO, NUMBER, head, BASE, [pull_file('pkg/views.py', None, VIEWS)],
                         blobs={pull_file('pkg/views.py', None, VIEWS).sha: VIEWS.encode()})
    fake_codestral.responder = lambda body: FILLED_BODY.strip()
    result = run_cli(['github', '--mode', 'suggest'], workdir, cli_env(**gh_env()))
    assert result.returncode == 0, result.stderr
    (request,) = [r for r in fake_codestral.requests if r.endpoint == 'fim']
    assert '# def slugify(text: str, *, sep: str = SEP) -> str:' in request.json['prompt']
    assert 'edited_by_a_step' not in request.json['prompt']


def test_a_lone_module_in_another_folder_does_not_shadow_the_standard_library() -> None:
    views = 'from json import dumps\nfrom pkg.util import slugify\n\n\ndef f(x) -> int:\n    pass\n'
    files = {'pkg/__init__.py': '', 'pkg/util.py': UTIL, 'pkg/views.py': views,
             'scripts/json.py': 'def dumps(x):\n    return x\n'}
    selection, _, _ = _select(files, 'pkg/views.py')
    assert [s.name for s in selection.snippets] == ['slugify']


def test_an_import_inside_another_function_counts() -> None:
    views = ('def other(t):\n    from pkg.util import slugify  # lazy: a slow module\n    return slugify(t)\n\n\n'
             'def make(title) -> int:\n    """Slug of the title."""\n    pass\n')
    selection, _, _ = _select({'pkg/__init__.py': '', 'pkg/util.py': UTIL, 'pkg/views.py': views}, 'pkg/views.py')
    assert [s.name for s in selection.snippets] == ['slugify']


def test_go_package_helpers_no_line_names_rank_by_use_across_the_package() -> None:
    helpers = ('package app\n\nfunc quote(s string) string { return s }\n\n'
               'func Unused(s string) string { return s }\n\n'
               'func unquote(s string) string { return s }\n')
    app = 'package app\n\nfunc Title(s string) string {\n\tpanic("not implemented")\n}\n'
    files = {'go.mod': 'module example.com/x\n', 'app/helpers.go': helpers, 'app/app.go': app,
             'app/a.go': 'package app\n\nfunc A() string { return quote("a") }\n',
             'app/b.go': 'package app\n\nfunc B() string { return quote("b") }\n'}
    found, _ = _snippets(files, 'app/app.go')
    # a private helper nothing calls yet is likely what the stub will call; then the most used
    assert found[:2] == [('app/helpers.go', 'unquote'), ('app/helpers.go', 'quote')]
    assert ('app/helpers.go', 'Unused') not in found  # exported and unused: the API, not a helper


def test_a_helper_sharing_a_word_with_the_stub_ranks_first() -> None:
    util = ('def parse_headers(raw: str) -> dict:\n    """Header lines to a dict."""\n\n\n'
            'def format_money(cents: int) -> str:\n    """Cents as dollars."""\n')
    views = ('from pkg.util import format_money\nfrom pkg.util import parse_headers\n\n\n'
             'def read(raw):\n    return parse_headers(raw)\n\n\n'
             'def show(x):\n    return format_money(x)\n\n\n'
             'def headers_of(response) -> int:\n    pass\n')
    files = {'pkg/util.py': util, 'pkg/views.py': views}
    both, _, _ = _select(files, 'pkg/views.py')
    # format_money is used nearer the stub, but `headers_of` and `parse_headers` share a word
    assert [s.name for s in both.snippets] == ['parse_headers', 'format_money']


def test_stubs_past_max_stubs_cost_no_parsing() -> None:
    from codestral_bot.pipeline import Target
    from codestral_bot.pipeline import plan
    from codestral_bot.records import FileChange

    other = 'from pkg.more import thing\n\n\ndef g(x):\n    raise NotImplementedError\n'
    files = {'pkg/util.py': UTIL, 'pkg/views.py': VIEWS, 'pkg/other.py': other, 'pkg/more.py': 'thing = 1\n'}
    index = SymbolIndex(sorted(files), _reader(files))
    targets = []
    for path in ('pkg/views.py', 'pkg/other.py'):
        source = _reader(files)(path)
        targets.append(Target(FileChange(path, path, 'added', frozenset()), source, tuple(find_stubs(path, source.text))))
    planned = plan(targets, prompt_tokens=3000, suffix_tokens=500, max_stubs=1, repo=RepoContext(index, 0.25))
    # past the cap a stub is listed (failed: max_stubs), but nothing is parsed for its context
    assert [(p.fill.stub.name, p.fill.failure) for p in planned] == [('make_page', None), ('g', 'max_stubs')]
    assert index.parsed == 2  # views.py and util.py; not other.py nor more.py


def test_a_helper_named_like_the_stub_in_a_sibling_module_reaches_the_prompt() -> None:
    # the body would import it itself (`from .ansi import AnsiDecoder`): no other line of the file names it
    ansi = ('class AnsiDecoder:\n    """Turns ANSI escapes into styled text."""\n\n'
            '    def decode(self, text: str) -> list: ...\n\n\ndef strip_codes(text: str) -> str:\n    return text\n')
    text = ('from __future__ import annotations\n\nfrom pkg.style import Style\n\n\n'
            'class Text:\n    style: Style\n\n    @classmethod\n    def from_ansi(cls, text: str) -> Text:\n'
            '        # TODO: decode the escapes\n        pass\n')
    files = {'pkg/__init__.py': '', 'pkg/ansi.py': ansi, 'pkg/style.py': 'class Style:\n    bold: bool\n',
             'pkg/text.py': text, 'pkg/console.py': 'def render(x):\n    return x\n'}
    found, head = _snippets(files, 'pkg/text.py')
    assert ('pkg/ansi.py', 'AnsiDecoder') in found and ('pkg/style.py', 'Style') in found
    assert ('pkg/ansi.py', 'strip_codes') not in found  # shares no word with `from_ansi`
    assert not any(path == 'pkg/console.py' for path, _ in found)  # neither imported nor named alike


def test_the_rest_of_a_module_imported_whole_fills_what_the_budget_leaves() -> None:
    utils = ('const {toString} = Object.prototype;\n\n'
             '/** Is it a string? */\nfunction isString(v) {\n  return typeof v === "string";\n}\n\n'
             'function isNumber(v) {\n  return typeof v === "number";\n}\n\n'
             'export default {isString, isNumber};\n')
    app = ("import utils from './utils.js';\n\n"
           'export function describe(value) {\n  throw new Error("Not implemented");\n}\n')
    found, head = _snippets({'lib/utils.js': utils, 'lib/app.js': app}, 'lib/app.js')
    assert ('lib/utils.js', 'isString') in found and ('lib/utils.js', 'isNumber') in found
    assert '// /** Is it a string? */\n// function isString(v) { ... }\n' in head  # room left: its doc too
    assert 'typeof' not in head


def test_a_go_const_block_shows_each_name_on_its_own_line() -> None:
    kinds = ('package app\n\n// Kind of a node.\ntype Kind int\n\nconst (\n\t// KindA is the first.\n'
             '\tKindA Kind = iota\n\tKindB\n)\n\nfunc kindName(k Kind) string { return "" }\n')
    app = ('package app\n\nfunc Describe(k Kind) string {\n\tpanic("not implemented")\n}\n')
    other = 'package app\n\nfunc IsA(k Kind) bool { return k == KindA || k != KindB }\n'
    found, head = _snippets({'go.mod': 'module example.com/x\n', 'app/kinds.go': kinds, 'app/app.go': app,
                             'app/other.go': other}, 'app/app.go')
    assert {('app/kinds.go', 'Kind'), ('app/kinds.go', 'kindName'), ('app/kinds.go', 'KindA')} <= set(found)
    assert 'const (' not in head
    assert '// // KindA is the first.\n// const KindA Kind = iota\n' in head and '// const KindB\n' in head


def test_rust_nested_use_trees_inline_paths_and_a_binary_crate_root() -> None:
    # ripgrep's layout: the binary's root is crates/core/main.rs, the Cargo.toml is at the top
    lowargs = 'pub enum Mode { Search, Files }\n'
    error = 'pub(crate) fn builder(msg: &str) -> Error { todo() }\npub struct Error;\n'
    defs = ('use crate::flags::{\n    Category,\n    lowargs::{LowArgs, Mode},\n};\n\n'
            'pub fn update(args: &mut LowArgs) -> Result<(), Error> {\n    todo!()\n}\n\n'
            'fn fail() -> Error {\n    crate::error::builder("bad")\n}\n')
    files = {'Cargo.toml': '', 'crates/core/main.rs': 'mod flags;\nmod error;\n',
             'crates/core/flags/mod.rs': 'pub mod lowargs;\npub mod defs;\npub struct Category;\n',
             'crates/core/flags/lowargs.rs': lowargs, 'crates/core/flags/defs.rs': defs,
             'crates/core/error.rs': error}
    found, head = _snippets(files, 'crates/core/flags/defs.rs')
    assert {('crates/core/flags/lowargs.rs', 'Mode'), ('crates/core/flags/mod.rs', 'Category'),
            ('crates/core/error.rs', 'builder')} <= set(found)
    assert '// pub(crate) fn builder(msg: &str) -> Error { ... }\n' in head


def test_the_base_of_the_stub_s_class_shows_its_methods_internal_ones_too() -> None:
    base = ('class Handler:\n    """Handles events."""\n\n    retries: int = 3\n\n'
            '    def _find_error_handler(self, e: Exception) -> object: ...\n\n'
            '    def trap_exception(self, e: Exception) -> bool: ...\n\n'
            '    def log(self, msg: str) -> None: ...\n')
    other = 'class Helper:\n    def _secret(self) -> None: ...\n\n    def help(self) -> str: ...\n'
    app = ('from pkg.base import Handler\nfrom pkg.other import Helper\n\n\nclass App(Handler):\n'
           '    helper: Helper\n\n    def handle_exception(self, e: Exception) -> object:\n'
           '        # TODO: find the handler and call it\n        pass\n')
    found, head = _snippets({'pkg/base.py': base, 'pkg/other.py': other, 'pkg/app.py': app}, 'pkg/app.py')
    assert found[0] == ('pkg/base.py', 'Handler')  # the class the stub's `self.` calls go to
    assert '#     def _find_error_handler(self, e: Exception) -> object: ...\n' in head
    assert '#     def trap_exception(self, e: Exception) -> bool: ...\n' in head
    assert '_secret' not in head  # a class the stub only uses shows its API alone


def test_go_helpers_of_functions_named_like_the_stub_rank_before_the_merely_popular() -> None:
    flags = ('package app\n\nfunc quote(s string) string { return s }\n\n'
             'func nonCompletable(f string) bool { return f == "" }\n')
    kin = ('package app\n\nfunc getFlagCompletion(f string) []string {\n'
           '\tif nonCompletable(f) {\n\t\treturn nil\n\t}\n\treturn []string{f}\n}\n')
    users = ''.join(f'func U{i}() string {{ return quote("{i}") }}\n' for i in range(3))
    app = 'package app\n\nfunc getFlagNameCompletions(f string) []string {\n\tpanic("not implemented")\n}\n'
    files = {'go.mod': 'module example.com/x\n', 'app/flags.go': flags, 'app/kin.go': kin,
             'app/users.go': 'package app\n\n' + users, 'app/app.go': app}
    found, _ = _snippets(files, 'app/app.go')
    # nonCompletable is used once, by a function named like the stub; quote by three others
    assert found.index(('app/flags.go', 'nonCompletable')) < found.index(('app/flags.go', 'quote'))


def test_a_docstring_cannot_end_its_comment_with_another_line_break() -> None:
    # a hostile helper: its docstring escapes spell line breaks other than '\n'
    util = ('def slugify(text: str) -> str:\n'
            '    """Slug.\\rimport os; os.system(\'x\')\\u2028evil()\\x0bmore\\x85end"""\n'
            '    return text\n')
    found, head = _snippets({'pkg/util.py': util, 'pkg/views.py': VIEWS.replace('Page', 'str')}, 'pkg/views.py')
    assert ('pkg/util.py', 'slugify') in found
    for line in head.splitlines():  # every way Python splits lines
        assert line == '' or line.startswith('#')
    # raw separators in a signature (a JS default value may hold U+2028) and in a doc comment
    lib = ('/** Slug.\u2028evil() */\nexport function slugify(text, sep = "\u2028x\x1ey\x85") {\n  return text;\n}\n')
    app = ("import { slugify } from './lib.js';\n\n"
           'export function makePage(title) {\n  throw new Error("Not implemented");\n}\n')
    found, head = _snippets({'src/lib.js': lib, 'src/app.js': app}, 'src/app.js')
    assert ('src/lib.js', 'slugify') in found
    for line in head.splitlines():
        assert line == '' or line.startswith('//')


def test_a_typescript_base_shows_its_protected_methods_to_a_subclass_only() -> None:
    base = ('export abstract class Shape {\n  constructor(public name: string) {}\n'
            '  protected scale(by: number): number { return by; }\n  private secret(): void {}\n'
            '  area(): number { return 0; }\n}\n')
    sub = ("import { Shape } from './shape';\n\nexport class Square extends Shape {\n"
           '  side = 1;\n  scaledArea(by: number): number {\n    throw new Error("Not implemented");\n  }\n}\n')
    user = ("import { Shape } from './shape';\n\n"
            'export function describe(s: Shape): string {\n  throw new Error("Not implemented");\n}\n')
    files = {'src/shape.ts': base, 'src/square.ts': sub, 'src/user.ts': user}
    _, head = _snippets(files, 'src/square.ts')
    assert '//     protected scale(by: number): number { ... }\n' in head
    assert 'secret' not in head
    _, head = _snippets(files, 'src/user.ts')
    assert 'scale' not in head and 'secret' not in head


def test_a_helper_named_like_the_stub_anywhere_in_its_folder_reaches_the_prompt() -> None:
    # flask: `_get_source_explained` imports `explain_template_loading_attempts` inside its body
    helpers = ('def explain_template_loading_attempts(app, template, attempts) -> None:\n'
               '    """Log how a template was looked for."""\n\n\ndef unrelated() -> None:\n    pass\n')
    templating = ('from pkg.app import App\n\n\nclass Loader:\n    app: App\n\n'
                  '    def _get_source_explained(self, environment, template):\n'
                  '        # TODO: try each loader and explain the attempts\n        pass\n')
    files = {'pkg/__init__.py': '', 'pkg/app.py': 'class App:\n    name: str\n',
             'pkg/debughelpers.py': helpers, 'pkg/templating.py': templating,
             'pkg/other.py': 'def something_else() -> int:\n    return 1\n'}
    index = SymbolIndex(sorted(files), _reader(files))
    source = _reader(files)('pkg/templating.py')
    (stub,) = find_stubs('pkg/templating.py', source.text)
    selection = RepoContext(index, 0.25).select(source, stub, 3000)
    assert ('pkg/debughelpers.py', 'explain_template_loading_attempts') in [(s.path, s.name) for s in selection.snippets]
    assert 'unrelated' not in selection.head
    assert index.parsed == 3  # templating, app, debughelpers: other.py was read, not parsed
