"""What the calendar, posts, feedback, documents and reports pages share: the person's
view of the services, role checks, labels of states, spans people read, and how a page
proxies a file a service renders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.responses import Response

from services.gateway.errors import NotAllowed
from services.gateway.upstream import Answer
from services.gateway.upstream_reads import Reads, UpstreamRefused
from services.gateway.web.console import Console, Visit
from shared.events import CATEGORY_LABELS
from shared.settings import Role

__all__ = [
    "DELIVERY_LABELS",
    "CATEGORY_EN",
    "KIND_LABELS",
    "POST_STATE_LABELS",
    "READERS",
    "category_text",
    "common",
    "file_response",
    "lateness_text",
    "reads",
    "require",
    "seconds_between",
]

READERS = (Role.EDITOR, Role.REVIEWER, Role.DIRECTOR)

POST_STATE_LABELS = {
    "scheduled": "Scheduled",
    "paused": "Paused",
    "submitting": "Submitting",
    "pending": "Awaiting the channel",
    "unknown": "Outcome unknown",
    "published": "Published",
    "failed": "Failed",
    "missed": "Missed",
    "cancelled": "Cancelled",
}
KIND_LABELS = {
    "comment": "Comments",
    "message": "Messages",
    "reply": "Our replies",
    "metric": "Reading figures",
}
CATEGORY_EN = {
    "industry": "Industry news",
    "management": "Business management",
    "hr": "HR management",
    "finance": "Finance",
    "services": "Our integrated services",
}
DELIVERY_LABELS = {
    "pending": "Sending",
    "sent": "Delivered",
    "failed": "Refused by WeChat",
    "unknown": "Delivery unknown",
}


def category_text(value: str, lang: str) -> str:
    """A content category as the plan names it (行业信息 …), or in English."""
    if lang == "zh-CN":
        return CATEGORY_LABELS.get(value, value)
    return CATEGORY_EN.get(value, value)


def common(visit: Visit) -> dict[str, Any]:
    """What every one of these pages' templates is given beside the console's own."""
    return {"category_of": lambda value: category_text(str(value), visit.lang)}


def reads(console: Console, visit: Visit) -> Reads:
    """The services as ``visit``'s person sees them, in the account they work in."""
    return Reads(console.services, visit.person, visit.account)


def require(visit: Visit, *roles: Role) -> None:
    """The page is for ``roles`` (admin passes); the services check again."""
    if not visit.may(*roles):
        raise NotAllowed("this page is for " + ", ".join(str(r) for r in roles))


def seconds_between(later: str | datetime | None, earlier: datetime) -> float | None:
    if later is None or later == "":
        return None
    when = datetime.fromisoformat(later) if isinstance(later, str) else later
    return (when - earlier).total_seconds()


def lateness_text(seconds: float | None, lang: str) -> str:
    """``准时（晚 0.4 秒）`` / ``late by 3 min 5 s``: how far after its slot a post went out."""
    if seconds is None:
        return ""
    whole = abs(seconds)
    if whole < 60:
        amount = f"{whole:.1f} 秒" if lang == "zh-CN" else f"{whole:.1f} s"
    else:
        minutes, secs = divmod(int(whole), 60)
        hours, minutes = divmod(minutes, 60)
        if lang == "zh-CN":
            amount = (f"{hours} 小时 " if hours else "") + f"{minutes} 分 {secs} 秒"
        else:
            amount = (f"{hours} h " if hours else "") + f"{minutes} min {secs} s"
    if seconds < 0:
        return f"提前 {amount}" if lang == "zh-CN" else f"early by {amount}"
    return f"晚 {amount}" if lang == "zh-CN" else f"late by {amount}"


def file_response(service: str, answer: Answer, *, filename: str | None = None) -> Response:
    """A file a service rendered, passed on as it came (or its refusal as a page error)."""
    if not answer.ok:
        raise UpstreamRefused(service, answer)
    headers: dict[str, Any] = {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        # A rendered page of a service (the report's HTML) is shown as a document of its
        # own: its inline style, never a script, and no access to the console's origin.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:; sandbox; frame-ancestors 'none'",
    }
    disposition = answer.headers.get("content-disposition")
    if filename:
        disposition = f'attachment; filename="{filename}"'
    if disposition:
        headers["Content-Disposition"] = disposition
    return Response(answer.content, media_type=answer.content_type or None, headers=headers)
