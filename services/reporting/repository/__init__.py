"""The only code that touches the reporting service's collections (MongoDB).

* ``posts`` — one document per post (``_id = post_id``), from ``post.published`` and
  ``post.failed``; ``at`` is the instant that places it in a period.
* ``feedback`` — one document per comment, message, enquiry or reply,
  ``_id = "<source>:<source_id>"`` (the natural key; replies point at it the same way).
  The unique ``_id`` makes a duplicate harmless, so this path writes without a
  transaction or an inbox record: one insert per event.
* ``post_metrics`` — the latest counters snapshot per post (``_id = post_id``), written
  with a conditional upsert (one write per event; an older or repeated snapshot loses).
* ``digests`` — the latest core-issues document per post (``_id = post_id``).
* ``reports`` — one document per report (JSON of the report plus listing fields);
  ``report_files`` — its rendered HTML and XLSX (``_id = "<report_id>:<format>"``), kept
  apart so each document stays far below MongoDB's 16 MB.
* ``schedule_state`` — per report kind, the business instant up to which due periods
  have been scheduled as jobs (``jobs`` itself belongs to :mod:`shared.jobs`).

Every document carries ``account`` (#12): lists lead their indexes with it, the start-up
adopts older documents as the default account's (``adopt_default_account``), and ids
chosen by a channel (``source:source_id``) are prefixed ``<account>/`` for accounts other
than the default. A report of every account together has ``account`` null and
``combined`` true.

Modules: :mod:`.indexes` (names, indexes, limits), :mod:`.read_model` (posts,
feedback, digests, their sizes), :mod:`.reports` (reports and their files, the schedule
watermark), :mod:`.tx` (the transaction view). Each repository takes an optional session
(:class:`~.indexes.SessionRepository`): ``binder(jobs)`` gives the ``bind`` that builds
the transaction view (:class:`~services.reporting.ports.ReportingTx`) on a unit of work's
session, with the timed jobs and the audit trail; without one they serve the reads and the
feedback path's single writes.
"""
