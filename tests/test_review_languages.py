"""Per language, end to end: a staged stub, a body from the fake API, `review --staged --apply`."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.repo_util import cli_env
from tests.repo_util import commit_all
from tests.repo_util import make_repo
from tests.repo_util import run_cli
from tests.repo_util import write

CASES = {
    'cart.js': (
        'export function total(items) {\n  throw new Error("Not implemented");\n}\n',
        'return items.reduce((s, i) => s + i.price, 0);',
        'export function total(items) {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n',
        'return items.reduce((s, i) => s + i.price, 0;',
    ),
    'cart.ts': (
        'export class Cart {\n  total(items: number[]): number {\n    // TODO: implement\n  }\n}\n',
        'return items.reduce((a, b) => a + b, 0);',
        'export class Cart {\n  total(items: number[]): number {\n    return items.reduce((a, b) => a + b, 0);\n  }\n}\n',
        'return items.reduce((a, b) => a + b, 0',
    ),
    'cart.go': (
        'package cart\n\nfunc Total(items []int) int {\n\tpanic("not implemented")\n}\n',
        'sum := 0\n\tfor _, i := range items {\n\t\tsum += i\n\t}\n\treturn sum',
        'package cart\n\nfunc Total(items []int) int {\n\tsum := 0\n\tfor _, i := range items {\n\t\tsum += i\n\t}\n\treturn sum\n}\n',
        'sum := 0\n\tfor _, i := range items {\n\t\tsum += i\n\treturn sum',
    ),
    'cart.rs': (
        'pub fn total(items: &[i64]) -> i64 {\n    todo!()\n}\n',
        'items.iter().sum()',
        'pub fn total(items: &[i64]) -> i64 {\n    items.iter().sum()\n}\n',
        'items.iter().sum(',
    ),
    'Cart.java': (
        'public class Cart {\n    public int total(int[] items) {\n'
        '        throw new UnsupportedOperationException("TODO");\n    }\n}\n',
        'int sum = 0;\n        for (int i : items) sum += i;\n        return sum;',
        'public class Cart {\n    public int total(int[] items) {\n        int sum = 0;\n'
        '        for (int i : items) sum += i;\n        return sum;\n    }\n}\n',
        'int sum = 0\n        return sum;',
    ),
}


def _repo(tmp_path: Path, fake: FakeCodestral) -> tuple[object, dict[str, str]]:
    repo = make_repo(tmp_path / 'repo')
    write(repo, 'README.md', 'x\n')
    commit_all(repo)
    env = cli_env(CODESTRAL_API_KEY='test-key', CODESTRAL_BOT_API_BASE=fake.url,
                  CODESTRAL_BOT_CACHE_DIR=str(tmp_path / 'cache'))
    return repo, env


@pytest.mark.parametrize('name', sorted(CASES))
def test_staged_stub_is_filled_exactly(name: str, tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    stub, body, expected, _ = CASES[name]
    repo, env = _repo(tmp_path, fake_codestral)
    path = write(repo, name, stub)  # type: ignore[arg-type]
    repo.git.add(name)  # type: ignore[attr-defined]
    fake_codestral.enqueue('fim', body)
    result = run_cli(['review', '--staged', '--apply', '--no-comments'], path.parent, env)
    assert result.returncode == 0, result.stderr
    assert path.read_text() == expected


@pytest.mark.parametrize('name', sorted(CASES))
def test_a_fill_that_breaks_the_syntax_is_refused(name: str, tmp_path: Path, fake_codestral: FakeCodestral) -> None:
    stub, _, _, broken = CASES[name]
    repo, env = _repo(tmp_path, fake_codestral)
    path = write(repo, name, stub)  # type: ignore[arg-type]
    repo.git.add(name)  # type: ignore[attr-defined]
    fake_codestral.enqueue('fim', broken)
    result = run_cli(['review', '--staged', '--apply', '--no-comments'], path.parent, env)
    assert path.read_text() == stub
    assert 'fill rejected' in result.stderr
