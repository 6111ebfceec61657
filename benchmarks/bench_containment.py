"""What the containment check adds to validating one fill, per language.

For a file of ~200 functions with one stub in the middle, times the existing syntax check
(``stubs.syntax_problem``) and the containment check (``containment.escape_problem``) on the same
filled file, interleaved, and prints the medians and their ratio (containment / syntax). The
containment check parses the file before and after the fill: it is expected near 2× the syntax
check, which parses once.

    python benchmarks/bench_containment.py [--runs 31]
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from codestral_bot import stubs
from codestral_bot.containment import escape_problem

_FUNCS = {
    'm.py': ('def f{i}(a, b):\n    return a + b + {i}\n\n\n', 'def target(a, b):\n    raise NotImplementedError\n\n\n',
             'return a + b'),
    'm.js': ('function f{i}(a, b) {{\n  return a + b + {i};\n}}\n\n', 'function target(a, b) {\n'
             '  throw new Error("not implemented");\n}\n\n', 'return a + b;'),
    'm.go': ('func F{i}(a, b int) int {{\n\treturn a + b + {i}\n}}\n\n', 'func Target(a, b int) int {\n'
             '\tpanic("TODO")\n}\n\n', 'return a + b'),
    'M.java': ('    int f{i}(int a, int b) {{\n        return a + b + {i};\n    }}\n\n', '    int target(int a, int b) {\n'
               '        throw new UnsupportedOperationException("TODO");\n    }\n\n', 'return a + b;'),
}


def _file(path: str) -> str:
    func, stub, _ = _FUNCS[path]
    body = ''.join(func.format(i=i) for i in range(100)) + stub + ''.join(func.format(i=i) for i in range(100, 200))
    if path.endswith('.go'):
        return 'package m\n\n' + body
    if path.endswith('.java'):
        return 'class M {\n' + body + '}\n'
    return body


def _medians(first: Callable[[], object], second: Callable[[], object], runs: int) -> tuple[float, float]:
    """Both timed in turn, run after run, so machine load hits them alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, out in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=31)
    runs = parser.parse_args().runs
    print('| file | syntax check (ms) | containment check (ms) | ratio |')
    print('|---|---:|---:|---:|')
    for path, (_, _, answer) in _FUNCS.items():
        text = _file(path)
        (stub,) = stubs.find_stubs(path, text)
        replacement = stub.lead + answer + stub.tail
        new = text[:stub.start] + replacement + text[stub.end:]
        end = stub.start + len(replacement)
        assert escape_problem(stub, text, new, stub.start, end) is None
        syntax, contained = _medians(lambda: stubs.syntax_problem(stub, new, stub.start, end),
                                     lambda: escape_problem(stub, text, new, stub.start, end), runs)
        print(f'| {path} ({len(text.splitlines())} lines) | {syntax * 1000:.2f} | {contained * 1000:.2f} '
              f'| {contained / syntax:.1f}× |')


if __name__ == '__main__':
    main()
