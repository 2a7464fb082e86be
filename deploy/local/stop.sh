#!/usr/bin/env bash
# Stop what run.sh started (by pid), gracefully; with "all", the embedded store too.
set -uo pipefail
cd "$(dirname "$0")/../.."
stop_pid() {  # name pidfile
  [ -f "$2" ] || return 0
  pid=$(cat "$2")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "$1: stopped"
  fi
  rm -f "$2"
}
for s in drafting review publisher feedback reporting; do stop_pid "$s" "var/run/$s.pid"; done
[ "${1:-}" = "all" ] && stop_pid secantusdb var/run/secantus.pid
exit 0
