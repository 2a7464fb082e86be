"""The only code on the feedback service's collections (MongoDB).

* :mod:`.indexes` — collection names and indexes (idempotency lives in unique indexes).
* :mod:`.shapes` — the stored shapes, and conversions to and from the domain models.
* :mod:`.items` — items and the enquiries they carry; :mod:`.windows` — windows;
  :mod:`.documents` — issued documents and pushed events; :mod:`.reads` — the same
  plus the paged lists the routes serve.
* :mod:`.tx` — ``bind(tx)``: the repositories on one transaction's session, which is
  what the use cases' unit of work hands them (``ports.FeedbackTx``).

Each repository takes an optional session: bound to a transaction inside a unit of work,
without one on the AMQP hot path and the read side.
"""
