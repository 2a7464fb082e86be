"""Editors' commands on drafts: create, edit, submit.

Every command validates first (the body is sanitised before any transaction), then
reads, decides and writes in **one** unit of work: the draft, its revision or
submission, the audit entry and the outbox event commit together or not at all, so a
refused request leaves nothing behind.

Accounts (#12): a draft belongs to the account it was created for (the caller needs the
editor role there); every change is authorised on the draft's stored account, and its
pictures must be materials of that account.
"""

from __future__ import annotations

from datetime import datetime

from services.drafting.deps import DraftingDeps
from services.drafting.domain.content import DraftContent, build_snapshot, check_references
from services.drafting.domain.draft import Draft, may_edit
from services.drafting.domain.facts import Submission
from services.drafting.domain.revisions import Revision
from services.drafting.domain.sanitise import BodyVerdict, sanitise_body
from services.drafting.domain.states import DraftState, Transition
from services.drafting.errors import (
    EditForbidden,
    FieldProblem,
    InvalidContent,
    NotFound,
    RevisionConflict,
)
from services.drafting.ports import DraftingTx
from services.drafting.schemas import DraftCreate, DraftUpdate
from services.drafting.usecases.common import counts_refusals, materials_of, new_id, run_work
from shared.events import ContentSnapshot, utc
from shared.http import authorize
from shared.settings import Principal, Role

__all__ = ["create_draft", "submit_draft", "update_draft"]


def _validated_input(
    body_html: str | None, slot: datetime | None, *, check_slot: bool, now: datetime
) -> tuple[BodyVerdict | None, datetime | None]:
    """Sanitise the body and check the wished slot, reporting every problem at once."""
    problems: list[FieldProblem] = []
    verdict = None
    if body_html is not None:
        try:
            verdict = sanitise_body(body_html)
        except InvalidContent as exc:
            problems.extend(exc.problems)
    if slot is not None:
        slot = utc(slot)  # the contract carries UTC instants
        if check_slot and slot <= now:
            problems.append(("wished_slot", "the wished slot is not in the future"))
    if problems:
        raise InvalidContent(problems)
    return verdict, slot


@counts_refusals
async def create_draft(data: DraftCreate, *, deps: DraftingDeps, actor: Principal) -> Draft:
    """Create a draft of ``data.account`` at revision 1 (body sanitised, references checked)."""
    account = deps.accounts.require(data.account).id
    authorize(actor, account, Role.EDITOR)
    now = deps.clock.now()
    verdict, slot = _validated_input(data.body_html, data.wished_slot, check_slot=True, now=now)
    assert verdict is not None
    content = DraftContent(
        title=data.title,
        category=data.category,
        digest=data.digest,
        body_html=verdict.html,
        author=data.author or actor.subject,
        sources=tuple(data.sources),
        pictures=tuple(data.pictures),
    )
    draft = Draft.create(
        new_id("d"),
        content,
        wished_slot=slot,
        by=actor.subject,
        at=now,
        notes=verdict.notes,
        account=account,
    )

    async def work(tx: DraftingTx) -> Draft:
        check_references(content, await materials_of(tx.materials, content), account=account)
        await tx.drafts.insert(draft)
        await tx.drafts.add_revision(
            Revision(
                draft_id=draft.id,
                account=account,
                revision=1,
                content=content,
                wished_slot=draft.wished_slot,
                by=actor.subject,
                at=now,
                changed=("created",),
            )
        )
        await tx.audit.record(
            actor,
            "draft.create",
            draft.id,
            at=now,
            details={"account": account, "title": content.title},
        )
        return draft

    created = await run_work(deps.uow, work)
    deps.metrics.count_transitions(created.history)
    return created


