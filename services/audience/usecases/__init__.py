"""Every use case of the audience service (one signature: ``..., *, deps, actor=None``)."""
