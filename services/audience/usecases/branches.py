"""Branches and campaigns of an account: their QR codes from that account's WeChat app,
and their posters with the account's name. A code is unique within its account: two
accounts may both have a branch ``sh`` (each its own code, scanned into its own account)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.audience.deps import CHINA, AudienceDeps
from services.audience.domain.accounts import poster_name
from services.audience.domain.branches import Branch, Campaign, QrCode
from services.audience.domain.scenes import branch_scene, campaign_scene
from services.audience.errors import AlreadyExists, InvalidExpiry, NotFound
from services.audience.ports import AudienceTx
from services.audience.posters import Poster, render_poster
from services.audience.usecases.wechat_calls import wechat_of
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import BranchSaved, BranchSavedPayload
from shared.http import authorize
from shared.settings import Principal, Role

__all__ = [
    "CREATING",
    "MAX_CAMPAIGN_DAYS",
    "BranchSpec",
    "CampaignSpec",
    "branch_poster",
    "campaign_poster",
    "create_branch",
    "create_campaign",
]

#: WeChat's temporary codes live at most 30 days.
MAX_CAMPAIGN_DAYS = 30
CREATING = (Role.DIRECTOR,)
"""The roles that create an account's branches and campaigns (on that account)."""


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    administrator: str
    target: int
    greeting: str | None = None
    account: str = DEFAULT_ACCOUNT


@dataclass(frozen=True)
class CampaignSpec:
    code: str
    name: str
    expires_at: datetime
    greeting: str | None = None
    account: str = DEFAULT_ACCOUNT


async def create_branch(spec: BranchSpec, *, deps: AudienceDeps, actor: Principal) -> Branch:
    """A branch with its permanent code (``QR_LIMIT_STR_SCENE``, scene ``branch:<code>``).

    The code is asked of WeChat first (the same scene always gets the same code, so a
    retry after a failure is harmless), then the branch is stored with the code's image.
    The code comes from the account's own app, so its scans reach that account.
    """
    account = deps.accounts.require(spec.account).id
    authorize(actor, account, *CREATING)
    if await deps.branches.get(account, spec.code) is not None:
        raise AlreadyExists("branch", spec.code)
    scene = branch_scene(spec.code)
    async with wechat_of(deps.api(account), account) as api:
        ticket = await api.create_qrcode(scene)
        image = await api.show_qrcode(ticket.ticket)
    now = deps.clock.now()
    branch = Branch(
        code=spec.code,
        name=spec.name,
        administrator=spec.administrator,
        target=spec.target,
        greeting=spec.greeting,
        created_at=now,
        qr=QrCode(scene, ticket.ticket, ticket.url),
        account=account,
    )

    async def work(tx: AudienceTx) -> Branch:
        if await tx.branches.get(account, spec.code) is not None:
            raise AlreadyExists("branch", spec.code)
        await tx.branches.insert(branch, image)
        await tx.audit.record(
            actor, "branch.create", spec.code, at=now, details={"account": account}
        )
        tx.emit(
            BranchSaved(
                occurred_at=now,
                producer="audience",
                account=account,
                correlation_id=f"branch:{branch.code}",
                payload=BranchSavedPayload(
                    code=branch.code,
                    name=branch.name,
                    administrator=branch.administrator,
                    target=branch.target,
                    saved_at=now,
                ),
            )
        )
        return branch

    return await deps.uow.run(work)


async def create_campaign(spec: CampaignSpec, *, deps: AudienceDeps, actor: Principal) -> Campaign:
    """A campaign with a temporary code (``QR_STR_SCENE``) expiring at ``expires_at``."""
    account = deps.accounts.require(spec.account).id
    authorize(actor, account, *CREATING)
    if await deps.campaigns.get(account, spec.code) is not None:
        raise AlreadyExists("campaign", spec.code)
    now = deps.clock.now()
    # WeChat counts the expiry in real seconds; the business clock may run fast.
    seconds = (spec.expires_at - now) / timedelta(seconds=1) / max(deps.clock.speed, 1e-9)
    if seconds < 60:
        raise InvalidExpiry("must be at least a minute from now")
    if seconds > MAX_CAMPAIGN_DAYS * 86_400:
        raise InvalidExpiry(f"WeChat's temporary codes live at most {MAX_CAMPAIGN_DAYS} days")
    seconds = int(seconds)
    scene = campaign_scene(spec.code)
    async with wechat_of(deps.api(account), account) as api:
        ticket = await api.create_qrcode(scene, expire_seconds=seconds)
        image = await api.show_qrcode(ticket.ticket)
    campaign = Campaign(
        code=spec.code,
        name=spec.name,
        expires_at=spec.expires_at,
        greeting=spec.greeting,
        created_at=now,
        qr=QrCode(scene, ticket.ticket, ticket.url, spec.expires_at),
        account=account,
    )

    async def work(tx: AudienceTx) -> Campaign:
        if await tx.campaigns.get(account, spec.code) is not None:
            raise AlreadyExists("campaign", spec.code)
        await tx.campaigns.insert(campaign, image)
        await tx.audit.record(
            actor, "campaign.create", spec.code, at=now, details={"account": account}
        )
        return campaign

    return await deps.uow.run(work)


def _account_name(account: str, deps: AudienceDeps) -> str:
    return poster_name(deps.accounts.require(account), deps.settings.account_name)


async def branch_poster(code: str, *, account: str, deps: AudienceDeps) -> Poster:
    """The branch's printable poster: the account's name, the code, the branch and its
    code."""
    branch = await deps.branches.get(account, code)
    if branch is None or branch.qr is None:
        raise NotFound("branch", code)
    image = await deps.branches.image(account, code)
    return await asyncio.to_thread(
        render_poster,
        account=_account_name(account, deps),
        title=branch.name,
        subtitle=f"网点代码 {branch.code}",
        url=branch.qr.url,
        image=image,
        font_paths=deps.settings.poster_fonts,
    )


async def campaign_poster(code: str, *, account: str, deps: AudienceDeps) -> Poster:
    """The campaign's poster, with the code's expiry (China time) printed on it."""
    campaign = await deps.campaigns.get(account, code)
    if campaign is None or campaign.qr is None:
        raise NotFound("campaign", code)
    image = await deps.campaigns.image(account, code)

    until = campaign.expires_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return await asyncio.to_thread(
        render_poster,
        account=_account_name(account, deps),
        title=campaign.name,
        subtitle=f"二维码有效期至 {until}（北京时间）",
        url=campaign.qr.url,
        image=image,
        font_paths=deps.settings.poster_fonts,
    )