@counts_refusals
async def update_draft(
    draft_id: str, changes: DraftUpdate, *, deps: DraftingDeps, actor: Principal
) -> Draft:
    """Apply changes as a new revision; an approved or scheduled draft goes back to editing."""
    now = deps.clock.now()
    given = changes.model_fields_set
    verdict, new_slot = _validated_input(
        changes.body_html, changes.wished_slot, check_slot="wished_slot" in given, now=now
    )

    async def work(tx: DraftingTx) -> tuple[Draft, list[Transition]]:
        draft = await _editable(tx, draft_id, actor)
        if changes.expected_revision is not None and changes.expected_revision != draft.revision:
            raise RevisionConflict(changes.expected_revision, draft.revision)
        old = draft.content
        content = DraftContent(
            title=changes.title if changes.title is not None else old.title,
            category=changes.category if changes.category is not None else old.category,
            digest=changes.digest if changes.digest is not None else old.digest,
            body_html=verdict.html if verdict is not None else old.body_html,
            author=changes.author if changes.author is not None else old.author,
            sources=tuple(changes.sources) if changes.sources is not None else old.sources,
            pictures=tuple(changes.pictures) if changes.pictures is not None else old.pictures,
        )
        slot = new_slot if "wished_slot" in given else draft.wished_slot
        check_references(content, await materials_of(tx.materials, content), account=draft.account)
        steps_before = len(draft.history)
        changed = draft.edit(
            content,
            wished_slot=slot,
            by=actor.subject,
            at=now,
            notes=verdict.notes if verdict is not None else draft.content_notes,
        )
        if not changed:
            return draft, []
        await tx.drafts.save(draft)
        await tx.drafts.add_revision(
            Revision(
                draft_id=draft.id,
                account=draft.account,
                revision=draft.revision,
                content=content,
                wished_slot=slot,
                by=actor.subject,
                at=now,
                changed=tuple(changed),
            )
        )
        await tx.audit.record(
            actor,
            "draft.update",
            draft.id,
            at=now,
            details={"account": draft.account, "revision": draft.revision, "changed": changed},
        )
        return draft, draft.history[steps_before:]

    draft, steps = await run_work(deps.uow, work)
    deps.metrics.count_transitions(steps)
    return draft


@counts_refusals
async def submit_draft(
    draft_id: str, *, deps: DraftingDeps, actor: Principal
) -> tuple[Draft, Submission, ContentSnapshot, bool]:
    """Send the current revision for review: state, submission, audit and
    ``draft.submitted`` (of the draft's account) in one transaction; returns the draft,
    the submission, its snapshot and whether it was made now. A second submit of the
    same revision returns the first submission and emits nothing."""
    now = deps.clock.now()

    async def work(
        tx: DraftingTx,
    ) -> tuple[Draft, Submission, ContentSnapshot, bool, list[Transition]]:
        draft = await _editable(tx, draft_id, actor)
        current = draft.current_submission()
        if current is not None and draft.state is not DraftState.REJECTED:
            stored = await tx.drafts.get_submission(draft.id, current.revision)
            if stored is None:  # written in the same transaction as the state: cannot happen
                raise NotFound(f"submission {draft.id}:{current.revision}")
            return draft, stored[0], stored[1], False, []
        materials = await materials_of(tx.materials, draft.content)
        snapshot = build_snapshot(draft.content, materials, account=draft.account)
        steps_before = len(draft.history)
        submission, created = draft.submit(snapshot, by=actor.subject, at=now)
        await tx.drafts.save(draft)
        await tx.drafts.add_submission(draft.id, submission, snapshot, account=draft.account)
        for event in draft.collect_events():
            tx.emit(event)
        await tx.audit.record(
            actor,
            "draft.submit",
            draft.id,
            at=now,
            details={
                "account": draft.account,
                "revision": submission.revision,
                "content_hash": submission.content_hash,
            },
        )
        return draft, submission, snapshot, created, draft.history[steps_before:]

    draft, submission, snapshot, created, steps = await run_work(deps.uow, work)
    deps.metrics.count_transitions(steps)
    return draft, submission, snapshot, created


async def _editable(tx: DraftingTx, draft_id: str, actor: Principal) -> Draft:
    """The draft, if ``actor`` may change it: a writer's role on the draft's account (403
    otherwise), and the editor role there or being its creator."""
    draft = await tx.drafts.get(draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    authorize(actor, draft.account, Role.EDITOR, Role.REVIEWER, Role.DIRECTOR)
    roles = actor.roles_on(draft.account)
    if not may_edit(creator=draft.created_by, subject=actor.subject, roles=roles):
        raise EditForbidden("only editors and the draft's creator may change it")
    return draft
