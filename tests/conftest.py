"""Fixtures for every tier. Integration fixtures start real servers lazily."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.servers import SecantusServer
from tests.support.services import delete_namespace, new_namespace


@pytest.fixture(scope="session")
def mongo_url() -> Iterator[str]:
    """A MongoDB-compatible server for the session: TEST_MONGO_URL, or our own SecantusDB."""
    if url := os.environ.get("TEST_MONGO_URL"):
        yield url
        return
    server = SecantusServer()
    server.start()
    try:
        yield server.url
    finally:
        server.cleanup()


@pytest.fixture
async def namespace() -> AsyncIterator[str]:
    """A unique prefix for exchanges, queues and databases; removed after the test."""
    ns = new_namespace()
    yield ns
    await delete_namespace(ns)
