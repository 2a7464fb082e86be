"""Editing the auto-replies: keyword rules and the default reply and greeting.

Each edit bumps the rules' revision in its transaction, so every replica recompiles its
matcher (:mod:`.reply_book`); this replica does at once.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from services.audience.deps import AudienceDeps
from services.audience.domain.replies import KeywordRule, Reply
from services.audience.errors import NotFound, TooManyRules
from services.audience.ports import AudienceTx
from shared.settings import Principal

__all__ = ["create_rule", "delete_rule", "set_defaults", "update_rule"]


async def create_rule(rule: KeywordRule, *, deps: AudienceDeps, actor: Principal) -> KeywordRule:
    """Add a rule (its id and order are given here)."""
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> KeywordRule:
        if await tx.rules.count() >= deps.settings.max_rules:
            raise TooManyRules(deps.settings.max_rules)
        stored = replace(rule, rule_id=uuid.uuid4().hex, seq=await tx.rules.next_seq())
        await tx.rules.save(stored)
        await tx.rules.bump_revision()
        await tx.audit.record(
            actor, "rule.create", stored.rule_id, at=now, details={"keyword": rule.keyword}
        )
        return stored

    created = await deps.uow.run(work)
    deps.replies.invalidate()
    return created


async def update_rule(
    rule_id: str, rule: KeywordRule, *, deps: AudienceDeps, actor: Principal
) -> KeywordRule:
    """Replace a rule's keyword, mode, reply, priority, hours or state."""
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> KeywordRule:
        existing = await tx.rules.get(rule_id)
        if existing is None:
            raise NotFound("rule", rule_id)
        stored = replace(rule, rule_id=rule_id, seq=existing.seq)
        await tx.rules.save(stored)
        await tx.rules.bump_revision()
        await tx.audit.record(
            actor, "rule.update", rule_id, at=now, details={"keyword": rule.keyword}
        )
        return stored

    updated = await deps.uow.run(work)
    deps.replies.invalidate()
    return updated


async def delete_rule(rule_id: str, *, deps: AudienceDeps, actor: Principal) -> None:
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> None:
        if not await tx.rules.delete(rule_id):
            raise NotFound("rule", rule_id)
        await tx.rules.bump_revision()
        await tx.audit.record(actor, "rule.delete", rule_id, at=now)

    await deps.uow.run(work)
    deps.replies.invalidate()


async def set_defaults(
    default: Reply | None, greeting: Reply | None, *, deps: AudienceDeps, actor: Principal
) -> None:
    """The reply to a message no rule answers, and the greeting of a new follower whose
    branch or campaign has none."""
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> None:
        await tx.rules.set_defaults(default, greeting)
        await tx.rules.bump_revision()
        await tx.audit.record(actor, "replies.defaults", "defaults", at=now)

    await deps.uow.run(work)
    deps.replies.invalidate()
