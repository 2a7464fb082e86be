"""Collection names and the indexes created at start-up."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from shared.mongo import IndexSpec

__all__ = [
    "BACKFILL",
    "BRANCHES",
    "CAMPAIGNS",
    "CHANGES",
    "CLICKS",
    "FOLLOWERS",
    "INDEXES",
    "MENUS",
    "META",
    "PUSHES",
    "RECONCILIATIONS",
    "RULES",
]

BRANCHES = "branches"
CAMPAIGNS = "campaigns"
FOLLOWERS = "followers"
CHANGES = "follower_changes"
PUSHES = "pushes"
RULES = "rules"
META = "meta"  # the rules' revision, the default replies, the current menu
MENUS = "menus"
CLICKS = "menu_clicks"
BACKFILL = "backfill"
RECONCILIATIONS = "reconciliations"

INDEXES = (
    IndexSpec(
        FOLLOWERS,
        (
            IndexModel([("branch_code", ASCENDING), ("subscribed", ASCENDING)], name="branch"),
            IndexModel([("subscribed_at", ASCENDING)], name="subscribed_at"),
        ),
    ),
    IndexSpec(
        CHANGES,
        (
            IndexModel([("day", ASCENDING), ("change", ASCENDING)], name="day"),
            IndexModel([("at", DESCENDING)], name="at"),
        ),
    ),
    IndexSpec(RULES, (IndexModel([("seq", ASCENDING)], name="seq"),)),
    IndexSpec(CLICKS, (IndexModel([("day", ASCENDING)], name="day"),)),
)
