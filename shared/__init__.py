"""The platform's shared package: event contracts and the plumbing every service uses.

* :mod:`shared.events` — the public event contracts (pydantic models)
* :mod:`shared.topology` — exchanges, queues, DLQs and retry queues, in one place
* :mod:`shared.messaging` — broker, subscribing, confirmed publishing; :mod:`shared.consume`
  — the reliable-consume rules (ack, dead-letter with a reason, retry)
* :mod:`shared.outbox` — transactional outbox, idempotent consumption, and
  ``BoundUnitOfWork`` (use cases get session-bound repositories, never a session)
* :mod:`shared.relay` — publishes the outbox with confirms; :mod:`shared.openapi` — the
  OpenAPI says every answer as sent; :mod:`shared.bounds`, :mod:`shared.limits` — input bounds
* :mod:`shared.runtime` — one service process (broker, Mongo, relay, jobs, ASGI app)
* :mod:`shared.service` — ``Service[Deps]``, what every ``bootstrap.build_service`` returns
* :mod:`shared.ports` — the ports every service shares (``AuditTrail``, ``JobsInTransaction``)
* :mod:`shared.problems` — ``ProblemSpec``: a service's domain errors as HTTP answers
* :mod:`shared.audit` — the audit trail; :mod:`shared.jobs` — timed jobs and their loop;
  :mod:`shared.calendar` — slots, the review deadline, the report schedule
* :mod:`shared.settings`, :mod:`shared.clock`, :mod:`shared.logging`,
  :mod:`shared.metrics`, :mod:`shared.mongo`, :mod:`shared.http`, :mod:`shared.docs`,
  :mod:`shared.wechat`, :mod:`shared.webhooks`, :mod:`shared.batching`

``services/README.md`` describes the one service shape built from these parts.
"""
