"""Branches and campaigns: their QR codes from WeChat, and their posters."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.audience.deps import CHINA, AudienceDeps
from services.audience.domain.branches import Branch, Campaign, QrCode
from services.audience.domain.scenes import branch_scene, campaign_scene
from services.audience.errors import AlreadyExists, InvalidExpiry, NotFound
from services.audience.ports import AudienceTx
from services.audience.posters import Poster, render_poster
from services.audience.usecases.wechat_calls import wechat_of
from shared.events import BranchSaved, BranchSavedPayload
from shared.settings import Principal

__all__ = [
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


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    administrator: str
    target: int
    greeting: str | None = None


@dataclass(frozen=True)
class CampaignSpec:
    code: str
    name: str
    expires_at: datetime
    greeting: str | None = None


async def create_branch(spec: BranchSpec, *, deps: AudienceDeps, actor: Principal) -> Branch:
    """A branch with its permanent code (``QR_LIMIT_STR_SCENE``, scene ``branch:<code>``).

    The code is asked of WeChat first (the same scene always gets the same code, so a
    retry after a failure is harmless), then the branch is stored with the code's image.
    """
    if await deps.branches.get(spec.code) is not None:
        raise AlreadyExists("branch", spec.code)
    scene = branch_scene(spec.code)
    async with wechat_of(deps.wechat) as api:
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
    )

    async def work(tx: AudienceTx) -> Branch:
        if await tx.branches.get(spec.code) is not None:
            raise AlreadyExists("branch", spec.code)
        await tx.branches.insert(branch, image)
        await tx.audit.record(actor, "branch.create", spec.code, at=now)
        tx.emit(
            BranchSaved(
                occurred_at=now,
                producer="audience",
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
    if await deps.campaigns.get(spec.code) is not None:
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
    async with wechat_of(deps.wechat) as api:
        ticket = await api.create_qrcode(scene, expire_seconds=seconds)
        image = await api.show_qrcode(ticket.ticket)
    campaign = Campaign(
        code=spec.code,
        name=spec.name,
        expires_at=spec.expires_at,
        greeting=spec.greeting,
        created_at=now,
        qr=QrCode(scene, ticket.ticket, ticket.url, spec.expires_at),
    )

    async def work(tx: AudienceTx) -> Campaign:
        if await tx.campaigns.get(spec.code) is not None:
            raise AlreadyExists("campaign", spec.code)
        await tx.campaigns.insert(campaign, image)
        await tx.audit.record(actor, "campaign.create", spec.code, at=now)
        return campaign

    return await deps.uow.run(work)


async def branch_poster(code: str, *, deps: AudienceDeps) -> Poster:
    """The branch's printable poster: the account, the code, the branch and its code."""
    branch = await deps.branches.get(code)
    if branch is None or branch.qr is None:
        raise NotFound("branch", code)
    image = await deps.branches.image(code)
    return await asyncio.to_thread(
        render_poster,
        account=deps.settings.account_name,
        title=branch.name,
        subtitle=f"网点代码 {branch.code}",
        url=branch.qr.url,
        image=image,
        font_paths=deps.settings.poster_fonts,
    )


async def campaign_poster(code: str, *, deps: AudienceDeps) -> Poster:
    """The campaign's poster, with the code's expiry (China time) printed on it."""
    campaign = await deps.campaigns.get(code)
    if campaign is None or campaign.qr is None:
        raise NotFound("campaign", code)
    image = await deps.campaigns.image(code)

    until = campaign.expires_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return await asyncio.to_thread(
        render_poster,
        account=deps.settings.account_name,
        title=campaign.name,
        subtitle=f"二维码有效期至 {until}（北京时间）",
        url=campaign.qr.url,
        image=image,
        font_paths=deps.settings.poster_fonts,
    )
