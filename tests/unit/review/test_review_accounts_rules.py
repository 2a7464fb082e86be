"""Review per official account (#12), on in-memory fakes: each account's calendar and
deadline, reviews and events carrying the account, decisions authorised on the review's
account, the overdue job per account, one lexicon for the deployment, version-1 events."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from services.review.domain.deadline import ReviewCalendars, fitting_cutoff
from services.review.domain.decision import ApprovalRequest, ReviewState
from services.review.errors import AccountForbidden
from services.review.norms import Category
from services.review.settings import ReviewSettings
from services.review.usecases import (
    ApproveReview,
    RejectReview,
    StartOutcome,
    TermChange,
    add_term,
    approve_review,
    refresh_gauges,
    reject_review,
    remove_term,
    report_overdue,
    start_review,
)
from shared.accounts import UnknownAccount
from shared.errors import PoisonMessage
from shared.events import Category as PostCategory
from shared.events import ContentSnapshot, DraftApproved, DraftRejected, DraftSubmitted
from shared.settings import Principal, Role
from tests.support.accounts import SAME_INSTANT, TWO_ACCOUNTS
from tests.support.events import draft_submitted
from tests.unit.review.fakes import FakeReviewTx, review_deps

TOKENS: dict[str, Principal] = {}
# Tuesday 24 November 2026, 06:00 in Shanghai: before talent's 07:00 deadline of its
# 08:00 slot that day; default's next slot is Wednesday 11:30 (deadline 10:00).
TUESDAY_0600 = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
TUESDAY_TALENT_SLOT = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
TUESDAY_TALENT_DEADLINE = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 07:00
TUESDAY_TALENT_CUTOFF = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 07:30
WEDNESDAY_SLOT = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai
WEDNESDAY_DEADLINE = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00
MONDAY_0830 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
MONDAY_SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
MONDAY_CUTOFF = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

RITA = Principal(subject="rita", roles=frozenset({Role.REVIEWER}))  # every account
RAO = Principal(subject="rao", roles=frozenset({Role.REVIEWER}), accounts=frozenset({"default"}))
TOM = Principal(subject="tom", roles=frozenset({Role.REVIEWER}), accounts=frozenset({"talent"}))
# An editor of default who reviews talent (roles per account).
ANN = Principal(
    subject="ann",
    roles=frozenset({Role.EDITOR}),
    accounts=frozenset({"default"}),
    account_roles={"talent": frozenset({Role.REVIEWER})},
)
ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))
TALENT_ADMIN = Principal(
    subject="tadmin", roles=frozenset({Role.ADMIN}), accounts=frozenset({"talent"})
)

CLEAN = "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>"


def content(title: str = "2026年个税汇算清缴要点") -> ContentSnapshot:
    return ContentSnapshot.model_validate(
        {
            "title": title,
            "category": PostCategory.FINANCE,
            "digest": "三分钟看懂今年的汇算清缴。",
            "body_html": CLEAN,
            "author": "erin",
        }
    )


def submitted(
    draft_id: str,
    account: str = "default",
    *,
    revision: int = 1,
    at: datetime = TUESDAY_0600,
    wished: datetime | None = None,
) -> DraftSubmitted:
    event = draft_submitted(content(), draft_id=draft_id, revision=revision, at=at, wished=wished)
    return event.model_copy(update={"account": account})


def version_1(event: DraftSubmitted, account: str = "talent") -> DraftSubmitted:
    """``event`` as a producer from before accounts sent it (whatever account it names)."""
    wire = {**event.model_dump(mode="json"), "schema_version": 1, "account": account}
    return DraftSubmitted.model_validate(wire)


def settings(accounts_json: str = TWO_ACCOUNTS, **extra: object) -> ReviewSettings:
    return ReviewSettings(api_tokens=TOKENS, accounts_json=accounts_json, **extra)  # type: ignore[arg-type]


class World:
    """The use cases on fakes, in a deployment of ``accounts_json``'s accounts."""

    def __init__(self, *, now: datetime = TUESDAY_0600, accounts_json: str = TWO_ACCOUNTS):
        config = settings(accounts_json)
        self.tx = FakeReviewTx()
        self.registry = CollectorRegistry()
        self.deps, self.uow, self.clock = review_deps(
            self.tx,
            now=now,
            registry=self.registry,
            accounts=config.accounts,
            calendars=config.calendars,
        )

    async def queued(self, event: DraftSubmitted) -> str:
        started = await start_review(event, deps=self.deps)
        assert started.outcome is StartOutcome.QUEUED
        return started.review.id


