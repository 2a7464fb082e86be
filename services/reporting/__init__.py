"""The reporting service: the biweekly analysis that steers the next pushes, and the
weekly (Monday 14:30) and monthly (1st, 14:30) comparisons, China time.

Its read model is fed by events only (``post.published``, ``post.failed``,
``feedback.received``, ``feedback.digest.ready``); each timed report fires exactly once
per period through a claimed job, and any range can be reported on demand. Reports are
stored as JSON, HTML (with charts), XLSX and CSV and announced as ``report.ready``.

Official accounts (#12): every fact and report belongs to one account; each account gets
its own reports (its plan of the next pushes on its own calendar, ``report.ready``
carrying it) and, when the deployment has several, a report of every account together
(each one's figures side by side and the total; stored, not announced). Routes take
``account`` and show a reader only the accounts they hold a role on.

Followers (#14): the audience service's ``follower.subscribed``/``unsubscribed`` and
``branch.saved`` feed a followers read model; ``GET /followers/summary`` and every report's
followers section show net growth by branch against its head-count target, by source and
the unsubscribes within 24 hours of each post, with recommendations where a branch lags
(behind its fair share of the target, silent) or a post drove followers away.
"""
