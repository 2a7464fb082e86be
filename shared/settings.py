"""Settings every service shares; each service subclasses with its own env prefix.

Infrastructure names are the same for every service (``RABBIT_URL``, ``MONGO_URL``,
``CONTENTOPS_NAMESPACE``, ``CLOCK_*``, ``API_TOKENS``, and the calendar's ``SLOT_*``)
so one ``.env`` configures a host; service knobs carry the service prefix
(``REVIEW_HTTP_PORT``, ``FEEDBACK_PREFETCH``).
Secrets (``API_TOKENS``) have no default and placeholders are refused.

Person tokens (#13): the console's gateway calls the services with a short-lived EdDSA
JWT naming the person; ``PERSON_TOKEN_KEYS`` lists the gateway's Ed25519 public keys (PEM,
several while a key is rotated), ``PERSON_TOKEN_ISSUER`` the issuer they must name.
Without keys no person token is accepted; the static ``API_TOKENS`` work as before.

Accounts (#12): ``ACCOUNTS`` (JSON list) or ``ACCOUNTS_FILE`` lists the deployment's
official accounts (:mod:`shared.accounts`), host-wide; unset, the one ``default`` account on
the ``SLOT_*`` calendar. A principal's roles hold on the accounts it is limited to
(``accounts``; unset: all) plus ``account_roles`` on single accounts.
"""

from __future__ import annotations

import re
import time
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.accounts import ACCOUNT_ID_PATTERN, Accounts
from shared.calendar import HolidayPolicy, SlotCalendar, parse_times, parse_weekdays
from shared.clock import AcceleratedClock, Clock, FixedClock, SystemClock

__all__ = [
    "CalendarSettings",
    "ClockMode",
    "PLACEHOLDER_SECRETS",
    "Principal",
    "Role",
    "ServiceSettings",
    "secret_text",
]


class Role(StrEnum):
    """Who may do what through the HTTP APIs."""

    EDITOR = "editor"
    REVIEWER = "reviewer"
    DIRECTOR = "director"
    ADMIN = "admin"
    SYSTEM = "system"


class Principal(BaseModel):
    """The holder of an API token, or the person a gateway's person token names.

    ``roles`` hold on every account in ``accounts`` (``None``: on all, as before
    accounts); ``account_roles`` adds roles on single accounts (an editor of ``default``
    who reviews ``talent``). ``admin`` anywhere it holds passes every role check there.
    """

    subject: str = Field(min_length=1, max_length=64)
    roles: frozenset[Role]
    name: str = Field(default="", max_length=64, description="A person's display name.")
    person: bool = Field(default=False, description="Named by a person token (a gateway).")
    accounts: frozenset[str] | None = Field(
        default=None, description="The accounts ``roles`` hold on; unset: every account."
    )
    account_roles: dict[str, frozenset[Role]] = Field(
        default_factory=dict, description="Further roles on single accounts."
    )

    @field_validator("accounts")
    @classmethod
    def _account_ids(cls, value: frozenset[str] | None) -> frozenset[str] | None:
        for account in value or ():
            _check_account_id(account)
        return value

    @field_validator("account_roles")
    @classmethod
    def _account_role_ids(cls, value: dict[str, frozenset[Role]]) -> dict[str, frozenset[Role]]:
        for account in value:
            _check_account_id(account)
        return value

    def roles_on(self, account: str) -> frozenset[Role]:
        """The roles this principal holds on ``account``."""
        everywhere = self.roles if self.accounts is None or account in self.accounts else None
        return (everywhere or frozenset()) | self.account_roles.get(account, frozenset())

    def may(self, account: str, roles: frozenset[Role] | set[Role]) -> bool:
        """Holds one of ``roles`` (or ``admin``) on ``account``."""
        return bool(self.roles_on(account) & (set(roles) | {Role.ADMIN}))

    @property
    def all_roles(self) -> frozenset[Role]:
        """Every role held on some account (what a route's first check looks at)."""
        extra = frozenset().union(*self.account_roles.values()) if self.account_roles else None
        return self.roles | (extra or frozenset())

    def readable(self, accounts: tuple[str, ...] | list[str]) -> list[str]:
        """Of ``accounts``, those on which this principal holds any role, in order."""
        return [account for account in accounts if self.roles_on(account)]


