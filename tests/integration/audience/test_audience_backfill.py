"""Back-fill of followers from user/get + user/info, resumable; daily reconciliation."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from audience_support import (
    DIRECTOR,
    EDITOR,
    audience_settings,
    client,
    event_push,
    observing,
    push_query,
    running,
    service,
)

from services.audience.deps import CHINA
from services.audience.usecases.backfill import Run, run_backfill
from tests.fakes.wechat_server import running_fake_wechat

pytestmark = pytest.mark.integration


async def test_the_backfill_resumes_where_it_stopped(namespace: str, mongo_url: str) -> None:
    async with (
        running_fake_wechat() as fake,
        observing(namespace, "follower.subscribed") as events,
    ):
        fake.state.follower_page_size = 3  # 7 followers: pages of 3, 3 and 1
        for i in range(7):
            scene = "branch:pudong" if i % 2 else ""
            fake.state.add_follower(f"o-old-{i}", qr_scene_str=scene, nickname=f"昵称{i}")
        # The 4th lookup fails: the first page (chunks of 2 and 1) is stored, then it stops.
        fake.state.inject("/cgi-bin/user/info", "errcode", errcode=45009, errmsg="quota", after=3)
        settings = audience_settings(namespace, mongo_url, fake, backfill_chunk=2)
        async with running(settings) as app, client(app) as http:
            started = await http.post("/followers-backfill", headers=DIRECTOR)
            stopped = await _until(http, "stopped")
            stored_then = (await http.get("/followers", headers=EDITOR)).json()["total"]
        lookups_before = fake.state.calls["/cgi-bin/user/info"]
        async with running(settings) as app, client(app) as http:  # a restart
            resumed = await http.post("/followers-backfill", headers=DIRECTOR)
            done = await _until(http, "done")
            followers = (await http.get("/followers?limit=50", headers=EDITOR)).json()
            await events.wait("follower.subscribed", 7)
            assert await run_backfill(account="default", deps=service(app).deps) is Run.IDLE
    assert started.status_code == 202
    assert (stopped["seen"], stopped["added"], stopped["offset"]) == (3, 3, 0)
    assert stopped["next_openid"] == "o-old-2"  # the second page starts after it
    assert "45009" in stopped["error"]
    assert stored_then == 3
    assert resumed.status_code == 202
    # Resumed at the fourth follower: each of the 4 left looked up once.
    assert fake.state.calls["/cgi-bin/user/info"] - lookups_before == 4
    assert (done["seen"], done["added"], done["error"]) == (7, 7, None)
    assert followers["total"] == 7
    assert {f["openid"] for f in followers["items"]} == {f"o-old-{i}" for i in range(7)}
    assert sorted(f["openid"] for f in followers["items"] if f["branch_code"] == "pudong") == [
        "o-old-1",
        "o-old-3",
        "o-old-5",
    ]
    assert {f["via"] for f in followers["items"]} == {"backfill"}
    assert "昵称" not in str(followers)  # nicknames are not kept
    assert len(events.of("follower.subscribed")) == 7  # each published once


async def _until(http: httpx.AsyncClient, status: str) -> dict[str, Any]:
    for _ in range(400):
        state: dict[str, Any] = (await http.get("/followers-backfill", headers=EDITOR)).json()
        if state["status"] == status:
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"the back-fill did not become {status!r}: {state}")


async def test_daily_totals_are_reconciled_and_a_difference_is_shown(
    namespace: str, mongo_url: str
) -> None:
    async with (
        running_fake_wechat() as fake,
        observing(namespace, "follower.subscribed"),
        running(audience_settings(namespace, mongo_url, fake)) as app,
        client(app) as http,
    ):
        deps = service(app).deps
        yesterday = deps.china_day() - timedelta(days=1)
        noon = int(
            (
                deps.clock.now().astimezone(CHINA).replace(hour=12, minute=0) - timedelta(days=1)
            ).timestamp()
        )
        for i in range(2):
            await http.post(
                "/wechat/push",
                params=push_query(),
                content=event_push("subscribe", f"o-new-{i}", noon + i, "qrscene_branch:x"),
            )
        fake.state.add_user_summary(yesterday, new_user=3, cancel_user=0, user_source=0)
        fake.state.set_user_cumulate(yesterday, 3)
        ran = await http.post("/reconciliations", headers=DIRECTOR)
        listed = (await http.get("/reconciliations", headers=EDITOR)).json()
    assert ran.status_code == 200, ran.text
    [day] = [d for d in listed if d["day"] == yesterday.isoformat()]
    assert day["wechat"] == {"new": 3, "cancelled": 0, "total": 3}
    assert day["ours"] == {"new": 2, "cancelled": 0, "total": 2}
    assert day["difference"] == {"new": -1, "cancelled": 0, "total": -1}
    assert day["matches"] is False
    assert len(listed) == 7
