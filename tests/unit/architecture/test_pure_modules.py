"""The pure parts of each service load no I/O library, as Python really imports them.

``lint-imports`` (contract ``domain-is-pure`` in pyproject.toml) checks the import graph,
but it sees ``from services.publisher.channels.models import X`` as an import of that
module only, while Python first runs ``services/publisher/channels/__init__.py`` (which
imports httpx). This test imports each pure package in a fresh interpreter and lists
what it dragged in, so that gap cannot reopen.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
IO_LIBRARIES = {
    "pymongo",
    "bson",
    "motor",
    "faststream",
    "aio_pika",
    "aiormq",
    "fastapi",
    "starlette",
    "httpx",
    "uvicorn",
}
PURE = [
    "shared.ports",
    "shared.problems",
    "services.drafting.domain",
    "services.review.domain",
    "services.review.norms",
    "services.publisher.domain",
    "services.feedback.domain",
    "services.feedback.analysis",
    "services.feedback.digest",
    "services.reporting.domain",
    "services.reporting.reports",
    "services.gateway.domain",
    "services.audience.domain",
    "services.audience.posters",
]


def loaded_io_libraries(module: str) -> list[str]:
    script = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return sorted(IO_LIBRARIES & set(json.loads(run.stdout)))


@pytest.mark.parametrize("module", PURE)
def test_pure_package_loads_no_io_library(module: str) -> None:
    assert loaded_io_libraries(module) == [], f"{module} loads I/O libraries"


def test_the_check_sees_an_io_library_when_one_is_loaded() -> None:
    assert "pymongo" in loaded_io_libraries("services.reporting.repository.tx")
