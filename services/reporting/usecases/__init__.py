"""Every use case of the reporting service, one signature::

    async def verb(input, *, deps: ReportingDeps, actor: Principal | None = None) -> result

* :mod:`.ingest` — the consumed events folded into the read model;
* :mod:`.produce` — a due period's report (timed job) and an on-demand range's (API);
* :mod:`.schedule` — due periods turned into claimed jobs, and the read-model gauges.
"""
