from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.fakes.ollama import FakeOllama
from tests.fakes.openrouter import FakeOpenRouter

__all__ = ['fake_codestral', 'fake_ollama', 'fake_openrouter']

# A fresh server per test: scripted queues, quota and request log never leak between tests.


@pytest.fixture
def fake_codestral() -> Iterator[FakeCodestral]:
    with FakeCodestral(api_key='test-key') as fake:
        yield fake


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    with FakeOllama() as fake:
        yield fake


@pytest.fixture
def fake_openrouter() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter(api_key='test-key') as fake:
        yield fake
