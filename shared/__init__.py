"""The platform's shared package: event contracts and the plumbing every service uses.

* :mod:`shared.events` — the public event contracts (pydantic models)
* :mod:`shared.topology` — exchanges, queues, DLQs and retry queues, in one place
* :mod:`shared.messaging` — broker, confirmed publishing, the reliable-consume rules
* :mod:`shared.outbox` — transactional outbox, idempotent consumption, the relay
* :mod:`shared.runtime` — one service process (broker, Mongo, relay, jobs, ASGI app)
* :mod:`shared.settings`, :mod:`shared.clock`, :mod:`shared.logging`,
  :mod:`shared.metrics`, :mod:`shared.mongo`, :mod:`shared.http`, :mod:`shared.jobs`
"""
