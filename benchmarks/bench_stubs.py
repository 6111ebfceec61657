"""How fast the tree-sitter stub finder is, per language.

For each language it generates a real-world-sized source file (finished functions with loops,
branches and comments, and every ~8th function a stub of one of the language's kinds), then times
``find_stubs`` on it: the median over repeats gives stubs found per second and lines per second.
It also times the one-off start-up cost — importing tree_sitter and loading one grammar — in fresh
subprocesses. Prints a Markdown table.

    .venv/bin/python benchmarks/bench_stubs.py [--lines 6000] [--repeats 7] [--startup-runs 7]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from codestral_bot.stubs.treesitter import find_stubs

# (file name, grammar module, language function) per language
LANGUAGES: dict[str, tuple[str, str, str]] = {
    'javascript': ('big.js', 'tree_sitter_javascript', 'language'),
    'typescript': ('big.ts', 'tree_sitter_typescript', 'language_typescript'),
    'go': ('big.go', 'tree_sitter_go', 'language'),
    'rust': ('big.rs', 'tree_sitter_rust', 'language'),
    'java': ('Big.java', 'tree_sitter_java', 'language'),
}
STUB_EVERY = 8


def _js_function(i: int, typed: bool) -> str:
    t = ': number' if typed else ''
    return (
        f'  compute{i}(items{": number[]" if typed else ""}, limit{t}){t} {{\n'
        f'    // Sum the items below the limit, skipping negatives.\n'
        f'    let total = 0;\n'
        f'    for (const item of items) {{\n'
        f'      if (item < 0 || item > limit) {{\n'
        f'        continue;\n'
        f'      }}\n'
        f'      total += item * {i % 7 + 1};\n'
        f'    }}\n'
        f'    return total;\n'
        f'  }}\n\n'
    )


def _js_stub(i: int, typed: bool) -> str:
    t = ': number' if typed else ''
    bodies = [
        '    throw new Error("Not implemented");\n',
        '    // TODO: compute the value\n',
        '    // TODO\n    return 0;\n',
        '    throw new Error("Method not implemented.");\n',
    ]
    return f'  stub{i}(x{t}){t} {{\n{bodies[i // STUB_EVERY % len(bodies)]}  }}\n\n'


def _javascript(count: int, typed: bool = False) -> str:
    parts = ['export class Big {\n']
    for i in range(count):
        parts.append(_js_stub(i, typed) if i % STUB_EVERY == 0 else _js_function(i, typed))
    parts.append('}\n')
    return ''.join(parts)


def _go_function(i: int) -> str:
    return (
        f'// Compute{i} sums the items below the limit.\n'
        f'func (s *Service) Compute{i}(items []int, limit int) (int, error) {{\n'
        f'\ttotal := 0\n'
        f'\tfor _, item := range items {{\n'
        f'\t\tif item < 0 || item > limit {{\n'
        f'\t\t\tcontinue\n'
        f'\t\t}}\n'
        f'\t\ttotal += item * {i % 7 + 1}\n'
        f'\t}}\n'
        f'\treturn total, nil\n'
        f'}}\n\n'
    )


def _go_stub(i: int) -> str:
    bodies = ['\tpanic("not implemented")\n', '\tpanic("unimplemented")\n', '\t// TODO\n\treturn 0, nil\n']
    return f'func (s *Service) Stub{i}(x int) (int, error) {{\n{bodies[i // STUB_EVERY % len(bodies)]}}}\n\n'


def _go(count: int) -> str:
    parts = ['package big\n\ntype Service struct{}\n\n']
    parts.extend(_go_stub(i) if i % STUB_EVERY == 0 else _go_function(i) for i in range(count))
    return ''.join(parts)


def _rust_function(i: int) -> str:
    return (
        f'    /// Sums the items below the limit.\n'
        f'    pub fn compute{i}(&self, items: &[i64], limit: i64) -> i64 {{\n'
        f'        let mut total = 0;\n'
        f'        for item in items {{\n'
        f'            if *item < 0 || *item > limit {{\n'
        f'                continue;\n'
        f'            }}\n'
        f'            total += item * {i % 7 + 1};\n'
        f'        }}\n'
        f'        total\n'
        f'    }}\n\n'
    )


def _rust_stub(i: int) -> str:
    bodies = ['        todo!()\n', '        unimplemented!("stub {i}")\n', '        // TODO\n        0\n']
    return f'    pub fn stub{i}(&self, x: i64) -> i64 {{\n{bodies[i // STUB_EVERY % len(bodies)]}    }}\n\n'


def _rust(count: int) -> str:
    parts = ['pub struct Service;\n\nimpl Service {\n']
    parts.extend(_rust_stub(i) if i % STUB_EVERY == 0 else _rust_function(i) for i in range(count))
    parts.append('}\n')
    return ''.join(parts)


def _java_function(i: int) -> str:
    return (
        f'    /** Sums the items below the limit. */\n'
        f'    public long compute{i}(int[] items, int limit) {{\n'
        f'        long total = 0;\n'
        f'        for (int item : items) {{\n'
        f'            if (item < 0 || item > limit) {{\n'
        f'                continue;\n'
        f'            }}\n'
        f'            total += item * {i % 7 + 1};\n'
        f'        }}\n'
        f'        return total;\n'
        f'    }}\n\n'
    )


def _java_stub(i: int) -> str:
    bodies = [
        '        throw new UnsupportedOperationException("Not implemented");\n',
        '        // TODO Auto-generated method stub\n        return 0;\n',
        '        // TODO: compute\n',
    ]
    return f'    public long stub{i}(int x) {{\n{bodies[i // STUB_EVERY % len(bodies)]}    }}\n\n'


def _java(count: int) -> str:
    parts = ['package big;\n\npublic class Big {\n']
    parts.extend(_java_stub(i) if i % STUB_EVERY == 0 else _java_function(i) for i in range(count))
    parts.append('}\n')
    return ''.join(parts)


GENERATORS: dict[str, Callable[[int], str]] = {
    'javascript': _javascript,
    'typescript': lambda count: _javascript(count, typed=True),
    'go': _go,
    'rust': _rust,
    'java': _java,
}


def generate(language: str, min_lines: int) -> tuple[str, int]:
    """A source file of at least ``min_lines`` lines, and the number of stubs in it."""
    count = min_lines // 11 + 1  # a finished function is ~11 lines
    while True:
        text = GENERATORS[language](count)
        if text.count('\n') >= min_lines:
            return text, (count + STUB_EVERY - 1) // STUB_EVERY
        count += count // 10 + 1


def time_find(path: str, text: str, repeats: int) -> tuple[float, int]:
    """Median seconds per find_stubs call (after one warm-up call that loads the grammar)."""
    found = len(find_stubs(path, text))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        find_stubs(path, text)
        times.append(time.perf_counter() - start)
    return statistics.median(times), found


STARTUP = '''
import time
start = time.perf_counter()
import tree_sitter
import {module}
parser = tree_sitter.Parser(tree_sitter.Language({module}.{function}()))
print(time.perf_counter() - start)
'''


def time_startup(module: str, function: str, runs: int) -> float:
    """Median seconds to import tree_sitter and load one grammar, in a fresh interpreter."""
    code = STARTUP.format(module=module, function=function)
    samples = [
        float(subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lines', type=int, default=6000)
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--startup-runs', type=int, default=7)
    args = parser.parse_args()
    print('| language | lines | stubs | find_stubs (median) | stubs/s | lines/s | import + load grammar (median) |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    for language, (path, module, function) in LANGUAGES.items():
        text, expected = generate(language, args.lines)
        seconds, found = time_find(path, text, args.repeats)
        if found != expected:
            raise SystemExit(f'{language}: found {found} stubs, generated {expected}')
        lines = text.count('\n')
        startup = time_startup(module, function, args.startup_runs)
        print(
            f'| {language} | {lines} | {found} | {seconds * 1000:.1f} ms | {found / seconds:,.0f} '
            f'| {lines / seconds:,.0f} | {startup * 1000:.1f} ms |'
        )
    # Timings on a shared machine move with its load: say what it was.
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
    print(f'\nPython {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f}.')


if __name__ == '__main__':
    main()
