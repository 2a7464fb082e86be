"""The custom menu of an account: versions checked against WeChat's limits, published
with the account's app, rolled back. Versions are numbered per account."""

from __future__ import annotations

from services.audience.deps import AudienceDeps
from services.audience.domain.menu import Menu, menu_problems
from services.audience.errors import InvalidMenu, NotFound
from services.audience.ports import AudienceTx
from services.audience.usecases.rules import EDITING
from services.audience.usecases.wechat_calls import wechat_of
from shared.http import authorize
from shared.settings import Principal, Role

__all__ = ["PUBLISHING", "publish_menu", "save_menu"]

PUBLISHING = (Role.DIRECTOR,)
"""The roles that send an account's menu to WeChat (on that account)."""


async def save_menu(
    menu: Menu, *, account: str, note: str, deps: AudienceDeps, actor: Principal
) -> int:
    """Keep a new version of the account's menu (not yet published); refused if WeChat
    would refuse it."""
    account = deps.accounts.require(account).id
    authorize(actor, account, *EDITING)
    problems = menu_problems(menu)
    if problems:
        raise InvalidMenu([{"field": p.field, "message": p.message} for p in problems])
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> int:
        version = await tx.menus.add(account, menu, at=now, by=actor.subject, note=note)
        await tx.audit.record(
            actor, "menu.save", str(version), at=now, details={"account": account}
        )
        return version

    return await deps.uow.run(work)


async def publish_menu(version: int, *, account: str, deps: AudienceDeps, actor: Principal) -> int:
    """Send the account's version ``version`` to WeChat (``menu/create`` with the
    account's app) and make it the account's current one.

    Rolling back is publishing an earlier version. ``menu/create`` replaces the whole
    menu, so a publish retried after a lost answer does no harm.
    """
    account = deps.accounts.require(account).id
    authorize(actor, account, *PUBLISHING)
    stored = await deps.menus.get(account, version)
    if stored is None:
        raise NotFound("menu version", str(version))
    problems = menu_problems(stored.menu)
    if problems:  # stored before a stricter check: still never sent
        raise InvalidMenu([{"field": p.field, "message": p.message} for p in problems])
    previous = await deps.menus.current(account)
    async with wechat_of(deps.api(account), account) as api:
        await api.create_menu(stored.menu.to_wechat())
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> int:
        await tx.menus.mark_published(account, version, at=now)
        action = "menu.rollback" if previous is not None and version < previous else "menu.publish"
        details = {"previous": previous, "account": account}
        await tx.audit.record(actor, action, str(version), at=now, details=details)
        return version

    return await deps.uow.run(work)
