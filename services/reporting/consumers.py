"""Subscribers of the reporting service: decode, call a use case, nothing else."""

from __future__ import annotations

from services.reporting.deps import FollowersDeps, ReportingDeps
from services.reporting.usecases.followers import record_branch, record_follower_change
from services.reporting.usecases.ingest import (
    record_digest,
    record_feedback,
    record_post_failed,
    record_post_published,
)
from shared.events import (
    BranchSaved,
    FeedbackDigestReady,
    FeedbackReceived,
    FollowerSubscribed,
    FollowerUnsubscribed,
    PostFailed,
    PostPublished,
)
from shared.runtime import ServiceRuntime

__all__ = ["register_consumers", "register_follower_consumers"]


def register_consumers(runtime: ServiceRuntime, deps: ReportingDeps) -> None:
    """Subscribe this service's handlers, one queue per event."""

    @runtime.subscriber("post.published")
    async def on_post_published(event: PostPublished) -> None:
        """Store the published post in the reporting read model."""
        await record_post_published(event, deps=deps)

    @runtime.subscriber("post.failed")
    async def on_post_failed(event: PostFailed) -> None:
        """Store the failed post (unless it was published) in the reporting read model."""
        await record_post_failed(event, deps=deps)

    @runtime.subscriber("feedback.received")
    async def on_feedback_received(event: FeedbackReceived) -> None:
        """Store the feedback item or metric snapshot (one write, idempotent by key)."""
        await record_feedback(event, deps=deps)

    @runtime.subscriber("feedback.digest.ready")
    async def on_feedback_digest_ready(event: FeedbackDigestReady) -> None:
        """Keep the post's latest core-issues document for themes and questions."""
        await record_digest(event, deps=deps)


def register_follower_consumers(runtime: ServiceRuntime, deps: FollowersDeps) -> None:
    """Subscribe the audience service's events (issue #14), one queue per event."""

    @runtime.subscriber("follower.subscribed")
    async def on_follower_subscribed(event: FollowerSubscribed) -> None:
        """Store the subscription and the follower's attribution."""
        await record_follower_change(event, deps=deps)

    @runtime.subscriber("follower.unsubscribed")
    async def on_follower_unsubscribed(event: FollowerUnsubscribed) -> None:
        """Store the unsubscription and the follower's new state."""
        await record_follower_change(event, deps=deps)

    @runtime.subscriber("branch.saved")
    async def on_branch_saved(event: BranchSaved) -> None:
        """Keep the branch's name and head-count target."""
        await record_branch(event, deps=deps)
