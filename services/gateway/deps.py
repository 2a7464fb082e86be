"""What the gateway's use cases are given: unit of work, repositories, clocks, rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.gateway.domain.backoff import BackoffPolicy
from services.gateway.domain.sessions import SessionRules
from services.gateway.metrics import GatewayMetrics
from services.gateway.passwords import Passwords
from services.gateway.ports import (
    AttemptRepository,
    GatewayTx,
    OpenedRepository,
    PersonRepository,
    SessionRepository,
)
from shared.accounts import Accounts
from shared.clock import Clock
from shared.outbox import UnitOfWorkPort

__all__ = ["GatewayDeps"]


@dataclass(frozen=True)
class GatewayDeps:
    """What the use cases need.

    ``clock`` is business time (deadlines shown on pages; accelerated in the demo);
    ``wall`` is real time, for what security measures: sessions, back-off, tokens.
    """

    uow: UnitOfWorkPort[GatewayTx]
    people: PersonRepository
    sessions: SessionRepository
    attempts: AttemptRepository
    opened: OpenedRepository
    """What each person has opened: unread documents and reports."""
    passwords: Passwords
    clock: Clock
    wall: Clock
    metrics: GatewayMetrics
    session_rules: SessionRules
    user_backoff: BackoffPolicy
    address_backoff: BackoffPolicy
    password_min_length: int = 10
    accounts: Accounts = field(default_factory=Accounts)
    """The deployment's accounts: the ones a person may be given (#12)."""
