"""The feedback service's domain: typed models and their rules, pure (no I/O library).

* :mod:`.keys` — how items, replies and documents are named (``source:source_id``).
* :mod:`.annotation` — the cheap per-item analysis (question, sentiment, spam) and who
  needs a reply.
* :mod:`.window` — a post's 24-hour :class:`~.window.Window`: open, closed, late.
* :mod:`.enquiry` — the 12-hour reply rule: an :class:`~.enquiry.Enquiry`, its answer
  and the sending of that answer through WeChat (:class:`~.enquiry.Delivery`).
* :mod:`.item` — a stored :class:`~.item.FeedbackItem` and an :class:`~.item.Incoming`
  one, and how ingestion places it (window, lateness, enquiry).
* :mod:`.document` — the issued core-issues document and where it is served.
* :mod:`.stats` — when WeChat's statistics of a post are asked for, and what they become.

A **window** is the 24 hours after a push (``[published_at, published_at + length)``);
it is ``open`` until its timed job closes it and issues the core-issues document.
An item is **late** when it was said outside its window or arrived after the window
closed: it is kept, flagged, and never changes a document already issued.

Every item is **annotated at ingestion** with cheap rules (question? sentiment, spam:
about 30 µs per item, no word segmentation), because the 12-hour reply rule needs to
know at once whether a comment asks something. The expensive analysis (tokens, themes,
keywords) runs once per window, when the document is built.

An **enquiry** is a customer message, or a comment that asks something; spam is neither.
Its reply deadline is ``asked_at + reply limit``; the first reply answers it, and it is
breached when that reply came (or is still missing) after the deadline.
"""
