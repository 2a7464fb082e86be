"""The review service's domain: pure and synchronous (no store, broker or web).

* :mod:`.review` — a :class:`~.review.Review` and its rules (four eyes, overrides,
  supersession), each decision returning the event to emit;
* :mod:`.decision` — what a review records: its state, the reviewer's decision, its
  history, and the approval request a reviewer sends;
* :mod:`.submission` — a submitted revision becoming a pending review;
* :mod:`.findings` — content-norm findings per part of the post, and checking a post;
* :mod:`.deadline` — the 10:00 deadline, the cut-off and the late policy on the shared
  calendar;
* :mod:`.lexicon` — a stored run-time lexicon change.

The norm checker itself is :mod:`services.review.norms`, pure as well.
"""