def _check_account_id(account: str) -> None:
    if not re.fullmatch(ACCOUNT_ID_PATTERN, account):
        raise ValueError(f"not an account id: {account!r}")


class ClockMode(StrEnum):
    SYSTEM = "system"
    FIXED = "fixed"
    ACCELERATED = "accelerated"


_PLACEHOLDERS = {"changeme", "change-me", "secret", "token", "password", "xxx"}
# What a WeChat token or app secret must not be (the feedback and audience services).
PLACEHOLDER_SECRETS = frozenset(_PLACEHOLDERS | {"appsecret"})


def secret_text(value: SecretStr | None) -> str:
    """The secret's text, or "" when it is not set."""
    return value.get_secret_value() if value is not None else ""


def _shared(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    """Base settings; subclasses set ``model_config['env_prefix']`` and ``service_name``."""

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", populate_by_name=True)

    service_name: str = "service"

    rabbit_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/", validation_alias=_shared("RABBIT_URL")
    )
    mongo_url: str = Field(
        default="mongodb://127.0.0.1:27117/?directConnection=true",
        validation_alias=_shared("MONGO_URL"),
    )
    namespace: str = Field(
        default="",
        pattern=r"^[a-z0-9_-]*\.?$",
        validation_alias=_shared("CONTENTOPS_NAMESPACE"),
        description="Prefix for exchanges, queues and databases (isolates tests/tenants).",
    )
    api_tokens: dict[str, Principal] = Field(
        validation_alias=_shared("API_TOKENS"),
        description='JSON: {"<token>": {"subject": "alice", "roles": ["editor"]}}',
    )
    person_token_keys: list[str] = Field(
        default_factory=list,
        validation_alias=_shared("PERSON_TOKEN_KEYS"),
        description="JSON list of the gateway's Ed25519 public keys (PEM) that sign person "
        "tokens; list the new key beside the old one while rotating. Empty: none accepted.",
    )
    person_token_issuer: str = Field(
        default="contentops-gateway",
        min_length=1,
        validation_alias=_shared("PERSON_TOKEN_ISSUER"),
        description="The issuer (iss) a person token must name.",
    )
    clock_mode: ClockMode = Field(default=ClockMode.SYSTEM, validation_alias=_shared("CLOCK_MODE"))
    clock_sim_epoch: AwareDatetime | None = Field(
        default=None, validation_alias=_shared("CLOCK_SIM_EPOCH")
    )
    clock_real_epoch: float | None = Field(
        default=None, validation_alias=_shared("CLOCK_REAL_EPOCH")
    )
    clock_speed: float = Field(default=1.0, gt=0, validation_alias=_shared("CLOCK_SPEED"))
    log_level: str = Field(default="INFO", validation_alias=_shared("LOG_LEVEL"))
    # The calendar is host-wide: every service reads the same SLOT_* and ACCOUNTS, so
    # review's deadlines, the publisher's slots and the console's calendar cannot drift.
    slot_weekdays: str = Field(
        default="mon,wed,fri",
        validation_alias=_shared("SLOT_WEEKDAYS"),
        description="Publishing weekdays: names or 0=Monday..6=Sunday.",
    )
    slot_times: str = Field(
        default="11:30",
        validation_alias=_shared("SLOT_TIMES"),
        description="Local slot times, comma separated.",
    )
    slot_zone: str = Field(
        default="Asia/Shanghai",
        validation_alias=_shared("SLOT_ZONE"),
        description="IANA zone of the calendar.",
    )
    accounts_json: str = Field(
        default="",
        validation_alias=_shared("ACCOUNTS"),
        description="JSON list of the official accounts (shared.accounts.AccountSpec); "
        "unset: the one account 'default' on the SLOT_* calendar.",
    )
    accounts_file: Path | None = Field(
        default=None,
        validation_alias=_shared("ACCOUNTS_FILE"),
        description="A file holding the ACCOUNTS JSON list (used when ACCOUNTS is unset).",
    )
    accounts_secrets_dir: Path | None = Field(
        default=None,
        validation_alias=_shared("ACCOUNTS_SECRETS_DIR"),
        description="Folder of the accounts' secrets as files, <dir>/<account>.<name> "
        "(wechat_app_secret, wechat_token, wechat_aes_key): a mounted Kubernetes Secret. "
        "ACCOUNT_<ID>_<NAME> variables take precedence (shared.accounts.account_secret).",
    )
    log_format: Literal["json", "console"] = Field(
        default="json", validation_alias=_shared("LOG_FORMAT")
    )

    mongo_db: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    http_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body of a route without its own limit (413 beyond).",
    )
    prefetch: int = Field(default=32, ge=1, le=10_000)
    delivery_limit: int = Field(default=10, ge=1, description="Broker redeliveries before DLQ.")
    retry_delay_ms: int = Field(default=5_000, ge=10, description="Delay of a transient retry.")
    # 24 x 5 s = 2 min: longer than the 60 s for which a transaction left open by a
    # killed replica may hold its locks, so such a conflict never dead-letters an event.
    max_retries: int = Field(default=24, ge=0, description="Transient retries before DLQ.")
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)

    @field_validator("api_tokens")
    @classmethod
    def _no_placeholder_tokens(cls, value: dict[str, Principal]) -> dict[str, Principal]:
        for token in value:
            if token.lower() in _PLACEHOLDERS or len(token) < 16:
                raise ValueError("API tokens must be at least 16 characters and not placeholders")
        return value

    @field_validator("person_token_keys")
    @classmethod
    def _public_keys_only(cls, value: list[str]) -> list[str]:
        for key in value:
            if "PRIVATE" in key:
                raise ValueError("PERSON_TOKEN_KEYS holds public keys only, never a private key")
            if "BEGIN PUBLIC KEY" not in key:
                raise ValueError("PERSON_TOKEN_KEYS: each key is a PEM public key")
        return value

    @model_validator(mode="after")
    def _accounts_valid(self) -> ServiceSettings:
        self.accounts  # noqa: B018 - a bad ACCOUNTS stops start-up, naming the account
        return self

    @cached_property
    def accounts(self) -> Accounts:
        """The deployment's accounts (``ValueError`` naming a bad one)."""
        text = self.accounts_json
        if not text.strip() and self.accounts_file is not None:
            text = self.accounts_file.read_text(encoding="utf-8")
        return Accounts.parse(
            text, weekdays=self.slot_weekdays, times=self.slot_times, zone=self.slot_zone
        )

    @property
    def person_token_audience(self) -> str:
        """The audience (aud) a person token for this service names: its service name."""
        return self.service_name

    @property
    def database(self) -> str:
        """This service's own database (``<namespace>contentops_<service>`` by default)."""
        name = self.mongo_db or f"contentops_{self.service_name}"
        return f"{self.namespace.rstrip('.').replace('.', '_')}_{name}".lstrip("_")

    def make_clock(self) -> Clock:
        """The clock these settings describe."""
        if self.clock_mode is ClockMode.SYSTEM:
            return SystemClock()
        if self.clock_sim_epoch is None:
            raise ValueError("CLOCK_SIM_EPOCH is required for fixed and accelerated clocks")
        if self.clock_mode is ClockMode.FIXED:
            return FixedClock(self.clock_sim_epoch)
        real_epoch = self.clock_real_epoch if self.clock_real_epoch is not None else time.time()
        return AcceleratedClock(
            sim_epoch=self.clock_sim_epoch, real_epoch=real_epoch, speed=self.clock_speed
        )


class CalendarSettings(ServiceSettings):
    """A service that works to the publishing calendar (review's deadlines, the slots).

    Review and the publisher must agree on it, so it is host-wide like the
    infrastructure names: ``SLOT_WEEKDAYS``, ``SLOT_TIMES`` and ``SLOT_ZONE`` configure
    both, with no per-service prefix that could let them drift apart.
    """

    def slot_calendar(self, holiday_policy: HolidayPolicy = HolidayPolicy.KEEP) -> SlotCalendar:
        """The slot calendar ``SLOT_*`` describe (``ValueError`` naming a bad value): the
        default account's unless ``ACCOUNTS`` gives it its own (``accounts.calendar``)."""
        return SlotCalendar(
            weekdays=parse_weekdays(self.slot_weekdays),
            times=parse_times(self.slot_times),
            zone=self.slot_zone,
            holiday_policy=holiday_policy,
        )