@pytest.fixture
def world() -> World:
    return World()


class TestCalendarPerAccount:
    def test_each_account_has_its_calendar_deadline_and_a_cutoff_before_its_slot(self) -> None:
        calendars = settings().calendars

        talent, default = calendars.of("talent"), calendars.of("default")

        assert (talent.weekdays, talent.slot_times) == ((1, 3), (time(8, 0),))
        assert (talent.deadline, talent.cutoff) == (time(7, 0), time(7, 30))
        assert (default.weekdays, default.slot_times) == ((0, 2, 4), (time(11, 30),))
        assert (default.deadline, default.cutoff) == (time(10, 0), time(11, 0))

    def test_an_account_without_its_own_deadline_takes_the_services(self) -> None:
        calendars = settings(SAME_INSTANT, deadline=time(9, 30)).calendars

        assert calendars.of("talent").deadline == time(9, 30)
        assert calendars.of("talent").cutoff == time(11, 0)
        assert calendars.default.deadline == time(9, 30)

    def test_one_account_deployment_is_the_services_calendar_as_before(self) -> None:
        config = ReviewSettings(api_tokens=TOKENS)

        assert config.calendars.ids == ("default",)
        assert config.calendar == config.calendars.default
        assert (config.calendar.deadline, config.calendar.cutoff) == (time(10, 0), time(11, 0))

    def test_an_account_whose_deadline_is_not_before_its_slot_stops_start_up(self) -> None:
        bad = (
            '[{"id": "default"}, {"id": "late", "slot_times": "08:00", "review_deadline": "09:00"}]'
        )

        with pytest.raises(ValidationError, match="account 'late'"):
            settings(bad)

    def test_an_unknown_account_has_no_calendar(self) -> None:
        with pytest.raises(UnknownAccount):
            settings().calendars.of("nope")

    @pytest.mark.parametrize(
        ("deadline", "slot", "expected"),
        [
            (time(10, 0), time(11, 30), time(11, 0)),  # REVIEW_CUTOFF fits: kept
            (time(7, 0), time(8, 0), time(7, 30)),  # 30 min before the slot
            (time(7, 50), time(8, 0), time(7, 55)),  # no room for 30 min: halfway
        ],
    )
    def test_the_cutoff_of_another_calendar(
        self, deadline: time, slot: time, expected: time
    ) -> None:
        cutoff = fitting_cutoff(
            deadline=deadline, first_slot=slot, preferred=time(11, 0), lead=timedelta(minutes=30)
        )

        assert cutoff == expected

    def test_calendars_need_the_default_account(self) -> None:
        with pytest.raises(ValueError, match="default"):
            ReviewCalendars({"talent": settings().calendars.of("talent")})


