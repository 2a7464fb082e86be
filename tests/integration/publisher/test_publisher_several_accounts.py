"""Several official accounts in one publisher (#12), on the real broker and store.

* two accounts with slots at the same instant each publish their own post exactly once
  (two replicas, the real local channel, approvals through the broker);
* one account's WeChat failing, or slow, does not hold the other's post;
* every mutating route authorises on the post's (or the held calendar's) account;
* every list route keeps to the accounts the caller may read;
* a ``draft.approved`` of schema version 1 (before accounts) still lands in the default.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from publisher_support import (
    BEFORE_MONDAY,
    MONDAY,
    WEDNESDAY,
    Publisher,
    approval,
    running_publisher,
    version_1,
    wechat_publisher,
)

from services.publisher.bootstrap import build_service
from services.publisher.domain import Post, PostState
from services.publisher.ports import PostRepository
from services.publisher.settings import PublisherSettings
from shared.clock import FixedClock
from shared.events import DraftApproved
from shared.runtime import ServiceRuntime
from shared.topology import Topology
from tests.support.accounts import (
    DIRECTOR_A,
    EDITOR_A,
    EDITOR_B,
    REVIEWER_A,
    REVIEWER_B,
    SAME_INSTANT,
    TWO_ACCOUNTS,
)
from tests.support.backbone import emit, recording_runtime, wait_for
from tests.support.servers import RABBIT_URL
from tests.support.services import auth, make_settings

pytestmark = pytest.mark.integration

ADMIN = auth("admin-token-0000000000001")
TALENT_APP = "wx-talent-appid"
TALENT_SECRET = "talent-app-secret-for-tests"


def _replica(
    namespace: str, mongo_url: str, directory: Path
) -> tuple[ServiceRuntime, FixedClock, PublisherSettings]:
    settings = make_settings(
        PublisherSettings,
        namespace,
        mongo_url,
        accounts_json=SAME_INSTANT,
        local_dir=str(directory),
        local_public_base_url="https://pages.example.test",
        poll_max_seconds=0.05,
        prepare_ahead_seconds=0.5,
        job_lease_seconds=5.0,
    )
    clock = FixedClock(BEFORE_MONDAY)
    return build_service(settings, clock=clock).runtime, clock, settings


async def _outbox(runtime: ServiceRuntime, event_type: str) -> list[dict[str, Any]]:
    docs = await runtime.db["outbox"].find({"event_type": event_type}).to_list(None)
    return [json.loads(d["body"]) for d in docs]


async def test_two_accounts_with_slots_at_the_same_instant_each_publish_their_own_post_once(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    one, clock_one, _ = _replica(namespace, mongo_url, tmp_path)
    two, clock_two, _ = _replica(namespace, mongo_url, tmp_path)
    review = recording_runtime("review", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        for runtime in (one, two, review):
            await runtime.start()
            stack.push_async_callback(runtime.stop)
        # one post per slot and account: both take Monday 11:30, each its own seat; a
        # second default post (approved once the first is scheduled: the two replicas
        # consume side by side) finds the default's Monday full, not the talent's
        await emit(
            review,
            approval("d-tax", account="default"),
            approval("d-talent", account="talent"),
        )

        def scheduled(n: int) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                return await one.db["posts"].count_documents({"state": "scheduled"}) == n

            return check

        await wait_for(scheduled(2), timeout=60)
        await emit(review, approval("d-tax-2", account="default"))
        await wait_for(scheduled(3), timeout=60)
        posts = {d["_id"]: d async for d in one.db["posts"].find({})}
        tax, talent, tax_2 = posts["p-d-tax-r1"], posts["p-d-talent-r1"], posts["p-d-tax-2-r1"]
        assert (tax["account"], talent["account"], tax_2["account"]) == (
            "default",
            "talent",
            "default",
        )
        assert tax["slot_at"] == talent["slot_at"] == MONDAY
        assert tax["slot_key"] == talent["slot_key"] == "publish:2026-11-23T11:30+08:00"
        assert tax_2["slot_at"] == WEDNESDAY
        seats = sorted([s["_id"] async for s in one.db["slot_assignments"].find({})])
        assert seats == [
            "publish:2026-11-23T11:30+08:00#0",  # the default account's, as before accounts
            "publish:2026-11-25T11:30+08:00#0",
            "talent:publish:2026-11-23T11:30+08:00#0",
        ]
        jobs = {j["_id"]: j["kind"] async for j in one.db["jobs"].find({})}
        assert jobs == {
            "publish-post:p-d-tax-r1:1": "publish",
            "publish-post:p-d-tax-2-r1:1": "publish",
            "publish-post:talent:p-d-talent-r1:1": "publish:talent",
        }

        clock_one.set(MONDAY)
        clock_two.set(MONDAY)

        async def both_out() -> bool:
            out = {"state": "published", "slot_at": MONDAY}
            return await one.db["posts"].count_documents(out) == 2

        await wait_for(both_out, timeout=60)
        tax_out = await one.db["posts"].find_one({"_id": "p-d-tax-r1"})
        talent_out = await one.db["posts"].find_one({"_id": "p-d-talent-r1"})
        assert tax_out is not None
        assert talent_out is not None
        tax, talent = tax_out, talent_out
        assert (tax["attempts"], talent["attempts"]) == (1, 1)
        assert tax["lateness_seconds"] == talent["lateness_seconds"] == 0.0
        pages = Counter(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html"))
        assert pages == {
            "2026-11-23/p-d-tax-r1.html": 1,  # the default account's directory, as before
            "talent/2026-11-23/p-d-talent-r1.html": 1,
        }
        assert tax["url"] == "https://pages.example.test/2026-11-23/p-d-tax-r1.html"
        assert talent["url"] == "https://pages.example.test/talent/2026-11-23/p-d-talent-r1.html"
        published = await _outbox(one, "post.published")
        assert sorted((e["account"], e["payload"]["post_id"]) for e in published) == [
            ("default", "p-d-tax-r1"),
            ("talent", "p-d-talent-r1"),
        ]
        assert {e["schema_version"] for e in published} == {2}
        wednesday = await one.db["posts"].find_one({"_id": "p-d-tax-2-r1"})
        assert wednesday is not None
        assert wednesday["state"] == "scheduled"


def _talent_on_wechat(appid: str) -> str:
    return json.dumps(
        [
            {"id": "default", "name": "融智财税"},
            {
                "id": "talent",
                "name": "融智人才",
                "slot_weekdays": "mon,wed,fri",
                "slot_times": "11:30",
                "wechat_app_id": appid,
            },
        ],
        ensure_ascii=False,
    )


async def _post(posts: PostRepository, post_id: str) -> Post:
    post = await posts.get(post_id)
    assert post is not None
    return post


async def test_one_accounts_slow_wechat_does_not_delay_the_others_post(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", TALENT_SECRET)
    async with wechat_publisher(
        namespace,
        mongo_url,
        escalate_after=600,
        apps={TALENT_APP: TALENT_SECRET},
        accounts_json=_talent_on_wechat(TALENT_APP),
        publish_concurrency=1,  # one job at a time per account's loop
        wechat_timeout_seconds=120.0,  # the talent's calls hang, they do not time out
    ) as wx:
        fake, deps = wx.fake, wx.deps
        fake.state.hold_app(TALENT_APP)  # the talent account's WeChat answers nothing
        # the talent's post is approved (and its job due) first
        talent = await _schedule(deps, approval("d-talent", slot=MONDAY, account="talent"))
        tax = await _schedule(deps, approval("d-tax", slot=MONDAY))
        assert (talent.slot_at, tax.slot_at) == (MONDAY, MONDAY)
        wx.clock.set(MONDAY)  # the clock stays at the slot instant from here on

        async def talent_hangs() -> bool:
            post = await deps.posts.get(talent.post_id)
            return post is not None and post.state is PostState.SUBMITTING

        await wait_for(talent_hangs, timeout=60)

        async def tax_out() -> bool:
            post = await deps.posts.get(tax.post_id)
            return post is not None and post.state is PostState.PUBLISHED

        await wait_for(tax_out, timeout=60)
        done = await _post(deps.posts, tax.post_id)
        assert done.lateness_seconds == 0.0  # at the instant: the talent's WeChat held it up
        assert (await _post(deps.posts, talent.post_id)).state is PostState.SUBMITTING
        assert fake.state.published_by(fake.state.appid) == 1
        assert fake.state.published_by(TALENT_APP) == 0

        fake.state.heal_app(TALENT_APP)  # the talent's WeChat answers again

        async def talent_out() -> bool:
            post = await deps.posts.get(talent.post_id)
            return post is not None and post.state is PostState.PUBLISHED

        await wait_for(talent_out, timeout=60)
        assert fake.state.published_by(TALENT_APP) == 1
        assert fake.state.published_by(fake.state.appid) == 1
        # each account's own app: its own access token
        assert any(app == TALENT_APP for app, _ in fake.state.app_calls)
        assert fake.state.app_calls[(TALENT_APP, "/cgi-bin/freepublish/submit")] == 1
        assert fake.state.app_calls[(fake.state.appid, "/cgi-bin/freepublish/submit")] == 1


async def test_one_accounts_wechat_failure_does_not_stop_the_others_post(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", TALENT_SECRET)
    async with wechat_publisher(
        namespace,
        mongo_url,
        escalate_after=600,
        apps={TALENT_APP: TALENT_SECRET},
        accounts_json=_talent_on_wechat(TALENT_APP),
    ) as wx:
        fake, deps = wx.fake, wx.deps
        fake.state.fail_app(TALENT_APP, "http_error", status=503)  # talent's WeChat is down
        talent = await _schedule(deps, approval("d-talent", slot=MONDAY, account="talent"))
        tax = await _schedule(deps, approval("d-tax", slot=MONDAY))
        wx.clock.set(MONDAY)

        async def talent_failed_once() -> bool:
            post = await deps.posts.get(talent.post_id)
            return post is not None and post.last_error is not None

        await wait_for(talent_failed_once, timeout=60)

        async def tax_out() -> bool:
            post = await deps.posts.get(tax.post_id)
            return post is not None and post.state is PostState.PUBLISHED

        await wait_for(tax_out, timeout=60)
        assert (await _post(deps.posts, tax.post_id)).lateness_seconds == 0.0
        failed = await _post(deps.posts, talent.post_id)
        assert failed.state is PostState.SCHEDULED  # nothing went out: retried later
        assert fake.state.published_by(TALENT_APP) == 0
        assert fake.state.published_by(fake.state.appid) == 1


async def _schedule(deps: Any, event: DraftApproved) -> Post:
    from services.publisher.usecases.schedule import schedule_approved_post

    post: Post = await schedule_approved_post(event, deps=deps)
    return post


# -- per-account roles on every mutating route ------------------------------------------


async def _snapshot(pub: Publisher, post_id: str) -> tuple[str, int, str, int]:
    post = await pub.post(post_id)
    return (str(post.state), post.rev, post.slot_key, len(post.history))


async def test_every_mutating_route_authorises_on_the_posts_account(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(
        namespace, mongo_url, accounts_json=SAME_INSTANT, posts_per_slot=2
    ) as pub:
        tax, talent = await pub.approve(approval("d-tax"), approval("d-talent", account="talent"))
        resolve = {"outcome": "not_published", "action": "retry", "note": "checked"}
        commands: list[tuple[str, dict[str, Any] | None]] = [
            ("reschedule", {"slot": WEDNESDAY.isoformat()}),
            ("cancel", {"reason": "not ours"}),
            ("pause", None),
            ("resume", None),
            ("resolve", resolve),
        ]
        for reviewer, theirs in ((REVIEWER_A, talent), (REVIEWER_B, tax)):
            for command, body in commands:
                before = await _snapshot(pub, theirs.post_id)
                r = await pub.http.post(
                    f"/posts/{theirs.post_id}/{command}", json=body, headers=auth(reviewer)
                )
                assert r.status_code == 403, (command, r.text)
                assert r.headers["content-type"] == "application/problem+json"
                assert await _snapshot(pub, theirs.post_id) == before, command
        r = await pub.http.post(
            f"/posts/{talent.post_id}/resolve", json=resolve, headers=auth(DIRECTOR_A)
        )
        assert r.status_code == 403  # a director of the default account only

        # the reviewer of the post's account may (and a paused post answers its resume)
        r = await pub.http.post(f"/posts/{talent.post_id}/pause", headers=auth(REVIEWER_B))
        assert (r.status_code, r.json()["account"]) == (200, "talent")
        r = await pub.http.post(f"/posts/{talent.post_id}/resume", headers=auth(REVIEWER_A))
        assert r.status_code == 403
        assert (await pub.post(talent.post_id)).state is PostState.PAUSED
        r = await pub.http.post(
            f"/posts/{tax.post_id}/reschedule",
            json={"slot": WEDNESDAY.isoformat()},
            headers=auth(REVIEWER_A),
        )
        assert r.status_code == 200
        assert datetime.fromisoformat(r.json()["slot_at"]) == WEDNESDAY
        # the admin acts on every account
        r = await pub.http.post(f"/posts/{talent.post_id}/resume", headers=ADMIN)
        assert r.status_code == 200


async def test_a_hold_is_one_accounts_and_needs_a_role_on_it(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, accounts_json=SAME_INSTANT) as pub:
        tax, talent = await pub.approve(approval("d-tax"), approval("d-talent", account="talent"))
        r = await pub.http.post(
            "/calendar/hold", json={"account": "talent", "reason": "x"}, headers=auth(REVIEWER_A)
        )
        assert r.status_code == 403
        assert not await pub.deps.calendar.is_held("talent")
        r = await pub.http.post(
            "/calendar/hold", json={"account": "nope", "reason": "x"}, headers=ADMIN
        )
        assert r.status_code == 404
        assert r.json()["errors"][0]["field"] == "account"

        audit = {"account": "talent", "reason": "audit"}
        r = await pub.http.post("/calendar/hold", json=audit, headers=auth(REVIEWER_B))
        assert r.status_code == 200
        assert (r.json()["account"], r.json()["held"], r.json()["by"]) == ("talent", True, "tom")
        assert not await pub.deps.calendar.is_held("default")

        # the default account's post goes out at the instant; the held talent's does not
        pub.clock.set(MONDAY)
        await pub.wait_state(tax.post_id, PostState.PUBLISHED, timeout=60)
        assert (await pub.post(talent.post_id)).state is PostState.SCHEDULED
        assert pub.channel.sent == {tax.post_id: 1}
        held_job = await pub.runtime.db["jobs"].find_one({"_id": talent.job_key})
        assert held_job is not None
        assert (held_job["state"], held_job["fence"]) == ("pending", 0)  # never claimed

        r = await pub.http.post(
            "/calendar/release", json={"account": "talent"}, headers=auth(REVIEWER_A)
        )
        assert r.status_code == 403
        assert await pub.deps.calendar.is_held("talent")
        r = await pub.http.post(
            "/calendar/release", json={"account": "talent"}, headers=auth(REVIEWER_B)
        )
        assert (r.status_code, r.json()["held"]) == (200, False)
        await pub.wait_state(talent.post_id, PostState.PUBLISHED, timeout=60)
        assert pub.channel.sent == {tax.post_id: 1, talent.post_id: 1}


# -- list routes keep to the caller's accounts --------------------------------------------


async def test_list_routes_keep_to_the_accounts_the_caller_may_read(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as pub:
        tax, talent = await pub.approve(
            approval("d-tax"), approval("d-talent", slot=None, account="talent")
        )
        assert talent.slot_at.astimezone(MONDAY.tzinfo).strftime("%a %H:%M") == "Tue 08:00"

        async def posts(token: dict[str, str], **params: str) -> tuple[int, set[str]]:
            r = await pub.http.get("/posts", params=params, headers=token)
            ids = {p["post_id"] for p in r.json()["items"]} if r.status_code == 200 else set()
            return r.status_code, ids

        assert await posts(auth(EDITOR_A)) == (200, {tax.post_id})
        assert await posts(auth(EDITOR_B)) == (200, {talent.post_id})
        assert await posts(auth(EDITOR_A), account="talent") == (403, set())
        assert await posts(auth(EDITOR_B), account="default") == (403, set())
        assert await posts(ADMIN) == (200, {tax.post_id, talent.post_id})
        assert await posts(ADMIN, account="talent") == (200, {talent.post_id})
        assert await posts(ADMIN, account="nope") == (404, set())
        r = await pub.http.get("/posts", headers=ADMIN)
        assert {p["post_id"]: p["account"] for p in r.json()["items"]} == {
            tax.post_id: "default",
            talent.post_id: "talent",
        }

        # a single post of an account the caller holds no role on is not revealed
        r = await pub.http.get(f"/posts/{talent.post_id}", headers=auth(EDITOR_A))
        assert r.status_code == 404
        r = await pub.http.get(f"/posts/{talent.post_id}", headers=auth(EDITOR_B))
        assert (r.status_code, r.json()["account"]) == (200, "talent")

        async def slots(token: dict[str, str], **params: str) -> tuple[int, list[Any]]:
            query = {"start": BEFORE_MONDAY.isoformat(), "days": "7", **params}
            r = await pub.http.get("/slots", params=query, headers=token)
            items = r.json()["items"] if r.status_code == 200 else []
            return r.status_code, items

        status, mine = await slots(auth(EDITOR_A))
        assert status == 200
        assert {s["account"] for s in mine} == {"default"}
        assert len(mine) == 3  # Mon, Wed, Fri 11:30
        assert [p["post_id"] for p in mine[0]["posts"]] == [tax.post_id]
        status, theirs = await slots(ADMIN, account="talent")
        assert {s["account"] for s in theirs} == {"talent"}
        assert [s["local"][:16] for s in theirs] == ["2026-11-24T08:00", "2026-11-26T08:00"]
        assert [p["post_id"] for p in theirs[0]["posts"]] == [talent.post_id]
        assert (await slots(auth(EDITOR_A), account="talent"))[0] == 403
        status, both = await slots(ADMIN)
        assert [s["account"] for s in both] == [
            "default",  # Mon 11:30
            "talent",  # Tue 08:00
            "default",
            "talent",
            "default",  # Fri 11:30
        ]
        assert [s["at"] for s in both] == sorted(s["at"] for s in both)
        assert not any(p["post_id"] == talent.post_id for s in mine for p in s["posts"])

        r = await pub.http.get("/calendar", headers=auth(EDITOR_B))
        assert r.status_code == 200
        assert (r.json()["account"], [h["account"] for h in r.json()["accounts"]]) == (
            "talent",
            ["talent"],
        )
        r = await pub.http.get("/calendar", params={"account": "default"}, headers=auth(EDITOR_B))
        assert r.status_code == 403
        r = await pub.http.get("/calendar", headers=ADMIN)
        assert [h["account"] for h in r.json()["accounts"]] == ["default", "talent"]


async def test_the_calendars_in_flight_list_keeps_to_the_callers_accounts(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, accounts_json=SAME_INSTANT) as pub:
        tax, talent = await pub.approve(approval("d-tax"), approval("d-talent", account="talent"))
        pub.channel.script[tax.post_id] = ["unknown_before_send"]
        pub.channel.script[talent.post_id] = ["unknown_before_send"]
        pub.channel.blind = {tax.post_id, talent.post_id}
        pub.clock.set(MONDAY)
        await pub.wait_state(tax.post_id, PostState.UNKNOWN, timeout=60)
        await pub.wait_state(talent.post_id, PostState.UNKNOWN, timeout=60)

        r = await pub.http.get("/calendar", headers=auth(EDITOR_A))
        assert [p["post_id"] for p in r.json()["in_flight"]] == [tax.post_id]
        r = await pub.http.get("/posts", params={"state": "unknown"}, headers=auth(EDITOR_B))
        assert [p["post_id"] for p in r.json()["items"]] == [talent.post_id]


# -- events from before accounts ---------------------------------------------------------


async def _publish_raw(namespace: str, body: dict[str, Any]) -> None:
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        await exchange.publish(
            aio_pika.Message(
                json.dumps(body).encode(),
                message_id=str(body["event_id"]),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type="application/json",
            ),
            routing_key="draft.approved",
            mandatory=True,
        )


async def test_a_version_1_approval_is_consumed_and_lands_in_the_default_account(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, accounts_json=SAME_INSTANT) as pub:
        old = approval("d-old").model_dump(mode="json")
        old.pop("account")
        old["schema_version"] = 1
        await _publish_raw(namespace, old)

        async def stored() -> bool:
            return await pub.deps.posts.get("p-d-old-r1") is not None

        await wait_for(stored, timeout=60)
        post = await pub.post("p-d-old-r1")
        assert (post.account, post.slot_at, post.job_key) == (
            "default",
            MONDAY,
            "publish-post:p-d-old-r1:1",
        )
        # a version-1 approval of a newer revision of a talent draft follows the draft
        [first] = await pub.approve(approval("d-hr", account="talent"))
        [second] = await pub.approve(version_1(approval("d-hr", revision=2)))
        assert (first.account, second.account) == ("talent", "talent")
        assert (await pub.post(first.post_id)).state is PostState.CANCELLED  # superseded
        pub.clock.set(MONDAY)
        await pub.wait_state(post.post_id, PostState.PUBLISHED, timeout=60)
        await pub.wait_state(second.post_id, PostState.PUBLISHED, timeout=60)
        published = {
            e["payload"]["post_id"]: (e["account"], e["schema_version"])
            for e in await pub.events("post.published")
        }
        assert published == {post.post_id: ("default", 2), second.post_id: ("talent", 2)}


async def test_posts_and_seats_from_before_accounts_become_the_default_accounts(
    namespace: str, mongo_url: str
) -> None:
    database = make_settings(PublisherSettings, namespace, mongo_url).database
    async with running_publisher(namespace, mongo_url) as first:  # as written before #12
        [old] = await first.approve(approval("d-before"))
        await first.runtime.db["posts"].update_one({"_id": old.post_id}, {"$unset": {"account": 1}})
        await first.runtime.db["slot_assignments"].update_many({}, {"$unset": {"account": 1}})
        await first.runtime.db["_migrations"].delete_many({})
    async with running_publisher(namespace, mongo_url, accounts_json=SAME_INSTANT) as pub:
        assert pub.runtime.db.name == database

        async def adopted() -> bool:
            doc = await pub.runtime.db["posts"].find_one({"_id": old.post_id})
            return doc is not None and doc.get("account") == "default"

        await wait_for(adopted, timeout=60)
        r = await pub.http.get("/posts", headers=auth(EDITOR_A))
        assert [p["post_id"] for p in r.json()["items"]] == [old.post_id]
        r = await pub.http.get("/posts", headers=auth(EDITOR_B))
        assert r.json()["items"] == []
        # its seat still counts: the default's Monday is full, the talent's is not
        tax, talent = await pub.approve(approval("d-after"), approval("d-hr", account="talent"))
        assert (tax.slot_at, talent.slot_at) == (WEDNESDAY, MONDAY)
