"""WeChat Official Account protocol: API client, push endpoint helpers, encrypted mode."""

from .client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, RetryPolicy, WeChatClient
from .crypto import MessageCrypto, PushCryptoError
from .errors import (
    AccessTokenInvalid,
    ConnectionFailed,
    ContentRejected,
    InvalidCredential,
    InvalidRequest,
    OutcomeUnknown,
    QuotaExceeded,
    TransientWeChatError,
    Unauthorised,
    WeChatError,
)
from .images import rewrite_body_images
from .models import (
    ArticleStats,
    ArticleStatsPage,
    Comment,
    CommentReply,
    DraftArticle,
    PublishState,
    PublishStatus,
    PublishSubmission,
)
from .push import (
    PUBLISH_JOB_FINISH,
    SUCCESS_REPLY,
    PushMessage,
    PushParseError,
    parse_message,
    parse_publish_job_finish,
    text_reply,
    verify_signature,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "PUBLISH_JOB_FINISH",
    "SUCCESS_REPLY",
    "AccessTokenInvalid",
    "ArticleStats",
    "ArticleStatsPage",
    "Comment",
    "CommentReply",
    "ConnectionFailed",
    "ContentRejected",
    "DraftArticle",
    "InvalidCredential",
    "InvalidRequest",
    "MessageCrypto",
    "OutcomeUnknown",
    "PublishState",
    "PublishStatus",
    "PublishSubmission",
    "PushCryptoError",
    "PushMessage",
    "PushParseError",
    "QuotaExceeded",
    "RetryPolicy",
    "TransientWeChatError",
    "Unauthorised",
    "WeChatClient",
    "WeChatError",
    "parse_message",
    "parse_publish_job_finish",
    "rewrite_body_images",
    "text_reply",
    "verify_signature",
]
