"""Use cases of the drafting service: commands from editors, facts from other services,
and what editors read. One signature::

    async def verb(input, *, deps: DraftingDeps, actor: Principal) -> result

``input`` is what the use case acts on (a request body, an event, an id, a query);
``actor`` is given to the commands a person makes and to no other use case.

Every command validates first (the body is sanitised before any transaction), then
reads, decides and writes in **one** unit of work: the draft, its revision or
submission, the audit entry and the outbox event commit together or not at all, so a
refused request leaves nothing behind. Facts run in a unit of work with the consumed
event's idempotency record.
"""

from services.drafting.usecases.draft_views import (
    diff_draft_revisions,
    get_draft,
    get_revision,
    get_submission,
)
from services.drafting.usecases.drafts import create_draft, submit_draft, update_draft
from services.drafting.usecases.facts import (
    apply_approval,
    apply_failure,
    apply_publication,
    apply_rejection,
)
from services.drafting.usecases.ideas import (
    TopicIdeaQuery,
    list_topic_ideas,
    receive_digest,
    receive_report,
)
from services.drafting.usecases.materials import create_material, get_material, update_material

__all__ = [
    "TopicIdeaQuery",
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
    "list_topic_ideas",
    "receive_digest",
    "receive_report",
    "submit_draft",
    "update_draft",
    "update_material",
]
