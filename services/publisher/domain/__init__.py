"""The post and its life, as pure rules: states, transitions, events, slots, resolution.

::

    scheduled ──pause──► paused ──resume──► scheduled        (reschedule: scheduled,
        │  └──────────cancel / reschedule──────┘                paused or missed)
        │ job due: on time or late within grace
        ▼
    submitting ──answer──► published | pending | failed
        │ unclear answer, or the replica died (a newer fence finds it)
        ▼
    unknown ──reconcile (channel.status)──► published | pending | failed
                                         └► scheduled again, only when the channel
                                            says nothing went out
    unknown / pending ──resolve (a person's word)──► published | scheduled | cancelled
    scheduled ──job due beyond grace──► missed
    scheduled / paused / missed ──cancel──► cancelled

Only a job holding the current fence moves a post out of ``scheduled`` and only while
``rev`` (bumped by every schedule change) is the one it was scheduled with, so a cancel,
pause or reschedule and the publishing job race on one document and exactly one wins:
each change is a :class:`Transition` the :class:`Post` decides (its guard, new fields,
history line and event), which the repository applies as one conditional update.

* :mod:`.states` — ``PostState``, ``Command`` and which commands apply when;
* :mod:`.post` — ``Post`` and a person's commands, :mod:`.steps` — the publishing job's
  transitions, :mod:`.record` — its fields; :mod:`.transition` — ``Guard``, ``Transition``;
* :mod:`.publishing` — ids, the approved content, what a due job does, an approval's post;
* :mod:`.events` — ``post.published`` / ``post.failed``; :mod:`.slots` — seats and slots;
* :mod:`.resolution` — a person's word on an outcome the channel cannot tell.
"""

from services.publisher.domain.events import lateness_seconds
from services.publisher.domain.keys import (
    job_kind,
    publish_job_key,
    reconcile_job_key,
    retry_due_at,
)
from services.publisher.domain.post import Post
from services.publisher.domain.publishing import (
    DueAction,
    decide_due,
    post_id_for,
    publish_request,
    refused_post,
    scheduled_post,
    verified_content,
)
from services.publisher.domain.states import IN_FLIGHT, NOT_STARTED, Command, PostState
from services.publisher.domain.steps import ACTOR
from services.publisher.domain.transition import Guard, Transition

__all__ = [
    "ACTOR",
    "IN_FLIGHT",
    "NOT_STARTED",
    "Command",
    "DueAction",
    "Guard",
    "Post",
    "PostState",
    "Transition",
    "decide_due",
    "job_kind",
    "lateness_seconds",
    "post_id_for",
    "publish_job_key",
    "publish_request",
    "reconcile_job_key",
    "refused_post",
    "retry_due_at",
    "scheduled_post",
    "verified_content",
]
