"""Client timeouts of the tests, and the delays meant to outlast them.

A plain HTTP call to the fake WeChat on a loaded 2-core CI machine once took over 0.5 s,
so the clients wait a full second; a "lost answer" comes twice that late, so it is lost
whatever the machine's load.
"""

from __future__ import annotations

__all__ = ["LOST_ANSWER_DELAY_SECONDS", "WECHAT_TIMEOUT_SECONDS"]

WECHAT_TIMEOUT_SECONDS = 1.0
LOST_ANSWER_DELAY_SECONDS = 2 * WECHAT_TIMEOUT_SECONDS
