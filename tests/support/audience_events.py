"""One valid event of each type the audience service adds (``follower.subscribed``,
``follower.unsubscribed``, ``branch.saved``); ``tests.support.events.sample`` gives them too.
Each is of the account ``account`` (#12; ``default`` unless told)."""

from __future__ import annotations

from datetime import datetime

from shared.accounts import DEFAULT_ACCOUNT
from shared.events import (
    BranchSaved,
    BranchSavedPayload,
    EventEnvelope,
    FollowerSource,
    FollowerSubscribed,
    FollowerSubscribedPayload,
    FollowerUnsubscribed,
    FollowerUnsubscribedPayload,
)

__all__ = ["AUDIENCE_EVENTS", "audience_sample"]

AUDIENCE_EVENTS = ("follower.subscribed", "follower.unsubscribed", "branch.saved")


def audience_sample(
    event_type: str, cid: str, now: datetime, *, account: str = DEFAULT_ACCOUNT
) -> EventEnvelope:
    common = {
        "occurred_at": now,
        "correlation_id": cid,
        "producer": "audience",
        "account": account,
    }
    attribution = {"openid": f"o-{cid}", "source": FollowerSource.BRANCH, "branch_code": "pudong"}
    if event_type == "follower.subscribed":
        return FollowerSubscribed(
            payload=FollowerSubscribedPayload(**attribution, subscribed_at=now), **common
        )
    if event_type == "follower.unsubscribed":
        return FollowerUnsubscribed(
            payload=FollowerUnsubscribedPayload(**attribution, unsubscribed_at=now), **common
        )
    if event_type == "branch.saved":
        return BranchSaved(
            payload=BranchSavedPayload(
                code="pudong", name="浦东分公司", administrator="王经理", target=120, saved_at=now
            ),
            **common,
        )
    raise ValueError(f"not an audience event: {event_type}")
