"""Bounds on input values, pure (no web framework), so event contracts use them too.

* :data:`MAX_OFFSET`: the largest ``offset`` a list route takes (``le=MAX_OFFSET``);
  :data:`MAX_REVISION` bounds revision numbers likewise (a number past 2**63 would reach
  the store).
* :data:`Instant` and :data:`Day`: an aware datetime / a calendar day between the years
  :data:`MIN_YEAR` and :data:`MAX_YEAR`. Outside, the input is refused (422 naming the
  field over HTTP, a dead-lettered event over AMQP) before any arithmetic that would
  overflow (year 9999 with a zone offset).

Request body sizes are bounded in :mod:`shared.limits`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator, AwareDatetime

__all__ = [
    "MAX_OFFSET",
    "MAX_REVISION",
    "MAX_YEAR",
    "MIN_YEAR",
    "Day",
    "Instant",
    "check_day",
    "check_instant",
]

MAX_OFFSET = 1_000_000
"""The largest ``offset`` of every list route."""
MAX_REVISION = 1_000_000
"""The largest revision number a route takes (path or body)."""
MIN_YEAR = 2000
MAX_YEAR = 2100
D = TypeVar("D", bound=date)


def check_day(value: D) -> D:
    """``value`` if its year is within [MIN_YEAR, MAX_YEAR], else ``ValueError``."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return value


def check_instant(value: datetime) -> datetime:
    """An aware ``value`` within the years [MIN_YEAR, MAX_YEAR] (in its own zone)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must have a UTC offset (e.g. 2026-11-23T11:30:00+08:00)")
    return check_day(value)


Instant = Annotated[AwareDatetime, AfterValidator(check_instant)]
"""An aware datetime between the years 2000 and 2100."""
Day = Annotated[date, AfterValidator(check_day)]
"""A calendar day between the years 2000 and 2100."""
