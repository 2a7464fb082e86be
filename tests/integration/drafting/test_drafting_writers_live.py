"""draft.submitted, as it reaches review on the real broker, names everyone who wrote,
rewrote or submitted the draft (the byline names none of them)."""

from __future__ import annotations

import pytest
from drafting_live import ED, ERIN, drafting

from tests.support.backbone import recording_runtime, wait_for
from tests.support.recording import CONSUMED
from tests.support.services import running

pytestmark = pytest.mark.integration


async def test_the_submitted_event_names_creator_rewriter_and_submitter(
    namespace: str, mongo_url: str
) -> None:
    review = recording_runtime("review", namespace, mongo_url)
    async with drafting(namespace, mongo_url) as svc, running(review):
        draft = await svc.create_draft(ERIN, author="王编辑")
        changed = await svc.client.patch(
            f"/drafts/{draft['id']}", json={"digest": "ed 改写了摘要。"}, headers=ED
        )
        assert changed.status_code == 200, changed.text
        answer = await svc.submit(draft["id"], ED)
        assert answer.status_code in (200, 201), answer.text

        async def arrived() -> bool:
            return await review.db[CONSUMED].count_documents({}) == 1

        await wait_for(arrived)
        [consumed] = await review.db[CONSUMED].find({}).to_list(None)
        payload = consumed["payload"]
        assert (payload["revision"], payload["submitted_by"]) == (2, "ed")
        assert payload["content"]["author"] == "王编辑"
        assert payload["writers"] == ["ed", "erin"]
