"""The review service: content-norm checks, the review queue, the 10:00 deadline, approve/reject.

Consumes ``draft.submitted``: checks title, digest and body against the content norms
(the lexicon in force and its version are recorded) and queues the revision for its slot,
applying the 10:00 deadline and ``REVIEW_LATE_POLICY``. A reviewer other than the author
approves (``draft.approved`` with the exact snapshot, hash and slot; blocking findings
need a written override) or rejects (``draft.rejected`` with the findings). A draft still
pending at its slot's cut-off is reported (``GET /reviews/overdue``, metrics, log).
The lexicon changes at run time through ``/lexicon`` (admin).

Several official accounts (#12): a review belongs to its draft's account (the event's),
whose calendar and review deadline (``ACCOUNTS``; unset: ``SLOT_*`` and
``REVIEW_DEADLINE``) give its slot; only a reviewer of that account decides it, the
events it emits carry it, and every list reads only the accounts the caller may read
(``?account=``). The lexicon is one for the whole deployment: the company's content
norms hold for every account.
"""
