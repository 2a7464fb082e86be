"""Accounts (#12) in the audience service, on in-memory fakes: what became per account.

Branches and their codes, followers, pushes, rules and greetings, menus, the back-fill
and the reconciliation belong to one account; WeChat is called with the account's own
credentials; a principal holding a role on one account only cannot change another's.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from services.audience.domain.accounts import poster_name, scoped_key
from services.audience.domain.followers import push_key
from services.audience.domain.menu import Button, ButtonType, Menu
from services.audience.domain.replies import KeywordRule, MatchMode, Reply, ReplyKind
from services.audience.errors import AlreadyExists, WeChatNotConfigured
from services.audience.posters import Poster
from services.audience.settings import AudienceSettings
from services.audience.usecases import branches as branch_cases
from services.audience.usecases.backfill import (
    Run,
    run_backfill,
    run_backfill_loop,
    start_backfill,
)
from services.audience.usecases.branches import BranchSpec, branch_poster, create_branch
from services.audience.usecases.menu import publish_menu, save_menu
from services.audience.usecases.receive_push import receive_push
from services.audience.usecases.reconcile import reconcile, run_reconcile_loop
from services.audience.usecases.rules import create_rule, set_defaults, update_rule
from shared.accounts import AccountSpec, UnknownAccount
from shared.http import ProblemError
from shared.settings import Principal, Role
from shared.wechat import PushMessage, WeChatError
from shared.wechat.followers import FollowerInfo, UserCumulateRow, UserSummaryRow
from tests.support.accounts import TWO_ACCOUNTS
from tests.unit.audience.fakes import START, TOKENS, FakeAudience, FakeWeChatApi, fake_audience

DIRECTOR = Principal(subject="liu", roles=frozenset({Role.DIRECTOR}))
DIRECTOR_A = Principal(subject="dai", roles=frozenset({Role.DIRECTOR}), accounts={"default"})
EDITOR_A = Principal(subject="ann", roles=frozenset({Role.EDITOR}), accounts={"default"})
EDITOR_B = Principal(subject="tina", roles=frozenset({Role.EDITOR}), accounts={"talent"})
T0 = int(START.timestamp())


def two() -> FakeAudience:
    return fake_audience(accounts_json=TWO_ACCOUNTS)


def event(kind: str, sender: str, at: int, key: str | None = None) -> PushMessage:
    fields = {"EventKey": key} if key is not None else {}
    return PushMessage("gh", sender, at, "event", event=kind, fields=fields)


def text(msg_id: str, content: str, sender: str = "o-1") -> PushMessage:
    return PushMessage("gh", sender, T0, "text", content=content, msg_id=msg_id)


def keyword(word: str, answer: str, account: str) -> KeywordRule:
    reply = Reply(ReplyKind.TEXT, text=answer)
    return KeywordRule("", word, MatchMode.CONTAINS, reply, account=account)


# -- pure rules ---------------------------------------------------------------------------
def test_the_default_account_keeps_its_keys_and_another_accounts_keys_carry_its_id() -> None:
    assert scoped_key("default", "sh") == "sh"  # nothing written before accounts re-keyed
    assert scoped_key("talent", "sh") == "talent/sh"
    one = push_key(msg_id="42", from_user="o", create_time=1, event=None)
    other = push_key(msg_id="42", from_user="o", create_time=1, event=None, account="talent")
    assert one == "msg:42"
    assert other != one  # the same MsgId in another account is another push


def test_a_poster_shows_the_accounts_name_and_the_default_keeps_its_setting() -> None:
    assert poster_name(AccountSpec(id="talent", name="融智人才"), "公众号") == "融智人才"
    assert poster_name(AccountSpec(id="talent", name_en="Talent"), "公众号") == "Talent"
    assert poster_name(AccountSpec(id="default"), "示例公众号") == "示例公众号"
    assert poster_name(AccountSpec(id="default", name="融智财税"), "示例公众号") == "融智财税"


# -- credentials ----------------------------------------------------------------------------
def test_each_account_calls_wechat_with_its_own_app_and_the_default_keeps_its_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts = '[{"id": "default"}, {"id": "talent", "wechat_app_id": "wx-talent"}, {"id": "shop"}]'
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", "talent-app-secret-1")
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_TOKEN", "talent-push-token-1")
    settings = AudienceSettings(
        api_tokens=TOKENS,
        accounts_json=accounts,
        wechat_app_id="wx-default",
        wechat_app_secret=SecretStr("default-app-secret-1"),
        wechat_token=SecretStr("default-push-token-1"),
    )
    default = settings.app_credentials("default")
    talent = settings.app_credentials("talent")
    assert default is not None
    assert talent is not None
    assert (default.app_id, default.app_secret.get_secret_value()) == (
        "wx-default",
        "default-app-secret-1",
    )
    assert (talent.app_id, talent.app_secret.get_secret_value()) == (
        "wx-talent",
        "talent-app-secret-1",
    )
    assert "talent-app-secret-1" not in repr(talent)  # never shown in a log
    assert settings.app_credentials("shop") is None  # no app: WeChat's API off for it
    push = settings.push_credentials("talent")
    assert push is not None
    assert push.token.get_secret_value() == "talent-push-token-1"
    assert settings.push_credentials("shop") is None
    default_push = settings.push_credentials("default")
    assert default_push is not None
    assert default_push.token.get_secret_value() == "default-push-token-1"
    with pytest.raises(UnknownAccount):
        settings.app_credentials("nobody")


def test_an_accounts_incomplete_encrypted_mode_or_placeholder_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = AudienceSettings(
        api_tokens=TOKENS, accounts_json='[{"id": "default"}, {"id": "talent"}]'
    )
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_TOKEN", "talent-push-token-1")
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_AES_KEY", "k" * 43)
    with pytest.raises(ValueError, match="talent"):
        settings.push_credentials("talent")  # the encrypted mode needs the app id
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_AES_KEY", "too-short")
    with pytest.raises(ValueError, match="43"):
        settings.push_credentials("talent")
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", "changeme")
    with pytest.raises(ValueError, match="real secret"):
        settings.app_credentials("talent")


# -- branches ----------------------------------------------------------------------------
async def test_the_same_branch_code_in_two_accounts_stays_two_branches_each_with_its_code() -> None:
    fake = two()
    ours = await create_branch(
        BranchSpec("sh", "上海", "王", 10, greeting="欢迎财税同事"), deps=fake.deps, actor=DIRECTOR
    )
    theirs = await create_branch(
        BranchSpec("sh", "上海人才", "李", 20, greeting="欢迎人才同事", account="talent"),
        deps=fake.deps,
        actor=DIRECTOR,
    )
    with pytest.raises(AlreadyExists):
        await create_branch(
            BranchSpec("sh", "again", "x", 1, account="talent"), deps=fake.deps, actor=DIRECTOR
        )
    assert (ours.account, theirs.account) == ("default", "talent")
    assert len(fake.view.branches.rows) == 2
    assert (await fake.deps.branches.get("talent", "sh")) == theirs
    # Each code was asked of the account's own app, so its scans reach that account.
    assert fake.apis["default"].qrcodes == [("branch:sh", None)]
    assert fake.apis["talent"].qrcodes == [("branch:sh", None)]
    saved = fake.uow.emitted("branch.saved")
    assert [(e.account, e.payload.target) for e in saved] == [("default", 10), ("talent", 20)]  # type: ignore[attr-defined]


async def test_a_branch_is_created_only_by_a_director_of_its_account() -> None:
    fake = two()
    with pytest.raises(ProblemError) as refused:
        await create_branch(
            BranchSpec("sh", "上海", "王", 1, account="talent"), deps=fake.deps, actor=DIRECTOR_A
        )
    assert refused.value.problem.status == 403
    with pytest.raises(UnknownAccount):
        await create_branch(
            BranchSpec("sh", "上海", "王", 1, account="nobody"), deps=fake.deps, actor=DIRECTOR
        )
    assert fake.view.branches.rows == {}
    assert fake.apis["talent"].qrcodes == []  # WeChat was not even asked
    assert fake.uow.emitted() == []


async def test_an_account_without_an_app_gets_no_code_and_the_other_is_not_held_up() -> None:
    fake = fake_audience(accounts_json=TWO_ACCOUNTS, wechat_accounts=["default"])
    with pytest.raises(WeChatNotConfigured, match="ACCOUNT_TALENT_WECHAT_APP_SECRET"):
        await create_branch(
            BranchSpec("sh", "上海", "王", 1, account="talent"), deps=fake.deps, actor=DIRECTOR
        )
    await create_branch(BranchSpec("sh", "上海", "王", 1), deps=fake.deps, actor=DIRECTOR)
    assert list(fake.view.branches.rows) == [("default", "sh")]


# -- pushes --------------------------------------------------------------------------------
async def test_a_subscribe_through_the_talent_code_is_a_talent_follower_greeted_by_its_branch() -> (
    None
):
    fake = two()
    for account, greeting in (("default", "欢迎财税同事"), ("talent", "欢迎人才同事")):
        await create_branch(
            BranchSpec("sh", "上海", "王", 10, greeting=greeting, account=account),
            deps=fake.deps,
            actor=DIRECTOR,
        )
    push = event("subscribe", "o-1", T0, "qrscene_branch:sh")
    answer = await receive_push(push, account="talent", deps=fake.deps)
    again = await receive_push(push, account="talent", deps=fake.deps)  # WeChat re-sends
    assert answer.reply is not None
    assert answer.reply.text == "欢迎人才同事"
    assert again.reply == answer.reply
    assert list(fake.view.followers.rows) == [("talent", "o-1")]
    [subscribed] = fake.uow.emitted("follower.subscribed")
    assert subscribed.account == "talent"
    assert subscribed.payload.branch_code == "sh"  # type: ignore[attr-defined]
    # The same openid's push to the default account is another account's follower.
    await receive_push(push, account="default", deps=fake.deps)
    assert set(fake.view.followers.rows) == {("talent", "o-1"), ("default", "o-1")}
    await receive_push(event("unsubscribe", "o-1", T0 + 9), account="talent", deps=fake.deps)
    [left] = fake.uow.emitted("follower.unsubscribed")
    assert left.account == "talent"
    assert fake.view.followers.rows[("default", "o-1")].subscribed


async def test_each_account_answers_with_its_own_rules_and_hands_enquiries_over_as_its_own() -> (
    None
):
    fake = two()
    await create_rule(keyword("发票", "财税：菜单开票", "default"), deps=fake.deps, actor=DIRECTOR)
    await create_rule(keyword("简历", "人才：投递简历", "talent"), deps=fake.deps, actor=DIRECTOR)
    await set_defaults(
        Reply(ReplyKind.TEXT, text="人才：稍后回复"),
        None,
        account="talent",
        deps=fake.deps,
        actor=DIRECTOR,
    )
    theirs = await receive_push(text("1", "简历发哪里？"), account="talent", deps=fake.deps)
    not_theirs = await receive_push(text("2", "发票"), account="talent", deps=fake.deps)
    ours = await receive_push(text("2", "发票"), account="default", deps=fake.deps)
    assert theirs.reply is not None
    assert theirs.reply.text == "人才：投递简历"
    assert not_theirs.reply is not None
    assert not_theirs.reply.text == "人才：稍后回复"  # the default rule does not answer talent
    assert ours.reply is not None
    assert ours.reply.text == "财税：菜单开票"
    assert ours.outcome.value == "recorded"  # MsgId 2 in default is not talent's MsgId 2
    handed = fake.uow.emitted("feedback.received")
    assert [(e.account, e.payload.source_id) for e in handed] == [("talent", "1"), ("talent", "2")]  # type: ignore[attr-defined]


async def test_a_rule_is_changed_only_by_an_editor_of_its_account_and_stays_unchanged() -> None:
    fake = two()
    with pytest.raises(ProblemError) as refused:
        await create_rule(keyword("简历", "x", "talent"), deps=fake.deps, actor=EDITOR_A)
    assert refused.value.problem.status == 403
    assert fake.view.rules.rows == {}
    theirs = await create_rule(keyword("简历", "人才", "talent"), deps=fake.deps, actor=EDITOR_B)
    with pytest.raises(ProblemError) as refused:
        await update_rule(
            theirs.rule_id, keyword("简历", "改了", "default"), deps=fake.deps, actor=EDITOR_A
        )
    assert refused.value.problem.status == 403
    assert fake.view.rules.rows[theirs.rule_id] == theirs
    changed = await update_rule(
        theirs.rule_id, keyword("简历", "人才二", "default"), deps=fake.deps, actor=EDITOR_B
    )
    assert changed.account == "talent"  # a replacement keeps the rule's account
    with pytest.raises(ProblemError):
        await set_defaults(None, None, account="talent", deps=fake.deps, actor=EDITOR_A)
    assert "talent" not in fake.view.rules.replies


# -- the menu ------------------------------------------------------------------------------
async def test_menu_versions_are_numbered_per_account_and_published_with_its_app() -> None:
    fake = two()
    menu = Menu((Button("简历", ButtonType.CLICK, key="CV"),))
    ours = await save_menu(menu, account="default", note="", deps=fake.deps, actor=DIRECTOR)
    theirs = await save_menu(menu, account="talent", note="", deps=fake.deps, actor=DIRECTOR)
    assert (ours, theirs) == (1, 1)
    with pytest.raises(ProblemError) as refused:
        await publish_menu(1, account="talent", deps=fake.deps, actor=DIRECTOR_A)
    assert refused.value.problem.status == 403
    assert fake.apis["talent"].menus == []
    await publish_menu(1, account="talent", deps=fake.deps, actor=DIRECTOR)
    assert fake.apis["talent"].menus == [[{"type": "click", "name": "简历", "key": "CV"}]]
    assert fake.apis["default"].menus == []
    assert await fake.deps.menus.current("talent") == 1
    assert await fake.deps.menus.current("default") is None
    await receive_push(event("CLICK", "o-1", T0, "CV"), account="talent", deps=fake.deps)
    assert list(fake.view.pushes.clicks) == [("talent", START.date().isoformat(), "click:CV")]


# -- back-fill and reconciliation ----------------------------------------------------------
async def test_each_account_backfills_its_own_followers_from_its_own_app() -> None:
    fake = two()
    fake.apis["talent"].followers_list = [
        FollowerInfo(f"t-{i}", True, T0 - 86_400, "ADD_SCENE_QR_CODE", "branch:sh")
        for i in range(3)
    ]
    fake.apis["default"].followers_list = [FollowerInfo("d-1", True, T0, None, None)]
    with pytest.raises(ProblemError):
        await start_backfill(account="talent", deps=fake.deps, actor=DIRECTOR_A)
    assert await fake.deps.backfill.state("talent") is None
    await start_backfill(account="talent", deps=fake.deps, actor=DIRECTOR)
    assert await run_backfill(account="default", deps=fake.deps) is Run.IDLE  # not started
    assert await run_backfill(account="talent", deps=fake.deps) is Run.DONE
    assert set(fake.view.followers.rows) == {("talent", f"t-{i}") for i in range(3)}
    assert fake.apis["default"].info_calls == 0
    events = fake.uow.emitted("follower.subscribed")
    assert {e.account for e in events} == {"talent"}
    assert len(events) == 3


async def test_each_account_is_reconciled_with_its_own_statistics() -> None:
    fake = two()
    await receive_push(event("subscribe", "o-1", T0 - 86_400), account="talent", deps=fake.deps)
    await receive_push(event("subscribe", "o-2", T0 - 86_400), account="default", deps=fake.deps)
    await receive_push(event("subscribe", "o-3", T0 - 86_400), account="default", deps=fake.deps)
    yesterday = fake.deps.china_day() - timedelta(days=1)
    fake.apis["talent"].summary = [UserSummaryRow(yesterday, 0, 1, 0)]
    fake.apis["talent"].cumulate = [UserCumulateRow(yesterday, 1)]
    days = await reconcile(account="talent", deps=fake.deps)
    [day] = [d for d in days if d.day == yesterday]
    assert day.account == "talent"
    assert (day.ours.new, day.ours.total) == (1, 1)  # the default's two are not counted
    assert day.matches
    assert set(fake.deps.reconciliations.rows) >= {("talent", yesterday)}  # type: ignore[attr-defined]


class StuckWeChatApi(FakeWeChatApi):
    """An account's WeChat that never answers ``user/info``."""

    async def follower_info(self, openid: str) -> FollowerInfo:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_one_accounts_stuck_wechat_does_not_hold_up_the_other_accounts_backfill() -> None:
    fake = fake_audience(accounts_json='[{"id": "talent"}, {"id": "default"}]')  # talent first
    stuck = StuckWeChatApi()
    stuck.followers_list = [FollowerInfo("t-1", True, T0, None, None)]
    fake.deps.wechat["talent"] = stuck  # type: ignore[index]
    fake.apis["default"].followers_list = [FollowerInfo("d-1", True, T0, None, None)]
    await start_backfill(account="talent", deps=fake.deps, actor=DIRECTOR)
    await start_backfill(account="default", deps=fake.deps, actor=DIRECTOR)
    loop = asyncio.create_task(run_backfill_loop(deps=fake.deps))
    try:
        for _ in range(2_000):  # generous: the default's one follower takes a few steps
            state = await fake.deps.backfill.state("default")
            if state and state["status"] == "done":
                break
            await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    assert state is not None
    assert state["status"] == "done"
    assert set(fake.view.followers.rows) == {("default", "d-1")}
    talent = await fake.deps.backfill.state("talent")
    assert talent is not None
    assert talent["status"] == "running"  # still waiting for its WeChat


