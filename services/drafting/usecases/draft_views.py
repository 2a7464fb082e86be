"""What editors read of a draft: the draft, a submitted snapshot, a revision, a diff.

Lists (drafts, revisions, materials) are read by the API straight from the read-side
repositories; these add a rule: what is missing is :class:`NotFound`.
"""

from __future__ import annotations

from services.drafting.deps import DraftingDeps
from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Submission
from services.drafting.domain.revisions import Revision, RevisionDiff, diff_revisions
from services.drafting.errors import NotFound
from shared.events import ContentSnapshot

__all__ = ["diff_draft_revisions", "get_draft", "get_revision", "get_submission"]


async def get_draft(draft_id: str, *, deps: DraftingDeps) -> Draft:
    """One draft."""
    draft = await deps.drafts.get(draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    return draft


async def get_submission(
    draft_id: str, revision: int, *, deps: DraftingDeps
) -> tuple[Submission, ContentSnapshot]:
    """The snapshot submitted for one revision."""
    found = await deps.drafts.get_submission(draft_id, revision)
    if found is None:
        raise NotFound(f"revision {revision} of draft {draft_id} was not submitted")
    return found


async def get_revision(draft_id: str, number: int, *, deps: DraftingDeps) -> Revision:
    """One revision of a draft."""
    revision = await deps.drafts.get_revision(draft_id, number)
    if revision is None:
        raise NotFound(f"draft {draft_id} has no revision {number}")
    return revision


async def diff_draft_revisions(
    draft_id: str, old: int, new: int, *, deps: DraftingDeps
) -> RevisionDiff:
    """Unified diff of the text fields between two revisions."""
    return diff_revisions(
        await get_revision(draft_id, old, deps=deps), await get_revision(draft_id, new, deps=deps)
    )
