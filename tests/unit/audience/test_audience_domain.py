"""The audience service's pure rules: scenes, followers, the matcher, the menu's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from services.audience.domain.followers import (
    Change,
    on_scan,
    on_subscribe,
    on_unsubscribe,
    push_key,
)
from services.audience.domain.matcher import Matcher
from services.audience.domain.menu import Button, ButtonType, Menu, menu_problems
from services.audience.domain.questions import is_question
from services.audience.domain.reconcile import DayCount, reconcile_day
from services.audience.domain.replies import ActiveHours, KeywordRule, MatchMode, Reply, ReplyKind
from services.audience.domain.scenes import Attribution, attribute, scene_of_event_key
from shared.events import FollowerSource

AT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
BRANCH = Attribution(FollowerSource.BRANCH, branch_code="pudong", scene="branch:pudong")


def rule(keyword: str, mode: MatchMode = MatchMode.CONTAINS, **kw: object) -> KeywordRule:
    reply = Reply(ReplyKind.TEXT, text=f"re:{keyword}")
    return KeywordRule(rule_id=keyword, keyword=keyword, mode=mode, reply=reply, **kw)  # type: ignore[arg-type]


def test_scenes_come_from_the_event_key_of_subscribe_and_scan_only() -> None:
    assert scene_of_event_key("subscribe", "qrscene_branch:pudong") == "branch:pudong"
    assert scene_of_event_key("SCAN", "branch:pudong") == "branch:pudong"
    assert scene_of_event_key("subscribe", "") is None
    assert scene_of_event_key("subscribe", "branch:pudong") is None  # no qrscene_ prefix
    assert scene_of_event_key("CLICK", "LATEST") is None


def test_attribution_names_our_branch_or_campaign_else_wechats_source() -> None:
    assert attribute("branch:pudong") == BRANCH
    assert attribute("campaign:fair").campaign_code == "fair"
    assert attribute("someone-elses-code").source is FollowerSource.QR_OTHER
    assert attribute("branch:bad code!").source is FollowerSource.QR_OTHER
    assert attribute(None, "ADD_SCENE_SEARCH").source is FollowerSource.SEARCH
    assert attribute("", "ADD_SCENE_PROFILE_LINK").source is FollowerSource.ARTICLE
    assert attribute(None, None).source is FollowerSource.OTHER


def test_a_subscribe_from_a_follower_changes_nothing_and_a_return_is_counted() -> None:
    new, change = on_subscribe(None, "o-1", BRANCH, AT)
    assert change is Change.SUBSCRIBED
    again, change = on_subscribe(new, "o-1", attribute(None, "ADD_SCENE_SEARCH"), AT)
    assert (again, change) == (new, Change.UNCHANGED)
    gone, change = on_unsubscribe(new, "o-1", AT)
    assert change is Change.UNSUBSCRIBED
    assert gone.attribution == BRANCH  # losses count against the branch
    assert on_unsubscribe(gone, "o-1", AT)[1] is Change.UNCHANGED
    back, change = on_subscribe(gone, "o-1", attribute("campaign:fair"), AT)
    assert change is Change.RETURNED
    assert (back.subscriptions, back.attribution.campaign_code) == (2, "fair")


def test_a_scan_is_never_a_new_follower() -> None:
    follower, _ = on_subscribe(None, "o-1", BRANCH, AT)
    scanned = on_scan(follower, "o-1", AT)
    assert (scanned.scans, scanned.subscriptions, scanned.attribution) == (1, 1, BRANCH)
    unknown = on_scan(None, "o-2", AT)
    assert unknown.subscribed_at is None  # not counted as joining now


def test_the_natural_key_of_a_push() -> None:
    assert push_key(msg_id="42", from_user="o", create_time=1, event=None) == "msg:42"
    assert push_key(msg_id=None, from_user="o", create_time=1, event="SCAN") == "evt:o:1:SCAN"


def test_the_best_rule_wins_by_priority_then_exact_then_length() -> None:
    matcher = Matcher.compile(
        [
            rule("发票"),
            rule("开发票", priority=0),
            rule("发票", mode=MatchMode.EXACT),
            rule("退款", priority=9),
            rule("禁用", enabled=False),
        ]
    )
    assert matcher.match("发票", time(10)) == rule("发票", mode=MatchMode.EXACT)
    assert matcher.match("怎么开发票", time(10)) == rule("开发票")
    assert matcher.match("开发票和退款", time(10)) == rule("退款", priority=9)
    assert matcher.match("禁用", time(10)) is None
    assert matcher.size == 4


def test_matching_ignores_width_and_case_and_respects_china_hours() -> None:
    night = ActiveHours(time(22), time(8))
    matcher = Matcher.compile([rule("wifi", hours=night), rule("ＶＩＰ")])
    assert matcher.match("ＷｉＦｉ密码", time(23)) == rule("wifi", hours=night)
    assert matcher.match("WIFI", time(7, 59)) is not None
    assert matcher.match("wifi", time(12)) is None
    assert matcher.match("我是vip", time(12)) == rule("ＶＩＰ")


def test_ten_thousand_rules_answer_fast() -> None:
    import time as clock

    rules = [rule(f"关键词{i}") for i in range(5000)] + [
        rule(f"问题{i}", mode=MatchMode.EXACT) for i in range(5000)
    ]
    matcher = Matcher.compile(rules)
    started = clock.perf_counter()
    for i in range(200):
        assert matcher.match(f"请问关键词{i}是什么意思，谢谢", time(10)) is not None
    assert (clock.perf_counter() - started) / 200 < 0.01


def test_questions_are_recognised() -> None:
    assert is_question("发票怎么开")
    assert is_question("周末上班吗")
    assert is_question("能开专票?")
    assert not is_question("谢谢，收到了")


def test_the_menu_is_checked_against_wechats_limits() -> None:
    ok = Menu(
        (
            Button("最新", ButtonType.CLICK, key="LATEST"),
            Button(
                "服务",
                sub_buttons=(
                    Button(
                        "小程序", ButtonType.MINIPROGRAM, url="https://a", appid="w", pagepath="p"
                    ),
                ),
            ),
        )
    )
    assert menu_problems(ok) == []
    bad = Menu(
        (
            Button("一二三四五六", ButtonType.CLICK, key="K"),
            Button(
                "组",
                sub_buttons=tuple(
                    Button(f"{i}", ButtonType.VIEW, url="https://a") for i in range(6)
                ),
            ),
            Button("小程序", ButtonType.MINIPROGRAM, url="https://a"),
            Button("多", ButtonType.CLICK, key="K"),
        )
    )
    fields = {p.field for p in menu_problems(bad)}
    assert fields == {
        "buttons",
        "buttons[0].name",
        "buttons[1].sub_buttons",
        "buttons[2].appid",
        "buttons[2].pagepath",
    }
    assert [p.field for p in menu_problems(Menu((Button("a", ButtonType.VIEW, url="ftp:x"),)))] == [
        "buttons[0].url"
    ]


def test_a_reconciliation_shows_the_difference() -> None:
    day = reconcile_day(date(2026, 11, 22), DayCount(5, 1, 100), DayCount(4, 1, 98))
    assert (day.new_difference, day.cancelled_difference, day.total_difference) == (-1, 0, -2)
    assert not day.matches
    assert reconcile_day(date(2026, 11, 22), DayCount(1, 0, None), DayCount(1, 0, 3)).matches


def test_the_audience_events_read_versions_1_and_2_and_refuse_others() -> None:
    import pytest
    from pydantic import ValidationError

    from shared.events import EVENT_TYPES
    from tests.support.audience_events import AUDIENCE_EVENTS, audience_sample

    for event_type in AUDIENCE_EVENTS:
        body = audience_sample(event_type, "c-1", AT).model_dump(mode="json")
        assert EVENT_TYPES[event_type].model_validate(body).schema_version == 2
        older = EVENT_TYPES[event_type].model_validate({**body, "schema_version": 1})
        assert (older.schema_version, older.account) == (1, "default")
        with pytest.raises(ValidationError):
            EVENT_TYPES[event_type].model_validate({**body, "schema_version": 99})
        talent = audience_sample(event_type, "c-2", AT, account="talent").model_dump(mode="json")
        assert EVENT_TYPES[event_type].model_validate(talent).account == "talent"
        # Version 1 knew no accounts: whatever it carries, it is the default account's.
        as_v1 = EVENT_TYPES[event_type].model_validate({**talent, "schema_version": 1})
        assert as_v1.account == "default"
