"""The demo's plan: simulated period, speed, namespace, and the services' env for it.

One place computes what both sides need, so the services and the driver agree:

* the **shared clock** (``CLOCK_MODE=accelerated``, ``CLOCK_SIM_EPOCH``,
  ``CLOCK_REAL_EPOCH``, ``CLOCK_SPEED``): every process reads the same simulated time
  through ``shared.settings`` → ``AcceleratedClock``; the driver builds its clock from the
  same variables;
* the **timing knobs** of the services, scaled with the speed (see :meth:`DemoPlan.env`);
* the **biweekly anchor**, set so a biweekly period ends with the simulated days;
* the **hand-over** after the simulated days (:meth:`DemoPlan.realtime_env`): the same
  run (namespace, data, channel) on a clock that goes on at real speed from the simulated
  instant where the services stopped, with the production timing knobs.

``deploy/local/demo.sh`` writes :meth:`DemoPlan.env` to ``var/demo.env`` (``python -m demo
env``) and, after the run, :meth:`DemoPlan.realtime_env` (``python -m demo handover``);
the e2e test passes them to its subprocess services.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

__all__ = [
    "AFTER_MODES",
    "DEFAULT_DAYS",
    "DEFAULT_SPEED",
    "SIM_START",
    "TALENT",
    "TALENT_REPLY_LIMIT_HOURS",
    "ZONE",
    "DemoPlan",
    "push_days",
]

ZONE = ZoneInfo("Asia/Shanghai")
SIM_START = datetime(2026, 11, 22, 20, 0, tzinfo=ZONE)
"""A Sunday evening: the first push day is the Monday after."""
DEFAULT_DAYS = 14
DEFAULT_SPEED = 4000.0
"""Simulated seconds per real second: two weeks (and the report the Monday after) take
about five minutes."""
PUSH_WEEKDAYS = (0, 2, 4)  # Monday, Wednesday, Friday
SLOT_TIME = (11, 30)
REPORT_FIRE = timedelta(hours=14, minutes=30)  # the reporting service's default fire time
TOLERANCE_REAL_SECONDS = 0.5
"""How late (in real seconds) a post may go out and still count as on time."""
GRACE_REAL_SECONDS = 5.0
TALENT = "talent"
"""The demo's second official account (#12): 融智人才, on its own calendar."""
TALENT_WEEKDAYS = (1, 3)  # Tuesday, Thursday
TALENT_SLOT_TIME = (8, 0)
TALENT_REPLY_LIMIT_HOURS = 6
ACCOUNTS: list[dict[str, object]] = [
    {"id": "default", "name": "融智财税", "name_en": "Rongzhi Tax & Finance"},
    {
        "id": TALENT,
        "name": "融智人才",
        "name_en": "Rongzhi Talent",
        "slot_weekdays": "tue,thu",
        "slot_times": "08:00",
        "review_deadline": "07:00",
        "reply_limit_hours": TALENT_REPLY_LIMIT_HOURS,
    },
]
"""The run's two accounts: the plan's Mon/Wed/Fri 11:30 and a second one on Tue/Thu 08:00
(drafts due 07:00, enquiries answered within 6 hours)."""
WECHAT_SIM_PORT = 8099
"""The simulated WeChat API (``tests.fakes.wechat_server``) the demo's audience service
calls for its branches' QR codes (#14); ``DEMO_WECHAT_SIM_PORT`` moves it."""
AFTER_MODES = ("realtime", "stop")
"""What ``make demo`` does once the simulated days are over (``DEMO_AFTER``): hand the
services over to real time (the default), or stop them."""


def push_days(first: date, days: int) -> list[date]:
    """The push days (Mon/Wed/Fri) among ``days`` days from ``first``."""
    return [
        first + timedelta(days=n)
        for n in range(days)
        if (first + timedelta(days=n)).weekday() in PUSH_WEEKDAYS
    ]


