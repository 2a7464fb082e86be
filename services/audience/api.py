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

Accounts (#12): every list route takes an optional ``account`` and reads the accounts the
caller may read (``account_scope``: all of them without ``account``; 403 for one it holds
no role on); every item shows its ``account``. A single branch, campaign, follower or
menu version is named by its code (number, openid) and ``?account=`` (default
``default``); of an account the caller holds no role on it is 404. Every change names its
account (body ``account``, default ``default``) or is authorised on the stored one (a
rule's): the route's role must be held on that account, else 403 and nothing changes.
"""

# No ``from __future__ import annotations``: FastAPI must see the role dependencies.

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from services.audience.deps import AudienceDeps
from services.audience.errors import NotFound
from services.audience.schemas import (
    AccountIn,
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
    RuleFields,
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
from shared.accounts import ACCOUNT_ID_PATTERN, DEFAULT_ACCOUNT
from shared.bounds import MAX_OFFSET, MAX_REVISION, Day
from shared.http import Page, account_scope, authorize, require
from shared.settings import Principal, Role

__all__ = ["build_router"]

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Query(ge=1, le=200)]
Code = Annotated[str, Query(max_length=32)]
RuleId = Annotated[str, Path(max_length=64)]
AccountQuery = Annotated[
    str | None,
    Query(
        pattern=ACCOUNT_ID_PATTERN,
        description="Only this official account's; unset: every account you may read.",
    ),
]
OneAccount = Annotated[
    str,
    Query(
        pattern=ACCOUNT_ID_PATTERN,
        description="The official account it belongs to (codes and numbers are per account).",
    ),
]
_POSTER_TYPES = {"png": "image/png", "pdf": "application/pdf"}
READING = (Role.EDITOR, Role.DIRECTOR)
"""The roles that read an account's audience (admin passes too)."""


def _poster_response(content: bytes, fmt: str, name: str) -> Response:
    return Response(
        content,
        media_type=_POSTER_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{name}.{fmt}"'},
    )


def build_router(deps: AudienceDeps, tokens: Callable[[], Mapping[str, Principal]]) -> APIRouter:
    """The service's routes, bound to its use cases."""
    router = APIRouter()
    Reader = Annotated[Principal, Depends(require(tokens, *READING))]
    Editor = Annotated[Principal, Depends(require(tokens, Role.EDITOR, Role.DIRECTOR))]
    Director = Annotated[Principal, Depends(require(tokens, Role.DIRECTOR))]
    poster_responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"image/png": {}, "application/pdf": {}}, "description": "The poster."}
    }

    def scope(actor: Principal, account: str | None) -> list[str]:
        """The accounts a list reads: ``account_scope``, kept to those on which the caller
        holds a reading role (a reviewer of ``talent`` reads none of its followers)."""
        accounts = account_scope(actor, deps.accounts, account)
        if account is not None:
            authorize(actor, account, *READING)  # 403 for ?account= it may not read
        return [a for a in accounts if actor.may(a, frozenset(READING))]

    def readable(actor: Principal, account: str, what: str, key: str) -> str:
        """One resource's account: unknown, or not readable by the caller, is 404 (its
        existence is not revealed)."""
        deps.accounts.require(account)
        if not actor.may(account, frozenset(READING)):
            raise NotFound(what, key)
        return account

    # -- branches and campaigns -------------------------------------------------------
    @router.post("/branches", tags=["branches"], status_code=201, summary="Create a branch")
    async def post_branch(body: BranchCreate, actor: Director) -> BranchPublic:
        spec = BranchSpec(
            body.code, body.name, body.administrator, body.target, body.greeting, body.account
        )
        return BranchPublic.of(await create_branch(spec, deps=deps, actor=actor))

    @router.get("/branches", tags=["branches"], summary="Every branch (of the accounts read)")
    async def list_branches(actor: Reader, account: AccountQuery = None) -> list[BranchPublic]:
        return [BranchPublic.of(b) for b in await deps.branches.all(scope(actor, account))]

    @router.get("/branches/{code}", tags=["branches"], summary="One branch")
    async def get_branch(
        code: str, actor: Reader, account: OneAccount = DEFAULT_ACCOUNT
    ) -> BranchPublic:
        branch = await deps.branches.get(readable(actor, account, "branch", code), code)
        if branch is None:
            raise NotFound("branch", code)
        return BranchPublic.of(branch)

    @router.get(
        "/branches/{code}/poster.{fmt}",
        tags=["branches"],
        summary="The branch's printable poster (png or pdf), with its account's name",
        response_class=Response,
        responses=poster_responses,
    )
    async def get_branch_poster(
        code: str, fmt: str, actor: Reader, account: OneAccount = DEFAULT_ACCOUNT
    ) -> Response:
        if fmt not in _POSTER_TYPES:
            raise NotFound("poster format", fmt)
        account = readable(actor, account, "branch", code)
        poster = await branch_poster(code, account=account, deps=deps)
        return _poster_response(poster.png if fmt == "png" else poster.pdf, fmt, code)

    @router.post("/campaigns", tags=["branches"], status_code=201, summary="Create a campaign")
    async def post_campaign(body: CampaignCreate, actor: Director) -> CampaignPublic:
        spec = CampaignSpec(body.code, body.name, body.expires_at, body.greeting, body.account)
        return CampaignPublic.of(await create_campaign(spec, deps=deps, actor=actor))

    @router.get("/campaigns", tags=["branches"], summary="Every campaign (of the accounts read)")
    async def list_campaigns(actor: Reader, account: AccountQuery = None) -> list[CampaignPublic]:
        return [CampaignPublic.of(c) for c in await deps.campaigns.all(scope(actor, account))]

    @router.get(
        "/campaigns/{code}/poster.{fmt}",
        tags=["branches"],
        summary="The campaign's printable poster (png or pdf), with its account's name",
        response_class=Response,
        responses=poster_responses,
    )
    async def get_campaign_poster(
        code: str, fmt: str, actor: Reader, account: OneAccount = DEFAULT_ACCOUNT
    ) -> Response:
        if fmt not in _POSTER_TYPES:
            raise NotFound("poster format", fmt)
        account = readable(actor, account, "campaign", code)
        poster = await campaign_poster(code, account=account, deps=deps)
        return _poster_response(poster.png if fmt == "png" else poster.pdf, fmt, code)

    # -- followers ----------------------------------------------------------------------
    @router.get("/followers", tags=["followers"], summary="Followers (openids, attribution)")
    async def list_followers(
        actor: Reader,
        offset: Offset = 0,
        limit: Limit = 50,
        branch_code: Code | None = None,
        subscribed: bool | None = None,
        account: AccountQuery = None,
    ) -> Page[FollowerPublic]:
        items, total = await deps.followers.page(
            scope(actor, account),
            offset=offset,
            limit=limit,
            branch_code=branch_code,
            subscribed=subscribed,
        )
        return Page(
            items=[FollowerPublic.of(f) for f in items], total=total, offset=offset, limit=limit
        )

    @router.get(
        "/followers/summary",
        tags=["followers"],
        summary="Followers by branch (each of its account) and by source",
    )
    async def followers_summary(actor: Reader, account: AccountQuery = None) -> dict[str, Any]:
        accounts = scope(actor, account)
        rows = await deps.followers.summary(accounts)
        by_branch: dict[tuple[str, str], dict[str, Any]] = {
            (b.account, b.code): {
                "account": b.account,
                "code": b.code,
                "name": b.name,
                "target": b.target,
                "followers": 0,
                "left": 0,
            }
            for b in await deps.branches.all(accounts)
        }
        by_source: dict[str, dict[str, int]] = {}
        for row in rows:
            key, n = row["_id"], int(row["n"])
            state = "followers" if key.get("subscribed") else "left"
            source = by_source.setdefault(key["source"], {"followers": 0, "left": 0})
            source[state] += n
            code = key.get("branch_code")
            if code:
                owner = str(key.get("account") or DEFAULT_ACCOUNT)
                entry = by_branch.setdefault(
                    (owner, code),
                    {
                        "account": owner,
                        "code": code,
                        "name": None,
                        "target": None,
                        "followers": 0,
                        "left": 0,
                    },
                )
                entry[state] += n
        for entry in by_branch.values():
            target = entry["target"]
            entry["progress"] = round(entry["followers"] / target, 4) if target else None
        return {"accounts": accounts, "by_branch": list(by_branch.values()), "by_source": by_source}

    @router.get("/followers/{openid}", tags=["followers"], summary="One follower")
    async def get_follower(
        openid: str, actor: Reader, account: OneAccount = DEFAULT_ACCOUNT
    ) -> FollowerPublic:
        follower = await deps.followers.get(readable(actor, account, "follower", openid), openid)
        if follower is None:
            raise NotFound("follower", openid)
        return FollowerPublic.of(follower)

    @router.post(
        "/followers-backfill",
        tags=["followers"],
        status_code=202,
        summary="Start (or resume) an account's back-fill from user/get + user/info",
    )
    async def post_backfill(actor: Director, body: AccountIn | None = None) -> dict[str, Any]:
        account = (body or AccountIn()).account
        await start_backfill(account=account, deps=deps, actor=actor)
        return await _backfill_state(account)

    @router.get(
        "/followers-backfill",
        tags=["followers"],
        summary="An account's back-fill cursor (unset: the first account you may read)",
    )
    async def get_backfill(actor: Reader, account: AccountQuery = None) -> dict[str, Any]:
        return await _backfill_state(_first(scope(actor, account)))

    async def _backfill_state(account: str) -> dict[str, Any]:
        state = await deps.backfill.state(account) or {"status": "never"}
        state.pop("_id", None)
        state["account"] = account
        return state

    @router.get(
        "/reconciliations", tags=["followers"], summary="Daily totals: ours against WeChat's"
    )
    async def list_reconciliations(
        actor: Reader, limit: Limit = 30, account: AccountQuery = None
    ) -> list[dict[str, Any]]:
        return await deps.reconciliations.page(scope(actor, account), limit)

    @router.post(
        "/reconciliations",
        tags=["followers"],
        summary="Reconcile an account's last days with WeChat now",
    )
    async def run_reconciliation(
        actor: Director, body: AccountIn | None = None
    ) -> list[dict[str, Any]]:
        account = deps.accounts.require((body or AccountIn()).account).id
        authorize(actor, account, Role.DIRECTOR)
        await reconcile(account=account, deps=deps)
        return await deps.reconciliations.page([account], deps.settings.reconcile_days)

    # -- auto-replies ---------------------------------------------------------------
    @router.get("/rules", tags=["replies"], summary="Keyword rules, by account, oldest first")
    async def list_rules(
        actor: Reader, offset: Offset = 0, limit: Limit = 50, account: AccountQuery = None
    ) -> Page[RulePublic]:
        rules = [r for a in scope(actor, account) for r in await deps.rules.all(a)]
        return Page(
            items=[RulePublic.of(r) for r in rules[offset : offset + limit]],
            total=len(rules),
            offset=offset,
            limit=limit,
        )

    @router.post("/rules", tags=["replies"], status_code=201, summary="Add a keyword rule")
    async def post_rule(body: RuleCreate, actor: Editor) -> RulePublic:
        rule = body.to_domain(body.account)
        return RulePublic.of(await create_rule(rule, deps=deps, actor=actor))

    @router.put(
        "/rules/{rule_id}", tags=["replies"], summary="Replace a keyword rule (same account)"
    )
    async def put_rule(rule_id: RuleId, body: RuleFields, actor: Editor) -> RulePublic:
        rule = await update_rule(rule_id, body.to_domain(), deps=deps, actor=actor)
        return RulePublic.of(rule)

    @router.delete(
        "/rules/{rule_id}", tags=["replies"], status_code=204, summary="Delete a keyword rule"
    )
    async def remove_rule(rule_id: RuleId, actor: Editor) -> Response:
        await delete_rule(rule_id, deps=deps, actor=actor)
        return Response(status_code=204)

    @router.get(
        "/replies/defaults",
        tags=["replies"],
        summary="An account's default reply and greeting (unset: the first you may read)",
    )
    async def get_defaults(actor: Reader, account: AccountQuery = None) -> DefaultsIn:
        chosen = _first(scope(actor, account))
        default, greeting = await deps.rules.defaults(chosen)
        return DefaultsIn(
            account=chosen,
            default=ReplyIn.of(default) if default else None,
            greeting=ReplyIn.of(greeting) if greeting else None,
        )

    @router.put(
        "/replies/defaults", tags=["replies"], summary="Set an account's default reply and greeting"
    )
    async def put_defaults(body: DefaultsIn, actor: Editor) -> DefaultsIn:
        await set_defaults(
            body.default.to_domain() if body.default else None,
            body.greeting.to_domain() if body.greeting else None,
            account=body.account,
            deps=deps,
            actor=actor,
        )
        return body

    # -- the menu ----------------------------------------------------------------------
    async def _version(account: str, n: int, current: int | None) -> MenuVersionPublic:
        stored = await deps.menus.get(account, n)
        if stored is None:
            raise NotFound("menu version", str(n))
        return MenuVersionPublic(
            account=account,
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
        version = await save_menu(
            body.to_domain(), account=body.account, note=body.note, deps=deps, actor=actor
        )
        return await _version(body.account, version, await deps.menus.current(body.account))

    @router.get("/menu/versions", tags=["menu"], summary="Menu versions, by account, newest first")
    async def list_menus(actor: Reader, account: AccountQuery = None) -> list[MenuVersionPublic]:
        listed: list[MenuVersionPublic] = []
        for one in scope(actor, account):
            current = await deps.menus.current(one)
            stored = await deps.menus.versions(one, deps.settings.max_menu_versions_listed)
            listed.extend([await _version(one, s.version, current) for s in stored])
        return listed

    @router.post(
        "/menu/versions/{version}/publish",
        tags=["menu"],
        summary="Publish an account's version to WeChat (an earlier one rolls back)",
    )
    async def post_publish(
        version: Annotated[int, Path(ge=1, le=MAX_REVISION)],
        actor: Director,
        account: OneAccount = DEFAULT_ACCOUNT,
    ) -> MenuVersionPublic:
        await publish_menu(version, account=account, deps=deps, actor=actor)
        return await _version(account, version, version)

    @router.get("/menu/clicks", tags=["menu"], summary="Menu clicks by account, button and day")
    async def menu_clicks(
        actor: Reader,
        since: Day | None = None,
        until: Day | None = None,
        account: AccountQuery = None,
    ) -> list[dict[str, Any]]:
        accounts = scope(actor, account)
        last = until or deps.china_day()
        first = since or last - timedelta(days=30)
        if first > last:
            first, last = last, first
        return await deps.menus.clicks(accounts, first, min(last, first + timedelta(days=366)))

    return router


def _first(accounts: Sequence[str]) -> str:
    """The account a single-account read shows when none was named: the first readable."""
    if not accounts:
        raise NotFound("account", "(none readable)")
    return accounts[0]
