"""HTTP routes of the audience service. Thin: parse, authorise, call a use case or a read.

=========================================  =====================  ============================
route                                      roles                  use
=========================================  =====================  ============================
``POST /branches`` ``/campaigns``          director               create, with its QR code
``GET  /branches`` ``/campaigns`` (+code)  editor, director       list, one
``GET  /branches/{code}/poster.png|.pdf``  editor, director       the printable poster
``GET  /followers`` ``/followers/summary`` editor, director       followers, growth by branch
``POST /followers-backfill``               director               start or resume the back-fill
``GET  /followers-backfill``               editor, director       its cursor and counts
``GET  /reconciliations`` (``POST`` runs)  editor, director       ours against WeChat, per day
``GET|POST /rules``, ``PUT|DELETE /rules/{id}``  editor, director  keyword rules
``GET|PUT /replies/defaults``              editor, director       default reply and greeting
``GET|POST /menu/versions``                editor, director       menu versions (checked)
``POST /menu/versions/{n}/publish``        director               send to WeChat (roll back)
``GET  /menu/clicks``                      editor, director       clicks by button and day
=========================================  =====================  ============================

``admin`` passes every check. The WeChat push endpoint is in :mod:`.push_api`.
"""

# No ``from __future__ import annotations``: FastAPI must see the role dependencies.

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from services.audience.deps import AudienceDeps
from services.audience.errors import NotFound
from services.audience.schemas import (
    BranchCreate,
    BranchPublic,
    CampaignCreate,
    CampaignPublic,
    DefaultsIn,
    FollowerPublic,
    MenuCreate,
    MenuVersionPublic,
    ReplyIn,
    RuleCreate,
    RulePublic,
)
from services.audience.usecases.backfill import start_backfill
from services.audience.usecases.branches import (
    BranchSpec,
    CampaignSpec,
    branch_poster,
    campaign_poster,
    create_branch,
    create_campaign,
)
from services.audience.usecases.menu import publish_menu, save_menu
from services.audience.usecases.reconcile import reconcile
from services.audience.usecases.rules import create_rule, delete_rule, set_defaults, update_rule
from shared.bounds import MAX_OFFSET, MAX_REVISION, Day
from shared.http import Page, require
from shared.settings import Principal, Role

__all__ = ["build_router"]

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Query(ge=1, le=200)]
Code = Annotated[str, Query(max_length=32)]
RuleId = Annotated[str, Path(max_length=64)]
_POSTER_TYPES = {"png": "image/png", "pdf": "application/pdf"}


def _poster_response(content: bytes, fmt: str, name: str) -> Response:
    return Response(
        content,
        media_type=_POSTER_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{name}.{fmt}"'},
    )


