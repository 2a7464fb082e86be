"""Every use case of the feedback service, one signature::

    async def verb(input, *, deps: FeedbackDeps[, actor: Principal]) -> result

(plus ``client``, the WeChat client a job loop opens once, for the jobs that call WeChat).
A use case opens a unit of work (``deps.uow.run(work)``) and sees only ``tx.items``,
``tx.windows``, ``tx.documents``, ``tx.jobs``, ``tx.audit`` and ``tx.emit``: never a session.

* :mod:`.open_window` — ``post.published`` opens the post's 24-hour window.
* :mod:`.storing` — how an item is prepared (window, lateness, enquiry) and written:
  the AMQP hot path without a transaction, the other doors inside one.
* :mod:`.ingest` — the doors: the AMQP batch, ``POST /feedback/batch``, WeChat items.
* :mod:`.receive_push`, :mod:`.poll_comments`, :mod:`.poll_stats` — what WeChat pushes
  to us, its comments and its statistics.
* :mod:`.close_window` — closing a window issues the core-issues document, once.
* :mod:`.send_document` — sending that document by e-mail and signed webhook.
* :mod:`.enquiries` — replying to an enquiry, and the sweep of the 12-hour rule.
* :mod:`.send_reply` — sending our reply to the customer through WeChat.
* :mod:`.preview` — the analysis of texts, stored nowhere (the console's live window).

The ``run_*`` functions are the background loops (timed jobs) that call them.
"""
