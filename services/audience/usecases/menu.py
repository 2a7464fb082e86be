"""The custom menu: versions checked against WeChat's limits, published, rolled back."""

from __future__ import annotations

from services.audience.deps import AudienceDeps
from services.audience.domain.menu import Menu, menu_problems
from services.audience.errors import InvalidMenu, NotFound
from services.audience.ports import AudienceTx
from services.audience.usecases.wechat_calls import wechat_of
from shared.settings import Principal

__all__ = ["publish_menu", "save_menu"]


async def save_menu(menu: Menu, *, note: str, deps: AudienceDeps, actor: Principal) -> int:
    """Keep a new version of the menu (not yet published); refused if WeChat would."""
    problems = menu_problems(menu)
    if problems:
        raise InvalidMenu([{"field": p.field, "message": p.message} for p in problems])
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> int:
        version = await tx.menus.add(menu, at=now, by=actor.subject, note=note)
        await tx.audit.record(actor, "menu.save", str(version), at=now)
        return version

    return await deps.uow.run(work)


async def publish_menu(version: int, *, deps: AudienceDeps, actor: Principal) -> int:
    """Send version ``version`` to WeChat (``menu/create``) and make it the current one.

    Rolling back is publishing an earlier version. ``menu/create`` replaces the whole
    menu, so a publish retried after a lost answer does no harm.
    """
    stored = await deps.menus.get(version)
    if stored is None:
        raise NotFound("menu version", str(version))
    problems = menu_problems(stored.menu)
    if problems:  # stored before a stricter check: still never sent
        raise InvalidMenu([{"field": p.field, "message": p.message} for p in problems])
    previous = await deps.menus.current()
    async with wechat_of(deps.wechat) as api:
        await api.create_menu(stored.menu.to_wechat())
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> int:
        await tx.menus.mark_published(version, at=now)
        action = "menu.rollback" if previous is not None and version < previous else "menu.publish"
        await tx.audit.record(actor, action, str(version), at=now, details={"previous": previous})
        return version

    return await deps.uow.run(work)
