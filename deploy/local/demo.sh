#!/usr/bin/env bash
# `make demo`: two weeks of the operations plan on an accelerated clock, then the same run
# handed over to real time (or stopped), so people can work through the APIs at human pace.
#
# 1. `python -m demo env` computes a fresh run's environment and writes var/demo.env:
#    the shared clock (CLOCK_MODE=accelerated, CLOCK_SIM_EPOCH = Sunday 2026-11-22 20:00
#    Asia/Shanghai, CLOCK_REAL_EPOCH = now + DEMO_STARTUP seconds, CLOCK_SPEED), a unique
#    CONTENTOPS_NAMESPACE (demo<timestamp>.), the biweekly report's anchor, and the
#    services' timing knobs scaled with the speed.
# 2. Services started before are stopped (deploy/local/stop.sh) and the previous run's
#    queues, exchanges and databases removed (`python -m demo cleanup`), then the seven are
#    started with that environment (run.sh reads var/demo.env only when DEMO=1, so a
#    later `make run` is on the real clock again).
# 3. The driver runs the two weeks: `python -m demo run` (timeline, artifacts, figures).
# 4. Hand-over: the services are stopped, `python -m demo handover` rewrites var/demo.env
#    with a clock at speed 1 from the simulated instant it reads then (where the two weeks
#    ended; nothing runs in between, so no service sees its clock go back) and without
#    the speed-scaled knobs; with DEMO_AFTER=realtime (the default) the seven are started
#    again with it. `python -m demo status` says what runs, on which clock, what keeps
#    running after `make stop` (the store, RabbitMQ) and that `make stop-all` stops the
#    store too.
#
# Knobs: DEMO_DAYS (default 14), DEMO_SPEED (simulated seconds per real second, default
# 4000: about five minutes), DEMO_STARTUP (real seconds allowed for start-up, default 20),
# DEMO_SEED (the audience's seed, default 7), DEMO_AFTER (realtime or stop, default
# realtime).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
DEMO_DAYS="${DEMO_DAYS:-14}"
DEMO_SPEED="${DEMO_SPEED:-4000}"
DEMO_STARTUP="${DEMO_STARTUP:-20}"
DEMO_AFTER="${DEMO_AFTER:-realtime}"
case "$DEMO_AFTER" in
  realtime|stop) ;;
  *) echo "error: DEMO_AFTER must be realtime or stop, not '$DEMO_AFTER'" >&2; exit 2 ;;
esac
export DEMO_AFTER
mkdir -p var/log var/run var/demo

# Each python step reads the run's environment in a subshell of its own, so the
# accelerated knobs never leak into the services started again after the hand-over.
with_env() { (set -a; . var/local.env; . var/demo.env; set +a; "$@"); }

STOP_HINTS=0 bash deploy/local/stop.sh
# the previous run's queues, exchanges and databases (its files stay in var/demo/artifacts)
if [ -f var/demo.env ] && [ -f var/local.env ]; then
  with_env "$PY" -m demo cleanup || true
fi
"$PY" -m demo env --days "$DEMO_DAYS" --speed "$DEMO_SPEED" --startup "$DEMO_STARTUP" \
  --out var/demo.env
DEMO=1 bash deploy/local/run.sh
# the console's people (#13): one per role, passwords from var/local.env (made by run.sh)
with_env bash deploy/local/console_people.sh

# the driver reads the same environment as the services (tokens, clock, namespace)
if ! with_env "$PY" -m demo run; then
  echo "demo: the driver failed; the services still run on the accelerated clock" \
       "(logs in var/log/). \`make stop\` stops them." >&2
  exit 1
fi

# the hand-over: stop, then real time from the simulated instant where the services stopped
STOP_HINTS=0 bash deploy/local/stop.sh
with_env "$PY" -m demo handover --out var/demo.env
if [ "$DEMO_AFTER" = realtime ]; then
  DEMO=1 bash deploy/local/run.sh
fi
with_env "$PY" -m demo status --after "$DEMO_AFTER"
if [ "$DEMO_AFTER" = realtime ]; then
  with_env bash deploy/local/console_people.sh --print
fi
