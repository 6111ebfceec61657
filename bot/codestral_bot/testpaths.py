"""Where test code lives, by each language's conventions: the stub stage does not search it.

Every stub found in test code of real projects was a deliberate double, fixture or test data
(issue 17: 331 of 331 detections in commit history), so test code is skipped unless the user
sets ``include_tests = true``; ``test_globs`` replaces the conventions below.

Globs are read as everywhere else (``globs.py``): ``tests/**`` matches ``pkg/tests/a.py`` too;
a glob without a slash matches the file name. Standard library only: the hook
imports this on every commit that may hold a stub.
"""
from __future__ import annotations

from collections.abc import Sequence

from codestral_bot.globs import first_match

TYPE_CHECKING = False  # not `typing`'s (mypy reads the name)
if TYPE_CHECKING:
    from codestral_bot.config import Config

__all__ = ['DEFAULT_TEST_GLOBS', 'reason_if_test_code', 'test_globs_of']

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


def reason_if_test_code(path: str, globs: Sequence[str]) -> str | None:
    """'test code (tests/)' when ``path`` is test code by one of ``globs``; else None."""
    glob = first_match(path, globs)
    if glob is None:
        return None
    return f'test code ({glob[:-2] if glob.endswith("/**") else glob})'


def test_globs_of(config: Config) -> tuple[str, ...]:
    """Where test code is, which the stub stage skips: nowhere when ``include_tests`` is set."""
    return () if config.include_tests else tuple(config.test_globs)
