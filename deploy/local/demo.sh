#!/usr/bin/env bash
# `make demo`: two weeks of the operations plan on an accelerated clock.
#
# 1. `python -m demo env` computes a fresh run's environment and writes var/demo.env:
#    the shared clock (CLOCK_MODE=accelerated, CLOCK_SIM_EPOCH = Sunday 2026-11-22 20:00
#    Asia/Shanghai, CLOCK_REAL_EPOCH = now + DEMO_STARTUP seconds, CLOCK_SPEED), a unique
#    CONTENTOPS_NAMESPACE (demo<timestamp>.), the biweekly report's anchor, and the
#    services' timing knobs scaled with the speed.
# 2. Services started before are stopped (deploy/local/stop.sh) and the previous run's
#    queues, exchanges and databases removed (`python -m demo cleanup`), then the five are
#    started with that environment (run.sh reads var/demo.env only when DEMO=1, so a
#    later `make run` is on the real clock again).
# 3. The driver runs: `python -m demo`. The services keep running until `make stop`.
#
# Knobs: DEMO_DAYS (default 14), DEMO_SPEED (simulated seconds per real second, default
# 4000: about five minutes), DEMO_STARTUP (real seconds allowed for start-up, default 20),
# DEMO_SEED (the audience's seed, default 7).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
DEMO_DAYS="${DEMO_DAYS:-14}"
DEMO_SPEED="${DEMO_SPEED:-4000}"
DEMO_STARTUP="${DEMO_STARTUP:-20}"
mkdir -p var/log var/run var/demo

bash deploy/local/stop.sh
# the previous run's queues, exchanges and databases (its files stay in var/demo/artifacts)
if [ -f var/demo.env ]; then
  (set -a; . var/local.env; . var/demo.env; set +a; "$PY" -m demo cleanup) || true
fi
"$PY" -m demo env --days "$DEMO_DAYS" --speed "$DEMO_SPEED" --startup "$DEMO_STARTUP" \
  --out var/demo.env
DEMO=1 bash deploy/local/run.sh

# the driver reads the same environment as the services (tokens, clock, namespace)
set -a; . var/local.env; . var/demo.env; set +a
exec "$PY" -m demo run
