"""The chaos tests run only when asked for (``make test-chaos`` sets ``CHAOS=1``): they
start their own broker node, store and a fleet of service processes and take minutes, so
``make test`` (``pytest tests``) does not collect them; the accounting's own test, which
needs no server, it does."""

from __future__ import annotations

import os

collect_ignore = [] if os.environ.get("CHAOS") == "1" else ["test_chaos.py"]