class TestSubmissionPerAccount:
    async def test_a_talent_draft_on_tuesday_gets_the_talent_slot_and_its_0700_deadline(
        self, world: World
    ) -> None:
        started = await start_review(submitted("d-talent", "talent"), deps=world.deps)

        review = world.tx.reviews.stored[started.review.id]
        assert review.account == "talent"
        assert review.slot_at == TUESDAY_TALENT_SLOT
        assert review.slot_key == "2026-11-24T08:00+08:00"
        assert review.deadline_at == TUESDAY_TALENT_DEADLINE
        assert review.cutoff_at == TUESDAY_TALENT_CUTOFF
        job = world.tx.jobs.jobs["overdue:talent:2026-11-24T08:00+08:00"]
        assert job["due_at"] == TUESDAY_TALENT_CUTOFF
        assert job["payload"]["account"] == "talent"

    async def test_a_default_draft_on_tuesday_gets_wednesday_1130_and_its_1000_deadline(
        self, world: World
    ) -> None:
        started = await start_review(submitted("d-default", "default"), deps=world.deps)

        review = world.tx.reviews.stored[started.review.id]
        assert review.account == "default"
        assert (review.slot_at, review.deadline_at) == (WEDNESDAY_SLOT, WEDNESDAY_DEADLINE)
        assert review.slot_key == "2026-11-25T11:30+08:00"
        assert list(world.tx.jobs.jobs) == ["overdue:2026-11-25T11:30+08:00"]  # as before

    async def test_a_talent_draft_after_its_0700_deadline_moves_to_thursday_0800(self) -> None:
        world = World(now=TUESDAY_0600 + timedelta(hours=1, minutes=30))  # 07:30

        started = await start_review(
            submitted("d-late", "talent", at=world.clock.now(), wished=TUESDAY_TALENT_SLOT),
            deps=world.deps,
        )

        review = started.review
        assert (review.late, review.slot_action) == (True, "moved")
        assert review.slot_key == "2026-11-26T08:00+08:00"
        assert "after the 07:00 deadline of 2026-11-24T08:00+08:00" in review.slot_note

    async def test_a_version_1_event_lands_in_the_default_account(self, world: World) -> None:
        event = version_1(submitted("d-v1"), account="talent")

        started = await start_review(event, deps=world.deps)

        assert event.account == "default"
        assert started.review.account == "default"
        assert started.review.slot_at == WEDNESDAY_SLOT

    async def test_a_version_1_revision_keeps_the_drafts_account(self, world: World) -> None:
        await world.queued(submitted("d-keep", "talent"))

        started = await start_review(version_1(submitted("d-keep", revision=2)), deps=world.deps)

        assert started.outcome is StartOutcome.QUEUED
        assert started.review.account == "talent"
        assert started.review.slot_at == TUESDAY_TALENT_SLOT

    async def test_a_version_2_revision_naming_another_account_is_poison(
        self, world: World
    ) -> None:
        first = await world.queued(submitted("d-mix", "talent"))

        with pytest.raises(PoisonMessage) as refused:
            await start_review(submitted("d-mix", "default", revision=2), deps=world.deps)

        assert refused.value.reason == "account_mismatch"
        assert list(world.tx.reviews.stored) == [first]
        assert world.tx.reviews.stored[first].state is ReviewState.PENDING

    async def test_a_revision_of_a_draft_whose_account_left_the_deployment_is_poison(
        self,
    ) -> None:
        world = World()
        await world.queued(submitted("d-gone", "talent"))
        one = World()  # the same store, now deployed with the default account alone
        one.tx = world.tx
        one.deps, one.uow, one.clock = review_deps(
            world.tx, now=TUESDAY_0600, registry=CollectorRegistry()
        )

        with pytest.raises(PoisonMessage) as refused:
            await start_review(version_1(submitted("d-gone", revision=2)), deps=one.deps)

        assert refused.value.reason == "unknown_account"
        assert len(world.tx.reviews.stored) == 1

    async def test_an_account_the_deployment_lacks_is_poison(self, world: World) -> None:
        with pytest.raises(PoisonMessage) as refused:
            await start_review(submitted("d-x", "nope"), deps=world.deps)

        assert refused.value.reason == "unknown_account"
        assert world.tx.reviews.stored == {}

    async def test_one_lexicon_checks_every_accounts_drafts(self, world: World) -> None:
        await add_term(TermChange("蓝鲸计划", Category.CONFIDENTIAL), deps=world.deps, actor=ROOT)
        secret = content("蓝鲸计划内部进展")
        event = draft_submitted(secret, draft_id="d-secret", at=TUESDAY_0600, wished=None)

        started = await start_review(
            event.model_copy(update={"account": "talent"}), deps=world.deps
        )

        assert started.review.blocking
        assert [f.matched for f in started.review.findings] == ["蓝鲸计划"]


