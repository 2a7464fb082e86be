"""HTTP route of the followers summary (issue #14).

=======================================  =========================================
``GET  /followers/summary?from=&to=``    net growth by branch against its target,
                                         by source, and unsubscribes within 24 h
                                         of each post published in the range,
                                         with recommendations where a branch lags
=======================================  =========================================

The figures and recommendations are those of the reports' followers section
(:mod:`services.reporting.reports.followers`): each branch against its fair share of its
target by the range's end, each post's unsubscribes against the range's rate.

``from`` and ``to`` are local days (China time, ``to`` inclusive), at most 400 days;
a range that cannot be summarised is answered 422 naming the field. Reading needs any
role of the platform, like the reports. ``account`` (#12) summarises one official
account; unset, every account the reader may read, together and side by side
(``by_account``); 403 for an account the reader holds no role on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.reporting.deps import FollowersDeps
from services.reporting.domain.followers import FollowersSummary
from services.reporting.usecases.followers import summarise_followers
from shared.accounts import ACCOUNT_ID_PATTERN
from shared.bounds import Day
from shared.http import ProblemError, account_scope, require
from shared.settings import Principal, Role

__all__ = ["build_followers_router"]

_READERS = (Role.EDITOR, Role.REVIEWER, Role.DIRECTOR, Role.SYSTEM)
_DAY = "A local day (China time), YYYY-MM-DD."


def build_followers_router(
    deps: FollowersDeps, tokens: Callable[[], Mapping[str, Principal]]
) -> APIRouter:
    """The followers route, bound to its use case."""
    router = APIRouter(prefix="/followers", tags=["followers"])
    reader = Depends(require(tokens, *_READERS))

    @router.get("/summary", response_model=FollowersSummary)
    async def followers_summary(
        start: Annotated[Day, Query(alias="from", description=f"First day. {_DAY}")],
        end: Annotated[Day, Query(alias="to", description=f"Last day (included). {_DAY}")],
        account: Annotated[
            str | None,
            Query(
                pattern=ACCOUNT_ID_PATTERN,
                description="Only this official account (unset: every account the reader "
                "may read, together).",
            ),
        ] = None,
        principal: Principal = reader,
    ) -> FollowersSummary:
        """Followers of the range: net growth per branch against its head-count target
        (the share of it reached at the range's end, and its fair share by then), by
        source, for each post published in the range the unsubscribes within 24 hours
        after it (unusual or not against the range's rate), and what to do where a branch
        lags or a post drove followers away."""
        accounts = account_scope(principal, deps.accounts, account)
        try:
            return await summarise_followers(
                start, end, accounts=accounts, deps=deps, actor=principal
            )
        except ValueError as exc:
            message = str(exc)
            raise ProblemError(
                422,
                "Invalid request",
                f"Invalid value for: query.to ({message})",
                type_="urn:contentops:problem:validation",
                errors=[{"field": "query.to", "message": message}],
            ) from exc

    return router
