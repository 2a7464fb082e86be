"""The chaos accounting names what is missing or duplicated (no servers: canned answers).

Collected by ``make test`` too (``conftest.py`` leaves only the chaos run itself out)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.accounting import account
from tests.chaos.api import Api
from tests.chaos.workload import DraftPlan, Ledger

SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)


class CannedApi(Api):
    """The services' answers, as lists by path (and one post detail per post)."""

    def __init__(self, lists: dict[str, list[dict[str, Any]]], history: dict[str, int]) -> None:
        super().__init__({})
        self.lists = lists
        self.history = history  # post_id -> times "published" in its history

    async def every(
        self, service: str, path: str, token: str = "", **params: Any
    ) -> list[dict[str, Any]]:
        return self.lists[path]

    async def json(self, service: str, path: str, token: str = "", **params: Any) -> Any:
        post_id = path.rsplit("/", 1)[1]
        return {"history": [{"action": "published"}] * self.history[post_id]}


def _ledger() -> Ledger:
    ledger = Ledger()
    ledger.drafts = [
        DraftPlan("k1", "t1", SLOT, True, draft_id="d-1", revision=1, decided="approved"),
        DraftPlan("k2", "t2", SLOT, False, draft_id="d-2", revision=1, decided="rejected"),
    ]
    ledger.feedback = {"p-1-fb0": "p-d-1-r1", "p-1-fb1": "p-d-1-r1"}
    return ledger


def _answers(**changes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    answers: dict[str, list[dict[str, Any]]] = {
        "/drafts": [{"id": "d-1", "state": "published"}, {"id": "d-2", "state": "rejected"}],
        "/posts": [{"post_id": "p-d-1-r1", "draft_id": "d-1", "revision": 1, "state": "published"}],
        "/feedback": [{"source_id": "p-1-fb0"}, {"source_id": "p-1-fb1"}],
        "/windows": [{"post_id": "p-d-1-r1", "state": "closed", "digest_id": "g-1"}],
    }
    return {**answers, **changes}


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    (tmp_path / "2026-11-23").mkdir()
    (tmp_path / "2026-11-23" / "p-d-1-r1.html").write_text("<p>ok</p>")
    return tmp_path


async def test_everything_accounted_for_holds(pages: Path) -> None:
    result = await account(CannedApi(_answers(), {"p-d-1-r1": 1}), _ledger(), pages)
    assert result.ok, result.problems
    assert result.counts["posts_published_once"] == 1
    assert result.counts["windows_closed_once"] == 1
    assert result.counts["feedback_stored"] == 2


@pytest.mark.parametrize(
    ("changes", "history", "named"),
    [
        ({"/drafts": [{"id": "d-1", "state": "scheduled"}]}, 1, "d-1"),
        ({}, 2, "published 2 times"),
        ({"/feedback": [{"source_id": "p-1-fb0"}]}, 1, "not stored (1): ['p-1-fb1']"),
        (
            {"/feedback": [{"source_id": "p-1-fb0"}, {"source_id": "p-1-fb1"}] * 2},
            1,
            "more than once (2)",
        ),
        ({"/windows": []}, 1, "0 feedback windows"),
        ({"/windows": [{"post_id": "p-d-1-r1", "state": "open", "digest_id": None}]}, 1, "open"),
    ],
)
async def test_a_shortfall_is_named(
    pages: Path, changes: dict[str, list[dict[str, Any]]], history: int, named: str
) -> None:
    result = await account(CannedApi(_answers(**changes), {"p-d-1-r1": history}), _ledger(), pages)
    assert not result.ok
    assert any(named in problem for problem in result.problems), result.problems
