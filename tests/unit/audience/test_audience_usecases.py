"""The audience use cases against in-memory fakes: pushes, rules, menu, back-fill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.audience.domain.menu import Button, ButtonType, Menu
from services.audience.domain.replies import KeywordRule, MatchMode, Reply, ReplyKind
from services.audience.errors import InvalidExpiry, InvalidMenu, TooManyRules
from services.audience.posters.render import DEFAULT_FONTS
from services.audience.usecases.backfill import Run, run_backfill, start_backfill
from services.audience.usecases.branches import (
    BranchSpec,
    CampaignSpec,
    branch_poster,
    create_branch,
    create_campaign,
)
from services.audience.usecases.menu import publish_menu, save_menu
from services.audience.usecases.receive_push import Outcome, receive_push
from services.audience.usecases.reconcile import reconcile
from services.audience.usecases.rules import create_rule, delete_rule, set_defaults
from shared.settings import Principal, Role
from shared.wechat import PushMessage
from shared.wechat.followers import FollowerInfo, UserCumulateRow, UserSummaryRow
from tests.unit.audience.fakes import START, fake_audience

ACTOR = Principal(subject="liu", roles=frozenset({Role.DIRECTOR}))
T0 = int(START.timestamp())


def event(kind: str, sender: str, at: int, key: str | None = None) -> PushMessage:
    fields = {"EventKey": key} if key is not None else {}
    return PushMessage("gh", sender, at, "event", event=kind, fields=fields)


def text(msg_id: str, content: str, sender: str = "o-1") -> PushMessage:
    return PushMessage("gh", sender, T0, "text", content=content, msg_id=msg_id)


def keyword(word: str, answer: str, mode: MatchMode = MatchMode.CONTAINS) -> KeywordRule:
    return KeywordRule("", word, mode, Reply(ReplyKind.TEXT, text=answer))


async def test_a_repeated_subscribe_is_recorded_and_published_once() -> None:
    fake = fake_audience()
    push = event("subscribe", "o-1", T0, "qrscene_branch:pudong")
    first = await receive_push(push, deps=fake.deps)
    again = await receive_push(push, deps=fake.deps)
    assert (first.outcome, again.outcome) == (Outcome.RECORDED, Outcome.DUPLICATE)
    [published] = fake.uow.emitted("follower.subscribed")
    assert published.payload.branch_code == "pudong"  # type: ignore[attr-defined]
    assert [c.change.value for c in fake.view.followers.changes] == ["subscribed"]


async def test_a_scan_from_a_follower_publishes_nothing_and_an_unsubscribe_keeps_the_branch() -> (
    None
):
    fake = fake_audience()
    await receive_push(event("subscribe", "o-1", T0, "qrscene_branch:pudong"), deps=fake.deps)
    await receive_push(event("SCAN", "o-1", T0 + 5, "campaign:fair"), deps=fake.deps)
    await receive_push(event("unsubscribe", "o-1", T0 + 9), deps=fake.deps)
    assert len(fake.uow.emitted("follower.subscribed")) == 1
    [left] = fake.uow.emitted("follower.unsubscribed")
    assert left.payload.branch_code == "pudong"  # type: ignore[attr-defined]
    assert fake.view.followers.rows[("default", "o-1")].scans == 1


async def test_a_branch_greets_its_followers_and_others_get_the_default_greeting() -> None:
    fake = fake_audience()
    await create_branch(
        BranchSpec("pudong", "浦东", "王", 10, greeting="欢迎浦东同事"), deps=fake.deps, actor=ACTOR
    )
    await set_defaults(
        None, Reply(ReplyKind.TEXT, text="欢迎关注"), account="default", deps=fake.deps, actor=ACTOR
    )
    ours = await receive_push(
        event("subscribe", "o-1", T0, "qrscene_branch:pudong"), deps=fake.deps
    )
    other = await receive_push(event("subscribe", "o-2", T0), deps=fake.deps)
    assert ours.reply is not None
    assert ours.reply.text == "欢迎浦东同事"
    assert other.reply is not None
    assert other.reply.text == "欢迎关注"
    assert fake.wechat.qrcodes == [("branch:pudong", None)]


async def test_a_keyword_is_answered_and_only_questions_or_unmatched_reach_feedback() -> None:
    fake = fake_audience()
    await create_rule(keyword("发票", "请在菜单开票"), deps=fake.deps, actor=ACTOR)
    thanks = await receive_push(text("1", "发票收到了"), deps=fake.deps)
    asked = await receive_push(text("2", "发票怎么开？"), deps=fake.deps)
    resent = await receive_push(text("2", "发票怎么开？"), deps=fake.deps)
    other = await receive_push(text("3", "好的"), deps=fake.deps)
    assert thanks.reply is not None
    assert thanks.reply.text == "请在菜单开票"
    assert not thanks.handed_to_feedback
    assert asked.handed_to_feedback
    assert resent.outcome is Outcome.DUPLICATE
    assert resent.reply == asked.reply
    assert other.reply is None  # no default reply set
    handed = fake.uow.emitted("feedback.received")
    assert [e.payload.source_id for e in handed] == ["2", "3"]  # type: ignore[attr-defined]


async def test_a_rule_edit_reaches_the_matcher_at_once_and_the_table_is_bounded() -> None:
    fake = fake_audience(max_rules=1)
    created = await create_rule(keyword("wifi", "密码 1234"), deps=fake.deps, actor=ACTOR)
    assert (await receive_push(text("1", "WiFi?"), deps=fake.deps)).reply is not None
    with pytest.raises(TooManyRules):
        await create_rule(keyword("vip", "x"), deps=fake.deps, actor=ACTOR)
    await delete_rule(created.rule_id, deps=fake.deps, actor=ACTOR)
    assert (await receive_push(text("2", "WiFi?"), deps=fake.deps)).reply is None
    assert [e.action for e in fake.view.audit.entries] == ["rule.create", "rule.delete"]


async def test_a_menu_click_is_counted_once_and_answered_by_its_keyword() -> None:
    fake = fake_audience()
    await create_rule(keyword("LATEST", "最新文章", MatchMode.EXACT), deps=fake.deps, actor=ACTOR)
    click = event("CLICK", "o-1", T0, "LATEST")
    answer = await receive_push(click, deps=fake.deps)
    await receive_push(click, deps=fake.deps)
    assert answer.reply is not None
    assert answer.reply.text == "最新文章"
    assert list(fake.view.pushes.clicks.values()) == [1]


async def test_a_menu_is_refused_before_sending_and_an_earlier_version_rolls_back() -> None:
    fake = fake_audience()
    with pytest.raises(InvalidMenu) as refused:
        await save_menu(Menu(()), account="default", note="", deps=fake.deps, actor=ACTOR)
    assert refused.value.errors == [{"field": "buttons", "message": "1 to 3 buttons"}]
    one = await save_menu(
        Menu((Button("甲", ButtonType.CLICK, key="A"),)),
        account="default",
        note="",
        deps=fake.deps,
        actor=ACTOR,
    )
    two = await save_menu(
        Menu((Button("乙", ButtonType.CLICK, key="B"),)),
        account="default",
        note="",
        deps=fake.deps,
        actor=ACTOR,
    )
    await publish_menu(two, account="default", deps=fake.deps, actor=ACTOR)
    await publish_menu(one, account="default", deps=fake.deps, actor=ACTOR)
    assert [m[0]["key"] for m in fake.wechat.menus] == ["B", "A"]
    assert fake.view.menus.current_version == one
    assert fake.view.audit.entries[-1].action == "menu.rollback"


async def test_the_backfill_stops_on_a_wechat_failure_and_resumes_from_its_cursor() -> None:
    fake = fake_audience(backfill_chunk=2)
    fake.wechat.page_size = 3
    fake.wechat.followers_list = [
        FollowerInfo(f"o-{i}", True, T0 - 86_400, "ADD_SCENE_QR_CODE", "branch:pudong")
        for i in range(5)
    ]
    fake.wechat.fail_info_after = 3
    await start_backfill(account="default", deps=fake.deps, actor=ACTOR)
    assert await run_backfill(account="default", deps=fake.deps) is Run.STOPPED
    assert len(fake.view.followers.rows) == 3
    await start_backfill(account="default", deps=fake.deps, actor=ACTOR)
    assert await run_backfill(account="default", deps=fake.deps) is Run.DONE
    assert fake.wechat.info_calls == 5  # nobody looked up twice
    assert len(fake.uow.emitted("follower.subscribed")) == 5
    assert {f.attribution.branch_code for f in fake.view.followers.rows.values()} == {"pudong"}


async def test_a_paused_backfill_goes_on_where_it_paused() -> None:
    fake = fake_audience(backfill_chunk=1)
    fake.wechat.followers_list = [FollowerInfo(f"o-{i}", True, T0, None, None) for i in range(3)]
    await start_backfill(account="default", deps=fake.deps, actor=ACTOR)
    assert await run_backfill(account="default", deps=fake.deps, max_chunks=2) is Run.PAUSED
    assert await run_backfill(account="default", deps=fake.deps) is Run.DONE
    assert fake.wechat.info_calls == 3


async def test_a_backfill_held_by_another_replica_is_left_to_it() -> None:
    fake = fake_audience()
    fake.wechat.followers_list = [FollowerInfo("o-1", True, T0, None, None)]
    await start_backfill(account="default", deps=fake.deps, actor=ACTOR)
    now = datetime.now(UTC)
    assert await fake.view.backfill.claim(
        "default", "other", now=now, until=now + timedelta(minutes=1)
    )
    assert await run_backfill(account="default", deps=fake.deps) is Run.IDLE
    assert fake.wechat.info_calls == 0
    await fake.view.backfill.claim("default", "other", now=now, until=now)  # its lease runs out
    assert await run_backfill(account="default", deps=fake.deps) is Run.DONE
    assert fake.wechat.info_calls == 1


async def test_reconciliation_keeps_wechats_numbers_beside_ours() -> None:
    fake = fake_audience()
    await receive_push(event("subscribe", "o-1", T0 - 86_400), deps=fake.deps)
    yesterday = fake.deps.china_day() - timedelta(days=1)
    fake.wechat.summary = [UserSummaryRow(yesterday, 0, 1, 0), UserSummaryRow(yesterday, 30, 2, 1)]
    fake.wechat.cumulate = [UserCumulateRow(yesterday, 7)]
    days = await reconcile(account="default", deps=fake.deps)
    [day] = [d for d in days if d.day == yesterday]
    assert (day.wechat.new, day.wechat.cancelled, day.wechat.total) == (3, 1, 7)
    assert (day.ours.new, day.ours.total) == (1, 1)
    assert (day.new_difference, day.total_difference) == (-2, -6)
    assert len(days) == 7


async def test_a_campaign_code_expires_in_the_future_within_thirty_days() -> None:
    fake = fake_audience()
    for days in (-1, 31):
        spec = CampaignSpec("fair", "招聘会", START + timedelta(days=days))
        with pytest.raises(InvalidExpiry) as refused:
            await create_campaign(spec, deps=fake.deps, actor=ACTOR)
        assert refused.value.errors[0]["field"] == "expires_at"
    await create_campaign(
        CampaignSpec("fair", "招聘会", START + timedelta(days=3)), deps=fake.deps, actor=ACTOR
    )
    assert fake.wechat.qrcodes == [("campaign:fair", 3 * 86_400)]


@pytest.mark.skipif(not any(Path(p).is_file() for p in DEFAULT_FONTS), reason="no CJK font")
async def test_a_branch_poster_is_a_png_and_a_pdf() -> None:
    fake = fake_audience()
    await create_branch(BranchSpec("pudong", "浦东分公司", "王", 10), deps=fake.deps, actor=ACTOR)
    poster = await branch_poster("pudong", account="default", deps=fake.deps)
    assert poster.png.startswith(b"\x89PNG")
    assert poster.pdf.startswith(b"%PDF")
