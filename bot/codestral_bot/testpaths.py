"""Where test code lives, by each language's conventions: the stub stage does not search it.

Every stub found in test code of real projects was a deliberate double, fixture or test data
(issue 17: 331 of 331 detections in commit history), so test code is skipped unless the user
sets ``include_tests = true``; ``test_globs`` replaces the conventions below.

A glob ending in ``/**`` names a folder at any depth (``tests/**`` matches ``pkg/tests/a.py``);
any other glob matches the whole path or the file's name. Standard library only: the hook
imports this on every commit that may hold a stub.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Sequence

__all__ = ['DEFAULT_TEST_GLOBS', 'first_match', 'reason_if_test_code']

DEFAULT_TEST_GLOBS = (
    # folders, any language
    'tests/**', 'test/**', 'testing/**', '__tests__/**', '__mocks__/**', '__fixtures__/**',
    'testdata/**', 'fixtures/**', 'benches/**', 'benchmarks/**',
    # Python
    'test_*.py', '*_test.py', '*_tests.py', 'conftest.py',
    # Go
    '*_test.go',
    # Java (src/test/ is a test/ folder)
    '*Test.java', '*Tests.java', '*TestCase.java',
    # JavaScript and TypeScript
    '*.spec.js', '*.spec.jsx', '*.spec.mjs', '*.spec.cjs', '*.spec.ts', '*.spec.tsx', '*.spec.mts',
    '*.test.js', '*.test.jsx', '*.test.mjs', '*.test.cjs', '*.test.ts', '*.test.tsx', '*.test.mts',
)


def _folder_matches(path: str, glob: str) -> bool:
    folder = glob[:-2]  # 'tests/'
    if fnmatch.fnmatchcase(path, glob):
        return True
    if '*' in folder or '?' in folder or '[' in folder:
        parts = path.split('/')[:-1]
        return any(fnmatch.fnmatchcase('/'.join(parts[i:]) + '/', folder + '*') for i in range(len(parts)))
    return path.startswith(folder) or f'/{folder}' in f'/{path}'


def first_match(path: str, globs: Sequence[str]) -> str | None:
    """The first glob that matches the posix ``path``, or None."""
    name = path.rsplit('/', 1)[-1]
    for glob in globs:
        if glob.endswith('/**'):
            if _folder_matches(path, glob):
                return glob
        elif fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(name, glob):
            return glob
    return None


def reason_if_test_code(path: str, globs: Sequence[str]) -> str | None:
    """'test code (tests/)' when ``path`` is test code by one of ``globs``; else None."""
    glob = first_match(path, globs)
    if glob is None:
        return None
    return f'test code ({glob[:-2] if glob.endswith("/**") else glob})'
