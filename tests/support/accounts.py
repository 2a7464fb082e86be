"""Two official accounts for tests of #12, and the tokens limited to one of them.

``TWO_ACCOUNTS`` is an ``ACCOUNTS`` value: ``default`` on the plan's Mon/Wed/Fri 11:30 and
``talent`` on Tue/Thu 08:00 with a 07:00 review deadline and a 6-hour reply limit. Pass it
as ``accounts_json=TWO_ACCOUNTS`` to ``make_settings``/``settings_kwargs`` or as
``ACCOUNTS=TWO_ACCOUNTS`` to ``service_env``. ``SAME_INSTANT`` puts both on Mon/Wed/Fri
11:30, for slots at the same instant. The tokens are in ``tests.support.services.TOKENS``.
"""

from __future__ import annotations

import json

__all__ = [
    "DIRECTOR_A",
    "EDITOR_A",
    "EDITOR_B",
    "REVIEWER_A",
    "REVIEWER_B",
    "SAME_INSTANT",
    "SYSTEM_B",
    "TWO_ACCOUNTS",
]

TWO_ACCOUNTS = json.dumps(
    [
        {"id": "default", "name": "融智财税", "name_en": "Rongzhi Tax"},
        {
            "id": "talent",
            "name": "融智人才",
            "name_en": "Rongzhi Talent",
            "slot_weekdays": "tue,thu",
            "slot_times": "08:00",
            "review_deadline": "07:00",
            "reply_limit_hours": 6,
        },
    ],
    ensure_ascii=False,
)
SAME_INSTANT = json.dumps(
    [
        {"id": "default", "name": "融智财税"},
        {"id": "talent", "name": "融智人才", "slot_weekdays": "mon,wed,fri", "slot_times": "11:30"},
    ],
    ensure_ascii=False,
)

EDITOR_A = "editor-a-token-0000000001"  # ann, editor of default only
EDITOR_B = "editor-b-token-0000000001"  # tina, editor of talent only
REVIEWER_A = "reviewer-a-token-00000001"  # rao, reviewer of default only
REVIEWER_B = "reviewer-b-token-00000001"  # tom, reviewer of talent only
DIRECTOR_A = "director-a-token-00000001"  # dai, director of default only
SYSTEM_B = "system-b-token-0000000001"  # hr, a system of talent only
