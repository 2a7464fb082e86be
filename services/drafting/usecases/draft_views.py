"""What editors read of a draft: the draft, a submitted snapshot, a revision, a diff.

Lists (drafts, revisions, materials) are read by the API straight from the read-side
repositories; these add two rules: what is missing is :class:`NotFound`, and so is a
draft of an account the ``viewer`` holds no role on (#12: its existence is not revealed).
"""

from __future__ import annotations

from services.drafting.deps import DraftingDeps
from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Submission
from services.drafting.domain.revisions import Revision, RevisionDiff, diff_revisions
from services.drafting.errors import NotFound
from services.drafting.usecases.common import must_see
from shared.events import ContentSnapshot
from shared.settings import Principal

__all__ = ["diff_draft_revisions", "get_draft", "get_revision", "get_submission"]


async def get_draft(draft_id: str, *, deps: DraftingDeps, viewer: Principal) -> Draft:
    """One draft, if ``viewer`` may read its account."""
    draft = await deps.drafts.get(draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    must_see(viewer, draft.account, f"draft {draft_id}")
    return draft


async def get_submission(
    draft_id: str, revision: int, *, deps: DraftingDeps, viewer: Principal
) -> tuple[Draft, Submission, ContentSnapshot]:
    """The draft and the snapshot submitted for one of its revisions."""
    draft = await get_draft(draft_id, deps=deps, viewer=viewer)
    found = await deps.drafts.get_submission(draft_id, revision)
    if found is None:
        raise NotFound(f"revision {revision} of draft {draft_id} was not submitted")
    return draft, *found


async def get_revision(
    draft_id: str, number: int, *, deps: DraftingDeps, viewer: Principal
) -> Revision:
    """One revision of a draft."""
    revision = await deps.drafts.get_revision(draft_id, number)
    if revision is None:
        raise NotFound(f"draft {draft_id} has no revision {number}")
    must_see(viewer, revision.account, f"draft {draft_id}")
    return revision


async def diff_draft_revisions(
    draft_id: str, old: int, new: int, *, deps: DraftingDeps, viewer: Principal
) -> RevisionDiff:
    """Unified diff of the text fields between two revisions."""
    return diff_revisions(
        await get_revision(draft_id, old, deps=deps, viewer=viewer),
        await get_revision(draft_id, new, deps=deps, viewer=viewer),
    )
