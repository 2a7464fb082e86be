"""Calendar: the week or month of Mon/Wed/Fri 11:30 slots (and statutory holidays) — the
current account's calendar, or every account's slots together (#12) — each
slot with its posts and their states; reviewers reschedule, pause and resume a post
where the publisher allows it (the publisher answers 409/422 otherwise, shown beside
the calendar)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.errors import InvalidInput
from services.gateway.pages._calendar_view import (
    View,
    build_grid,
    calendar_rule,
    range_start,
    shown_days,
    step,
)
from services.gateway.pages._common import POST_STATE_LABELS, READERS, common, reads, require
from services.gateway.upstream_reads import problem_of
from services.gateway.web.console import Console, NavItem, Visit
from shared.settings import Role

NAV = NavItem(
    key="calendar",
    path="/calendar",
    label="Calendar",
    roles=frozenset(READERS),
    order=40,
)
COMMANDS = ("reschedule", "pause", "resume")
MOVABLE = frozenset({"scheduled", "paused", "missed"})
WEEKDAYS = {
    "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
PostId = Annotated[str, Path(min_length=1, max_length=64)]


def _anchor(day: str, today: date) -> date:
    if not day:
        return today
    try:
        chosen = date.fromisoformat(day)
    except ValueError as exc:
        raise InvalidInput({"day": "a day like 2026-11-23"}) from exc
    if not 2000 <= chosen.year <= 2100:
        raise InvalidInput({"day": "a day between 2000 and 2100"})
    return chosen


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)

    def zone_of(visit: Visit) -> ZoneInfo:
        """The zone of the current account's calendar (all accounts: the host's)."""
        return console.calendar_of(visit.choice.current).tz

    async def page(
        request: Request,
        visit: Visit,
        view: View,
        anchor: date,
        *,
        problem: dict[str, Any] | None = None,
        done: str = "",
    ) -> Response:
        require(visit, *READERS)
        zone = zone_of(visit)
        now = console.deps.clock.now()
        today = now.astimezone(zone).date()
        source = reads(console, visit)  # the current account's slots (#12)
        first, last = shown_days(view, anchor)
        may_change = visit.may_here(Role.REVIEWER)
        slots, upcoming, hold = await asyncio.gather(
            source.slots(range_start(first, zone), (last - first).days + 1),
            source.slots(now, 42) if may_change else _nothing(),
            source.calendar_hold(),
        )
        grid = build_grid(view, anchor, slots, zone=zone, today=today, lang=visit.lang)
        targets = [s for s in upcoming if s.get("free", 0) > 0][:18]
        return console.render(
            request,
            "pages_calendar.html",
            {
                **common(visit),
                "grid": grid,
                "view": view.value,
                "anchor": anchor,
                "today": today,
                "prev": step(view, anchor, -1),
                "next": step(view, anchor, +1),
                "weekdays": WEEKDAYS.get(visit.lang, WEEKDAYS["en"]),
                "state_labels": POST_STATE_LABELS,
                "may_change": may_change,
                "may_change_on": lambda account: visit.may_on(account, Role.REVIEWER),
                "movable": MOVABLE,
                "targets": targets,
                "hold": hold,
                "problem": problem,
                "done": done,
                "zone": zone.key,
                "rule": calendar_rule(console.calendar_of(visit.choice.current), visit.lang)
                if visit.choice.several and visit.choice.current
                else "",
                "now_utc": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            },
            visit=visit,
            page=NAV.key,
            status=int(problem["status"]) if problem else 200,
        )

    @router.get("/calendar")
    async def calendar_page(
        request: Request,
        view: Annotated[View, Query()] = View.WEEK,
        day: Annotated[str, Query(max_length=10)] = "",
        done: Annotated[str, Query(max_length=16)] = "",
    ) -> Response:
        visit = await console.visit(request)
        today = console.deps.clock.now().astimezone(zone_of(visit)).date()
        return await page(request, visit, view, _anchor(day, today), done=done)

    @router.post("/calendar/posts/{post_id}/{command}")
    async def change_post(
        post_id: PostId, command: Annotated[str, Path(max_length=16)], request: Request
    ) -> Response:
        visit, form = await console.change_form(request)
        if command not in COMMANDS:
            raise InvalidInput({"command": f"one of {', '.join(COMMANDS)}"})
        require(visit, Role.REVIEWER)
        view = View(form.get("view")) if form.get("view") in ("week", "month") else View.WEEK
        today = console.deps.clock.now().astimezone(zone_of(visit)).date()
        anchor = _anchor(form.get("day"), today)
        body: Any = None
        if command == "reschedule":
            if not form.get("slot"):
                raise InvalidInput({"slot": "choose the slot to move the post to"})
            body = {"slot": form.get("slot")}
        answer = await reads(console, visit).post_command(post_id, command, body)
        if not answer.ok:
            return await page(request, visit, view, anchor, problem=problem_of(answer))
        if command == "reschedule" and isinstance(answer.data, dict):
            moved = answer.data.get("slot_at")
            if isinstance(moved, str):  # show the week or month the post went to
                anchor = _moved_day(moved, zone_of(visit)) or anchor
        return RedirectResponse(
            f"/calendar?view={view.value}&day={anchor.isoformat()}&done={command}",
            status_code=303,
        )

    return router


async def _nothing() -> list[dict[str, Any]]:
    return []


def _moved_day(slot_at: str, zone: ZoneInfo) -> date | None:
    try:
        return datetime.fromisoformat(slot_at).astimezone(zone).date()
    except ValueError:
        return None
