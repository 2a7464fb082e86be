"""The feedback service: 24-hour feedback windows, ingestion from every source, the
core-issues document, the 12-hour reply rule.

* ``post.published`` opens a window (24 h, ``FEEDBACK_WINDOW_HOURS``); a claimed timed job
  closes it once, issuing 《推送反馈核心问题汇总》 in Markdown, HTML and Word, announced by
  ``feedback.digest.ready`` (and, if configured, sent by e-mail and a signed webhook).
* Feedback enters through four doors, all into one store, each item once (unique
  ``(source, source_id)`` and ``event_id``): ``feedback.received`` on RabbitMQ (batched
  writes, acked after the write), ``POST /feedback/batch``, the WeChat push endpoint
  ``/wechat/push`` and a poller of WeChat comments on the post.
* ``stats`` reads a WeChat post's reads/likes/shares from WeChat daily, as metric items.
* Every customer message, and every comment that asks something, must be answered within
  12 hours (``FEEDBACK_REPLY_LIMIT_HOURS``): the enquiry log (``GET /enquiries``) tracks
  open, answered and breached enquiries; ``POST /enquiries/{id}/reply`` answers one.
* A reply that answers a WeChat comment or private message is sent to the customer
  through WeChat (claimed job, at most once; ``enquiry.delivery``: sent, failed, unknown).
* Several official accounts (#12, ``ACCOUNTS``): a window is its ``post.published``'s
  account's, and every item, enquiry and document its post's. Each account's enquiries
  are due after its ``reply_limit_hours`` (unset: ``FEEDBACK_REPLY_LIMIT_HOURS``), its
  replies, comments and statistics go through its own WeChat app, and its followers push
  to ``/wechat/push/{account}`` (``/wechat/push`` stays the default account's). Lists take
  ``?account=`` and show only the accounts the caller holds a role on; a reply needs the
  role on the enquiry's account. Without ``ACCOUNTS`` all is the ``default`` account's,
  exactly as before.

Modules (the skeleton every service shares, see ``services/README.md``): ``domain/``
(typed models and their rules: windows, items, enquiries, the document, WeChat's
statistics schedule), ``ports`` (what
the use cases need of the store), ``repository/`` (the only code on the collections),
``usecases/`` (every use case, and the background loops running them), ``api`` +
``schemas`` (HTTP), ``push_api`` (the WeChat push endpoint), ``consumers``, ``errors``,
``deps``, ``bootstrap`` (the one wiring place); ``analysis`` and ``digest`` are the pure
text analysis and document builder.
"""
