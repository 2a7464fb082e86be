"""Settings of the review service (env prefix ``REVIEW_``).

The review calendar is the publisher's slots: the host-wide ``SLOT_WEEKDAYS=mon,wed,fri``,
``SLOT_TIMES=11:30`` and ``SLOT_ZONE=Asia/Shanghai`` configure both services
(:class:`shared.settings.CalendarSettings`), and it adds the plan's
deadline (``REVIEW_DEADLINE=10:00``: a draft must reach review before it on the slot's
day) and the cut-off (``REVIEW_CUTOFF=11:00``: a draft still unapproved then is reported
overdue). ``REVIEW_LATE_POLICY`` says what happens to a late submission.
``REVIEW_CONFIDENTIAL_TERMS`` lists the company's own confidential terms (project code
names, client names), comma separated or as a JSON list; they block like lexicon terms.
A bad value stops the process at start-up with the field named.

Accounts (#12): each account of ``ACCOUNTS`` has its own calendar and review deadline
(``review_deadline``); an account that leaves them unset takes ``SLOT_*`` and
``REVIEW_DEADLINE``, so the default account needs no new setting. ``REVIEW_CUTOFF`` is
used where it falls between an account's deadline and its first slot; elsewhere the
cut-off keeps the same distance before the slot (see ``fitting_cutoff``).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from services.review.domain.deadline import (
    LatePolicy,
    ReviewCalendar,
    ReviewCalendars,
    fitting_cutoff,
)
from shared.accounts import DEFAULT_ACCOUNT
from shared.settings import CalendarSettings

__all__ = ["ReviewSettings"]


def _split_list(value: object) -> object:
    """Accept a JSON list or a comma/newline separated string."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return json.loads(text)
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class ReviewSettings(CalendarSettings):
    """Review service settings; the infrastructure names and the calendar (``SLOT_*``)
    come from the base classes."""

    model_config = SettingsConfigDict(
        env_prefix="REVIEW_", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    service_name: str = "review"
    http_port: int = 8102

    # -- the calendar and the 10:00 deadline ------------------------------------------
    deadline: time = Field(
        default=time(10, 0), description="A draft must reach review before this, slot's day."
    )
    cutoff: time = Field(
        default=time(11, 0),
        description="An unapproved draft is reported overdue at this time on the slot's day.",
    )
    late_policy: LatePolicy = Field(
        default=LatePolicy.NEXT_SLOT,
        description="next_slot: move a late draft to the next slot whose deadline is ahead; "
        "keep: keep its slot, flagged late; reject: reject it at once.",
    )

    # -- the content norms -------------------------------------------------------------
    confidential_terms: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="The company's confidential terms; they block publication."
    )
    allowed_email_domains: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="E-mail domains that are not personal data (the company's)."
    )
    lexicon_dir: Path | None = Field(
        default=None, description="Folder of lexicon files replacing the shipped ones."
    )
    lexicon_refresh_seconds: float = Field(
        default=0.0,
        ge=0,
        description="Real seconds a replica trusts its lexicon before reading the stored "
        "revision again; 0 reads it (one indexed find) before every check.",
    )

    # -- background work (real seconds) ------------------------------------------------
    overdue_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    gauge_refresh_seconds: float = Field(default=10.0, gt=0)
    job_lease_seconds: float = Field(default=30.0, gt=0)

    @field_validator("confidential_terms", "allowed_email_domains", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split_list(value)

    @model_validator(mode="after")
    def _check(self) -> ReviewSettings:
        self.calendars  # noqa: B018 - builds and validates every account's calendar
        return self

    @property
    def calendar(self) -> ReviewCalendar:
        """The default account's slot calendar with its deadline and cut-off."""
        return self.calendar_for(DEFAULT_ACCOUNT)

    def calendar_for(self, account: str) -> ReviewCalendar:
        """``account``'s slot calendar, its review deadline and cut-off (``UnknownAccount``).

        The account's ``review_deadline`` when ``ACCOUNTS`` sets it, else
        ``REVIEW_DEADLINE``. The cut-off is ``REVIEW_CUTOFF``; an account with its own
        slot times or deadline, where ``REVIEW_CUTOFF`` does not fit, gets one as far
        before its first slot as ``REVIEW_CUTOFF`` is before the host's (``SLOT_TIMES``).
        """
        spec = self.accounts.require(account)
        slots = self.accounts.calendar(account)
        own = "review_deadline" in spec.model_fields_set
        deadline = spec.review_deadline if own else self.deadline
        if not own and spec.slot_times is None:  # the host's times and deadline: as before
            return ReviewCalendar.of(slots, deadline=deadline, cutoff=self.cutoff)
        host_first = min(self.slot_calendar().times)
        day = date(2000, 1, 3)  # wall-clock arithmetic only
        lead = datetime.combine(day, host_first) - datetime.combine(day, self.cutoff)
        cutoff = fitting_cutoff(
            deadline=deadline, first_slot=min(slots.times), preferred=self.cutoff, lead=lead
        )
        return ReviewCalendar.of(slots, deadline=deadline, cutoff=cutoff)

    @property
    def calendars(self) -> ReviewCalendars:
        """Every account's review calendar (``ValueError`` naming a bad account)."""
        by_account: dict[str, ReviewCalendar] = {}
        for account in self.accounts.ids:
            try:
                by_account[account] = self.calendar_for(account)
            except ValueError as exc:
                if account == DEFAULT_ACCOUNT and not self.accounts.several:
                    raise
                raise ValueError(f"account {account!r}: {exc}") from exc
        return ReviewCalendars(by_account)
