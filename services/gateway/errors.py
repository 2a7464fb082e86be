"""Failures of the gateway's rules, and the HTTP answer each one becomes (``PROBLEMS``)::

GatewayError
├── InvalidInput        bad form or body, each problem naming its field -> 422
├── SignInRefused       wrong name or password (never says which)       -> 401
├── SignInThrottled     too many failures: wait ``retry_after`` seconds -> 429
├── NotSignedIn         no live session                                 -> 401
├── CsrfRefused         a change without the session's CSRF token       -> 403
├── NotAllowed          the person lacks the role                       -> 403
├── PersonExists        the user name is taken                          -> 409
├── LastAdmin           the change would leave no active admin          -> 409
├── PersonNotFound      no such person                                  -> 404
├── AccountNotFound     no such account in this deployment              -> 404
└── UpstreamUnavailable a service did not answer                        -> 502
"""

from __future__ import annotations

from shared.problems import ProblemMap, ProblemSpec

__all__ = [
    "PROBLEMS",
    "AccountNotFound",
    "CsrfRefused",
    "GatewayError",
    "InvalidInput",
    "LastAdmin",
    "NotAllowed",
    "NotSignedIn",
    "PersonExists",
    "PersonNotFound",
    "SignInRefused",
    "SignInThrottled",
    "UpstreamUnavailable",
]


class GatewayError(Exception):
    """Base of every gateway rule failure."""


class InvalidInput(GatewayError):
    """Input breaks a rule; ``problems`` maps each offending field to why."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems.items()))
        self.problems = problems

    @property
    def detail(self) -> str:
        return f"Invalid value for: {', '.join(self.problems)}"

    @property
    def errors(self) -> list[dict[str, str]]:
        return [{"field": f, "message": m} for f, m in self.problems.items()]


class SignInRefused(GatewayError):
    """Wrong user name or password, or the person is deactivated (not told apart)."""

    def __init__(self) -> None:
        super().__init__("wrong user name or password")


class SignInThrottled(GatewayError):
    """Too many failed sign-ins for this person or address."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"too many failed sign-ins: try again in {self.retry_after} s")


class NotSignedIn(GatewayError):
    """No live session."""

    def __init__(self) -> None:
        super().__init__("sign in first")


class CsrfRefused(GatewayError):
    """A change was sent without the session's CSRF token."""

    def __init__(self) -> None:
        super().__init__("missing or wrong CSRF token: reload the page and try again")


class NotAllowed(GatewayError):
    """The person does not hold a role the action needs."""


class PersonExists(GatewayError):
    """The user name is taken."""


class LastAdmin(GatewayError):
    """The change would leave the console without an active administrator."""


class PersonNotFound(GatewayError):
    """No such person."""


class AccountNotFound(GatewayError):
    """No such official account in this deployment (#12)."""


class UpstreamUnavailable(GatewayError):
    """A service the console needs did not answer."""


PROBLEMS: ProblemMap = {
    InvalidInput: ProblemSpec(422, "Invalid input", "urn:contentops:problem:validation"),
    SignInRefused: ProblemSpec(401, "Sign-in refused", "urn:contentops:problem:sign-in"),
    SignInThrottled: ProblemSpec(429, "Too many sign-ins", "urn:contentops:problem:throttled"),
    NotSignedIn: ProblemSpec(401, "Not signed in", "urn:contentops:problem:unauthenticated"),
    CsrfRefused: ProblemSpec(403, "CSRF token refused", "urn:contentops:problem:csrf"),
    NotAllowed: ProblemSpec(403, "Forbidden", "urn:contentops:problem:forbidden"),
    PersonExists: ProblemSpec(409, "User name taken", "urn:contentops:problem:conflict"),
    LastAdmin: ProblemSpec(409, "Last administrator", "urn:contentops:problem:conflict"),
    PersonNotFound: ProblemSpec(404, "Person not found", "urn:contentops:problem:not-found"),
    AccountNotFound: ProblemSpec(
        404, "Account not found", "urn:contentops:problem:unknown-account"
    ),
    UpstreamUnavailable: ProblemSpec(502, "Service unavailable", "urn:contentops:problem:upstream"),
}
