"""How a service's domain errors are answered over HTTP: one table per service.

Kept apart from :mod:`shared.http` (which needs FastAPI) so that a service's
``errors.py`` — imported by its pure ``domain`` — imports no web framework::

    PROBLEMS: ProblemMap = {
        DraftNotFound: ProblemSpec(404, "Draft not found", "urn:contentops:problem:not-found"),
    }

:func:`shared.http.install_problem_handlers` answers with the most specific class's spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.accounts import UnknownAccount

__all__ = ["ACCOUNT_PROBLEMS", "ProblemMap", "ProblemSpec"]


@dataclass(frozen=True)
class ProblemSpec:
    """How one domain error is answered over HTTP.

    The answer's ``detail`` is the error's ``detail`` attribute when it has one, else
    ``str(error)``; its ``errors`` (fields to blame, each ``{"field", "message"}``) is the
    error's ``errors`` attribute when it has one. Domain errors stay free of HTTP: only
    the service's ``errors.PROBLEMS`` table knows the status they become.
    """

    status: int
    title: str
    type: str = "about:blank"


ProblemMap = Mapping[type[Exception], ProblemSpec]
"""A service's domain errors and their answers; the most specific class wins."""


ACCOUNT_PROBLEMS: ProblemMap = {
    UnknownAccount: ProblemSpec(404, "Unknown account", "urn:contentops:problem:unknown-account"),
}
"""Every service's answer to an account it does not have; merge into ``PROBLEMS``."""
