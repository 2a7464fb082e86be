"""The publisher's use cases, one signature: ``async def verb(input, *, deps, actor=None)``.

* :mod:`.schedule` — an approved draft revision gets a slot, a seat and a job;
* :mod:`.commands` — a person reschedules, cancels, pauses, resumes; holds the calendar;
* :mod:`.resolve` — a person settles an outcome the channel cannot tell;
* :mod:`.publish` — the publishing job; :mod:`.reconcile` — the reconcile job;
* :mod:`.outcomes` — recording what the channel answered.

Each opens the unit of work (``deps.uow.run(work)``) and sees only the transaction
view's repositories and ``emit``: the :class:`~services.publisher.domain.Post` decides
every transition, ``tx.posts.apply`` makes it (fenced), and its event is emitted only
when it applied.

Timed publishing never goes out twice, nor with other content:

1. A job is claimed by one replica (lease + fencing token, :mod:`shared.jobs`).
2. The post moves ``scheduled -> submitting`` with the job's fence *before* the channel
   is called (conditional on state and schedule revision, so a cancel, pause or
   reschedule and the job cannot both win). The stored content is re-hashed against the
   approval; a mismatch is never sent.
3. The channel's answer is recorded under the same fence, with ``post.published`` or
   ``post.failed`` in the same transaction (outbox) and the job completed in it.
4. An unclear answer (timeout, reset), or a replica that died while ``submitting`` (the
   next holder of the job finds an older fence), makes the post ``unknown``: a
   ``reconcile`` job asks ``channel.status`` until it can tell. Nothing is resubmitted
   unless the channel says nothing went out. A late answer of the old holder still
   counts: outcomes are recorded under the fence that made the call.
"""
