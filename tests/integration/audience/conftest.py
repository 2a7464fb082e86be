"""Fixtures of the audience service's integration tests."""

from __future__ import annotations

import sys
from pathlib import Path

# Tests are not a package: make the helper module importable whatever the import mode.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
