"""``make test-chaos``: the platform as real processes under kill -9, store and broker restarts.

Not part of ``make test``: collected only with ``CHAOS=1`` (see ``conftest.py``).
"""
