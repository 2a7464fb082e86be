"""Followers through WeChat's pushes: branches' codes, once-only records, attribution."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

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
)

from tests.fakes.wechat_server import running_fake_wechat

pytestmark = pytest.mark.integration


async def test_a_branch_gets_its_permanent_code_and_a_printable_poster(
    namespace: str, mongo_url: str
) -> None:
    async with (
        running_fake_wechat() as fake,
        observing(namespace, "branch.saved") as events,
        running(audience_settings(namespace, mongo_url, fake)) as app,
        client(app) as http,
    ):
        created = await http.post(
            "/branches",
            headers=DIRECTOR,
            json={"code": "pudong", "name": "浦东分公司", "administrator": "王经理", "target": 120},
        )
        again = await http.post(
            "/branches",
            headers=DIRECTOR,
            json={"code": "pudong", "name": "浦东", "administrator": "王", "target": 1},
        )
        by_editor = await http.post(
            "/branches",
            headers=EDITOR,
            json={"code": "minhang", "name": "闵行", "administrator": "李", "target": 1},
        )
        png = await http.get("/branches/pudong/poster.png", headers=EDITOR)
        pdf = await http.get("/branches/pudong/poster.pdf", headers=EDITOR)
        bad = await http.post(
            "/branches",
            headers=DIRECTOR,
            json={"code": "no spaces", "name": "x", "administrator": "y", "target": -1},
        )
        expires = datetime.now(UTC) + timedelta(days=7)
        campaign = await http.post(
            "/campaigns",
            headers=DIRECTOR,
            json={"code": "fair", "name": "春季招聘会", "expires_at": expires.isoformat()},
        )
        campaign_pdf = await http.get("/campaigns/fair/poster.pdf", headers=EDITOR)
        asyncapi = (await http.get("/asyncapi.json")).text
        [saved] = await events.wait("branch.saved", 1)
    assert created.status_code == 201, created.text
    assert created.json()["scene"] == "branch:pudong"
    [code] = [c for c in fake.state.qrcodes.values() if c["scene"] == "branch:pudong"]
    assert code["permanent"] is True
    assert created.json()["qrcode_url"] == code["url"]
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert by_editor.status_code == 403
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")
    assert pdf.content.startswith(b"%PDF")
    assert bad.status_code == 422
    assert campaign.status_code == 201, campaign.text
    [temporary] = [c for c in fake.state.qrcodes.values() if c["scene"] == "campaign:fair"]
    assert temporary["permanent"] is False
    assert 7 * 86_400 - 60 <= temporary["expires_at"] - time.time() <= 7 * 86_400
    assert campaign_pdf.content.startswith(b"%PDF")
    assert "follower.subscribed" in asyncapi
    assert "follower.unsubscribed" in asyncapi
    assert saved["payload"]["code"] == "pudong"
    assert (saved["payload"]["name"], saved["payload"]["target"]) == ("浦东分公司", 120)
    assert {e["field"] for e in bad.json()["errors"]} == {"code", "target"}


async def test_a_subscribe_pushed_twice_is_counted_once_and_a_scan_is_not_a_new_follower(
    namespace: str, mongo_url: str
) -> None:
    now = int(time.time())
    async with (
        running_fake_wechat() as fake,
        observing(namespace, "follower.subscribed", "follower.unsubscribed") as events,
    ):
        settings = audience_settings(namespace, mongo_url, fake)
        async with running(settings) as app, client(app) as http:
            await http.post(
                "/branches",
                headers=DIRECTOR,
                json={
                    "code": "pudong",
                    "name": "浦东分公司",
                    "administrator": "王经理",
                    "target": 2,
                    "greeting": "欢迎浦东分公司的同事！",
                },
            )
            subscribe = event_push("subscribe", "o-amy", now, "qrscene_branch:pudong")
            first = await http.post("/wechat/push", params=push_query(), content=subscribe)
            resent = await http.post("/wechat/push", params=push_query(), content=subscribe)
            scan = await http.post(
                "/wechat/push",
                params=push_query(),
                content=event_push("SCAN", "o-amy", now + 60, "branch:pudong"),
            )
            await events.wait("follower.subscribed", 1)
            summary = (await http.get("/followers/summary", headers=EDITOR)).json()
            amy = (await http.get("/followers/o-amy", headers=EDITOR)).json()
        # A restart: attribution is kept in the store, not in the process.
        async with running(settings) as app, client(app) as http:
            gone = await http.post(
                "/wechat/push",
                params=push_query(),
                content=event_push("unsubscribe", "o-amy", now + 120),
            )
            [left] = await events.wait("follower.unsubscribed", 1)
            after = (await http.get("/followers/o-amy", headers=EDITOR)).json()
    assert [r.status_code for r in (first, resent, scan, gone)] == [200] * 4
    assert "欢迎浦东分公司的同事！" in first.text  # greeted by the branch, passively
    assert "欢迎浦东分公司的同事！" in resent.text  # the re-send is answered the same way
    assert scan.content == b"success"
    assert len(events.of("follower.subscribed")) == 1
    [subscribed] = events.of("follower.subscribed")
    assert subscribed["payload"]["branch_code"] == "pudong"
    assert subscribed["payload"]["openid"] == "o-amy"
    assert amy["scans"] == 1
    assert amy["subscriptions"] == 1
    [pudong] = [b for b in summary["by_branch"] if b["code"] == "pudong"]
    assert (pudong["followers"], pudong["target"], pudong["progress"]) == (1, 2, 0.5)
    assert left["payload"]["branch_code"] == "pudong"  # attribution survived the restart
    assert after["subscribed"] is False
    assert after["branch_code"] == "pudong"
