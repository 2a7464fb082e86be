"""Pure rules of the reporting service (no store, broker or web framework: checked).

* :mod:`.posts`, :mod:`.feedback`, :mod:`.digests` — the read model: event payloads in,
  stored entries (``Doc``) and report-builder inputs out;
* :mod:`.report` — report ids, the stored report and its document paths;
* :mod:`.announce` — the ``report.ready`` event announcing a stored report;
* :mod:`.accounts` — whose fact it is (#12), and keys per account.

The read model's four kinds of entries, each built from events only (no other
service's data)::

    post.published / post.failed  ->  posts         (_id = post_id)      -> PostRow
    feedback.received (items)     ->  feedback      (_id = source:id)    -> FeedbackEvent
    feedback.received (metric)    ->  post_metrics  (_id = post_id)      -> FeedbackEvent
    feedback.digest.ready         ->  digests       (_id = post_id)      -> DigestRow

Rules that keep the model right whatever order events arrive in:

* a post that was published stays published: a later (or late) ``post.failed`` for it is
  ignored, and ``post.published`` after a failure (an unknown outcome reconciled) wins;
* a post ``cancelled`` (a person decided, or a newer approved revision of the draft
  replaced it) is kept but is no publishing failure: reports leave it out;
* a feedback item is keyed by its natural key ``source:source_id`` — the same form as a
  reply's ``in_reply_to`` — so a duplicate, by any path, is stored once;
* a comment or message that asks something (a cheap rule, :func:`.feedback.asks_question`) is an
  *enquiry* (规章 6.7 用户留言咨询: answered within 12 hours) and counts under
  enquiries, not comments or messages; the text itself is not kept here;
* metric snapshots are cumulative, so only the latest per post is kept;
* a reply without a ``post_id`` takes the post of the item it answers;
* ``feedback.received`` carries no sentiment: per-post sentiment comes from the post's
  digest (its positive / neutral / negative counts);
* the latest digest of a post (by window end) replaces an earlier one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Doc"]

Doc = dict[str, Any]
"""A read-model entry or stored report as these rules build it (stored as is)."""
