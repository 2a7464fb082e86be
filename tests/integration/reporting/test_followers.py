"""Reporting consumes the audience service's follower events (issue #14) on the real broker
and store, once each, and answers the followers summary of a range."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from reporting_live import EDITOR, reporting, utc

from services.audience.queues import declare_follower_queues
from shared.events import (
    BranchSaved,
    BranchSavedPayload,
    EventEnvelope,
    FollowerSubscribed,
    FollowerSubscribedPayload,
    FollowerUnsubscribed,
    FollowerUnsubscribedPayload,
)
from shared.outbox import INBOX
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from tests.support.accounts import EDITOR_A, TWO_ACCOUNTS
from tests.support.backbone import emit, wait_for
from tests.support.metrics import metric_value
from tests.support.reporting_events import published
from tests.support.services import auth, running, settings_kwargs

pytestmark = pytest.mark.integration

NOW = utc(2026, 12, 9, 2, 0)  # Wed 10:00 China time: no timed run is due while tests run
MON = utc(2026, 11, 29, 16, 0)  # Mon 2026-11-30 00:00 China time: the week's first instant
H = timedelta(hours=1)
WEEK = "from=2026-11-30&to=2026-12-06"
DIRECTOR_TOKEN = "director-token-0000000001"  # a director of every account


def _common(at: datetime, cid: str) -> dict[str, object]:
    return {"occurred_at": at, "producer": "audience", "correlation_id": cid}


def subscribed(openid: str, at: datetime, source: str, branch: str | None) -> FollowerSubscribed:
    payload = FollowerSubscribedPayload.model_validate(
        {"openid": openid, "source": source, "branch_code": branch, "subscribed_at": at}
    )
    return FollowerSubscribed(payload=payload, **_common(at, openid))


def unsubscribed(
    openid: str, at: datetime, source: str, branch: str | None
) -> FollowerUnsubscribed:
    payload = FollowerUnsubscribedPayload.model_validate(
        {"openid": openid, "source": source, "branch_code": branch, "unsubscribed_at": at}
    )
    return FollowerUnsubscribed(payload=payload, **_common(at, openid))


def branch(code: str, name: str, target: int, at: datetime) -> BranchSaved:
    payload = BranchSavedPayload(
        code=code, name=name, administrator="王经理", target=target, saved_at=at
    )
    return BranchSaved(payload=payload, **_common(at, code))


async def test_follower_events_published_twice_are_counted_once_and_summarised(
    namespace: str, mongo_url: str
) -> None:
    post_at = MON + 34 * H  # Tue 10:00 China time
    events: list[EventEnvelope] = [
        branch("pudong", "浦东分公司", 4, MON - 48 * H),
        branch("xuhui", "徐汇分公司", 10, MON - 48 * H),
        subscribed("o-old", MON - 24 * H, "branch", "pudong"),  # before the week
        subscribed("o-1", MON + 2 * H, "branch", "pudong"),
        subscribed("o-2", MON + 3 * H, "branch", "pudong"),
        subscribed("o-3", MON + 4 * H, "branch", "xuhui"),
        subscribed("o-4", MON + 5 * H, "search", None),
        subscribed("o-5", MON + 6 * H, "campaign", None),
        unsubscribed("o-2", post_at + 2 * H, "branch", "pudong"),  # 2 h after the post
        unsubscribed("o-4", post_at + 30 * H, "search", None),  # past its 24 h
    ]
    renamed = branch("pudong", "浦东新区分公司", 5, MON - 24 * H)
    async with reporting(namespace, mongo_url, at=NOW) as svc:
        await svc.publish(published("p1", "hr", post_at, "年终福利"))
        await svc.publish(*events)
        await svc.publish(*events)  # every message again, same event ids: redelivered
        # the same subscription again under a new event id (another path, same change)
        await svc.publish(subscribed("o-1", MON + 2 * H, "branch", "pudong"))
        # a newer save of a branch, then the older one once more: the newer one stays
        await svc.publish(renamed)
        await svc.publish(branch("pudong", "浦东分公司", 4, MON - 48 * H))

        await svc.wait_count("follower_changes", 8)
        await svc.wait_count("posts", 1)

        # each distinct event id once in the inbox: the post, 10 events, 3 sent later
        await svc.wait_count(INBOX, 14)

        def duplicates(event: str) -> float:
            queue = f"{namespace}reporting.{event}"
            return metric_value(
                svc.runtime.registry, "contentops_duplicate_events_total", queue=queue
            )

        async def redeliveries_acked() -> bool:
            return (
                duplicates("follower.subscribed"),
                duplicates("follower.unsubscribed"),
                duplicates("branch.saved"),
            ) == (6, 2, 2)

        await wait_for(redeliveries_acked, timeout=30)
        assert await svc.count("follower_changes") == 8  # 6 subscriptions, 2 unsubscriptions
        assert await svc.count("followers") == 6
        assert await svc.count("followers", {"following": False}) == 2
        assert await svc.count("branches") == 2
        o2 = await svc.runtime.db["followers"].find_one({"_id": "o-2"})
        assert o2 is not None
        assert (o2["following"], o2["branch_code"]) == (False, "pudong")

        response = await svc.client.get(f"/followers/summary?{WEEK}", headers=EDITOR)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["subscribed"], body["unsubscribed"], body["net"]) == (5, 2, 3)
        rows = {b["code"]: b for b in body["branches"]}
        assert set(rows) == {"pudong", "xuhui"}
        pudong = rows["pudong"]
        assert (pudong["name"], pudong["target"]) == ("浦东新区分公司", 5)
        assert (pudong["subscribed"], pudong["unsubscribed"], pudong["net"]) == (2, 1, 1)
        # o-old, o-1 still follow; o-2 left: 2 of a target of 5
        assert (pudong["followers_at_end"], pudong["share_of_target"]) == (2, 0.4)
        xuhui = rows["xuhui"]
        assert (xuhui["net"], xuhui["followers_at_end"], xuhui["share_of_target"]) == (1, 1, 0.1)
        sources = {s["source"]: (s["subscribed"], s["unsubscribed"]) for s in body["sources"]}
        assert sources["branch"] == (3, 1)
        assert sources["search"] == (1, 1)
        assert sources["campaign"] == (1, 0)
        assert body["posts"] == [
            {
                "account": "default",
                "post_id": "p1",
                "title": "年终福利",
                "published_at": "2026-12-01T02:00:00Z",  # Tue 10:00 China time
                "unsubscribes_24h": 1,
                "window_complete": True,
                "unusual": False,  # one, against 2 unsubscribes in 7 days
            }
        ]


async def test_the_summary_needs_a_role_and_a_bounded_range(namespace: str, mongo_url: str) -> None:
    async with reporting(namespace, mongo_url, at=NOW) as svc:
        anonymous = await svc.client.get(f"/followers/summary?{WEEK}")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        for query, field in (
            ("from=2026-12-06&to=2026-11-30", "query.to"),  # ends before it starts
            ("from=2025-01-01&to=2026-11-30", "query.to"),  # over 400 days
            ("from=yesterday&to=2026-11-30", "query.from"),
            ("from=1999-12-31&to=2000-01-02", "query.from"),  # before the year 2000
            ("from=2026-11-30", "query.to"),
        ):
            response = await svc.client.get(f"/followers/summary?{query}", headers=EDITOR)
            assert response.status_code == 422, (query, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert {e["field"] for e in problem["errors"]} == {field}, query
            assert field in problem["detail"], query
        empty = await svc.client.get(f"/followers/summary?{WEEK}", headers=EDITOR)
        assert empty.status_code == 200
        body = empty.json()
        assert (body["subscribed"], body["branches"], body["posts"]) == (0, [], [])


async def test_the_audience_service_declares_reportings_queues_as_reporting_does(
    namespace: str, mongo_url: str
) -> None:
    """Both declare ``reporting.follower.*`` (audience so that events wait until reporting
    runs): the declarations must agree, or the broker refuses the second one."""
    audience = ServiceRuntime(
        ServiceSettings(service_name="audience", **settings_kwargs(namespace, mongo_url))
    )
    async with running(audience):
        await declare_follower_queues(audience, ["reporting"])
        await emit(audience, subscribed("o-early", MON, "search", None))  # before reporting runs
        async with reporting(namespace, mongo_url, at=NOW) as svc:
            await declare_follower_queues(audience, ["reporting"])  # again, reporting running
            await emit(audience, subscribed("o-late", MON + H, "article", None))
            await svc.wait_count("follower_changes", 2)
            assert await svc.count("followers") == 2


async def test_followers_of_two_accounts_are_kept_and_summarised_apart(
    namespace: str, mongo_url: str
) -> None:
    """The same branch code and openid in two accounts are two branches and two followers;
    a reader of one account sees its own only; a v1 event is the default account's."""

    def talent(event: EventEnvelope) -> EventEnvelope:
        return event.model_copy(update={"account": "talent"})

    old = subscribed("o-1", MON + H, "branch", "pudong")
    events: list[EventEnvelope] = [
        branch("pudong", "浦东分公司", 10, MON - 48 * H),
        talent(branch("pudong", "浦东人才站", 4, MON - 48 * H)),
        type(old).model_validate({**old.model_dump(), "schema_version": 1}),  # before accounts
        talent(subscribed("o-1", MON + 2 * H, "branch", "pudong")),
        talent(subscribed("o-2", MON + 3 * H, "search", None)),
        talent(unsubscribed("o-2", MON + 5 * H, "search", None)),
    ]
    async with reporting(namespace, mongo_url, at=NOW, accounts_json=TWO_ACCOUNTS) as svc:
        await svc.publish(*events)
        await svc.wait_count("follower_changes", 4)
        await svc.wait_count("branches", 2)
        assert await svc.count("followers", {"account": "default"}) == 1
        assert await svc.count("followers", {"account": "talent"}) == 2

        async def summary(query: str, token: str) -> dict[str, Any]:
            response = await svc.client.get(
                f"/followers/summary?{WEEK}{query}", headers=auth(token)
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        own = await summary("", EDITOR_A)
        assert own["accounts"] == ["default"]
        assert [(b["account"], b["name"], b["net"]) for b in own["branches"]] == [
            ("default", "浦东分公司", 1)
        ]
        assert (own["subscribed"], own["unsubscribed"]) == (1, 0)
        theirs = await summary("&account=talent", DIRECTOR_TOKEN)
        assert [(b["account"], b["name"], b["net"]) for b in theirs["branches"]] == [
            ("talent", "浦东人才站", 1)
        ]
        assert (theirs["subscribed"], theirs["unsubscribed"]) == (2, 1)
        both = await summary("", DIRECTOR_TOKEN)
        assert [(a["account"], a["net"]) for a in both["by_account"]] == [
            ("default", 1),
            ("talent", 1),
        ]
        assert (both["subscribed"], both["net"]) == (3, 2)
        refused = await svc.client.get(
            f"/followers/summary?{WEEK}&account=talent", headers=auth(EDITOR_A)
        )
        assert refused.status_code == 403
        unknown = await svc.client.get(
            f"/followers/summary?{WEEK}&account=nobody", headers=auth(DIRECTOR_TOKEN)
        )
        assert unknown.status_code == 404
