"""Four eyes starts in drafting: every revision records who wrote it, and
``draft.submitted`` names everyone who wrote, rewrote or submitted any revision."""

from __future__ import annotations

import pytest
from drafting_support import SLOT, T0

from services.drafting import usecases
from services.drafting.schemas import DraftCreate, DraftUpdate
from shared.events import DraftRejected, DraftRejectedPayload, DraftSubmitted
from shared.settings import Principal, Role
from tests.unit.drafting.fakes import FakeDrafting, fake_drafting

ERIN = Principal(subject="erin", roles=frozenset({Role.EDITOR}))
ED = Principal(subject="ed", roles=frozenset({Role.EDITOR}))
ZOE = Principal(subject="zoe", roles=frozenset({Role.EDITOR, Role.REVIEWER}))


@pytest.fixture
def svc() -> FakeDrafting:
    return fake_drafting(T0)


async def create(svc: FakeDrafting, actor: Principal, **fields: object) -> str:
    data = DraftCreate.model_validate(
        {
            "title": "2026年个税汇算清缴要点",
            "category": "finance",
            "body_html": "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>",
            "wished_slot": SLOT,
            **fields,
        }
    )
    return (await usecases.create_draft(data, deps=svc.deps, actor=actor)).id


async def edit(svc: FakeDrafting, draft_id: str, actor: Principal, **fields: object) -> None:
    await usecases.update_draft(
        draft_id, DraftUpdate.model_validate(fields), deps=svc.deps, actor=actor
    )


async def submit(svc: FakeDrafting, draft_id: str, actor: Principal) -> DraftSubmitted:
    await usecases.submit_draft(draft_id, deps=svc.deps, actor=actor)
    event = svc.uow.emitted("draft.submitted")[-1]
    assert isinstance(event, DraftSubmitted)
    return event


async def test_the_creator_who_submits_is_the_only_writer(svc: FakeDrafting) -> None:
    draft_id = await create(svc, ERIN)

    event = await submit(svc, draft_id, ERIN)

    assert event.payload.writers == ("erin",)
    assert event.payload.submitted_by == "erin"
    assert svc.store.drafts.submissions[(draft_id, 1)][0].writers == ("erin",)


async def test_a_rewriter_is_named_when_someone_else_creates_and_submits(
    svc: FakeDrafting,
) -> None:
    draft_id = await create(svc, ED, author="王编辑")
    await edit(svc, draft_id, ZOE, digest="改写后的摘要。")

    event = await submit(svc, draft_id, ED)

    assert event.payload.writers == ("ed", "zoe")
    assert event.payload.content.author == "王编辑"  # the byline names neither
    # each revision records the principal who wrote it
    assert svc.store.drafts.revisions[(draft_id, 1)].by == "ed"
    assert svc.store.drafts.revisions[(draft_id, 2)].by == "zoe"


async def test_the_submitter_is_a_writer_though_they_changed_nothing(svc: FakeDrafting) -> None:
    draft_id = await create(svc, ERIN)

    event = await submit(svc, draft_id, ZOE)

    assert event.payload.writers == ("erin", "zoe")


async def test_an_edit_that_changes_nothing_makes_nobody_a_writer(svc: FakeDrafting) -> None:
    draft_id = await create(svc, ERIN)
    await edit(svc, draft_id, ZOE, title="2026年个税汇算清缴要点")  # the same title

    event = await submit(svc, draft_id, ERIN)

    assert event.payload.revision == 1
    assert event.payload.writers == ("erin",)


async def test_writers_of_every_earlier_revision_and_submission_stay_named(
    svc: FakeDrafting,
) -> None:
    draft_id = await create(svc, ERIN)
    first = await submit(svc, draft_id, ZOE)
    rejection = DraftRejected(
        producer="review",
        occurred_at=T0,
        correlation_id=draft_id,
        payload=DraftRejectedPayload(
            draft_id=draft_id,
            revision=1,
            review_id="r-1",
            reviewer="rita",
            rejected_at=T0,
            comments="请补充来源",
        ),
    )
    await usecases.apply_rejection(rejection, deps=svc.deps)
    await edit(svc, draft_id, ED, digest="补充了来源。")

    second = await submit(svc, draft_id, ED)

    assert first.payload.writers == ("erin", "zoe")
    assert second.payload.revision == 2
    # zoe only submitted revision 1 and erin only wrote it: both are still named
    assert second.payload.writers == ("ed", "erin", "zoe")
