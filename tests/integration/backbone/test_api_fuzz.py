"""A bounded schemathesis run of every service's OpenAPI (#11).

Each service is built as it runs (its settings with a unique namespace, the test store and
the broker) and served by uvicorn on a free local port with its lifespan, so the runtime is
started. Schemathesis loads the service's ``/openapi.json`` and calls every operation with
a bounded, derandomized set of generated requests, valid and invalid (schemathesis'
positive and negative modes), as a principal holding every role. Each
answer must not be a server error, its status must be documented, and its content type and
body must conform to the documented schema.
"""

from __future__ import annotations

import asyncio
import importlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.settings import Role
from tests.support.servers import serve_asgi
from tests.support.services import TOKENS, auth, make_settings

pytestmark = pytest.mark.integration

SETTINGS = {
    "drafting": "DraftingSettings",
    "review": "ReviewSettings",
    "publisher": "PublisherSettings",
    "feedback": "FeedbackSettings",
    "reporting": "ReportingSettings",
}
ALL_ROLES_TOKEN = "fuzz-all-roles-token-0000001"
MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def build_app(service: str, namespace: str, mongo_url: str, tmp_path: Path) -> FastAPI:
    settings_cls = getattr(
        importlib.import_module(f"services.{service}.settings"), SETTINGS[service]
    )
    tokens = {**TOKENS, ALL_ROLES_TOKEN: {"subject": "fuzz", "roles": [str(r) for r in Role]}}
    extra: dict[str, Any] = {"api_tokens": tokens}
    if service == "publisher":
        extra["local_dir"] = tmp_path / "published"
    settings_ = make_settings(settings_cls, namespace, mongo_url, **extra)
    app: FastAPI = importlib.import_module(f"services.{service}.bootstrap").create_app(settings_)
    return app


@pytest.fixture
async def served(
    service: str, namespace: str, mongo_url: str, tmp_path: Path
) -> AsyncIterator[str]:
    """The service served with its lifespan (the runtime started) on a free port."""
    app = build_app(service, namespace, mongo_url, tmp_path)
    async with serve_asgi(
        app, lifespan="on", name=service, start_within=30, stop_within=30
    ) as base_url:
        yield base_url


@dataclass
class Run:
    """What a fuzz run of one service did: operations run, answers seen, failures."""

    operations: list[str] = field(default_factory=list)
    answers: Counter[tuple[GenerationMode, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def accepted(self, mode: GenerationMode) -> int:
        return sum(n for (m, status), n in self.answers.items() if m == mode and status < 300)


def fuzz(base: str) -> Run:
    """Run every operation of the service at ``base``, each failure reported."""
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    headers = auth(ALL_ROLES_TOKEN)
    run = Run()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"an operation of {base} cannot be tested: {result.err()}"
        operation = result.ok()
        run.operations.append(operation.label)

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(case=st.one_of(*(operation.as_strategy(mode) for mode in GenerationMode)))
        def call(case: Case[Any]) -> None:
            response = case.call_and_validate(base_url=base, headers=headers, checks=CHECKS)
            mode = case.meta.generation.mode if case.meta else GenerationMode.POSITIVE
            run.answers[(mode, response.status_code)] += 1

        try:
            call()
        except Exception as error:  # every operation runs; all failures are reported
            run.failures.append(f"{operation.label}: {error}")
    return run


@pytest.mark.slow
@pytest.mark.parametrize("service", sorted(SETTINGS))
async def test_every_operation_answers_as_documented(service: str, served: str) -> None:
    async with httpx.AsyncClient(base_url=served) as client:
        paths = (await client.get("/openapi.json")).json()["paths"]
    documented = sorted(f"{method.upper()} {path}" for path, ops in paths.items() for method in ops)
    run = await asyncio.to_thread(fuzz, served)
    assert run.failures == [], "\n\n".join(run.failures)
    assert sorted(run.operations) == documented
    assert sum(run.answers.values()) >= len(documented) * MAX_EXAMPLES // 2
    assert run.accepted(GenerationMode.POSITIVE) > 0, "no valid request was accepted: auth?"
