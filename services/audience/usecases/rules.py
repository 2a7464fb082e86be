"""Editing the auto-replies: keyword rules and the default reply and greeting, per account.

Each edit bumps the account's rules revision in its transaction, so every replica
recompiles that account's matcher (:mod:`.reply_book`); this replica does at once. A rule
belongs to the account it was created for; an edit authorises on that stored account.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from services.audience.deps import AudienceDeps
from services.audience.domain.replies import KeywordRule, Reply
from services.audience.errors import NotFound, TooManyRules
from services.audience.ports import AudienceTx
from shared.http import authorize
from shared.settings import Principal, Role

__all__ = ["EDITING", "create_rule", "delete_rule", "set_defaults", "update_rule"]

EDITING = (Role.EDITOR, Role.DIRECTOR)
"""The roles that edit an account's replies and menu (on that account)."""


async def create_rule(rule: KeywordRule, *, deps: AudienceDeps, actor: Principal) -> KeywordRule:
    """Add a rule to ``rule.account`` (its id and order are given here)."""
    account = deps.accounts.require(rule.account).id
    authorize(actor, account, *EDITING)
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> KeywordRule:
        if await tx.rules.count(account) >= deps.settings.max_rules:
            raise TooManyRules(deps.settings.max_rules)
        stored = replace(rule, rule_id=uuid.uuid4().hex, seq=await tx.rules.next_seq(account))
        await tx.rules.save(stored)
        await tx.rules.bump_revision(account)
        await tx.audit.record(
            actor,
            "rule.create",
            stored.rule_id,
            at=now,
            details={"keyword": rule.keyword, "account": account},
        )
        return stored

    created = await deps.uow.run(work)
    deps.replies.invalidate(account)
    return created


async def _stored_rule(tx: AudienceTx, rule_id: str, actor: Principal) -> KeywordRule:
    """The rule, authorised on its stored account (403 there: nothing changes)."""
    existing = await tx.rules.get(rule_id)
    if existing is None:
        raise NotFound("rule", rule_id)
    authorize(actor, existing.account, *EDITING)
    return existing


async def update_rule(
    rule_id: str, rule: KeywordRule, *, deps: AudienceDeps, actor: Principal
) -> KeywordRule:
    """Replace a rule's keyword, mode, reply, priority, hours or state (not its account)."""
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> KeywordRule:
        existing = await _stored_rule(tx, rule_id, actor)
        stored = replace(rule, rule_id=rule_id, seq=existing.seq, account=existing.account)
        await tx.rules.save(stored)
        await tx.rules.bump_revision(existing.account)
        await tx.audit.record(
            actor,
            "rule.update",
            rule_id,
            at=now,
            details={"keyword": rule.keyword, "account": existing.account},
        )
        return stored

    updated = await deps.uow.run(work)
    deps.replies.invalidate(updated.account)
    return updated


async def delete_rule(rule_id: str, *, deps: AudienceDeps, actor: Principal) -> None:
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> str:
        existing = await _stored_rule(tx, rule_id, actor)
        if not await tx.rules.delete(rule_id):
            raise NotFound("rule", rule_id)
        await tx.rules.bump_revision(existing.account)
        await tx.audit.record(
            actor, "rule.delete", rule_id, at=now, details={"account": existing.account}
        )
        return existing.account

    account = await deps.uow.run(work)
    deps.replies.invalidate(account)


async def set_defaults(
    default: Reply | None,
    greeting: Reply | None,
    *,
    account: str,
    deps: AudienceDeps,
    actor: Principal,
) -> None:
    """The account's reply to a message no rule answers, and the greeting of a new
    follower whose branch or campaign has none."""
    account = deps.accounts.require(account).id
    authorize(actor, account, *EDITING)
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> None:
        await tx.rules.set_defaults(account, default, greeting)
        await tx.rules.bump_revision(account)
        await tx.audit.record(actor, "replies.defaults", account, at=now)

    await deps.uow.run(work)
    deps.replies.invalidate(account)
