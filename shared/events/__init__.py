"""Event contracts: the platform's public messaging API.

Every event is an :class:`EventEnvelope` subclass whose ``payload`` is a typed model::

    EventEnvelope
    ├── DraftSubmitted       draft.submitted        drafting -> review
    ├── DraftApproved        draft.approved         review -> publisher, drafting
    ├── DraftRejected        draft.rejected         review -> drafting
    ├── PostPublished        post.published         publisher -> feedback, reporting, drafting
    ├── PostFailed           post.failed            publisher -> drafting, reporting
    ├── FeedbackReceived     feedback.received      anyone -> feedback, reporting
    ├── FeedbackDigestReady  feedback.digest.ready  feedback -> reporting, drafting
    ├── FollowerSubscribed   follower.subscribed    audience -> reporting
    ├── FollowerUnsubscribed follower.unsubscribed  audience -> reporting
    ├── BranchSaved          branch.saved           audience -> reporting
    └── ReportReady          report.ready           reporting -> drafting
"""

from __future__ import annotations

from shared.events.common import (
    CATEGORY_LABELS,
    Category,
    ContentSnapshot,
    FeedbackKind,
    FindingRef,
    PictureOrigin,
    PictureRef,
    Source,
    SourceKind,
)
from shared.events.drafts import (
    DraftApproved,
    DraftApprovedPayload,
    DraftRejected,
    DraftRejectedPayload,
    DraftSubmitted,
    DraftSubmittedPayload,
)
from shared.events.envelope import (
    UNKNOWN_SCHEMA_VERSION,
    Contract,
    EventEnvelope,
    UnknownSchemaVersion,
    utc,
)
from shared.events.feedback import (
    DigestQuestion,
    DigestTheme,
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
    FeedbackMetrics,
    FeedbackReceived,
    FeedbackReceivedPayload,
)
from shared.events.followers import (
    BranchSaved,
    BranchSavedPayload,
    FollowerSource,
    FollowerSubscribed,
    FollowerSubscribedPayload,
    FollowerUnsubscribed,
    FollowerUnsubscribedPayload,
    FollowerVia,
)
from shared.events.posts import (
    FailureCode,
    PostFailed,
    PostFailedPayload,
    PostPublished,
    PostPublishedPayload,
)
from shared.events.reports import (
    CategoryRecommendation,
    ReportKind,
    ReportReady,
    ReportReadyPayload,
    TopicIdea,
)

EVENT_TYPES: dict[str, type[EventEnvelope]] = {
    cls.EVENT_TYPE: cls
    for cls in (
        DraftSubmitted,
        DraftApproved,
        DraftRejected,
        PostPublished,
        PostFailed,
        FeedbackReceived,
        FeedbackDigestReady,
        ReportReady,
        FollowerSubscribed,
        FollowerUnsubscribed,
        BranchSaved,
    )
}
"""Event name (routing key) -> envelope class."""

__all__ = [
    "EVENT_TYPES",
    "BranchSaved",
    "BranchSavedPayload",
    "CATEGORY_LABELS",
    "Category",
    "CategoryRecommendation",
    "ContentSnapshot",
    "Contract",
    "DigestQuestion",
    "DigestTheme",
    "DraftApproved",
    "DraftApprovedPayload",
    "DraftRejected",
    "DraftRejectedPayload",
    "DraftSubmitted",
    "DraftSubmittedPayload",
    "EventEnvelope",
    "FailureCode",
    "FeedbackDigestReady",
    "FeedbackDigestReadyPayload",
    "FeedbackKind",
    "FeedbackMetrics",
    "FeedbackReceived",
    "FeedbackReceivedPayload",
    "FindingRef",
    "FollowerSource",
    "FollowerSubscribed",
    "FollowerSubscribedPayload",
    "FollowerUnsubscribed",
    "FollowerUnsubscribedPayload",
    "FollowerVia",
    "PictureOrigin",
    "PictureRef",
    "PostFailed",
    "PostFailedPayload",
    "PostPublished",
    "PostPublishedPayload",
    "ReportKind",
    "ReportReady",
    "ReportReadyPayload",
    "Source",
    "SourceKind",
    "TopicIdea",
    "UNKNOWN_SCHEMA_VERSION",
    "UnknownSchemaVersion",
    "utc",
]
