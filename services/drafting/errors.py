"""Failures of the drafting rules, and the HTTP answer each one becomes (``PROBLEMS``)::

DraftingError
├── InvalidContent     bad input, each problem naming its field   -> 422
├── TransitionRefused  the action is not allowed in this state    -> 409
├── RevisionConflict   the caller edited an older revision        -> 409
├── ConcurrentUpdate   another writer changed the draft meanwhile -> 409 (consumers retry)
├── EditForbidden      neither an editor nor the draft's creator  -> 403
└── NotFound           no such draft, revision or material        -> 404
                       (or one of an account the caller holds no role on)

An unknown ``account`` is :class:`shared.accounts.UnknownAccount` (404 naming the field,
``ACCOUNT_PROBLEMS``); a role missing on the resource's account is answered by
:func:`shared.http.authorize` (403).
"""

from __future__ import annotations

from shared.problems import ACCOUNT_PROBLEMS, ProblemMap, ProblemSpec

__all__ = [
    "PROBLEMS",
    "ConcurrentUpdate",
    "DraftingError",
    "EditForbidden",
    "FieldProblem",
    "InvalidContent",
    "NotFound",
    "RevisionConflict",
    "TransitionRefused",
]

FieldProblem = tuple[str, str]
"""``(field, message)``; ``field`` is a dotted path such as ``pictures.0.origin``."""


class DraftingError(Exception):
    """Base of every drafting rule failure."""


class InvalidContent(DraftingError):
    """The content breaks a rule; ``problems`` name every offending field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems

    @classmethod
    def one(cls, field: str, message: str) -> InvalidContent:
        return cls([(field, message)])

    @property
    def fields(self) -> list[str]:
        return [field for field, _ in self.problems]

    @property
    def detail(self) -> str:
        """The answer's ``detail``: every offending field, once."""
        return f"Invalid value for: {', '.join(dict.fromkeys(self.fields))}"

    @property
    def errors(self) -> list[dict[str, str]]:
        """The answer's ``errors``: one ``{"field", "message"}`` per problem."""
        return [{"field": field, "message": message} for field, message in self.problems]


class TransitionRefused(DraftingError):
    """The draft's state does not allow the action."""

    def __init__(self, state: str, action: str, hint: str = "") -> None:
        message = f"a draft in state {state!r} cannot {action}"
        super().__init__(f"{message}: {hint}" if hint else message)
        self.state = state
        self.action = action


class RevisionConflict(DraftingError):
    """The caller based the edit on a revision that is no longer the current one."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"the edit was based on revision {expected}; the draft is at {current}")
        self.expected = expected
        self.current = current


class ConcurrentUpdate(DraftingError):
    """Another writer saved the draft between our read and our write."""


class EditForbidden(DraftingError):
    """Only editors and the draft's creator may change a draft."""


class NotFound(DraftingError):
    """The draft, revision or material does not exist."""


PROBLEMS: ProblemMap = {
    DraftingError: ProblemSpec(400, "Bad request"),
    InvalidContent: ProblemSpec(422, "Invalid request", "urn:contentops:problem:validation"),
    TransitionRefused: ProblemSpec(409, "Not allowed in this state"),
    RevisionConflict: ProblemSpec(409, "The draft changed"),
    ConcurrentUpdate: ProblemSpec(409, "The draft changed"),
    EditForbidden: ProblemSpec(403, "Forbidden"),
    NotFound: ProblemSpec(404, "Not found"),
    **ACCOUNT_PROBLEMS,
}
"""How each drafting error is answered over HTTP (the most specific class wins)."""
