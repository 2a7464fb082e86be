"""The draft editor's pictures and revision history on the real drafting service, gateway
and store:

* the editor lists the account's materials, each with its origin (library, credit,
  licence) or a warning that it has none; the editor picks pictures and marks a cover,
  and the drafting service stores exactly that choice;
* sending a draft whose picture has no recorded origin is refused by drafting: the editor
  says it was saved but not sent, and why, beside the pictures;
* a form without the picker (a reviewer's read-only view) leaves the pictures alone;
* the history lists every revision with who changed what, and the diff between two
  revisions shows the changed fields, their removed and added lines as text.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.drafting import usecases as drafting_usecases
from services.drafting.bootstrap import build_service as build_drafting
from services.drafting.domain.content import OriginRecord
from services.drafting.schemas import MaterialCreate
from services.drafting.settings import DraftingSettings
from services.gateway import usecases
from shared.settings import Principal, Role
from tests.integration.gateway.gateway_support import (
    browser,
    csrf_of,
    gateway_settings,
    new_keypair,
    running_gateway,
    sign_in,
)
from tests.support.servers import serve_asgi
from tests.support.services import make_settings

pytestmark = pytest.mark.integration

ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))
ERIN = Principal(subject="erin", roles=frozenset({Role.EDITOR}))
CLOSED = "http://127.0.0.1:9"
PASSWORD = "Console-secret-01"
ORIGIN = {
    "library": "视觉中国",
    "url": "https://www.vcg.com/creative/1",
    "credit": "张三",
    "licence": "编辑用途授权",
}


@contextlib.asynccontextmanager
async def console(namespace: str, mongo_url: str) -> AsyncIterator[tuple[Any, Any]]:
    private, public = new_keypair()
    drafting = build_drafting(
        make_settings(DraftingSettings, namespace, mongo_url, person_token_keys=[public])
    )
    served = serve_asgi(
        drafting.app(), lifespan="on", name="drafting", start_within=30, stop_within=30
    )
    async with served as url:
        urls = dict.fromkeys(("review", "publisher", "feedback", "reporting"), CLOSED)
        settings = gateway_settings(
            namespace, mongo_url, private, service_urls={**urls, "drafting": url}
        )
        async with running_gateway(settings) as gateway:
            for username, roles in (("erin", ["editor"]), ("rita", ["reviewer"])):
                command = usecases.PersonCreate(username, username.title(), roles, PASSWORD)
                await usecases.create_person(command, deps=gateway.deps, actor=ROOT)
            yield gateway, drafting


async def material(drafting: Any, name: str, *, origin: bool) -> str:
    body = MaterialCreate(
        title=name,
        url=f"https://img.example.cn/{name}.jpg",
        origin=OriginRecord(**ORIGIN) if origin else None,
    )
    created = await drafting_usecases.create_material(body, deps=drafting.deps, actor=ERIN)
    return created.id


def form(csrf: str, title: str, **more: Any) -> dict[str, Any]:
    return {
        "csrf": csrf,
        "title": title,
        "category": "finance",
        "digest": "",
        "body_text": "第一段。\n\n第二段。",
        "sources": "",
        **more,
    }


async def stored(drafting: Any, draft_id: str) -> Any:
    draft = await drafting.deps.drafts.get(draft_id)
    assert draft is not None
    return draft


async def test_pictures_are_chosen_from_materials_with_their_origin_and_a_cover(
    namespace: str, mongo_url: str
) -> None:
    async with console(namespace, mongo_url) as (gateway, drafting), browser(gateway.app()) as erin:
        with_origin = await material(drafting, "办公室配图", origin=True)
        without = await material(drafting, "无来源配图", origin=False)
        assert (await sign_in(erin, "erin", PASSWORD)).status_code == 303
        page = (await erin.get("/drafts/new")).text
        assert "办公室配图" in page
        assert "图库: 视觉中国 · 署名: 张三 · 许可: 编辑用途授权" in page.replace("：", ": ")
        assert "未登记来源" in page
        fields = form(csrf_of(page), "个税汇算要点", action="save", pictures_shown="1")
        fields.update(offered=[with_origin, without], pictures=[without, with_origin])
        fields["cover"] = with_origin
        created = await erin.post("/drafts/new", data=fields)
        assert created.status_code == 303, created.text
        draft_id = created.headers["location"].split("/")[2].split("?")[0]
        draft = await stored(drafting, draft_id)
        assert [(p.material_id, p.is_cover) for p in draft.content.pictures] == [
            (with_origin, True),
            (without, False),
        ]

        # Sending it: drafting refuses the picture without an origin; the editor says so.
        page = (await erin.get(f"/drafts/{draft_id}")).text
        assert f'value="{with_origin}" checked' in page
        fields = form(csrf_of(page), "个税汇算要点", action="submit", pictures_shown="1")
        fields.update(offered=[with_origin, without], pictures=[with_origin, without])
        fields["cover"] = with_origin
        refused = await erin.post(f"/drafts/{draft_id}", data=fields)
        assert refused.status_code == 422
        assert "已保存，但未能送审" in refused.text
        assert "has no recorded origin" in refused.text
        assert (await stored(drafting, draft_id)).state == "editing"

        # A cover that is not among the chosen pictures is named before anything is sent.
        before = (await stored(drafting, draft_id)).revision
        fields = form(csrf_of(refused.text), "个税汇算要点", action="save", pictures_shown="1")
        fields.update(offered=[with_origin, without], pictures=[with_origin], cover=without)
        wrong = await erin.post(f"/drafts/{draft_id}", data=fields)
        assert wrong.status_code == 422
        assert "the cover must be one of the chosen pictures" in wrong.text
        assert (await stored(drafting, draft_id)).revision == before

        # Without the picture lacking its origin it goes to review.
        fields["cover"] = with_origin
        fields["action"] = "submit"
        sent = await erin.post(f"/drafts/{draft_id}", data=fields)
        assert sent.status_code == 303
        assert sent.headers["location"].endswith("done=submitted")
        draft = await stored(drafting, draft_id)
        assert draft.state == "submitted"
        assert [(p.material_id, p.is_cover) for p in draft.content.pictures] == [
            (with_origin, True)
        ]


async def test_a_form_without_the_picker_leaves_the_pictures_alone(
    namespace: str, mongo_url: str
) -> None:
    async with console(namespace, mongo_url) as (gateway, drafting), browser(gateway.app()) as erin:
        picture = await material(drafting, "办公室配图", origin=True)
        assert (await sign_in(erin, "erin", PASSWORD)).status_code == 303
        page = (await erin.get("/drafts/new")).text
        fields = form(csrf_of(page), "社保基数", pictures_shown="1", offered=picture)
        fields.update(pictures=picture, cover=picture)
        created = await erin.post("/drafts/new", data=fields)
        draft_id = created.headers["location"].split("/")[2].split("?")[0]
        # an older form, or a client of its own, without the picker: pictures are kept
        saved = await erin.post(f"/drafts/{draft_id}", data=form(csrf_of(page), "社保基数调整"))
        assert saved.status_code == 303
        draft = await stored(drafting, draft_id)
        assert draft.content.title == "社保基数调整"
        assert [(p.material_id, p.is_cover) for p in draft.content.pictures] == [(picture, True)]


async def test_the_history_lists_revisions_and_shows_the_diff_between_two(
    namespace: str, mongo_url: str
) -> None:
    async with (
        console(namespace, mongo_url) as (gateway, drafting),
        browser(gateway.app()) as erin,
        browser(gateway.app(), "10.0.0.2") as rita,
    ):
        picture = await material(drafting, "办公室配图", origin=True)
        assert (await sign_in(erin, "erin", PASSWORD)).status_code == 303
        csrf = csrf_of((await erin.get("/drafts/new")).text)
        created = await erin.post("/drafts/new", data=form(csrf, "个税汇算要点"))
        draft_id = created.headers["location"].split("/")[2].split("?")[0]
        second = form(csrf, "个税汇算要点（修订）", pictures_shown="1", offered=picture)
        second.update(pictures=picture, cover=picture, body_text="第一段。\n\n第二段改了。")
        assert (await erin.post(f"/drafts/{draft_id}", data=second)).status_code == 303
        third = form(csrf, "个税汇算要点（再修订）")
        third["body_text"] = "第一段。\n\n第二段改了。"
        assert (await erin.post(f"/drafts/{draft_id}", data=third)).status_code == 303

        page = (await erin.get(f"/drafts/{draft_id}")).text
        assert "修订历史" in page
        assert f'href="/drafts/{draft_id}/history?old=2&amp;new=3"' in page
        assert "标题、正文、配图" in page  # what revision 2 changed
        assert "初稿" in page  # revision 1 made the draft

        latest = (await erin.get(f"/drafts/{draft_id}/history")).text  # 2 -> 3 by default
        assert "从版本 2 到版本 3 的改动" in latest
        assert "个税汇算要点（再修订）" in latest
        assert "第二段改了。" not in latest  # the body did not change from 2 to 3

        diff = await erin.get(f"/drafts/{draft_id}/history", params={"old": 1, "new": 2})
        assert diff.status_code == 200
        html = diff.text
        assert '<li class="removed"><span class="sign" aria-hidden="true">−</span><del>' in html
        assert "个税汇算要点（修订）</ins>" in html
        assert "第二段。</del>" in html  # body lines as the text the editor wrote
        assert "第二段改了。</ins>" in html
        assert "&lt;p&gt;" not in html
        assert "办公室配图 (封面)</ins>" in html  # a picture by its material's title

        # a reviewer reads the history too; the drafting service refuses a revision
        # that does not exist, and the console shows its answer
        assert (await sign_in(rita, "rita", PASSWORD)).status_code == 303
        assert (await rita.get(f"/drafts/{draft_id}/history?old=1&new=3")).status_code == 200
        missing = await rita.get(f"/drafts/{draft_id}/history", params={"old": 9, "new": 1})
        assert missing.status_code == 200  # old is clamped to the latest revision
        assert "从版本 3 到版本 1 的改动" in missing.text
