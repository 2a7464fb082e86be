"""Official accounts (公众号): several in one deployment (#12).

Every draft, review, slot, post, window, enquiry, document, report, branch and follower
belongs to one account, named by its id (``default``, ``talent``). A deployment lists its
accounts host-wide, like the calendar, so every service sees the same list:

* ``ACCOUNTS`` — JSON list of :class:`AccountSpec`, or ``ACCOUNTS_FILE`` — a path to the
  same JSON. Neither set: one account, ``default``, on today's calendar (``SLOT_*``) and
  today's per-service settings — a one-account deployment works exactly as before.
* Secrets never sit in the list, the database or a log: an account's WeChat app secret,
  push token and message key are read by :func:`account_secret` from the environment
  (``ACCOUNT_<ID>_WECHAT_APP_SECRET``, ``ACCOUNT_<ID>_WECHAT_TOKEN``,
  ``ACCOUNT_<ID>_WECHAT_AES_KEY``; the id upper-cased, ``-`` as ``_``) or from a file
  ``<ACCOUNTS_SECRETS_DIR>/<id>.<name>`` (a mounted Kubernetes Secret whose keys are
  ``talent.wechat_app_secret`` and so on).

The account that existed before accounts is :data:`DEFAULT_ACCOUNT`: documents written
before #12 and events of ``schema_version`` 1 belong to it, so a list of several accounts
must include it (its display name is free).

Pure: no I/O library; reading the environment and a secrets file is all it does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, field_validator

from shared.calendar import (
    DEFAULT_REVIEW_DEADLINE,
    HolidayPolicy,
    SlotCalendar,
    parse_times,
    parse_weekdays,
)

__all__ = [
    "ACCOUNT_ID_PATTERN",
    "DEFAULT_ACCOUNT",
    "AccountSpec",
    "Accounts",
    "SecretName",
    "UnknownAccount",
    "account_secret",
    "secret_env_name",
]

DEFAULT_ACCOUNT = "default"
"""The account of everything written before accounts, and of ``schema_version`` 1 events."""
ACCOUNT_ID_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
"""An account id: lower-case ASCII letter, then letters, digits or ``-``; at most 32."""
DEFAULT_REPLY_LIMIT_HOURS = 12.0
"""The plan: every enquiry is answered within 12 hours."""

SecretName = Literal["wechat_app_secret", "wechat_token", "wechat_aes_key"]


class UnknownAccount(KeyError):
    """An account id this deployment does not have (a ``KeyError``, so ``Accounts.get``
    answers ``None`` as a mapping should)."""

    def __init__(self, account: str) -> None:
        super().__init__(f"unknown account {account!r}")
        self.account = account
        self.detail = f"No account {account!r} in this deployment."
        self.errors = [{"field": "account", "message": "unknown account", "type": "unknown"}]

    def __str__(self) -> str:  # KeyError would quote the message
        return f"unknown account {self.account!r}"


class AccountSpec(BaseModel):
    """One official account as a deployment lists it (no secrets here).

    Unset calendar fields fall back to the host's ``SLOT_*``; unset ``channel``,
    ``holiday_policy`` and ``posts_per_slot`` to the service's own settings (the
    publisher's ``PUBLISHER_CHANNEL`` and so on), so the default account needs none.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=ACCOUNT_ID_PATTERN, examples=["default", "talent"])
    name: str = Field(
        default="", max_length=64, description="Display name (Chinese).", examples=["融智财税"]
    )
    name_en: str = Field(default="", max_length=64, description="Display name in English.")
    channel: Literal["local", "wechat"] | None = Field(
        default=None, description="Where its posts go; unset: the publisher's channel."
    )
    wechat_app_id: str | None = Field(default=None, max_length=64)
    slot_weekdays: str | None = Field(default=None, examples=["mon,wed,fri", "tue,thu"])
    slot_times: str | None = Field(default=None, examples=["11:30", "08:00"])
    slot_zone: str | None = Field(default=None, examples=["Asia/Shanghai"])
    holiday_policy: HolidayPolicy | None = None
    posts_per_slot: int | None = Field(default=None, ge=1, le=50)
    review_deadline: time = Field(
        default=DEFAULT_REVIEW_DEADLINE,
        description="Local time on the push day by which its drafts reach review.",
    )
    reply_limit_hours: float = Field(
        default=DEFAULT_REPLY_LIMIT_HOURS, gt=0, le=24 * 14, description="Enquiry reply limit."
    )

    @field_validator("slot_weekdays")
    @classmethod
    def _weekdays(cls, value: str | None) -> str | None:
        if value is not None:
            parse_weekdays(value)
        return value

    @field_validator("slot_times")
    @classmethod
    def _times(cls, value: str | None) -> str | None:
        if value is not None:
            parse_times(value)
        return value

    def label(self, lang: str = "zh") -> str:
        """The name a person reads: Chinese first, English when asked and given."""
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name or self.name_en or self.id


