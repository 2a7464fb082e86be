"""The only code on the review service's collections (MongoDB).

* :mod:`.reviews` — ``reviews``: one document per draft revision
  (:class:`~services.review.domain.review.Review`), unique on ``(draft_id, revision)``;
  the queue reads ``(state, slot_at)``, the overdue list ``(state, cutoff_at)``.
* :mod:`.lexicon` — ``lexicon_changes`` (the latest instruction per normalised term
  people added or removed at run time) and ``lexicon_meta`` (the ``revision`` every
  replica watches to know when to reload).
* :mod:`.tx` — ``binder(jobs)``: the ``bind(tx)`` that puts the repositories, the
  ``audit`` collection and the timed ``jobs`` (owned by :mod:`shared.jobs`) on one
  transaction's session — what the use cases' unit of work hands them
  (``ports.ReviewTx``).

Each repository takes an optional session: unbound on ``ReviewDeps`` (the read side),
bound to a transaction inside a unit of work.
"""
