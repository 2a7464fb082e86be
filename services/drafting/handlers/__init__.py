"""Use cases of the drafting service: commands from editors and facts from other services.

Every command validates first (the body is sanitised before any transaction), then
reads, decides and writes in **one** unit of work: the draft, its revision or
submission, the audit entry and the outbox event commit together or not at all, so a
refused request leaves nothing behind. Consumers run in a unit of work with the
consumed event's idempotency record.
"""

from services.drafting.handlers.drafts import (
    create_draft,
    diff_draft_revisions,
    get_draft,
    get_revision,
    get_submission,
    list_drafts,
    submit_draft,
    update_draft,
)
from services.drafting.handlers.facts import (
    apply_approval,
    apply_failure,
    apply_publication,
    apply_rejection,
)
from services.drafting.handlers.ideas import list_topic_ideas, receive_digest, receive_report
from services.drafting.handlers.materials import create_material, get_material, update_material

__all__ = [
    "apply_approval",
    "apply_failure",
    "apply_publication",
    "apply_rejection",
    "create_draft",
    "create_material",
    "diff_draft_revisions",
    "get_draft",
    "get_material",
    "get_revision",
    "get_submission",
    "list_drafts",
    "list_topic_ideas",
    "receive_digest",
    "receive_report",
    "submit_draft",
    "update_draft",
    "update_material",
]
