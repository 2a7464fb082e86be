"""Domain errors of the audience service and their HTTP answers (``PROBLEMS``)."""

from __future__ import annotations

from services.audience.posters import FontMissing
from shared.accounts import DEFAULT_ACCOUNT, secret_env_name
from shared.problems import ACCOUNT_PROBLEMS, ProblemMap, ProblemSpec

__all__ = [
    "PROBLEMS",
    "AlreadyExists",
    "AudienceError",
    "BackfillRunning",
    "DuplicatePush",
    "InvalidExpiry",
    "InvalidMenu",
    "NotFound",
    "TooManyRules",
    "WeChatNotConfigured",
    "WeChatUnavailable",
]


class AudienceError(Exception):
    """Base of the audience service's domain errors."""


class NotFound(AudienceError):
    """No such branch, campaign, rule or menu version."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"No {what} {key!r}.")


class AlreadyExists(AudienceError):
    """A branch or campaign with this code exists."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"A {what} with code {key!r} exists already.")
        self.errors = [{"field": "code", "message": "is taken"}]


class TooManyRules(AudienceError):
    """The rule table is full."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"At most {limit} keyword rules (AUDIENCE_MAX_RULES).")


class InvalidMenu(AudienceError):
    """The menu breaks WeChat's limits; ``errors`` names each button field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"The menu breaks WeChat's limits ({len(errors)} problems).")
        self.errors = errors


class InvalidExpiry(AudienceError):
    """A campaign's code must expire in the future and within WeChat's 30 days."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.errors = [{"field": "expires_at", "message": detail}]


class WeChatNotConfigured(AudienceError):
    """The account's app credentials are not set: WeChat's API cannot be called for it."""

    def __init__(self, account: str = DEFAULT_ACCOUNT) -> None:
        if account == DEFAULT_ACCOUNT:
            hint = "Set AUDIENCE_WECHAT_APP_ID and AUDIENCE_WECHAT_APP_SECRET first."
        else:
            hint = (
                f"Set wechat_app_id of account {account!r} in ACCOUNTS and "
                f"{secret_env_name(account, 'wechat_app_secret')} first."
            )
        super().__init__(hint)


class WeChatUnavailable(AudienceError):
    """WeChat refused or did not answer; nothing was changed here."""


class BackfillRunning(AudienceError):
    """The account's back-fill is running already; it resumes from its cursor."""

    def __init__(self, account: str = DEFAULT_ACCOUNT) -> None:
        super().__init__(f"A back-fill of account {account!r} is running already.")


PROBLEMS: ProblemMap = {
    **ACCOUNT_PROBLEMS,
    NotFound: ProblemSpec(404, "Not found", "urn:contentops:problem:not-found"),
    AlreadyExists: ProblemSpec(409, "Conflict", "urn:contentops:problem:conflict"),
    BackfillRunning: ProblemSpec(409, "Conflict", "urn:contentops:problem:conflict"),
    TooManyRules: ProblemSpec(422, "Invalid request", "urn:contentops:problem:validation"),
    InvalidMenu: ProblemSpec(422, "Invalid request", "urn:contentops:problem:validation"),
    InvalidExpiry: ProblemSpec(422, "Invalid request", "urn:contentops:problem:validation"),
    WeChatNotConfigured: ProblemSpec(503, "WeChat not configured"),
    WeChatUnavailable: ProblemSpec(502, "WeChat unavailable"),
    FontMissing: ProblemSpec(503, "Poster font missing"),
}


class DuplicatePush(AudienceError):
    """A push with this natural key was recorded by a concurrent request first."""
