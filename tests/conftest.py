from __future__ import annotations

# Each fake API lives in its own plugin module with its fixtures.
pytest_plugins = [
    'tests.fakes.codestral_plugin',
    'tests.fakes.github_plugin',
]
