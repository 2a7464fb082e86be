#!/usr/bin/env bash
# Stop the seven services run.sh started (by pid), gracefully and together; with "all", the
# embedded store (SecantusDB, started by infra.sh) too. RabbitMQ is never stopped here: it
# is the system's broker (infra.sh only starts it when it is not running), and other
# programs may use it. Afterwards it says what keeps running (STOP_HINTS=0: quiet).
set -uo pipefail
cd "$(dirname "$0")/../.."
SERVICES="drafting review publisher feedback reporting gateway audience"
MONGO_PORT="${MONGO_PORT:-27117}"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pids() {  # name... (pidfile var/run/<name>.pid): TERM all, then wait up to 30 s each
  local name pidfile
  for name in "$@"; do
    pidfile="var/run/$name.pid"
    if alive "$pidfile"; then kill -TERM "$(cat "$pidfile")"; else rm -f "$pidfile"; fi
  done
  for name in "$@"; do
    pidfile="var/run/$name.pid"
    [ -f "$pidfile" ] || continue
    for _ in $(seq 1 30); do alive "$pidfile" || break; sleep 1; done
    alive "$pidfile" && kill -KILL "$(cat "$pidfile")"
    echo "$name: stopped"
    rm -f "$pidfile"
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# shellcheck disable=SC2086
stop_pids $SERVICES wechat-sim
[ "${1:-}" = "all" ] && stop_pids secantus

[ "${STOP_HINTS:-1}" = 0 ] && exit 0
if alive var/run/secantus.pid; then
  echo "still running: the store, SecantusDB (pid $(cat var/run/secantus.pid), 127.0.0.1:$MONGO_PORT)" \
       "- \`make stop-all\` stops it too"
fi
if port_open 5672; then
  echo "still running: RabbitMQ (127.0.0.1:5672), the system's broker; make never stops it" \
       "(other programs may use it) - stop it yourself if you must: sudo rabbitmqctl stop"
fi
exit 0