async def decide(world: World, verb: str, review_id: str, actor: Principal) -> None:
    if verb == "approve":
        command = ApproveReview(review_id, ApprovalRequest())
        await approve_review(command, deps=world.deps, actor=actor)
    else:
        await reject_review(RejectReview(review_id, "不行"), deps=world.deps, actor=actor)


class TestDecisionsPerAccount:
    async def test_approval_carries_the_reviews_account_and_the_audit_says_who(
        self, world: World
    ) -> None:
        review_id = await world.queued(submitted("d-ok", "talent"))

        await approve_review(
            ApproveReview(review_id, ApprovalRequest()), deps=world.deps, actor=TOM
        )

        [event] = world.uow.events
        assert isinstance(event, DraftApproved)
        assert event.account == "talent"
        assert event.payload.slot == TUESDAY_TALENT_SLOT
        [entry] = world.tx.audit.entries
        assert (entry.actor, entry.action, entry.details["account"]) == (
            "tom",
            "review.approve",
            "talent",
        )

    async def test_rejection_carries_the_reviews_account(self, world: World) -> None:
        review_id = await world.queued(submitted("d-no", "talent"))

        await reject_review(RejectReview(review_id, "请补充来源"), deps=world.deps, actor=ANN)

        [event] = world.uow.events
        assert isinstance(event, DraftRejected)
        assert (event.account, event.payload.reviewer) == ("talent", "ann")

    @pytest.mark.parametrize("verb", ["approve", "reject"])
    async def test_a_reviewer_of_default_is_refused_on_a_talent_review_and_nothing_changes(
        self, world: World, verb: str
    ) -> None:
        review_id = await world.queued(submitted("d-other", "talent"))
        before = world.tx.reviews.stored[review_id].model_copy(deep=True)

        with pytest.raises(AccountForbidden):
            await decide(world, verb, review_id, RAO)

        assert world.tx.reviews.stored[review_id] == before
        assert world.uow.events == []
        assert world.tx.audit.entries == []

    async def test_an_editor_of_default_is_no_reviewer_there(self, world: World) -> None:
        review_id = await world.queued(submitted("d-ann", "default"))

        with pytest.raises(AccountForbidden):
            await approve_review(
                ApproveReview(review_id, ApprovalRequest()), deps=world.deps, actor=ANN
            )

        assert world.tx.reviews.stored[review_id].state is ReviewState.PENDING

    async def test_an_override_is_audited_with_the_account(self, world: World) -> None:
        await add_term(TermChange("蓝鲸计划", Category.CONFIDENTIAL), deps=world.deps, actor=ROOT)
        event = draft_submitted(
            content("蓝鲸计划内部进展"), draft_id="d-ovr", at=TUESDAY_0600, wished=None
        )
        review_id = await world.queued(event.model_copy(update={"account": "talent"}))
        request = ApprovalRequest(override_reason="已与法务确认，可以公开。")

        await approve_review(ApproveReview(review_id, request), deps=world.deps, actor=TOM)

        overrides = [e for e in world.tx.audit.entries if e.action == "review.override"]
        assert [(e.actor, e.details["account"]) for e in overrides] == [("tom", "talent")]