@dataclass(frozen=True)
class DemoPlan:
    """What one demo run simulates, and how fast."""

    namespace: str
    run_dir: Path
    days: int = DEFAULT_DAYS
    speed: float = DEFAULT_SPEED
    real_epoch: float = 0.0
    sim_start: datetime = SIM_START

    @classmethod
    def new(
        cls,
        *,
        run_dir: Path | None = None,
        days: int = DEFAULT_DAYS,
        speed: float = DEFAULT_SPEED,
        startup_seconds: float = 20.0,
        namespace: str | None = None,
    ) -> DemoPlan:
        """A fresh run: a unique namespace, the simulated clock starting after start-up."""
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        ns = namespace or f"demo{stamp}."
        return cls(
            namespace=ns,
            run_dir=(run_dir or Path("var/demo/artifacts") / ns.rstrip(".")).resolve(),
            days=days,
            speed=speed,
            real_epoch=round(time.time() + startup_seconds, 3),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DemoPlan:
        """The plan the services were started with (``var/demo.env`` or the test's env)."""
        env = os.environ if env is None else env
        missing = [
            k for k in ("CLOCK_SIM_EPOCH", "CLOCK_REAL_EPOCH", "CLOCK_SPEED") if k not in env
        ]
        if missing or env.get("CLOCK_MODE") != "accelerated":
            raise ValueError(
                "the demo needs the accelerated clock in the environment "
                f"(CLOCK_MODE=accelerated, missing: {', '.join(missing) or 'none'}); "
                "run it through `make demo` or source var/demo.env"
            )
        namespace = env.get("CONTENTOPS_NAMESPACE", "")
        # after the hand-over the clock variables describe the real-time clock; the run's
        # own start and speed stay in DEMO_SIM_START, DEMO_REAL_EPOCH and DEMO_SPEED
        return cls(
            namespace=namespace,
            run_dir=Path(env.get("DEMO_RUN_DIR") or f"var/demo/artifacts/{namespace.rstrip('.')}"),
            days=int(env.get("DEMO_DAYS", DEFAULT_DAYS)),
            speed=float(env.get("DEMO_SPEED") or env["CLOCK_SPEED"]),
            real_epoch=float(env.get("DEMO_REAL_EPOCH") or env["CLOCK_REAL_EPOCH"]),
            sim_start=datetime.fromisoformat(
                env.get("DEMO_SIM_START") or env["CLOCK_SIM_EPOCH"]
            ).astimezone(ZONE),
        )

    @staticmethod
    def handed_over(env: Mapping[str, str] | None = None) -> bool:
        """True when the environment is the run's real-time hand-over."""
        env = os.environ if env is None else env
        return env.get("DEMO_PHASE") == "realtime"

    # -- the simulated calendar ----------------------------------------------------------
    @property
    def first_day(self) -> date:
        """The first day after the simulated start (a Monday with the default start)."""
        return self.sim_start.date() + timedelta(days=1)

    @property
    def push_days(self) -> list[date]:
        return push_days(self.first_day, self.days)

    @property
    def data_start(self) -> datetime:
        """Midnight before the first push day: nothing of this run happened before it, so
        a report of a period ending by then is not this run's (aware, local zone)."""
        return datetime.combine(self.first_day, datetime.min.time(), tzinfo=ZONE)

    def covers(self, period_end: datetime) -> bool:
        """Whether a report whose period ends at ``period_end`` is about this run."""
        return period_end > self.data_start

    @property
    def period_end(self) -> date:
        """The day after the simulated days: the biweekly period ends at its midnight."""
        return self.first_day + timedelta(days=self.days)

    @property
    def biweekly_anchor(self) -> date:
        """First day of a biweekly period that ends exactly at :attr:`period_end`."""
        return self.period_end - timedelta(days=14)

    @property
    def report_due(self) -> datetime:
        """When the reporting service fires the biweekly report (aware, local zone)."""
        midnight = datetime.combine(self.period_end, datetime.min.time(), tzinfo=ZONE)
        return midnight + REPORT_FIRE

    def slot(self, day: date) -> datetime:
        """The 11:30 slot of a push day."""
        return datetime(day.year, day.month, day.day, *SLOT_TIME, tzinfo=ZONE)

    @property
    def days_simulated(self) -> list[date]:
        """Every simulated day, from the first (a Monday) on."""
        return [self.first_day + timedelta(days=n) for n in range(self.days)]

    @property
    def talent_days(self) -> list[date]:
        """The second account's push days (Tue/Thu) among the simulated days."""
        return [
            self.first_day + timedelta(days=n)
            for n in range(self.days)
            if (self.first_day + timedelta(days=n)).weekday() in TALENT_WEEKDAYS
        ]

    def talent_slot(self, day: date) -> datetime:
        """The second account's 08:00 slot of one of its push days."""
        return datetime(day.year, day.month, day.day, *TALENT_SLOT_TIME, tzinfo=ZONE)

    @property
    def sim_seconds(self) -> float:
        """Simulated seconds from the start to the biweekly report."""
        return (self.report_due - self.sim_start).total_seconds()

    @property
    def real_seconds(self) -> float:
        """Real seconds the simulated span takes."""
        return self.sim_seconds / self.speed

    @property
    def on_time_tolerance_seconds(self) -> float:
        """Business seconds a post may be late and count as on time (scaled, >= 60)."""
        return max(60.0, round(TOLERANCE_REAL_SECONDS * self.speed))

    # -- the environment of the services -------------------------------------------------
    def env(self) -> dict[str, str]:
        """The variables every service (and the driver) is started with.

        At speed ``s`` one real second is ``s`` simulated seconds, so a 0.2 s poll is many
        simulated minutes: the publisher's on-time tolerance and grace are scaled with the
        speed (0.5 and 5 real seconds), and the background loops poll faster than their
        production defaults. Nothing else differs from a normal run.
        """
        return {
            "CLOCK_MODE": "accelerated",
            "CLOCK_SIM_EPOCH": self.sim_start.isoformat(),
            "CLOCK_REAL_EPOCH": f"{self.real_epoch:.3f}",
            "CLOCK_SPEED": f"{self.speed:g}",
            "DEMO_PHASE": "accelerated",
            **self._run_env(),
            **self._fast_knobs(),
        }

    def realtime_env(self, sim_now: datetime, real_now: float) -> dict[str, str]:
        """The hand-over: the same run at real speed from ``sim_now`` (at ``real_now``).

        The services are restarted with it once they have stopped, so their clock goes on
        from the simulated instant they last saw, one simulated second per real second;
        the speed-scaled knobs are left out, so the production defaults apply (an on-time
        tolerance of 60 s, a grace of 2 h, the usual polls).
        """
        if sim_now.tzinfo is None:
            raise ValueError("sim_now must be aware")
        return {
            "CLOCK_MODE": "accelerated",
            "CLOCK_SIM_EPOCH": sim_now.astimezone(UTC).isoformat(),
            "CLOCK_REAL_EPOCH": f"{real_now:.3f}",
            "CLOCK_SPEED": "1",
            "DEMO_PHASE": "realtime",
            **self._run_env(),
        }

    def _run_env(self) -> dict[str, str]:
        """What the run is, whatever the speed: its names, files, channel and calendar."""
        return {
            "CONTENTOPS_NAMESPACE": self.namespace,
            "DEMO_DAYS": str(self.days),
            "DEMO_RUN_DIR": str(self.run_dir),
            "DEMO_SIM_START": self.sim_start.isoformat(),
            "DEMO_REAL_EPOCH": f"{self.real_epoch:.3f}",
            "DEMO_SPEED": f"{self.speed:g}",
            # publisher: local channel into the run's folder; a push carries up to two
            # articles (头条 + 次条), so a late draft moved to the next slot fits beside it
            "PUBLISHER_CHANNEL": "local",
            "PUBLISHER_LOCAL_DIR": str(self.run_dir / "published"),
            "PUBLISHER_POSTS_PER_SLOT": "2",
            # two official accounts, each on its own calendar (#12)
            "ACCOUNTS": json.dumps(ACCOUNTS, ensure_ascii=False),
            # reporting: a biweekly period ends with the simulated days
            "REPORTING_BIWEEKLY_ANCHOR": self.biweekly_anchor.isoformat(),
            **self._wechat_sim_env(),
        }

    def _wechat_sim_env(self) -> dict[str, str]:
        """The audience service on the simulated WeChat (#14): the branches' codes come
        from it, and pushes are signed with a push token of the run's own."""
        port = os.environ.get("DEMO_WECHAT_SIM_PORT") or str(WECHAT_SIM_PORT)
        base = f"http://127.0.0.1:{port}"
        return {
            "DEMO_WECHAT_SIM_PORT": port,
            "AUDIENCE_WECHAT_APP_ID": "wxdemo0000000001",
            "AUDIENCE_WECHAT_APP_SECRET": "demo-simulated-wechat-app-secret",
            "AUDIENCE_WECHAT_BASE_URL": base,
            "AUDIENCE_WECHAT_QRCODE_BASE_URL": f"{base}/cgi-bin/showqrcode",
            "AUDIENCE_WECHAT_TOKEN": f"demo-push-{self.namespace.rstrip('.')}",
            "AUDIENCE_ACCOUNT_NAME": "融智财税",
            "AUDIENCE_RECONCILE_ENABLED": "false",
        }

    def _fast_knobs(self) -> dict[str, str]:
        """The timing knobs scaled with the speed (accelerated phase only)."""
        polls = {f"{s.upper()}_OUTBOX_POLL_SECONDS": "0.2" for s in _SERVICES}
        return {
            **polls,
            "PUBLISHER_ON_TIME_TOLERANCE_SECONDS": f"{self.on_time_tolerance_seconds:g}",
            "PUBLISHER_GRACE_SECONDS": f"{max(7200.0, GRACE_REAL_SECONDS * self.speed):g}",
            "PUBLISHER_POLL_MAX_SECONDS": "0.1",
            "PUBLISHER_RETRY_SECONDS": "1",
            # feedback: close windows and flag reply breaches promptly
            "FEEDBACK_JOB_POLL_SECONDS": "0.1",
            "FEEDBACK_JOB_RETRY_SECONDS": "1",
            "FEEDBACK_ENQUIRY_SWEEP_SECONDS": "0.5",
            # review: the 11:00 overdue check
            "REVIEW_OVERDUE_POLL_SECONDS": "0.2",
            "REPORTING_SCHEDULE_POLL_SECONDS": "0.2",
            "REPORTING_JOB_POLL_SECONDS": "0.2",
        }


_SERVICES = ("drafting", "review", "publisher", "feedback", "reporting")