async def test_a_poster_prints_the_name_of_the_branchs_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[dict[str, Any]] = []

    def render(**kwargs: Any) -> Poster:
        drawn.append(kwargs)
        return Poster(png=b"png", pdf=b"pdf")

    monkeypatch.setattr(branch_cases, "render_poster", render)
    fake = fake_audience(accounts_json=TWO_ACCOUNTS, account_name="示例公众号")
    for account in ("default", "talent"):
        await create_branch(
            BranchSpec("sh", "上海", "王", 1, account=account), deps=fake.deps, actor=DIRECTOR
        )
        await branch_poster("sh", account=account, deps=fake.deps)
    assert [d["account"] for d in drawn] == ["融智财税", "融智人才"]  # the names ACCOUNTS gives
    one = fake_audience(account_name="示例公众号")  # one account, no ACCOUNTS: as before
    await create_branch(BranchSpec("sh", "上海", "王", 1), deps=one.deps, actor=DIRECTOR)
    await branch_poster("sh", account="default", deps=one.deps)
    assert drawn[-1]["account"] == "示例公众号"


class FailingStatisticsApi(FakeWeChatApi):
    """An account whose WeChat refuses the statistics."""

    async def user_summary(self, begin: Any, end: Any) -> list[UserSummaryRow]:
        raise WeChatError(45009, "quota")


async def test_one_accounts_failing_statistics_leave_the_others_reconciliation_alone() -> None:
    fake = fake_audience(accounts_json='[{"id": "talent"}, {"id": "default"}]')
    fake.deps.wechat["talent"] = FailingStatisticsApi()  # type: ignore[index]
    rows = fake.deps.reconciliations.rows  # type: ignore[attr-defined]
    loop = asyncio.create_task(run_reconcile_loop(deps=fake.deps, check_seconds=0.01))
    try:
        for _ in range(2_000):
            if any(account == "default" for account, _ in rows):
                break
            await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    assert {account for account, _ in rows} == {"default"}
