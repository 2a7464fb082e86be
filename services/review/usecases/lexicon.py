"""Use cases of the lexicon admin API: add and remove terms at run time.

A change is one transaction: the term's latest instruction in ``lexicon_changes``, the
bumped ``revision`` every replica watches, and the audit line. The answering replica
reloads at once; the others on their next check (see :mod:`services.review.checking`).

One lexicon for the whole deployment (#12): the company's content norms hold for every
official account, so a draft of any account is checked against the same terms, and a
change needs the admin role on every account of the deployment (an admin limited to one
account cannot change what all the others are checked against).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from services.review.checking import LoadedLexicon
from services.review.deps import ReviewDeps
from services.review.errors import InvalidTerm, LexiconRefused, UnknownTerm
from services.review.norms import (
    DEFAULT_SEVERITY,
    Category,
    LexiconError,
    Severity,
    Term,
    normalise_term,
)
from services.review.ports import ReviewTx
from services.review.usecases.access import require_on_all
from shared.settings import Principal, Role

__all__ = ["TermChange", "add_term", "remove_term"]

_log = structlog.get_logger("review.lexicon")


@dataclass(frozen=True)
class TermChange:
    """A term to add: its text, category, severity (category default) and a note."""

    text: str
    category: Category
    severity: Severity | None = None
    note: str = ""


async def _commit(
    deps: ReviewDeps, key: str, change: dict[str, Any], *, actor: Principal, action: str
) -> LoadedLexicon:
    async def work(tx: ReviewTx) -> int:
        revision = await tx.lexicon.put_change(key, change)
        details = {k: v for k, v in change.items() if k not in ("at", "by")}
        details["revision"] = revision
        await tx.audit.record(actor, f"lexicon.{action}", key, at=change["at"], details=details)
        return revision

    revision = await deps.uow.run(work)
    deps.metrics.lexicon_changes.labels(action).inc()
    loaded = await deps.checkers.current()
    _log.info(
        "lexicon_changed",
        action=action,
        term=key,
        revision=revision,
        version=loaded.checker.version,
    )
    return loaded


async def add_term(change: TermChange, *, deps: ReviewDeps, actor: Principal) -> LoadedLexicon:
    """Put a term in force (replacing one with the same normalised form)."""
    require_on_all(actor, deps.accounts.ids, Role.ADMIN)
    severity = change.severity or DEFAULT_SEVERITY[change.category]
    try:
        term = Term(change.text.strip(), change.category, severity, change.note.strip())
    except LexiconError as exc:
        raise InvalidTerm(str(exc), errors=[{"field": "text", "message": str(exc)}]) from exc
    doc = {
        "action": "add",
        "text": term.text,
        "category": str(term.category),
        "severity": str(term.severity),
        "note": term.note,
        "by": actor.subject,
        "at": deps.clock.now(),
    }
    return await _commit(deps, term.key, doc, actor=actor, action="add")


async def remove_term(text: str, *, deps: ReviewDeps, actor: Principal) -> LoadedLexicon:
    """Take a term out of force (shipped or added); configured terms stay configuration."""
    require_on_all(actor, deps.accounts.ids, Role.ADMIN)
    key = normalise_term(text)
    loaded = await deps.checkers.current()
    if not any(t.key == key for t in loaded.base.terms):
        configured = {normalise_term(t) for t in deps.checkers.confidential_terms}
        if key and key in configured:
            raise LexiconRefused(
                f"「{text}」 is a configured confidential term: change "
                "REVIEW_CONFIDENTIAL_TERMS to remove it",
                errors=[{"field": "text", "message": "configured, not in the lexicon"}],
            )
        raise UnknownTerm(
            f"「{text}」 is not a term in force",
            errors=[{"field": "text", "message": "not in the lexicon"}],
        )
    doc = {"action": "remove", "text": text.strip(), "by": actor.subject, "at": deps.clock.now()}
    return await _commit(deps, key, doc, actor=actor, action="remove")
