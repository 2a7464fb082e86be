"""The custom menu: checked before sending, published, rolled back, clicks counted."""

from __future__ import annotations

import time

import pytest
from audience_support import (
    DIRECTOR,
    EDITOR,
    audience_settings,
    client,
    event_push,
    push_query,
    running,
)

from tests.fakes.wechat_server import running_fake_wechat

pytestmark = pytest.mark.integration

FIRST = {
    "buttons": [
        {"name": "最新推送", "type": "click", "key": "LATEST"},
        {
            "name": "服务",
            "sub_buttons": [
                {"name": "开票申请", "type": "view", "url": "https://example.com/invoice"},
                {
                    "name": "小程序",
                    "type": "miniprogram",
                    "url": "https://example.com",
                    "appid": "wx123",
                    "pagepath": "pages/index",
                },
            ],
        },
    ],
    "note": "初版",
}
SECOND = {"buttons": [{"name": "联系我们", "type": "click", "key": "CONTACT"}], "note": "精简"}


async def test_a_menu_is_checked_published_rolled_back_and_its_clicks_counted(
    namespace: str, mongo_url: str
) -> None:
    now = int(time.time())
    too_big = {
        "buttons": [
            {"name": "一二三四五六", "type": "click", "key": "A"},
            {
                "name": "B",
                "sub_buttons": [{"name": f"s{i}", "type": "click", "key": "k"} for i in range(6)],
            },
            {"name": "C", "type": "view", "url": "ftp://x"},
            {"name": "D", "type": "click", "key": "D"},
        ]
    }
    async with (
        running_fake_wechat() as fake,
        running(audience_settings(namespace, mongo_url, fake)) as app,
        client(app) as http,
    ):
        refused = await http.post("/menu/versions", headers=EDITOR, json=too_big)
        v1 = (await http.post("/menu/versions", headers=EDITOR, json=FIRST)).json()
        v2 = (await http.post("/menu/versions", headers=EDITOR, json=SECOND)).json()
        by_editor = await http.post(f"/menu/versions/{v1['version']}/publish", headers=EDITOR)
        await http.post(f"/menu/versions/{v2['version']}/publish", headers=DIRECTOR)
        published = fake.state.menu
        rolled = await http.post(f"/menu/versions/{v1['version']}/publish", headers=DIRECTOR)
        back = fake.state.menu
        for i in range(3):
            await http.post(
                "/wechat/push",
                params=push_query(),
                content=event_push("CLICK", f"o-{i}", now + i, "LATEST"),
            )
        await http.post(  # WeChat re-sends the last one
            "/wechat/push",
            params=push_query(),
            content=event_push("CLICK", "o-2", now + 2, "LATEST"),
        )
        clicks = (await http.get("/menu/clicks", headers=EDITOR)).json()
        versions = (await http.get("/menu/versions", headers=EDITOR)).json()
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert {"buttons", "buttons[0].name", "buttons[1].sub_buttons", "buttons[2].url"} <= fields
    assert fake.state.menu_history[0] == [{"type": "click", "name": "联系我们", "key": "CONTACT"}]
    assert by_editor.status_code == 403
    assert published == [{"type": "click", "name": "联系我们", "key": "CONTACT"}]
    assert rolled.status_code == 200
    assert back is not None
    assert back[1]["sub_button"][1]["pagepath"] == "pages/index"
    assert [c["count"] for c in clicks if c["key"] == "click:LATEST"] == [3]
    assert [(v["version"], v["current"]) for v in versions] == [(2, False), (1, True)]
