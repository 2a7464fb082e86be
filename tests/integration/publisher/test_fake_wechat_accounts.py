"""The fake WeChat serves several accounts' apps, and fails or holds one of them only (#12).

Steered as the tests in process do (``state``) and as other services' tests running it as
a process do (``POST /_fake/apps``, ``POST /_fake/app_faults``).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from shared.wechat import WeChatClient, WeChatError
from tests.fakes.wechat_server import running_fake_wechat

pytestmark = pytest.mark.integration

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


async def test_one_app_fails_or_waits_while_the_others_are_served() -> None:
    async with running_fake_wechat() as fake, httpx.AsyncClient(base_url=fake.base_url) as ctl:
        r = await ctl.post("/_fake/apps", json={"appid": "wx-talent", "secret": "talent-secret"})
        assert r.status_code == 200
        mine = WeChatClient(fake.state.appid, fake.state.secret, base_url=fake.base_url)
        theirs = WeChatClient("wx-talent", "talent-secret", base_url=fake.base_url, timeout=30)
        async with mine, theirs:
            assert await theirs.access_token() != await mine.access_token()

            r = await ctl.post(
                "/_fake/app_faults",
                json={"appid": "wx-talent", "action": "fail", "kind": "errcode", "errcode": 40164},
            )
            assert r.status_code == 200
            with pytest.raises(WeChatError):
                await theirs.add_permanent_image(JPEG, "cover.jpg")
            assert (await mine.add_permanent_image(JPEG, "cover.jpg")).startswith("fake-image-")

            await ctl.post("/_fake/app_faults", json={"appid": "wx-talent", "action": "hold"})
            held = asyncio.ensure_future(theirs.add_permanent_image(JPEG, "cover.jpg"))
            assert (await mine.add_permanent_image(JPEG, "cover.jpg")).startswith("fake-image-")
            assert not held.done()  # the talent's call waits while the default's is served
            await ctl.post("/_fake/app_faults", json={"appid": "wx-talent", "action": "heal"})
            assert (await held).startswith("fake-image-")

        state = (await ctl.get("/_fake/state")).json()
        assert state["apps"] == ["wx-talent"]
        calls = {(c["appid"], c["path"]): c["count"] for c in state["app_calls"]}
        assert calls[("wx-talent", "/cgi-bin/material/add_material")] == 2
        assert calls[(fake.state.appid, "/cgi-bin/material/add_material")] == 2


async def test_a_reset_keeps_the_apps_and_forgets_their_faults() -> None:
    async with running_fake_wechat() as fake:
        fake.state.add_app("wx-talent", "talent-secret")
        fake.state.fail_app("wx-talent", "http_error")
        fake.state.reset()
        async with WeChatClient("wx-talent", "talent-secret", base_url=fake.base_url) as client:
            assert await client.access_token()