_SPECS = TypeAdapter(list[AccountSpec])


class Accounts(Mapping[str, AccountSpec]):
    """The deployment's accounts by id, in the order listed; always holds the default.

    ``weekdays``, ``times`` and ``zone`` are the host's ``SLOT_*``: the calendar of an
    account that does not set its own.
    """

    def __init__(
        self,
        specs: list[AccountSpec] | None = None,
        *,
        weekdays: str = "mon,wed,fri",
        times: str = "11:30",
        zone: str = "Asia/Shanghai",
    ) -> None:
        listed = specs or [AccountSpec(id=DEFAULT_ACCOUNT)]
        self._specs: dict[str, AccountSpec] = {}
        for spec in listed:
            if spec.id in self._specs:
                raise ValueError(f"ACCOUNTS: account {spec.id!r} is listed twice")
            self._specs[spec.id] = spec
        if DEFAULT_ACCOUNT not in self._specs:
            raise ValueError(
                f"ACCOUNTS must include the account {DEFAULT_ACCOUNT!r}: data and events "
                "from before accounts belong to it (give it any name)"
            )
        self.weekdays, self.times, self.zone = weekdays, times, zone
        for spec in listed:  # a bad calendar stops start-up naming the account
            try:
                self.calendar(spec.id)
            except ValueError as exc:
                raise ValueError(f"ACCOUNTS: account {spec.id!r}: {exc}") from exc

    @classmethod
    def parse(
        cls,
        text: str | None,
        *,
        weekdays: str = "mon,wed,fri",
        times: str = "11:30",
        zone: str = "Asia/Shanghai",
    ) -> Accounts:
        """The accounts a JSON list describes (``None`` or blank: the default alone)."""
        specs = _SPECS.validate_json(text) if text and text.strip() else None
        return cls(specs, weekdays=weekdays, times=times, zone=zone)

    def __getitem__(self, account: str) -> AccountSpec:
        try:
            return self._specs[account]
        except KeyError:
            raise UnknownAccount(account) from None

    def __contains__(self, account: object) -> bool:
        return account in self._specs

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._specs)

    @property
    def several(self) -> bool:
        """More than one account: pages show an account switcher, reports a total."""
        return len(self._specs) > 1

    def require(self, account: str) -> AccountSpec:
        """The account, or :class:`UnknownAccount` (a 404/422 naming ``account``)."""
        return self[account]

    def calendar(
        self, account: str, holiday_policy: HolidayPolicy = HolidayPolicy.KEEP
    ) -> SlotCalendar:
        """The account's slot calendar (``holiday_policy``: the service's when unset)."""
        spec = self[account]
        return SlotCalendar(
            weekdays=parse_weekdays(spec.slot_weekdays or self.weekdays),
            times=parse_times(spec.slot_times or self.times),
            zone=spec.slot_zone or self.zone,
            holiday_policy=spec.holiday_policy or holiday_policy,
        )


def secret_env_name(account: str, name: SecretName) -> str:
    """``ACCOUNT_TALENT_WECHAT_APP_SECRET`` for (``talent``, ``wechat_app_secret``)."""
    return f"ACCOUNT_{account.upper().replace('-', '_')}_{name.upper()}"


def account_secret(
    account: str,
    name: SecretName,
    *,
    environ: Mapping[str, str] | None = None,
    secrets_dir: str | Path | None = None,
) -> SecretStr | None:
    """An account's secret from the environment, else from ``<secrets_dir>/<id>.<name>``.

    ``secrets_dir`` defaults to ``ACCOUNTS_SECRETS_DIR``. ``None`` when neither has it;
    the value is a :class:`SecretStr`, so a log or ``repr`` never shows it.
    """
    env = os.environ if environ is None else environ
    value = env.get(secret_env_name(account, name), "").strip()
    if value:
        return SecretStr(value)
    folder = secrets_dir if secrets_dir is not None else env.get("ACCOUNTS_SECRETS_DIR", "")
    if folder:
        path = Path(folder) / f"{account}.{name}"
        if path.is_file():
            text = path.read_text(encoding="utf-8").strip()
            if text:
                return SecretStr(text)
    return None
