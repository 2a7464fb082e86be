"""The publisher's rules that became per account (#12), on in-memory fakes.

Each account has its own calendar, capacity, seats, hold, channel and job keys; the
default account's keys stay those from before accounts; an approval belongs to its
event's account (version 1: the default's), and a draft's revisions to one account.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.publisher.channels import PublishRequest
from services.publisher.deps import PUBLISH_JOB, RECONCILE_JOB, PublisherDeps
from services.publisher.domain import (
    Post,
    PostState,
    job_kind,
    publish_job_key,
    reconcile_job_key,
)
from services.publisher.repository.calendar import hold_id, seat_id
from services.publisher.settings import PublisherSettings
from services.publisher.usecases.commands import (
    HoldChange,
    ReschedulePost,
    hold_calendar,
    reschedule_post,
)
from services.publisher.usecases.publish import publish_due_post
from services.publisher.usecases.schedule import schedule_approved_post
from shared.accounts import UnknownAccount
from shared.clock import FixedClock
from shared.errors import PoisonMessage
from shared.events import Category, ContentSnapshot, DraftApproved
from shared.settings import Principal, Role
from tests.fakes.uow import FakeUnitOfWork
from tests.support.accounts import SAME_INSTANT, TWO_ACCOUNTS
from tests.support.events import draft_approved
from tests.unit.publisher.fakes import FakePublisherTx, RecordingChannel, publisher_deps

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)
TUESDAY_8 = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
WEDNESDAY = MONDAY + timedelta(days=2)
BEFORE_MONDAY = MONDAY - timedelta(hours=2)
MONDAY_KEY = "publish:2026-11-23T11:30+08:00"
RITA = Principal(subject="rita", roles=frozenset({Role.REVIEWER}))
TOKENS = {"reviewer-token-0000000001": {"subject": "rita", "roles": ["reviewer"]}}
SECRET = "0123456789abcdef0123456789abcdef"


def approval(
    draft_id: str,
    *,
    account: str = "default",
    slot: datetime | None = MONDAY,
    revision: int = 1,
    version: int = 2,
) -> DraftApproved:
    content = ContentSnapshot(
        title=f"标题 {draft_id}",
        category=Category.FINANCE,
        digest="三分钟看懂。",
        body_html="<p>正文</p>",
        author="erin",
    )
    event = draft_approved(content, draft_id=draft_id, revision=revision, slot=slot)
    data = event.model_dump(mode="json") | {"account": account, "schema_version": version}
    return DraftApproved.model_validate(data)


def accounts(*specs: Mapping[str, object]) -> str:
    return json.dumps([{"id": "default"}, *specs])


class Publisher:
    """Deps on fakes with one recording channel per account."""

    def __init__(self, accounts_json: str = SAME_INSTANT, **settings: Any) -> None:
        self.clock = FixedClock(BEFORE_MONDAY)
        self.channels = {"default": RecordingChannel(), "talent": RecordingChannel()}
        deps, uow = publisher_deps(
            self.clock, channels=self.channels, accounts_json=accounts_json, **settings
        )
        self.deps: PublisherDeps = deps
        self.uow: FakeUnitOfWork[FakePublisherTx] = uow
        self.view = uow.view

    async def approve(self, event: DraftApproved) -> Post:
        return await schedule_approved_post(event, deps=self.deps)

    def post(self, post_id: str) -> Post:
        return self.view.posts.stored[post_id]


class TestKeys:
    def test_the_default_accounts_keys_and_kinds_are_those_from_before_accounts(self) -> None:
        assert publish_job_key("p-d-1-r1", 2) == "publish-post:p-d-1-r1:2"
        assert publish_job_key("p-d-1-r1", 2, "default") == "publish-post:p-d-1-r1:2"
        assert reconcile_job_key("p-d-1-r1", 1, "default") == "reconcile-post:p-d-1-r1:1"
        assert (job_kind(PUBLISH_JOB), job_kind(RECONCILE_JOB, "default")) == (
            "publish",
            "reconcile",
        )
        assert seat_id("default", MONDAY_KEY, 0) == f"{MONDAY_KEY}#0"
        assert hold_id("default") == "hold"

    def test_another_accounts_keys_and_kinds_name_it(self) -> None:
        assert publish_job_key("p-d-1-r1", 2, "talent") == "publish-post:talent:p-d-1-r1:2"
        assert reconcile_job_key("p-d-1-r1", 1, "talent") == "reconcile-post:talent:p-d-1-r1:1"
        assert job_kind(PUBLISH_JOB, "talent") == "publish:talent"
        assert job_kind(RECONCILE_JOB, "talent") == "reconcile:talent"
        assert seat_id("talent", MONDAY_KEY, 0) == f"talent:{MONDAY_KEY}#0"
        assert hold_id("talent") == "hold:talent"


class TestSettings:
    def test_each_account_has_its_calendar_and_capacity_else_the_publishers(self) -> None:
        settings = PublisherSettings(
            api_tokens=TOKENS,
            posts_per_slot=3,
            accounts_json=accounts(
                {"id": "talent", "slot_weekdays": "tue,thu", "slot_times": "08:00"},
                {"id": "jobs", "posts_per_slot": 5, "holiday_policy": "skip"},
            ),
        )
        talent = settings.slot_policy_for("talent")
        assert (talent.weekdays, talent.posts_per_slot) == ((1, 3), 3)
        jobs = settings.slot_policy_for("jobs")
        assert (jobs.weekdays, jobs.posts_per_slot, str(jobs.holiday_policy)) == (
            (0, 2, 4),
            5,
            "skip",
        )
        assert settings.slot_policy_for("default").posts_per_slot == 3
        with pytest.raises(UnknownAccount):
            settings.slot_policy_for("nope")

    def test_the_local_channel_writes_another_accounts_pages_in_its_own_folder(self) -> None:
        settings = PublisherSettings(
            api_tokens=TOKENS,
            accounts_json=TWO_ACCOUNTS,
            local_dir=Path("/srv/pages"),
            local_public_base_url="https://pages.example.test/",
        )
        assert settings.local_dir_for("default") == Path("/srv/pages")
        assert settings.local_dir_for("talent") == Path("/srv/pages/talent")
        assert settings.local_public_base_url_for("default") == "https://pages.example.test/"
        assert settings.local_public_base_url_for("talent") == "https://pages.example.test/talent"

    def test_a_wechat_account_without_its_app_id_stops_the_start_naming_it(self) -> None:
        with pytest.raises(ValidationError, match="account 'talent'.*no app id"):
            PublisherSettings(
                api_tokens=TOKENS, accounts_json=accounts({"id": "talent", "channel": "wechat"})
            )

    def test_a_wechat_account_without_its_secret_stops_the_start_naming_it(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", raising=False)
        monkeypatch.delenv("ACCOUNTS_SECRETS_DIR", raising=False)
        spec = {"id": "talent", "channel": "wechat", "wechat_app_id": "wx-talent"}
        with pytest.raises(ValidationError, match="account 'talent'.*ACCOUNT_TALENT_WECHAT_APP"):
            PublisherSettings(api_tokens=TOKENS, accounts_json=accounts(spec))
        monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", "changeme")  # a placeholder
        with pytest.raises(ValidationError, match="account 'talent'"):
            PublisherSettings(api_tokens=TOKENS, accounts_json=accounts(spec))

    def test_a_wechat_accounts_secret_comes_from_the_environment_or_a_file(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        spec = {"id": "talent", "channel": "wechat", "wechat_app_id": "wx-talent"}
        monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", SECRET)
        settings = PublisherSettings(api_tokens=TOKENS, accounts_json=accounts(spec))
        app_id, secret = settings.wechat_credentials("talent")
        assert (app_id, secret.get_secret_value()) == ("wx-talent", SECRET)
        assert settings.channel_for("talent") == "wechat"
        assert settings.channel_for("default") == "local"
        assert SECRET not in repr(settings)

        monkeypatch.delenv("ACCOUNT_TALENT_WECHAT_APP_SECRET")
        (tmp_path / "talent.wechat_app_secret").write_text(SECRET[::-1] + "\n")
        monkeypatch.setenv("ACCOUNTS_SECRETS_DIR", str(tmp_path))
        settings = PublisherSettings(api_tokens=TOKENS, accounts_json=accounts(spec))
        assert settings.wechat_credentials("talent")[1].get_secret_value() == SECRET[::-1]

    def test_the_default_account_keeps_the_publishers_wechat_settings(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("ACCOUNT_DEFAULT_WECHAT_APP_SECRET", raising=False)
        local_talent = accounts({"id": "talent", "channel": "local"})
        settings = PublisherSettings(
            api_tokens=TOKENS,
            accounts_json=local_talent,
            channel="wechat",
            wechat_app_id="wx-default",
            wechat_app_secret=SECRET,
        )
        assert settings.wechat_credentials("default")[0] == "wx-default"
        with pytest.raises(ValidationError, match="account 'talent'"):  # it has no app
            PublisherSettings(
                api_tokens=TOKENS,
                accounts_json=TWO_ACCOUNTS.replace('"talent",', '"talent", "channel": "wechat",'),
                wechat_app_id="wx-default",
                wechat_app_secret=SECRET,
            )


class TestScheduling:
    async def test_two_accounts_at_the_same_instant_each_take_their_own_seat(self) -> None:
        pub = Publisher()
        tax = await pub.approve(approval("d-tax"))
        talent = await pub.approve(approval("d-talent", account="talent"))
        tax_2 = await pub.approve(approval("d-tax-2"))
        assert (tax.account, talent.account, tax_2.account) == ("default", "talent", "default")
        assert tax.slot_key == talent.slot_key == MONDAY_KEY
        assert tax_2.slot_at == WEDNESDAY  # the default's Monday is full, not the talent's
        assert pub.view.seats.holders("talent") == {MONDAY_KEY: talent.post_id}
        assert pub.view.seats.holders("default")[MONDAY_KEY] == tax.post_id
        jobs = pub.view.jobs.jobs
        assert jobs[publish_job_key(talent.post_id, 1, "talent")]["kind"] == "publish:talent"
        assert jobs[publish_job_key(tax.post_id, 1)]["kind"] == "publish"

    async def test_an_accounts_own_calendar_and_capacity_place_its_posts(self) -> None:
        pub = Publisher(
            accounts(
                {
                    "id": "talent",
                    "slot_weekdays": "tue,thu",
                    "slot_times": "08:00",
                    "posts_per_slot": 2,
                }
            )
        )
        first, second, third = [
            await pub.approve(approval(f"d-{i}", account="talent", slot=None)) for i in range(3)
        ]
        assert [p.slot_at for p in (first, second)] == [TUESDAY_8, TUESDAY_8]
        assert third.slot_at == TUESDAY_8 + timedelta(days=2)  # Thursday 08:00
        assert {first.seat, second.seat} == {0, 1}

    async def test_a_version_1_approval_belongs_to_the_default_account(self) -> None:
        pub = Publisher()
        post = await pub.approve(approval("d-old", account="talent", version=1))
        assert post.account == "default"  # version 1 knew no accounts, whatever it carries
        assert post.job_key == "publish-post:p-d-old-r1:1"

    async def test_a_version_1_newer_revision_follows_its_drafts_account(self) -> None:
        pub = Publisher()
        first = await pub.approve(approval("d-hr", account="talent"))
        second = await pub.approve(approval("d-hr", revision=2, version=1))
        assert second.account == "talent"
        assert second.slot_key == MONDAY_KEY  # the talent's seat the first one gave back
        assert pub.post(first.post_id).state is PostState.CANCELLED
        [superseded] = pub.uow.emitted("post.failed")
        assert superseded.account == "talent"

    async def test_a_version_2_approval_naming_another_account_than_the_drafts_is_poison(
        self,
    ) -> None:
        pub = Publisher()
        await pub.approve(approval("d-hr", account="talent"))
        before = pub.view.posts.snapshot(), pub.view.seats.snapshot()
        with pytest.raises(PoisonMessage) as caught:
            await pub.approve(approval("d-hr", revision=2, account="default"))
        assert caught.value.reason == "account_mismatch"
        assert (pub.view.posts.snapshot(), pub.view.seats.snapshot()) == before

    async def test_an_approval_of_an_account_the_deployment_lacks_is_poison(self) -> None:
        pub = Publisher()
        with pytest.raises(PoisonMessage) as caught:
            await pub.approve(approval("d-x", account="elsewhere"))
        assert caught.value.reason == "unknown_account"
        assert pub.view.posts.stored == {}


class TestPublishing:
    async def test_a_post_goes_out_on_its_accounts_channel_with_its_account(self) -> None:
        pub = Publisher()
        tax = await pub.approve(approval("d-tax"))
        talent = await pub.approve(approval("d-talent", account="talent"))
        pub.clock.set(MONDAY)
        for post in (talent, tax):
            claim = pub.view.jobs.claim(str(post.job_key))
            await publish_due_post(claim, deps=pub.deps)
        assert pub.channels["talent"].published == {talent.post_id: 1}
        assert pub.channels["default"].published == {tax.post_id: 1}
        events = {e.payload.post_id: e.account for e in pub.uow.emitted("post.published")}  # type: ignore[attr-defined]
        assert events == {tax.post_id: "default", talent.post_id: "talent"}
        counted = {
            sample.labels["account"]: sample.value
            for metric in pub.deps.metrics.published_by_account.collect()
            for sample in metric.samples
            if sample.name.endswith("_total")
        }
        assert counted == {"default": 1.0, "talent": 1.0}

    async def test_a_hold_stops_only_its_accounts_posts(self) -> None:
        pub = Publisher()
        tax = await pub.approve(approval("d-tax"))
        talent = await pub.approve(approval("d-talent", account="talent"))
        result = await hold_calendar(
            HoldChange("audit", account="talent"), deps=pub.deps, actor=RITA
        )
        assert result.held
        pub.clock.set(MONDAY)
        for post in (talent, tax):
            claim = pub.view.jobs.claim(str(post.job_key))
            await publish_due_post(claim, deps=pub.deps)
        assert pub.post(tax.post_id).state is PostState.PUBLISHED
        assert pub.post(talent.post_id).state is PostState.SCHEDULED  # held, retried later
        assert pub.channels["talent"].published == {}

    async def test_a_hold_of_an_unknown_account_is_refused(self) -> None:
        pub = Publisher()
        with pytest.raises(UnknownAccount):
            await hold_calendar(HoldChange("x", account="nope"), deps=pub.deps, actor=RITA)

    async def test_a_post_is_rescheduled_within_its_accounts_calendar(self) -> None:
        pub = Publisher(TWO_ACCOUNTS)
        talent = await pub.approve(approval("d-talent", account="talent", slot=None))
        assert talent.slot_at == TUESDAY_8
        with pytest.raises(Exception, match="slot"):  # Wednesday 11:30 is not talent's
            await reschedule_post(
                ReschedulePost(talent.post_id, WEDNESDAY), deps=pub.deps, actor=RITA
            )
        thursday = TUESDAY_8 + timedelta(days=2)
        moved = await reschedule_post(
            ReschedulePost(talent.post_id, thursday), deps=pub.deps, actor=RITA
        )
        assert moved.job_key == f"publish-post:talent:{talent.post_id}:2"
        assert pub.view.seats.holders("talent") == {moved.slot_key: talent.post_id}


def test_a_webhook_receiver_tells_the_accounts_apart() -> None:
    request = PublishRequest(
        post_id="p-1",
        draft_id="d-1",
        account="talent",
        title="t",
        body_html="<p>b</p>",
        author="a",
        content_hash="0" * 64,
        slot_key=MONDAY_KEY,
    )
    assert request.model_dump(mode="json")["account"] == "talent"
