"""What the feedback use cases are given, and the names of their timed jobs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import SecretStr

from services.feedback.domain.item import Incoming, Outcome
from services.feedback.metrics import FeedbackMetrics
from services.feedback.ports import (
    DocumentReader,
    FeedbackTx,
    ItemReader,
    PushEvents,
    WindowReader,
)
from services.feedback.repository.lookup import WindowLookup
from services.feedback.settings import FeedbackSettings
from shared.accounts import DEFAULT_ACCOUNT, account_secret
from shared.batching import BatchWriter
from shared.clock import Clock
from shared.jobs import Claim, JobLoop, TimedJobs
from shared.outbox import UnitOfWorkPort
from shared.wechat import WeChatClient

__all__ = [
    "COMMENT_POLL",
    "DIGEST_DELIVERY",
    "REPLY_SEND",
    "STATS_POLL",
    "WINDOW_CLOSE",
    "FeedbackDeps",
    "WeChatApp",
    "account_kind",
    "comment_poll_key",
    "delivery_key",
    "reply_send_key",
    "stats_poll_key",
    "window_close_key",
]

WINDOW_CLOSE = "window-close"
COMMENT_POLL = "comment-poll"
DIGEST_DELIVERY = "digest-delivery"
REPLY_SEND = "reply-send"
STATS_POLL = "stats-poll"


def account_kind(kind: str, account: str) -> str:
    """The job kind of an account's WeChat work (reply sends, comment and statistics
    polls): each account's jobs have their own loop, so one account's slow or failing
    WeChat never holds another's. The default account keeps the kind it always had."""
    return kind if account == DEFAULT_ACCOUNT else f"{kind}:{account}"


def window_close_key(post_id: str) -> str:
    return f"{WINDOW_CLOSE}:{post_id}"


def comment_poll_key(post_id: str) -> str:
    return f"{COMMENT_POLL}:{post_id}"


def stats_poll_key(post_id: str) -> str:
    return f"{STATS_POLL}:{post_id}"


def delivery_key(digest_id: str, channel: str) -> str:
    return f"{DIGEST_DELIVERY}:{digest_id}:{channel}"


def reply_send_key(enquiry_id: str) -> str:
    """One send per enquiry, whatever number of replies it gets."""
    return f"{REPLY_SEND}:{enquiry_id}"


@dataclass(frozen=True)
class WeChatApp:
    """An account's WeChat app: its id and secret (the secret never logged)."""

    app_id: str
    secret: SecretStr


@dataclass(frozen=True)
class FeedbackDeps:
    """Adapters and configuration the use cases work with (wired in ``bootstrap``).

    ``uow`` hands a use case the repositories bound to one transaction; ``items``,
    ``windows``, ``documents`` and ``push_events`` are the same repositories outside
    one (the AMQP hot path, the background jobs, the routes' reads).
    """

    uow: UnitOfWorkPort[FeedbackTx]
    items: ItemReader
    windows: WindowReader
    documents: DocumentReader
    push_events: PushEvents
    jobs: TimedJobs
    clock: Clock
    settings: FeedbackSettings
    metrics: FeedbackMetrics
    window_lookup: WindowLookup
    batcher: BatchWriter[Incoming, Outcome]
    """Writes ``feedback.received`` items in batches (the AMQP door)."""

    def after_real(self, seconds: float) -> datetime:
        """The business instant ``seconds`` of real time from now (the clock may run fast)."""
        return self.clock.now() + self.real_to_business(seconds)

    def real_to_business(self, seconds: float) -> timedelta:
        return timedelta(seconds=seconds * self.clock.speed)

    def job_loop(
        self,
        kind: str,
        handler: Callable[[Claim], Awaitable[object]],
        *,
        retry_seconds: float | None = None,
    ) -> JobLoop:
        """The loop running due jobs of ``kind``; a failed job is due again after
        ``retry_seconds`` of real time (``FEEDBACK_JOB_RETRY_SECONDS`` by default)."""
        settings = self.settings
        return JobLoop(
            jobs=self.jobs,
            kind=kind,
            handler=handler,
            clock=self.clock,
            max_sleep=settings.job_poll_seconds,
            retry_real=settings.job_retry_seconds if retry_seconds is None else retry_seconds,
            shutdown_grace=settings.shutdown_grace_seconds,
        )

    def reply_limit(self, account: str) -> timedelta:
        """The account's enquiry reply limit; where its ``reply_limit_hours`` is unset (and
        for an account this deployment does not list), ``FEEDBACK_REPLY_LIMIT_HOURS``."""
        accounts = self.settings.accounts
        if account not in accounts:  # Accounts.get would raise UnknownAccount (no KeyError)
            return self.settings.reply_limit
        spec = accounts[account]
        if "reply_limit_hours" not in spec.model_fields_set:
            return self.settings.reply_limit
        return timedelta(hours=spec.reply_limit_hours)

    def wechat_app(self, account: str) -> WeChatApp | None:
        """The account's WeChat app credentials; None when it has none.

        The default account's are ``FEEDBACK_WECHAT_APP_ID``/``_APP_SECRET`` (as before
        accounts); another's are its ``wechat_app_id`` and its ``wechat_app_secret``
        secret (:func:`shared.accounts.account_secret`).
        """
        settings = self.settings
        if account == DEFAULT_ACCOUNT and settings.poller_enabled:
            assert settings.wechat_app_id
            assert settings.wechat_app_secret
            return WeChatApp(settings.wechat_app_id, settings.wechat_app_secret)
        if account not in settings.accounts:
            return None
        spec = settings.accounts[account]
        if not spec.wechat_app_id:
            return None
        secret = account_secret(account, "wechat_app_secret")
        return WeChatApp(spec.wechat_app_id, secret) if secret is not None else None

    @property
    def wechat_accounts(self) -> tuple[str, ...]:
        """The accounts with WeChat app credentials (their comments, statistics, replies)."""
        return tuple(a for a in self.settings.accounts.ids if self.wechat_app(a) is not None)

    def wechat_client(self, account: str) -> WeChatClient:
        """A client of the WeChat API with the account's app (the caller closes it)."""
        app = self.wechat_app(account)
        assert app is not None, f"account {account!r} has no WeChat app"
        settings = self.settings
        return WeChatClient(
            app.app_id,
            app.secret.get_secret_value(),
            base_url=settings.wechat_base_url,
            timeout=settings.wechat_timeout_seconds,
        )
