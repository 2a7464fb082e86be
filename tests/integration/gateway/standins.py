"""Stand-ins for the feedback and reporting services, for the console's Today and report
pages: answers shaped by the services' own models (a report built by the reporting
service's ``build_report``, with coded notes and topic ideas), served over HTTP so the
gateway calls them as it calls the real ones; every call is recorded.

The business time is fixed at :data:`NOW` (Monday 2026-11-23 12:00 China time): one open
window closes in two hours, the other in twenty; two core-issues documents are issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from services.reporting.reports.build import build_report
from services.reporting.reports.model import (
    AskedQuestion,
    Coverage,
    Evidence,
    FormAdvice,
    Note,
    PostRef,
    Recommendations,
    TopicIdea,
)
from shared.calendar.reports import biweekly_period

__all__ = [
    "CLOSING_SOON",
    "CLOSING_LATER",
    "DOCUMENTS",
    "NOW",
    "REPORT_ID",
    "XSS_TOPIC",
    "StandIn",
    "report_answer",
    "standin_app",
]

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # Monday 12:00 in Shanghai
CLOSING_SOON = ("p-soon-r1", "社保基数调整说明")
CLOSING_LATER = ("p-later-r1", "明天才关闭的窗口")
DOCUMENTS = (("p-doc1-r1", "个税汇算要点"), ("p-doc2-r1", "企业年报提醒"))
REPORT_ID = "biweekly_2026-11-09"
OLDER_REPORT_ID = "weekly_2026-W46"
XSS_TOPIC = "<script>window.__xss=3</script>专项附加扣除怎么填"
SUMMARY = "本期摘要：各条说明以中文连成一段。"
"""The listing's ``summary``: the notes joined in Chinese (the page words the notes)."""


def _post(title: str) -> PostRef:
    return PostRef(post_id=f"p-{title}", title=title, category="finance", reads=900, shares=40)


def report_answer(report_id: str = REPORT_ID) -> dict[str, Any]:
    """``GET /reports/{id}`` of the reporting service: its listing fields and the report,
    whose notes and ideas are codes with parameters."""
    current, previous = biweekly_period(date(2026, 11, 9), 0)
    built = build_report("biweekly", current, previous, [], [], [], NOW)
    ideas = [
        TopicIdea(
            topic=XSS_TOPIC,
            intent="个税申报",
            category="finance",
            source="questions",
            evidence=Evidence(
                questions=[AskedQuestion(text="专项附加扣除怎么填？", asked=3, unanswered=1)],
                asked=3,
                unanswered=1,
                posts=[_post("个税汇算要点")],
                post_count=1,
            ),
            covered_by=[Coverage(post=_post("个税汇算要点"), how="own_feedback")],
            weight=3.0,
        ),
        TopicIdea(
            topic="社保基数",
            category="hr",
            source="problems",
            evidence=Evidence(mentions=4, quotes=["看不懂", "太复杂"]),
            weight=2.0,
        ),
    ]
    plan = built.recommendations.plan
    report = built.model_copy(
        update={
            "notes": [
                Note(
                    code="summary",
                    params={
                        "posts": 6,
                        "reads": 12345,
                        "engagement": 0.0812,
                        "reply_rate": 0.9,
                        "prev_posts": 5,
                        "prev_reads": 9000,
                        "prev_engagement": 0.07,
                        "limit": "12",
                    },
                ),
                Note(code="breached", params={"count": 3, "limit": "12"}),
            ],
            "recommendations": Recommendations(
                plan=[plan[0].model_copy(update={"idea": ideas[0]}), *plan[1:2]],
                topics=ideas,
                advice=[
                    FormAdvice(
                        label="篇幅太长",
                        mentions=3,
                        stance="complaint",
                        posts=[_post("个税汇算要点")],
                        quotes=[],
                    )
                ],
            ),
        }
    )
    summary = _summary(report_id, "运营情况分析（双周） · 2026-11-09 – 2026-11-22", "biweekly")
    return {**summary, "report": report.model_dump(mode="json")}


def _summary(report_id: str, title: str, kind: str) -> dict[str, Any]:
    return {
        "id": report_id,
        "account": "default",
        "combined": False,
        "accounts": [],
        "kind": kind,
        "key": None,
        "title": title,
        "trigger": "schedule",
        "requested_by": None,
        "period_start": "2026-11-08T16:00:00+00:00",
        "period_end": "2026-11-22T16:00:00+00:00",
        "period_label": "2026-11-09 – 2026-11-22",
        "generated_at": NOW.isoformat(),
        "summary": SUMMARY,
        "posts": 6,
        "failed": 0,
        "documents": {},
    }


def _window(post_id: str, title: str, state: str, ends_at: datetime) -> dict[str, Any]:
    closed = state == "closed"
    return {
        "post_id": post_id,
        "account": "default",
        "title": title,
        "category": "finance",
        "channel": "wechat",
        "starts_at": (ends_at - timedelta(hours=24)).isoformat(),
        "ends_at": ends_at.isoformat(),
        "state": state,
        "closed_at": ends_at.isoformat() if closed else None,
        "digest_id": f"dg-{post_id}" if closed else None,
        "summary": None,
        "documents": {},
    }


def _windows() -> list[dict[str, Any]]:
    return [
        _window(*CLOSING_SOON, "open", NOW + timedelta(hours=2)),
        _window(*CLOSING_LATER, "open", NOW + timedelta(hours=20)),
        *(
            _window(post_id, title, "closed", NOW - timedelta(days=i + 1))
            for i, (post_id, title) in enumerate(DOCUMENTS)
        ),
    ]


@dataclass
class StandIn:
    """Every call the console made to the stand-ins."""

    calls: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.calls]


def standin_app(record: StandIn) -> Starlette:
    """Feedback's windows and documents, reporting's reports; an empty page otherwise."""

    async def answer(request: Request) -> Response:
        path = "/" + request.path_params["path"]
        params = dict(request.query_params)
        record.calls.append((request.method, path, params))
        windows = _windows()
        if path == "/windows":
            items = [w for w in windows if w["state"] == params.get("state", w["state"])]
            return JSONResponse({"items": items, "total": len(items), "offset": 0, "limit": 50})
        for window in windows:
            if path == f"/windows/{window['post_id']}":
                return JSONResponse(window)
            if path == f"/windows/{window['post_id']}/document.html":
                return HTMLResponse(
                    f"<html><body><main><h1>{window['title']}</h1>"
                    "<p>客户最关心：专项附加扣除怎么填？</p></main></body></html>"
                )
        if path == "/reports":
            items = [
                _summary(REPORT_ID, "运营情况分析（双周） · 2026-11-09 – 2026-11-22", "biweekly"),
                _summary(OLDER_REPORT_ID, "运营周报 · 2026-W46", "weekly"),
            ]
            kind = params.get("kind")
            items = [i for i in items if kind in (None, i["kind"])]
            return JSONResponse({"items": items, "total": len(items), "offset": 0, "limit": 20})
        if path in (f"/reports/{REPORT_ID}", f"/reports/{OLDER_REPORT_ID}"):
            return JSONResponse(report_answer(path.rsplit("/", 1)[1]))
        return JSONResponse({"items": [], "total": 0, "offset": 0, "limit": 50})

    return Starlette(
        routes=[Route("/{path:path}", answer, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])]
    )