class TestOverduePerAccount:
    async def test_two_accounts_at_the_same_instant_each_have_their_overdue_job(self) -> None:
        world = World(now=MONDAY_0830, accounts_json=SAME_INSTANT)
        talent = await world.queued(submitted("d-t", "talent", at=MONDAY_0830, wished=MONDAY_SLOT))
        default = await world.queued(
            submitted("d-d", "default", at=MONDAY_0830, wished=MONDAY_SLOT)
        )
        assert sorted(world.tx.jobs.jobs) == [
            "overdue:2026-11-23T11:30+08:00",
            "overdue:talent:2026-11-23T11:30+08:00",
        ]
        world.clock.set(MONDAY_CUTOFF)

        reported = await report_overdue(
            world.tx.jobs.claim("overdue:talent:2026-11-23T11:30+08:00"), deps=world.deps
        )

        assert [r.id for r in reported] == [talent]
        assert world.tx.reviews.stored[talent].overdue_reported_at == MONDAY_CUTOFF
        assert world.tx.reviews.stored[default].overdue_reported_at is None
        reported = await report_overdue(
            world.tx.jobs.claim("overdue:2026-11-23T11:30+08:00"), deps=world.deps
        )
        assert [r.id for r in reported] == [default]

    async def test_a_job_scheduled_before_accounts_reports_the_default_accounts(self) -> None:
        world = World(now=MONDAY_0830, accounts_json=SAME_INSTANT)
        talent = await world.queued(submitted("d-t", "talent", at=MONDAY_0830, wished=MONDAY_SLOT))
        default = await world.queued(
            submitted("d-d", "default", at=MONDAY_0830, wished=MONDAY_SLOT)
        )
        job = world.tx.jobs.jobs["overdue:2026-11-23T11:30+08:00"]
        job["payload"] = {k: v for k, v in job["payload"].items() if k != "account"}
        world.clock.set(MONDAY_CUTOFF)

        reported = await report_overdue(
            world.tx.jobs.claim("overdue:2026-11-23T11:30+08:00"), deps=world.deps
        )

        assert [r.id for r in reported] == [default]
        assert world.tx.reviews.stored[talent].overdue_reported_at is None


class TestGaugesPerAccount:
    async def test_each_account_has_its_pending_and_overdue_gauges_and_totals_stay(
        self,
    ) -> None:
        world = World(now=MONDAY_0830, accounts_json=SAME_INSTANT)
        await world.queued(submitted("d-t1", "talent", at=MONDAY_0830, wished=MONDAY_SLOT))
        await world.queued(submitted("d-t2", "talent", at=MONDAY_0830, wished=MONDAY_SLOT))
        world.clock.set(MONDAY_CUTOFF)

        await refresh_gauges(deps=world.deps)

        def gauge(name: str, account: str | None = None) -> float | None:
            labels = {} if account is None else {"account": account}
            return world.registry.get_sample_value(name, labels)

        assert gauge("review_account_pending", "talent") == 2
        assert gauge("review_account_overdue_pending", "talent") == 2
        assert gauge("review_account_pending", "default") == 0
        assert gauge("review_account_overdue_pending", "default") == 0
        assert (gauge("review_pending"), gauge("review_overdue_pending")) == (2, 2)
        assert gauge("review_overdue_slots") == 1


class TestOneLexicon:
    async def test_an_admin_of_one_account_cannot_change_the_deployments_lexicon(
        self, world: World
    ) -> None:
        with pytest.raises(AccountForbidden):
            await add_term(
                TermChange("蓝鲸计划", Category.CONFIDENTIAL), deps=world.deps, actor=TALENT_ADMIN
            )
        with pytest.raises(AccountForbidden):
            await remove_term("网赌", deps=world.deps, actor=TALENT_ADMIN)

        assert world.tx.lexicon.stored == {}
        assert world.tx.audit.entries == []

    async def test_an_admin_of_one_account_changes_it_when_it_is_the_only_one(self) -> None:
        world = World(accounts_json="")
        assert world.deps.accounts.ids == ("default",)
        admin = Principal(
            subject="dadmin", roles=frozenset({Role.ADMIN}), accounts=frozenset({"default"})
        )

        await add_term(TermChange("蓝鲸计划", Category.CONFIDENTIAL), deps=world.deps, actor=admin)

        assert list(world.tx.lexicon.stored) != []
