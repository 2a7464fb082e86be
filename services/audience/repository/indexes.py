"""Collection names and the indexes created at start-up."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from shared.mongo import IndexSpec

__all__ = [
    "ACCOUNT_COLLECTIONS",
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

# Accounts (#12): the indexes that serve lists lead with ``account`` (new names: an index
# of the same name with other keys would stop start-up where the old one exists).
INDEXES = (
    IndexSpec(
        BRANCHES, (IndexModel([("account", ASCENDING), ("_id", ASCENDING)], name="account"),)
    ),
    IndexSpec(
        CAMPAIGNS, (IndexModel([("account", ASCENDING), ("_id", ASCENDING)], name="account"),)
    ),
    IndexSpec(
        FOLLOWERS,
        (
            IndexModel(
                [("account", ASCENDING), ("branch_code", ASCENDING), ("subscribed", ASCENDING)],
                name="account_branch",
            ),
            IndexModel(
                [("account", ASCENDING), ("subscribed_at", ASCENDING)],
                name="account_subscribed_at",
            ),
        ),
    ),
    IndexSpec(
        CHANGES,
        (
            IndexModel(
                [("account", ASCENDING), ("day", ASCENDING), ("change", ASCENDING)],
                name="account_day",
            ),
            IndexModel([("at", DESCENDING)], name="at"),
        ),
    ),
    IndexSpec(
        RULES, (IndexModel([("account", ASCENDING), ("seq", ASCENDING)], name="account_seq"),)
    ),
    IndexSpec(MENUS, (IndexModel([("account", ASCENDING), ("_id", DESCENDING)], name="account"),)),
    IndexSpec(
        CLICKS, (IndexModel([("account", ASCENDING), ("day", ASCENDING)], name="account_day"),)
    ),
    IndexSpec(
        RECONCILIATIONS,
        (IndexModel([("account", ASCENDING), ("_id", DESCENDING)], name="account"),),
    ),
)

ACCOUNT_COLLECTIONS = (
    BRANCHES,
    CAMPAIGNS,
    FOLLOWERS,
    CHANGES,
    PUSHES,
    RULES,
    MENUS,
    CLICKS,
    BACKFILL,
    RECONCILIATIONS,
)
"""Collections whose documents carry ``account``; older ones are adopted by the default."""
