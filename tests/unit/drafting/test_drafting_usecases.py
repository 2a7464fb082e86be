"""The drafting use cases against in-memory stores: what each command stores, emits and
audits, what a refused one leaves behind (nothing), and facts from review and the
publisher applied once however often they are delivered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from drafting_support import SLOT, T0, material, picture

from services.drafting import usecases
from services.drafting.domain.facts import FactOutcome
from services.drafting.domain.states import DraftState
from services.drafting.errors import (
    ConcurrentUpdate,
    EditForbidden,
    InvalidContent,
    NotFound,
    RevisionConflict,
    TransitionRefused,
)
from services.drafting.schemas import DraftCreate, DraftUpdate, MaterialCreate, MaterialUpdate
from shared.accounts import DEFAULT_ACCOUNT
from shared.errors import AlreadyProcessed, PoisonMessage, TransientError
from shared.events import (
    Category,
    DraftApproved,
    DraftApprovedPayload,
    DraftRejected,
    DraftRejectedPayload,
    DraftSubmitted,
    FailureCode,
    FindingRef,
    PostFailed,
    PostFailedPayload,
    PostPublished,
    PostPublishedPayload,
    ReportKind,
    ReportReady,
    ReportReadyPayload,
    TopicIdea,
)
from shared.settings import Principal, Role
from tests.fakes.uow import StoreDown
from tests.unit.drafting.fakes import FakeDrafting, fake_drafting

ERIN = Principal(subject="erin", roles=frozenset({Role.EDITOR}))
ED = Principal(subject="ed", roles=frozenset({Role.EDITOR}))
RITA = Principal(subject="rita", roles=frozenset({Role.REVIEWER}))
BODY = "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>"
REFUSED = "contentops_draft_inputs_refused_total"


def draft_input(**fields: object) -> DraftCreate:
    return DraftCreate.model_validate(
        {
            "title": "2026年个税汇算清缴要点",
            "category": "finance",
            "digest": "三分钟看懂今年的汇算清缴。",
            "body_html": BODY,
            "wished_slot": SLOT,
            **fields,
        }
    )


@pytest.fixture
def svc() -> FakeDrafting:
    return fake_drafting(T0)


async def created(svc: FakeDrafting, **fields: object) -> str:
    draft = await usecases.create_draft(draft_input(**fields), deps=svc.deps, actor=ERIN)
    return draft.id


async def submitted(svc: FakeDrafting) -> DraftSubmitted:
    draft_id = await created(svc)
    await usecases.submit_draft(draft_id, deps=svc.deps, actor=ERIN)
    (event,) = svc.uow.emitted("draft.submitted")
    assert isinstance(event, DraftSubmitted)
    return event


def approved(sent: DraftSubmitted, *, slot: bool = True) -> DraftApproved:
    p = sent.payload
    return DraftApproved(
        producer="review",
        occurred_at=T0,
        correlation_id=p.draft_id,
        payload=DraftApprovedPayload(
            draft_id=p.draft_id,
            revision=p.revision,
            review_id="r-1",
            reviewer="rita",
            approved_at=T0,
            content=p.content,
            content_hash=p.content_hash,
            slot=SLOT if slot else None,
        ),
    )


def published(sent: DraftSubmitted) -> PostPublished:
    p = sent.payload
    return PostPublished(
        producer="publisher",
        occurred_at=SLOT,
        correlation_id=p.draft_id,
        payload=PostPublishedPayload(
            post_id="p-1",
            draft_id=p.draft_id,
            title=p.content.title,
            category=Category.FINANCE,
            channel="local",
            url="https://mp.weixin.qq.com/s/abc",
            published_at=SLOT,
            slot_key="publish:2026-11-23T11:30+08:00",
            slot_at=SLOT,
            lateness_seconds=0.3,
            content_hash=p.content_hash,
        ),
    )


# -- create_draft ------------------------------------------------------------------------
async def test_creating_a_draft_stores_revision_1_with_its_revision_record_and_audit(
    svc: FakeDrafting,
) -> None:
    draft = await usecases.create_draft(
        draft_input(body_html="<p>正文<font>旧</font></p>"),
        deps=svc.deps,
        actor=ERIN,
    )

    stored = svc.store.drafts.drafts[draft.id]
    assert (stored.state, stored.revision, stored.content.author) == (
        DraftState.EDITING,
        1,
        "erin",
    )
    assert stored.content.body_html == "<p>正文旧</p>"  # harmless tags tidied silently
    assert stored.content_notes  # and the editor is told what changed
    assert svc.store.drafts.revisions[(draft.id, 1)].changed == ("created",)
    assert svc.store.audit.actions() == ["draft.create"]
    assert svc.uow.events == []  # nothing goes to review before a submit


async def test_a_body_with_a_script_is_refused_nothing_is_stored_and_the_refusal_counted(
    svc: FakeDrafting,
) -> None:
    with pytest.raises(InvalidContent) as refused:
        await usecases.create_draft(
            draft_input(body_html="<p>hi</p><script>alert(1)</script>"), deps=svc.deps, actor=ERIN
        )

    assert refused.value.fields == ["body_html"]
    assert svc.store.drafts.drafts == {}
    assert svc.store.audit.entries == []
    assert svc.metric(REFUSED, field="body_html") == 1


async def test_a_draft_using_an_unknown_material_is_refused_and_nothing_is_stored(
    svc: FakeDrafting,
) -> None:
    with pytest.raises(InvalidContent) as refused:
        await created(svc, pictures=[picture("m-404").model_dump()])

    assert refused.value.fields == ["pictures.0.material_id"]
    assert svc.store.drafts.drafts == {}
    assert svc.store.drafts.revisions == {}
    assert svc.uow.rollbacks == 1
    assert svc.metric(REFUSED, field="pictures.0.material_id") == 1


# -- update_draft ------------------------------------------------------------------------
async def test_an_edit_is_a_new_revision_naming_what_changed(svc: FakeDrafting) -> None:
    draft_id = await created(svc)

    draft = await usecases.update_draft(
        draft_id, DraftUpdate(title="新标题", expected_revision=1), deps=svc.deps, actor=ED
    )

    assert draft.revision == 2
    assert svc.store.drafts.drafts[draft_id].content.title == "新标题"
    assert svc.store.drafts.revisions[(draft_id, 2)].changed == ("title",)
    assert svc.store.audit.actions() == ["draft.create", "draft.update"]


async def test_an_edit_that_changes_nothing_makes_no_revision(svc: FakeDrafting) -> None:
    draft_id = await created(svc)

    draft = await usecases.update_draft(
        draft_id, DraftUpdate(body_html=BODY), deps=svc.deps, actor=ERIN
    )

    assert draft.revision == 1
    assert list(svc.store.drafts.revisions) == [(draft_id, 1)]
    assert svc.store.audit.actions() == ["draft.create"]


async def test_an_edit_based_on_an_older_revision_is_refused(svc: FakeDrafting) -> None:
    draft_id = await created(svc)
    await usecases.update_draft(draft_id, DraftUpdate(title="第二版"), deps=svc.deps, actor=ERIN)

    with pytest.raises(RevisionConflict):
        await usecases.update_draft(
            draft_id, DraftUpdate(title="第三版", expected_revision=1), deps=svc.deps, actor=ED
        )

    assert svc.store.drafts.drafts[draft_id].content.title == "第二版"


async def test_only_editors_and_the_drafts_creator_may_edit_it(svc: FakeDrafting) -> None:
    draft_id = await created(svc)

    with pytest.raises(EditForbidden):
        await usecases.update_draft(draft_id, DraftUpdate(title="改"), deps=svc.deps, actor=RITA)
    with pytest.raises(NotFound):
        await usecases.update_draft("d-404", DraftUpdate(title="改"), deps=svc.deps, actor=ERIN)

    assert svc.store.drafts.drafts[draft_id].revision == 1


async def test_editing_a_scheduled_draft_takes_it_back_to_editing_for_a_new_review(
    svc: FakeDrafting,
) -> None:
    sent = await submitted(svc)
    await usecases.apply_approval(approved(sent), deps=svc.deps)
    draft_id = sent.payload.draft_id

    draft = await usecases.update_draft(
        draft_id, DraftUpdate(digest="新摘要"), deps=svc.deps, actor=ERIN
    )

    assert (draft.state, draft.revision, draft.scheduled_slot) == (DraftState.EDITING, 2, None)
    assert draft.notices[-1].kind == "review_needed"


async def test_an_edit_is_redone_on_the_newer_draft_when_another_writer_saved_meanwhile(
    svc: FakeDrafting,
) -> None:
    draft_id = await created(svc)
    as_read = await svc.deps.drafts.get(draft_id)
    assert as_read is not None
    await usecases.update_draft(draft_id, DraftUpdate(title="第二版"), deps=svc.deps, actor=ED)
    svc.store.drafts.read_before_another_writer(as_read, times=1)

    draft = await usecases.update_draft(
        draft_id, DraftUpdate(digest="新摘要"), deps=svc.deps, actor=ERIN
    )

    assert svc.uow.rollbacks == 1
    assert (draft.revision, draft.content.title, draft.content.digest) == (3, "第二版", "新摘要")
    assert svc.store.drafts.revisions[(draft_id, 3)].changed == ("digest",)
    assert svc.store.audit.actions() == ["draft.create", "draft.update", "draft.update"]


async def test_an_edit_that_keeps_meeting_other_writers_is_refused_leaving_nothing(
    svc: FakeDrafting,
) -> None:
    draft_id = await created(svc)
    as_read = await svc.deps.drafts.get(draft_id)
    assert as_read is not None
    await usecases.update_draft(draft_id, DraftUpdate(title="第二版"), deps=svc.deps, actor=ED)
    svc.store.drafts.read_before_another_writer(as_read, times=3)

    with pytest.raises(ConcurrentUpdate):
        await usecases.update_draft(
            draft_id, DraftUpdate(digest="新摘要"), deps=svc.deps, actor=ERIN
        )

    assert svc.uow.rollbacks == 3
    assert svc.store.drafts.drafts[draft_id].revision == 2
    assert (draft_id, 3) not in svc.store.drafts.revisions


# -- submit_draft ------------------------------------------------------------------------
async def test_submitting_stores_the_snapshot_and_emits_draft_submitted(
    svc: FakeDrafting,
) -> None:
    m = material("m-1")
    svc.store.materials.materials[m.id] = m
    draft_id = await created(svc, pictures=[picture("m-1", cover=True).model_dump()])

    _, submission, snapshot, first = await usecases.submit_draft(
        draft_id, deps=svc.deps, actor=ERIN
    )

    assert first is True
    assert svc.store.drafts.drafts[draft_id].state is DraftState.SUBMITTED
    assert svc.store.drafts.submissions[(draft_id, 1)] == (submission, snapshot)
    assert snapshot.pictures[0].origin.credit == "张三"
    (event,) = svc.uow.emitted("draft.submitted")
    assert isinstance(event, DraftSubmitted)
    assert (event.payload.revision, event.payload.content_hash) == (1, submission.content_hash)
    assert str(event.event_id) == submission.event_id
    assert svc.store.audit.actions()[-1] == "draft.submit"


async def test_submitting_the_same_revision_again_returns_the_first_submission(
    svc: FakeDrafting,
) -> None:
    draft_id = await created(svc)
    _, first, _, _ = await usecases.submit_draft(draft_id, deps=svc.deps, actor=ERIN)

    _, again, _, created_now = await usecases.submit_draft(draft_id, deps=svc.deps, actor=ED)

    assert created_now is False
    assert again == first
    assert len(svc.uow.emitted("draft.submitted")) == 1
    assert svc.store.audit.actions().count("draft.submit") == 1


async def test_a_picture_without_a_recorded_origin_cannot_be_submitted(
    svc: FakeDrafting,
) -> None:
    m = material("m-1", with_origin=False)
    svc.store.materials.materials[m.id] = m
    draft_id = await created(svc, pictures=[picture("m-1").model_dump()])

    with pytest.raises(InvalidContent) as refused:
        await usecases.submit_draft(draft_id, deps=svc.deps, actor=ERIN)

    assert refused.value.fields == ["pictures.0.origin"]
    assert svc.store.drafts.drafts[draft_id].state is DraftState.EDITING
    assert svc.store.drafts.submissions == {}
    assert svc.uow.emitted("draft.submitted") == []
    assert svc.metric(REFUSED, field="pictures.0.origin") == 1


async def test_a_submission_whose_audit_entry_fails_leaves_nothing_behind(
    svc: FakeDrafting,
) -> None:
    draft_id = await created(svc)
    svc.store.audit.fail = StoreDown("the audit entry could not be written")

    with pytest.raises(StoreDown):
        await usecases.submit_draft(draft_id, deps=svc.deps, actor=ERIN)

    assert svc.store.drafts.drafts[draft_id].state is DraftState.EDITING
    assert svc.store.drafts.drafts[draft_id].submission is None
    assert svc.store.drafts.submissions == {}
    assert svc.uow.emitted("draft.submitted") == []
    assert svc.uow.rollbacks == 1


async def test_a_rejected_revision_must_be_edited_before_it_is_submitted_again(
    svc: FakeDrafting,
) -> None:
    sent = await submitted(svc)
    p = sent.payload
    rejection = DraftRejected(
        producer="review",
        occurred_at=T0,
        correlation_id=p.draft_id,
        payload=DraftRejectedPayload(
            draft_id=p.draft_id,
            revision=p.revision,
            review_id="r-1",
            reviewer="rita",
            rejected_at=T0,
            findings=(
                FindingRef(
                    category="rumour",
                    rule_id="r-7",
                    severity="block",
                    matched="内部消息",
                    start=5,
                    end=9,
                ),
            ),
            comments="请核实来源",
        ),
    )

    outcome = await usecases.apply_rejection(rejection, deps=svc.deps)

    assert outcome is FactOutcome.APPLIED
    draft = svc.store.drafts.drafts[p.draft_id]
    assert draft.state is DraftState.REJECTED
    assert draft.rejection is not None
    assert draft.rejection.comments == "请核实来源"
    with pytest.raises(TransitionRefused):
        await usecases.submit_draft(p.draft_id, deps=svc.deps, actor=ERIN)


# -- materials ---------------------------------------------------------------------------
async def test_a_material_is_recorded_changed_and_its_origin_withdrawn(svc: FakeDrafting) -> None:
    origin = material().origin
    assert origin is not None
    created_material = await usecases.create_material(
        MaterialCreate(title="办公室", url="https://img.example.cn/a.jpg", origin=origin),
        deps=svc.deps,
        actor=ERIN,
    )
    svc.clock.set(T0 + timedelta(minutes=5))

    updated = await usecases.update_material(
        created_material.id,
        MaterialUpdate.model_validate({"title": "会议室", "url": None, "origin": None}),
        deps=svc.deps,
        actor=ERIN,
    )

    assert (updated.title, updated.url, updated.origin) == (
        "会议室",
        "https://img.example.cn/a.jpg",  # a URL cannot be removed: null leaves it
        None,
    )
    assert updated.updated_at == T0 + timedelta(minutes=5)
    assert svc.store.materials.materials[updated.id] == updated
    assert svc.store.audit.entries[-1].details == {
        "account": "default",
        "changed": ["origin", "title"],
    }
    with pytest.raises(NotFound):
        await usecases.update_material("m-404", MaterialUpdate(), deps=svc.deps, actor=ERIN)


# -- facts from review and the publisher ------------------------------------------------
async def test_an_approval_with_a_slot_schedules_the_draft_once_however_often_delivered(
    svc: FakeDrafting,
) -> None:
    sent = await submitted(svc)
    event = approved(sent)

    assert await usecases.apply_approval(event, deps=svc.deps) is FactOutcome.APPLIED
    with pytest.raises(AlreadyProcessed):
        await usecases.apply_approval(event, deps=svc.deps)

    draft = svc.store.drafts.drafts[sent.payload.draft_id]
    assert (draft.state, draft.scheduled_slot) == (DraftState.SCHEDULED, SLOT)
    assert [s.to_state for s in draft.history].count(DraftState.SCHEDULED) == 1
    labels = {"event_type": "draft.approved", "outcome": "applied"}
    assert svc.metric("contentops_draft_facts_total", **labels) == 1


async def test_the_same_approval_sent_again_in_a_new_event_changes_nothing(
    svc: FakeDrafting,
) -> None:
    sent = await submitted(svc)
    await usecases.apply_approval(approved(sent), deps=svc.deps)
    saved = svc.store.drafts.drafts[sent.payload.draft_id].version

    outcome = await usecases.apply_approval(approved(sent), deps=svc.deps)

    assert outcome is FactOutcome.DUPLICATE
    assert svc.store.drafts.drafts[sent.payload.draft_id].version == saved


async def test_a_publication_ends_the_draft_published(svc: FakeDrafting) -> None:
    sent = await submitted(svc)
    await usecases.apply_approval(approved(sent), deps=svc.deps)

    outcome = await usecases.apply_publication(published(sent), deps=svc.deps)

    assert outcome is FactOutcome.APPLIED
    draft = svc.store.drafts.drafts[sent.payload.draft_id]
    assert draft.state is DraftState.PUBLISHED
    assert draft.publication is not None
    assert draft.publication.post_id == "p-1"


async def test_a_failed_post_fails_the_scheduled_draft_so_a_person_acts(
    svc: FakeDrafting,
) -> None:
    sent = await submitted(svc)
    await usecases.apply_approval(approved(sent), deps=svc.deps)
    failed = PostFailed(
        producer="publisher",
        occurred_at=SLOT,
        correlation_id=sent.payload.draft_id,
        payload=PostFailedPayload(
            post_id="p-1",
            draft_id=sent.payload.draft_id,
            code=FailureCode.MISSED,
            reason="all replicas were down at 11:30",
            failed_at=SLOT,
        ),
    )

    assert await usecases.apply_failure(failed, deps=svc.deps) is FactOutcome.APPLIED
    draft = svc.store.drafts.drafts[sent.payload.draft_id]
    assert draft.state is DraftState.FAILED
    assert draft.failure is not None
    assert draft.failure.needs_person


async def test_a_fact_about_an_unknown_draft_is_poison_and_not_marked_consumed(
    svc: FakeDrafting,
) -> None:
    sent = await submitted(svc)
    event = published(sent)
    event = event.model_copy(
        update={"payload": event.payload.model_copy(update={"draft_id": "d-404"})}
    )

    with pytest.raises(PoisonMessage):
        await usecases.apply_publication(event, deps=svc.deps)
    with pytest.raises(PoisonMessage):  # a redelivery is tried again, not skipped as done
        await usecases.apply_publication(event, deps=svc.deps)

    assert svc.uow.consumed == set()


async def test_a_fact_that_keeps_meeting_other_writers_is_retried_later_not_dropped(
    svc: FakeDrafting,
) -> None:
    sent = await submitted(svc)
    as_read = await svc.deps.drafts.get(sent.payload.draft_id)
    assert as_read is not None
    saved = svc.store.drafts.drafts[sent.payload.draft_id]
    saved.version += 1  # another writer saved the draft after it was read
    svc.store.drafts.read_before_another_writer(as_read, times=3)
    event = approved(sent)

    with pytest.raises(TransientError):
        await usecases.apply_approval(event, deps=svc.deps)
    assert svc.uow.consumed == set()

    assert await usecases.apply_approval(event, deps=svc.deps) is FactOutcome.APPLIED


# -- topic ideas -------------------------------------------------------------------------
async def test_a_reports_topic_ideas_are_kept_once_and_ranked_for_editors(
    svc: FakeDrafting,
) -> None:
    report = ReportReady(
        producer="reporting",
        occurred_at=T0,
        correlation_id="rep-2026-w47",
        payload=ReportReadyPayload(
            report_id="rep-2026-w47",
            kind=ReportKind.BIWEEKLY,
            period_start=T0 - timedelta(days=14),
            period_end=T0,
            topic_ideas=(
                TopicIdea(topic="电子发票", category=Category.FINANCE, score=3),
                TopicIdea(topic="年终奖怎么计税", category=Category.FINANCE, score=9),
            ),
        ),
    )

    assert await usecases.receive_report(report, deps=svc.deps) == 2
    with pytest.raises(AlreadyProcessed):
        await usecases.receive_report(report, deps=svc.deps)

    ideas, total = await usecases.list_topic_ideas(
        usecases.TopicIdeaQuery(accounts=(DEFAULT_ACCOUNT,), limit=1), deps=svc.deps
    )
    assert total == 2
    assert [i.topic for i in ideas] == ["年终奖怎么计税"]
    assert svc.metric("contentops_topic_ideas_received_total", source="report") == 2