def build_router(deps: AudienceDeps, tokens: Callable[[], Mapping[str, Principal]]) -> APIRouter:
    """The service's routes, bound to its use cases."""
    router = APIRouter()
    Reader = Annotated[Principal, Depends(require(tokens, Role.EDITOR, Role.DIRECTOR))]
    Editor = Annotated[Principal, Depends(require(tokens, Role.EDITOR, Role.DIRECTOR))]
    Director = Annotated[Principal, Depends(require(tokens, Role.DIRECTOR))]
    poster_responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"image/png": {}, "application/pdf": {}}, "description": "The poster."}
    }

    # -- branches and campaigns -------------------------------------------------------
    @router.post("/branches", tags=["branches"], status_code=201, summary="Create a branch")
    async def post_branch(body: BranchCreate, actor: Director) -> BranchPublic:
        spec = BranchSpec(body.code, body.name, body.administrator, body.target, body.greeting)
        return BranchPublic.of(await create_branch(spec, deps=deps, actor=actor))

    @router.get("/branches", tags=["branches"], summary="Every branch")
    async def list_branches(_: Reader) -> list[BranchPublic]:
        return [BranchPublic.of(b) for b in await deps.branches.all()]

    @router.get("/branches/{code}", tags=["branches"], summary="One branch")
    async def get_branch(code: str, _: Reader) -> BranchPublic:
        branch = await deps.branches.get(code)
        if branch is None:
            raise NotFound("branch", code)
        return BranchPublic.of(branch)

    @router.get(
        "/branches/{code}/poster.{fmt}",
        tags=["branches"],
        summary="The branch's printable poster (png or pdf)",
        response_class=Response,
        responses=poster_responses,
    )
    async def get_branch_poster(code: str, fmt: str, _: Reader) -> Response:
        if fmt not in _POSTER_TYPES:
            raise NotFound("poster format", fmt)
        poster = await branch_poster(code, deps=deps)
        return _poster_response(poster.png if fmt == "png" else poster.pdf, fmt, code)

    @router.post("/campaigns", tags=["branches"], status_code=201, summary="Create a campaign")
    async def post_campaign(body: CampaignCreate, actor: Director) -> CampaignPublic:
        spec = CampaignSpec(body.code, body.name, body.expires_at, body.greeting)
        return CampaignPublic.of(await create_campaign(spec, deps=deps, actor=actor))

    @router.get("/campaigns", tags=["branches"], summary="Every campaign")
    async def list_campaigns(_: Reader) -> list[CampaignPublic]:
        return [CampaignPublic.of(c) for c in await deps.campaigns.all()]

    @router.get(
        "/campaigns/{code}/poster.{fmt}",
        tags=["branches"],
        summary="The campaign's printable poster (png or pdf)",
        response_class=Response,
        responses=poster_responses,
    )
    async def get_campaign_poster(code: str, fmt: str, _: Reader) -> Response:
        if fmt not in _POSTER_TYPES:
            raise NotFound("poster format", fmt)
        poster = await campaign_poster(code, deps=deps)
        return _poster_response(poster.png if fmt == "png" else poster.pdf, fmt, code)

    # -- followers ----------------------------------------------------------------------
    @router.get("/followers", tags=["followers"], summary="Followers (openids, attribution)")
    async def list_followers(
        _: Reader,
        offset: Offset = 0,
        limit: Limit = 50,
        branch_code: Code | None = None,
        subscribed: bool | None = None,
    ) -> Page[FollowerPublic]:
        items, total = await deps.followers.page(
            offset=offset, limit=limit, branch_code=branch_code, subscribed=subscribed
        )
        return Page(
            items=[FollowerPublic.of(f) for f in items], total=total, offset=offset, limit=limit
        )

    @router.get(
        "/followers/summary", tags=["followers"], summary="Followers by branch and by source"
    )
    async def followers_summary(_: Reader) -> dict[str, Any]:
        rows = await deps.followers.summary()
        branches = {b.code: b for b in await deps.branches.all()}
        by_branch: dict[str, dict[str, Any]] = {
            code: {"code": code, "name": b.name, "target": b.target, "followers": 0, "left": 0}
            for code, b in branches.items()
        }
        by_source: dict[str, dict[str, int]] = {}
        for row in rows:
            key, n = row["_id"], int(row["n"])
            state = "followers" if key.get("subscribed") else "left"
            source = by_source.setdefault(key["source"], {"followers": 0, "left": 0})
            source[state] += n
            code = key.get("branch_code")
            if code:
                entry = by_branch.setdefault(
                    code, {"code": code, "name": None, "target": None, "followers": 0, "left": 0}
                )
                entry[state] += n
        for entry in by_branch.values():
            target = entry["target"]
            entry["progress"] = round(entry["followers"] / target, 4) if target else None
        return {"by_branch": list(by_branch.values()), "by_source": by_source}

    @router.get("/followers/{openid}", tags=["followers"], summary="One follower")
    async def get_follower(openid: str, _: Reader) -> FollowerPublic:
        follower = await deps.followers.get(openid)
        if follower is None:
            raise NotFound("follower", openid)
        return FollowerPublic.of(follower)

    @router.post(
        "/followers-backfill",
        tags=["followers"],
        status_code=202,
        summary="Start (or resume) the back-fill from user/get + user/info",
    )
    async def post_backfill(actor: Director) -> dict[str, Any]:
        await start_backfill(deps=deps, actor=actor)
        return await _backfill_state()

    @router.get("/followers-backfill", tags=["followers"], summary="The back-fill's cursor")
    async def get_backfill(_: Reader) -> dict[str, Any]:
        return await _backfill_state()

    async def _backfill_state() -> dict[str, Any]:
        state = await deps.backfill.state() or {"status": "never"}
        state.pop("_id", None)
        return state

    @router.get(
        "/reconciliations", tags=["followers"], summary="Daily totals: ours against WeChat's"
    )
    async def list_reconciliations(_: Reader, limit: Limit = 30) -> list[dict[str, Any]]:
        return await deps.reconciliations.page(limit)

    @router.post(
        "/reconciliations", tags=["followers"], summary="Reconcile the last days with WeChat now"
    )
    async def run_reconciliation(_: Director) -> list[dict[str, Any]]:
        await reconcile(deps=deps)
        return await deps.reconciliations.page(deps.settings.reconcile_days)

    # -- auto-replies ---------------------------------------------------------------
    @router.get("/rules", tags=["replies"], summary="Keyword rules, oldest first")
    async def list_rules(_: Reader, offset: Offset = 0, limit: Limit = 50) -> Page[RulePublic]:
        rules = await deps.rules.all()
        return Page(
            items=[RulePublic.of(r) for r in rules[offset : offset + limit]],
            total=len(rules),
            offset=offset,
            limit=limit,
        )

    @router.post("/rules", tags=["replies"], status_code=201, summary="Add a keyword rule")
    async def post_rule(body: RuleCreate, actor: Editor) -> RulePublic:
        return RulePublic.of(await create_rule(body.to_domain(), deps=deps, actor=actor))

    @router.put("/rules/{rule_id}", tags=["replies"], summary="Replace a keyword rule")
    async def put_rule(rule_id: RuleId, body: RuleCreate, actor: Editor) -> RulePublic:
        rule = await update_rule(rule_id, body.to_domain(), deps=deps, actor=actor)
        return RulePublic.of(rule)

    @router.delete(
        "/rules/{rule_id}", tags=["replies"], status_code=204, summary="Delete a keyword rule"
    )
    async def remove_rule(rule_id: RuleId, actor: Editor) -> Response:
        await delete_rule(rule_id, deps=deps, actor=actor)
        return Response(status_code=204)

    @router.get("/replies/defaults", tags=["replies"], summary="Default reply and greeting")
    async def get_defaults(_: Reader) -> DefaultsIn:
        default, greeting = await deps.rules.defaults()
        return DefaultsIn(
            default=ReplyIn.of(default) if default else None,
            greeting=ReplyIn.of(greeting) if greeting else None,
        )

    @router.put("/replies/defaults", tags=["replies"], summary="Set default reply and greeting")
    async def put_defaults(body: DefaultsIn, actor: Editor) -> DefaultsIn:
        await set_defaults(
            body.default.to_domain() if body.default else None,
            body.greeting.to_domain() if body.greeting else None,
            deps=deps,
            actor=actor,
        )
        return body

    # -- the menu ----------------------------------------------------------------------
    async def _version(n: int, current: int | None) -> MenuVersionPublic:
        stored = await deps.menus.get(n)
        if stored is None:
            raise NotFound("menu version", str(n))
        return MenuVersionPublic(
            version=stored.version,
            buttons=stored.menu.to_wechat(),
            note=stored.note,
            created_at=stored.created_at,
            created_by=stored.created_by,
            published_at=stored.published_at,
            current=stored.version == current,
        )

    @router.post(
        "/menu/versions", tags=["menu"], status_code=201, summary="Save a menu version (checked)"
    )
    async def post_menu(body: MenuCreate, actor: Editor) -> MenuVersionPublic:
        version = await save_menu(body.to_domain(), note=body.note, deps=deps, actor=actor)
        return await _version(version, await deps.menus.current())

    @router.get("/menu/versions", tags=["menu"], summary="Menu versions, newest first")
    async def list_menus(_: Reader) -> list[MenuVersionPublic]:
        current = await deps.menus.current()
        stored = await deps.menus.versions(deps.settings.max_menu_versions_listed)
        return [await _version(s.version, current) for s in stored]

    @router.post(
        "/menu/versions/{version}/publish",
        tags=["menu"],
        summary="Publish a version to WeChat (an earlier one rolls back)",
    )
    async def post_publish(
        version: Annotated[int, Path(ge=1, le=MAX_REVISION)], actor: Director
    ) -> MenuVersionPublic:
        await publish_menu(version, deps=deps, actor=actor)
        return await _version(version, version)

    @router.get("/menu/clicks", tags=["menu"], summary="Menu clicks by button and China day")
    async def menu_clicks(
        _: Reader, since: Day | None = None, until: Day | None = None
    ) -> list[dict[str, Any]]:
        last = until or deps.china_day()
        first = since or last - timedelta(days=30)
        if first > last:
            first, last = last, first
        return await deps.menus.clicks(first, min(last, first + timedelta(days=366)))

    return router
