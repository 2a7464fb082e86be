"""Fixtures of the review service's integration tests."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# Tests are not a package: make the helper module importable whatever the import mode.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from review_harness import Harness, harness  # noqa: E402


@pytest.fixture
async def h(namespace: str, mongo_url: str) -> AsyncIterator[Harness]:
    """The review service with drafting and publisher recorders, on a fixed clock."""
    async with harness(namespace, mongo_url) as running:
        yield running
