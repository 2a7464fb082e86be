"""Errors raised when talking to WeChat.

Hierarchy::

    WeChatError                      errcode/errmsg as WeChat sent them (errcode None if local)
    ├── InvalidCredential            app credentials or caller rejected; fix configuration
    │   └── AccessTokenInvalid       access_token invalid/expired (refreshed once, then raised)
    ├── QuotaExceeded                daily or per-minute API quota used up; retry later
    ├── Unauthorised                 the account may not call this API (permission, ban)
    ├── ContentRejected              WeChat refused the content or the draft for publication
    ├── InvalidRequest               malformed request, unknown media/publish id, bad file
    ├── TransientWeChatError         WeChat busy or HTTP 5xx; safe to retry after a delay
    │   └── ConnectionFailed         no connection was made: the request was never sent
    └── OutcomeUnknown               the request MAY have reached WeChat but the answer was
                                     lost (read timeout, reset, unreadable reply); never
                                     resubmit a non-idempotent call, reconcile instead

``OutcomeUnknown`` is deliberately *not* a ``TransientWeChatError``: code that retries
transient failures must not resubmit ``freepublish/submit`` after a lost answer.

errcode mapping (codes from the WeChat Official Account docs as remembered; the
``53xxx``/``88xxx`` texts are translations and worth re-checking against the live docs):

=======  =======================================================  =====================
errcode  meaning                                                  class
=======  =======================================================  =====================
-1       system busy                                              TransientWeChatError
40001    invalid credential / access_token not the latest         AccessTokenInvalid
40014    invalid access_token                                     AccessTokenInvalid
42001    access_token expired                                     AccessTokenInvalid
41001    access_token missing                                     AccessTokenInvalid
40013    invalid appid                                            InvalidCredential
40125    invalid appsecret                                        InvalidCredential
40164    caller IP not in the account's whitelist                 InvalidCredential
45009    daily API quota reached                                  QuotaExceeded
45011    per-minute API frequency limit reached                   QuotaExceeded
48001    API unauthorised for this account                        Unauthorised
48004    API banned for this account (see errmsg)                 Unauthorised
50001    user/account has not authorised this API                 Unauthorised
50002    user/account restricted                                  Unauthorised
87014    content contains risky/illegal material                  ContentRejected
53503    draft did not pass the publish check                     ContentRejected
53504    draft must be used on the mp.weixin.qq.com site          ContentRejected
53505    draft must be saved manually before publishing           ContentRejected
40003    invalid openid                                           InvalidRequest
40004    invalid media type                                       InvalidRequest
40005    invalid file type                                        InvalidRequest
40006    invalid file size                                        InvalidRequest
40007    invalid media_id                                         InvalidRequest
40009    invalid image size                                       InvalidRequest
44002    empty POST body                                          InvalidRequest
45001    media file too large                                     InvalidRequest
47001    malformed JSON/XML body                                  InvalidRequest
88000    article has no comment permission                        InvalidRequest
88001    msg_data_id/index does not exist                         InvalidRequest
88010    invalid comment count/begin                              InvalidRequest
61500    datacube: date format error                              InvalidRequest
61501    datacube: date range error (span, or not before today)   InvalidRequest
HTTP 5xx server or gateway error                                  TransientWeChatError
other    unknown errcode                                          WeChatError
=======  =======================================================  =====================
"""

from __future__ import annotations

__all__ = [
    "TOKEN_ERRCODES",
    "AccessTokenInvalid",
    "ConnectionFailed",
    "ContentRejected",
    "InvalidCredential",
    "InvalidRequest",
    "OutcomeUnknown",
    "QuotaExceeded",
    "TransientWeChatError",
    "Unauthorised",
    "WeChatError",
    "error_for",
]

#: errcodes meaning "this access_token is no good": refresh it and retry once.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


class WeChatError(Exception):
    """A failed WeChat call; ``errcode`` is None when the failure is local (HTTP, network)."""

    def __init__(self, errcode: int | None, errmsg: str, *, path: str = "") -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path
        where = f" on {path}" if path else ""
        code = f"errcode {errcode}" if errcode is not None else "no errcode"
        super().__init__(f"WeChat {code}{where}: {errmsg}")


class InvalidCredential(WeChatError):
    """The appid, secret or calling IP was rejected: a configuration problem."""


class AccessTokenInvalid(InvalidCredential):
    """The access_token was rejected even after one forced refresh."""


class QuotaExceeded(WeChatError):
    """The daily or per-minute call quota is exhausted."""


class Unauthorised(WeChatError):
    """The account lacks the permission for this API, or it is banned from it."""


class ContentRejected(WeChatError):
    """WeChat refused the content or the draft (risk control, publish check)."""


class InvalidRequest(WeChatError):
    """The request itself is wrong: unknown id, bad file, malformed body."""


class TransientWeChatError(WeChatError):
    """WeChat was busy or unreachable and did nothing; retrying later is safe."""


class ConnectionFailed(TransientWeChatError):
    """No connection to WeChat could be made, so the request was never sent."""


class OutcomeUnknown(WeChatError):
    """The request may have taken effect but its answer was lost: reconcile, never resubmit."""


_BY_ERRCODE: dict[int, type[WeChatError]] = {
    -1: TransientWeChatError,
    **dict.fromkeys((40001, 40014, 42001, 41001), AccessTokenInvalid),
    **dict.fromkeys((40013, 40125, 40164), InvalidCredential),
    **dict.fromkeys((45009, 45011), QuotaExceeded),
    **dict.fromkeys((48001, 48004, 50001, 50002), Unauthorised),
    **dict.fromkeys((87014, 53503, 53504, 53505), ContentRejected),
    **dict.fromkeys(
        (
            *(40003, 40004, 40005, 40006, 40007, 40009, 44002, 45001, 47001),
            *(88000, 88001, 88010, 61500, 61501),
        ),
        InvalidRequest,
    ),
}


def error_for(errcode: int, errmsg: str, *, path: str = "") -> WeChatError:
    """Build the exception matching a non-zero WeChat ``errcode``."""
    return _BY_ERRCODE.get(errcode, WeChatError)(errcode, errmsg, path=path)
