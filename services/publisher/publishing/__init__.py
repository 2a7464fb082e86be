"""Timed publishing: the use cases run for a claimed ``publish`` or ``reconcile`` job.

Never twice, never other content:

1. A job is claimed by one replica (lease + fencing token, :mod:`shared.jobs`).
2. The post moves ``scheduled -> submitting`` with the job's fence *before* the channel
   is called (a conditional update on state and schedule revision, so a cancel,
   pause or reschedule and the job cannot both win). The stored content is re-hashed
   against the approval; a mismatch is never sent.
3. The channel's answer is recorded under the same fence, with ``post.published`` or
   ``post.failed`` in the same transaction (outbox) and the job completed in it.
4. An unclear answer (timeout, reset), or a replica that died while ``submitting`` (the
   next holder of the job finds an older fence), makes the post ``unknown``: a
   ``reconcile`` job asks ``channel.status`` until it can tell. Nothing is resubmitted
   unless the channel says nothing went out. A late answer of the old holder still
   counts: outcomes are recorded under the fence that made the call.
"""

from services.publisher.publishing.publish import publish_due_post
from services.publisher.publishing.reconcile import reconcile_post

__all__ = ["publish_due_post", "reconcile_post"]
