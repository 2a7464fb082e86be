"""QR scenes and where a follower came from.

A branch's permanent code carries the scene ``branch:<code>``, a campaign's temporary
code ``campaign:<code>``. WeChat hands the scene back in the ``subscribe`` push as
``EventKey = qrscene_<scene>``, in a ``SCAN`` push (already a follower) as
``EventKey = <scene>``, and, for a back-filled follower, in ``user/info`` as
``qr_scene_str`` beside ``subscribe_scene`` (``ADD_SCENE_SEARCH`` ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.events.followers import FollowerSource

__all__ = [
    "BRANCH_SCENE",
    "CAMPAIGN_SCENE",
    "CODE_PATTERN",
    "Attribution",
    "attribute",
    "branch_scene",
    "campaign_scene",
    "scene_of_event_key",
]

BRANCH_SCENE = "branch:"
CAMPAIGN_SCENE = "campaign:"
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
_CODE = re.compile(CODE_PATTERN)
_SUBSCRIBE_PREFIX = "qrscene_"

# user/info's subscribe_scene -> our source (anything else is OTHER).
_WECHAT_SCENES = {
    "ADD_SCENE_SEARCH": FollowerSource.SEARCH,
    "ADD_SCENE_PROFILE_LINK": FollowerSource.ARTICLE,
    "ADD_SCENE_PROFILE_ITEM": FollowerSource.ARTICLE,
    "ADD_SCENE_PROFILE_CARD": FollowerSource.CARD,
    "ADD_SCENE_QR_CODE": FollowerSource.QR_OTHER,
}


def branch_scene(code: str) -> str:
    return f"{BRANCH_SCENE}{code}"


def campaign_scene(code: str) -> str:
    return f"{CAMPAIGN_SCENE}{code}"


@dataclass(frozen=True, slots=True)
class Attribution:
    """Where a follower came from; at most one of ``branch_code``/``campaign_code``."""

    source: FollowerSource
    branch_code: str | None = None
    campaign_code: str | None = None
    scene: str | None = None


def scene_of_event_key(event: str, event_key: str | None) -> str | None:
    """The scene a ``subscribe`` or ``SCAN`` push carries, if any (``None`` otherwise)."""
    key = (event_key or "").strip()
    if not key:
        return None
    if event == "subscribe":
        return key[len(_SUBSCRIBE_PREFIX) :] or None if key.startswith(_SUBSCRIBE_PREFIX) else None
    return key if event == "SCAN" else None


def attribute(scene: str | None, subscribe_scene: str | None = None) -> Attribution:
    """The attribution of a scene (ours or not), else of WeChat's ``subscribe_scene``."""
    if scene:
        for prefix, source in (
            (BRANCH_SCENE, FollowerSource.BRANCH),
            (CAMPAIGN_SCENE, FollowerSource.CAMPAIGN),
        ):
            if scene.startswith(prefix) and _CODE.match(code := scene[len(prefix) :]):
                if source is FollowerSource.BRANCH:
                    return Attribution(source, branch_code=code, scene=scene)
                return Attribution(source, campaign_code=code, scene=scene)
        return Attribution(FollowerSource.QR_OTHER, scene=scene[:64])
    return Attribution(_WECHAT_SCENES.get(subscribe_scene or "", FollowerSource.OTHER))
