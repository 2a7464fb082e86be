"""Accounts (#12) in drafting: every draft, revision, submission, material and topic idea
belongs to one official account; roles hold per account through every command; events
apply to the account of what they name (a version-1 event to the stored one, a
version-2 event naming another account is poison)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from drafting_support import SLOT, T0, content, material, new_draft, picture

from services.drafting import usecases
from services.drafting.domain.content import build_snapshot, check_references
from services.drafting.domain.draft import may_edit
from services.drafting.domain.facts import FactOutcome
from services.drafting.domain.states import DraftState
from services.drafting.domain.topics import ideas_from_report, rank_ideas
from services.drafting.errors import PROBLEMS, EditForbidden, InvalidContent, NotFound
from services.drafting.schemas import DraftCreate, DraftUpdate, MaterialCreate, MaterialUpdate
from shared.accounts import Accounts, UnknownAccount
from shared.errors import PoisonMessage
from shared.events import (
    Category,
    DigestQuestion,
    DraftApproved,
    DraftApprovedPayload,
    DraftSubmitted,
    EventEnvelope,
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
    PostPublished,
    PostPublishedPayload,
    ReportKind,
    ReportReady,
    ReportReadyPayload,
    TopicIdea,
)
from shared.http import ProblemError
from shared.settings import Principal, Role
from tests.support.accounts import (
    DIRECTOR_A,
    EDITOR_A,
    EDITOR_B,
    REVIEWER_B,
    TWO_ACCOUNTS,
)
from tests.support.services import TOKENS
from tests.unit.drafting.fakes import FakeDrafting, fake_drafting

ANN = Principal.model_validate(TOKENS[EDITOR_A])  # editor of default only
TINA = Principal.model_validate(TOKENS[EDITOR_B])  # editor of talent only
TOM = Principal.model_validate(TOKENS[REVIEWER_B])  # reviewer of talent only
DAI = Principal.model_validate(TOKENS[DIRECTOR_A])  # director of default only
ERIN = Principal(subject="erin", roles=frozenset({Role.EDITOR}))  # every account
BODY = "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>"


@pytest.fixture
def svc() -> FakeDrafting:
    return fake_drafting(T0, Accounts.parse(TWO_ACCOUNTS))


def draft_input(**fields: object) -> DraftCreate:
    return DraftCreate.model_validate(
        {"title": "人才政策", "category": "hr", "body_html": BODY, "wished_slot": SLOT, **fields}
    )


async def talent_draft(svc: FakeDrafting, **fields: object) -> str:
    draft = await usecases.create_draft(
        draft_input(account="talent", **fields), deps=svc.deps, actor=TINA
    )
    return draft.id


async def talent_material(svc: FakeDrafting) -> str:
    origin = material().origin
    made = await usecases.create_material(
        MaterialCreate(
            account="talent", title="招聘会", url="https://img.example.cn/t.jpg", origin=origin
        ),
        deps=svc.deps,
        actor=TINA,
    )
    return made.id


def forbidden(exc: pytest.ExceptionInfo[ProblemError]) -> None:
    assert exc.value.problem.status == 403


def version_1(event: EventEnvelope) -> Any:
    """The same event as a producer before accounts wrote it (no account)."""
    body = event.model_dump(mode="json")
    body.pop("account")
    return type(event).model_validate({**body, "schema_version": 1})


def approval_of(sent: DraftSubmitted, *, account: str) -> DraftApproved:
    p = sent.payload
    return DraftApproved(
        producer="review",
        account=account,
        occurred_at=T0,
        correlation_id=p.draft_id,
        payload=DraftApprovedPayload(
            draft_id=p.draft_id,
            revision=p.revision,
            review_id="r-1",
            reviewer="tom",
            approved_at=T0,
            content=p.content,
            content_hash=p.content_hash,
            slot=SLOT,
        ),
    )


async def submitted_talent(svc: FakeDrafting) -> DraftSubmitted:
    draft_id = await talent_draft(svc)
    await usecases.submit_draft(draft_id, deps=svc.deps, actor=TINA)
    (event,) = svc.uow.emitted("draft.submitted")
    assert isinstance(event, DraftSubmitted)
    return event


# -- domain rules per account ------------------------------------------------------------
def test_only_roles_on_the_drafts_account_let_one_edit_it() -> None:
    on_talent = TINA.roles_on("talent")
    on_default = TINA.roles_on("default")

    assert may_edit(creator="erin", subject="tina", roles=on_talent)
    assert not may_edit(creator="erin", subject="tina", roles=on_default)
    # the creator, holding no role on the draft's account any more, may not either
    assert not may_edit(creator="tina", subject="tina", roles=on_default)
    assert may_edit(creator="tom", subject="tom", roles=TOM.roles_on("talent"))


def test_a_picture_must_be_a_material_of_the_drafts_account() -> None:
    theirs = material("m-1").model_copy(update={"account": "talent"})
    used = content(pictures=(picture("m-1"),))

    with pytest.raises(InvalidContent) as refused:
        check_references(used, {"m-1": theirs}, account="default")
    with pytest.raises(InvalidContent):
        build_snapshot(used, {"m-1": theirs}, account="default")

    assert refused.value.fields == ["pictures.0.material_id"]
    assert "default" in refused.value.problems[0][1]
    check_references(used, {"m-1": theirs}, account="talent")  # its own account: fine


def test_a_draft_submits_for_its_own_account() -> None:
    draft = new_draft().model_copy(update={"account": "talent"})

    draft.submit(build_snapshot(draft.content, {}, account="talent"), by="tina", at=T0)

    (event,) = draft.collect_events()
    assert (event.account, event.schema_version) == ("talent", 2)


def test_the_same_topic_of_two_accounts_is_never_merged() -> None:
    def report(report_id: str) -> ReportReadyPayload:
        return ReportReadyPayload(
            report_id=report_id,
            kind=ReportKind.BIWEEKLY,
            period_start=T0 - timedelta(days=14),
            period_end=T0,
            topic_ideas=(TopicIdea(topic="年终奖怎么计税", score=1.0),),
        )

    records = [
        *ideas_from_report(report("rep-a"), account="default"),
        *ideas_from_report(report("rep-b"), account="talent"),
    ]

    ranked = rank_ideas(records, now=T0, half_life=timedelta(days=14))

    assert sorted((i.account, i.topic, len(i.records)) for i in ranked) == [
        ("default", "年终奖怎么计税", 1),
        ("talent", "年终奖怎么计税", 1),
    ]


def test_an_unknown_account_is_answered_404_naming_the_field() -> None:
    spec = PROBLEMS[UnknownAccount]
    with pytest.raises(UnknownAccount) as unknown:
        Accounts.parse(TWO_ACCOUNTS).require("nobody")

    assert spec.status == 404
    assert unknown.value.errors[0]["field"] == "account"


# -- creating ----------------------------------------------------------------------------
async def test_a_draft_belongs_to_the_account_it_is_created_for(svc: FakeDrafting) -> None:
    draft_id = await talent_draft(svc)

    stored = svc.store.drafts.drafts[draft_id]
    assert stored.account == "talent"
    assert svc.store.drafts.revisions[(draft_id, 1)].account == "talent"
    assert svc.store.audit.entries[-1].details["account"] == "talent"


async def test_a_draft_without_account_is_the_default_accounts(svc: FakeDrafting) -> None:
    draft = await usecases.create_draft(draft_input(), deps=svc.deps, actor=ANN)

    assert draft.account == "default"


async def test_creating_for_an_account_one_holds_no_editor_role_on_is_forbidden(
    svc: FakeDrafting,
) -> None:
    with pytest.raises(ProblemError) as refused:
        await usecases.create_draft(draft_input(account="talent"), deps=svc.deps, actor=ANN)
    forbidden(refused)
    with pytest.raises(ProblemError) as reviewer:
        await usecases.create_draft(draft_input(account="talent"), deps=svc.deps, actor=TOM)
    forbidden(reviewer)
    with pytest.raises(UnknownAccount):
        await usecases.create_draft(draft_input(account="nobody"), deps=svc.deps, actor=ERIN)
    with pytest.raises(ProblemError) as material_refused:
        await usecases.create_material(
            MaterialCreate(account="talent", title="图", url="https://img.example.cn/x.jpg"),
            deps=svc.deps,
            actor=ANN,
        )
    forbidden(material_refused)

    assert svc.store.drafts.drafts == {}
    assert svc.store.materials.materials == {}
    assert svc.store.audit.entries == []


# -- changing ----------------------------------------------------------------------------
async def test_an_editor_of_another_account_cannot_edit_or_submit_a_draft(
    svc: FakeDrafting,
) -> None:
    draft_id = await talent_draft(svc)
    before = svc.store.drafts.drafts[draft_id].model_copy(deep=True)

    with pytest.raises(ProblemError) as edit:
        await usecases.update_draft(draft_id, DraftUpdate(title="改"), deps=svc.deps, actor=ANN)
    with pytest.raises(ProblemError) as submit:
        await usecases.submit_draft(draft_id, deps=svc.deps, actor=ANN)
    with pytest.raises(ProblemError) as director:
        await usecases.update_draft(draft_id, DraftUpdate(title="改"), deps=svc.deps, actor=DAI)

    forbidden(edit)
    forbidden(submit)
    forbidden(director)
    assert svc.store.drafts.drafts[draft_id] == before
    assert list(svc.store.drafts.revisions) == [(draft_id, 1)]
    assert svc.store.drafts.submissions == {}
    assert svc.uow.events == []
    assert svc.store.audit.actions() == ["draft.create"]


async def test_a_reviewer_of_the_drafts_account_is_still_no_editor_of_it(
    svc: FakeDrafting,
) -> None:
    draft_id = await talent_draft(svc)

    with pytest.raises(EditForbidden):
        await usecases.update_draft(draft_id, DraftUpdate(title="改"), deps=svc.deps, actor=TOM)

    assert svc.store.drafts.drafts[draft_id].revision == 1


async def test_a_submission_carries_the_drafts_account(svc: FakeDrafting) -> None:
    sent = await submitted_talent(svc)

    assert sent.account == "talent"
    assert svc.store.drafts.submission_accounts[(sent.payload.draft_id, 1)] == "talent"


async def test_a_picture_of_another_accounts_material_is_refused_with_its_field(
    svc: FakeDrafting,
) -> None:
    theirs = await talent_material(svc)
    mine = await usecases.create_draft(draft_input(), deps=svc.deps, actor=ANN)

    with pytest.raises(InvalidContent) as on_create:
        await usecases.create_draft(
            draft_input(pictures=[{"material_id": theirs}]), deps=svc.deps, actor=ERIN
        )
    with pytest.raises(InvalidContent) as on_edit:
        await usecases.update_draft(
            mine.id,
            DraftUpdate.model_validate({"pictures": [{"material_id": theirs}]}),
            deps=svc.deps,
            actor=ANN,
        )
    own = await talent_draft(svc, pictures=[{"material_id": theirs, "is_cover": True}])

    assert on_create.value.fields == on_edit.value.fields == ["pictures.0.material_id"]
    assert svc.store.drafts.drafts[mine.id].revision == 1
    assert svc.store.drafts.drafts[own].content.pictures[0].material_id == theirs


async def test_an_editor_of_another_account_cannot_change_a_material(svc: FakeDrafting) -> None:
    material_id = await talent_material(svc)
    before = svc.store.materials.materials[material_id]

    with pytest.raises(ProblemError) as refused:
        await usecases.update_material(
            material_id, MaterialUpdate(title="改"), deps=svc.deps, actor=ANN
        )

    forbidden(refused)
    assert svc.store.materials.materials[material_id] == before
    assert svc.store.audit.actions() == ["material.create"]
    changed = await usecases.update_material(
        material_id, MaterialUpdate(title="改"), deps=svc.deps, actor=TINA
    )
    assert (changed.title, changed.account) == ("改", "talent")


# -- reading -----------------------------------------------------------------------------
async def test_a_draft_or_material_of_an_account_one_cannot_read_is_not_found(
    svc: FakeDrafting,
) -> None:
    draft_id = await talent_draft(svc)
    material_id = await talent_material(svc)

    with pytest.raises(NotFound):
        await usecases.get_draft(draft_id, deps=svc.deps, viewer=ANN)
    with pytest.raises(NotFound):
        await usecases.get_revision(draft_id, 1, deps=svc.deps, viewer=DAI)
    with pytest.raises(NotFound):
        await usecases.get_material(material_id, deps=svc.deps, viewer=ANN)

    assert (await usecases.get_draft(draft_id, deps=svc.deps, viewer=TOM)).account == "talent"
    assert (await usecases.get_revision(draft_id, 1, deps=svc.deps, viewer=ERIN)).revision == 1


# -- facts from other services -----------------------------------------------------------
async def test_an_approval_naming_another_account_is_poison_and_changes_nothing(
    svc: FakeDrafting,
) -> None:
    sent = await submitted_talent(svc)

    with pytest.raises(PoisonMessage) as poison:
        await usecases.apply_approval(approval_of(sent, account="default"), deps=svc.deps)

    assert poison.value.reason == "account_mismatch"
    assert svc.store.drafts.drafts[sent.payload.draft_id].state is DraftState.SUBMITTED
    assert svc.uow.consumed == set()


async def test_a_version_1_approval_applies_to_the_draft_it_names(svc: FakeDrafting) -> None:
    sent = await submitted_talent(svc)
    old = version_1(approval_of(sent, account="talent"))
    assert (old.schema_version, old.account) == (1, "default")

    outcome = await usecases.apply_approval(old, deps=svc.deps)

    assert outcome is FactOutcome.APPLIED
    draft = svc.store.drafts.drafts[sent.payload.draft_id]
    assert (draft.account, draft.state) == ("talent", DraftState.SCHEDULED)


async def test_a_version_2_approval_of_the_drafts_account_applies(svc: FakeDrafting) -> None:
    sent = await submitted_talent(svc)

    outcome = await usecases.apply_approval(approval_of(sent, account="talent"), deps=svc.deps)

    assert outcome is FactOutcome.APPLIED


def report_event(account: str, report_id: str, topic: str) -> ReportReady:
    return ReportReady(
        producer="reporting",
        account=account,
        occurred_at=T0,
        correlation_id=report_id,
        payload=ReportReadyPayload(
            report_id=report_id,
            kind=ReportKind.BIWEEKLY,
            period_start=T0 - timedelta(days=14),
            period_end=T0,
            topic_ideas=(TopicIdea(topic=topic, category=Category.HR, score=1),),
        ),
    )


async def test_a_reports_topic_ideas_belong_to_the_reports_account(svc: FakeDrafting) -> None:
    await usecases.receive_report(report_event("talent", "rep-t", "校园招聘"), deps=svc.deps)
    await usecases.receive_report(report_event("default", "rep-d", "个税汇算"), deps=svc.deps)
    await usecases.receive_report(
        version_1(report_event("talent", "rep-old", "旧报告")), deps=svc.deps
    )

    async def topics(*accounts: str) -> list[tuple[str, str]]:
        query = usecases.TopicIdeaQuery(accounts=accounts)
        ideas, _ = await usecases.list_topic_ideas(query, deps=svc.deps)
        return sorted((i.account, i.topic) for i in ideas)

    assert await topics("talent") == [("talent", "校园招聘")]
    assert await topics("default") == [("default", "个税汇算"), ("default", "旧报告")]
    assert await topics() == []


def digest_event(account: str, post_id: str) -> FeedbackDigestReady:
    return FeedbackDigestReady(
        producer="feedback",
        account=account,
        occurred_at=T0,
        correlation_id=post_id,
        payload=FeedbackDigestReadyPayload(
            digest_id=f"dg-{post_id}-{account}",
            post_id=post_id,
            window_start=T0 - timedelta(hours=24),
            window_end=T0,
            questions=(DigestQuestion(text="实习生怎么交社保？", asked_at=T0, answered=False),),
        ),
    )


async def published_talent(svc: FakeDrafting) -> str:
    sent = await submitted_talent(svc)
    p = sent.payload
    await usecases.apply_publication(
        PostPublished(
            producer="publisher",
            account="talent",
            occurred_at=SLOT,
            correlation_id=p.draft_id,
            payload=PostPublishedPayload(
                post_id="p-t1",
                draft_id=p.draft_id,
                title=p.content.title,
                category=Category.HR,
                channel="local",
                url="https://mp.weixin.qq.com/s/t1",
                published_at=SLOT,
                slot_key="publish:talent:2026-11-24T08:00+08:00",
                slot_at=SLOT,
                lateness_seconds=0.1,
                content_hash=p.content_hash,
            ),
        ),
        deps=svc.deps,
    )
    return "p-t1"


async def test_a_digest_of_a_post_belongs_to_its_drafts_account(svc: FakeDrafting) -> None:
    post_id = await published_talent(svc)

    await usecases.receive_digest(version_1(digest_event("talent", post_id)), deps=svc.deps)
    with pytest.raises(PoisonMessage) as poison:
        await usecases.receive_digest(digest_event("default", post_id), deps=svc.deps)
    await usecases.receive_digest(digest_event("talent", "p-elsewhere"), deps=svc.deps)

    assert poison.value.reason == "account_mismatch"
    accounts = {(i.source_id, i.account) for i in svc.store.ideas.ideas.values()}
    assert accounts == {("dg-p-t1-talent", "talent"), ("dg-p-elsewhere-talent", "talent")}


async def test_a_submission_of_an_account_one_cannot_read_is_not_found(svc: FakeDrafting) -> None:
    sent = await submitted_talent(svc)
    draft_id = sent.payload.draft_id

    with pytest.raises(NotFound):
        await usecases.get_submission(draft_id, 1, deps=svc.deps, viewer=ANN)

    draft, submission, _ = await usecases.get_submission(draft_id, 1, deps=svc.deps, viewer=TOM)
    assert (draft.account, submission.content_hash) == ("talent", sent.payload.content_hash)
