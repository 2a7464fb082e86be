#!/usr/bin/env bash
# Make sure RabbitMQ answers on 127.0.0.1:5672 and a MongoDB-compatible store answers at
# MONGO_URL. Without MONGO_URL (or with the local default) it starts the embedded store,
# SecantusDB, from its own virtualenv (GPL-2.0: run as a separate process, never
# imported) with --sync-on-commit, on port $MONGO_PORT (not 27017), data under var/.
# `infra.sh promtool` installs Debian's prometheus package (for promtool, which the deploy
# tests run on the alert rules and dashboard queries) when promtool is missing.
# `infra.sh chromium` installs Debian's chromium (and a CJK font) for the browser test of
# the offline /docs and /asyncapi pages (tests/integration/backbone/test_offline_docs.py),
# which Playwright drives at /usr/bin/chromium. `infra.sh font` installs Debian's
# fonts-wqy-zenhei, the CJK font the reporting service's charts and the audience service's
# posters are drawn with, found by its path (REPORTING_CJK_FONT, AUDIENCE_POSTER_FONTS;
# the services refuse to start without it). `infra.sh all` does rabbit, mongo and font;
# `infra.sh tools` does promtool, chromium and font.
# Usage: infra.sh [rabbit|mongo|all|promtool|chromium|font|tools]   (default all)
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-all}"
MONGO_PORT="${MONGO_PORT:-27117}"
DEFAULT_MONGO_URL="mongodb://127.0.0.1:${MONGO_PORT}/?directConnection=true"
MONGO_URL="${MONGO_URL:-$DEFAULT_MONGO_URL}"
PY="${PYTHON:-python3}"
mkdir -p var/log var/run

port_open() {  # host port
  "$PY" - "$1" "$2" <<'PYEOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PYEOF
}

wait_port() {  # host port seconds name
  for _ in $(seq 1 "$3"); do port_open "$1" "$2" && return 0; sleep 1; done
  echo "error: $4 did not answer on $1:$2 within $3 s" >&2; return 1
}

amqp_answers() {  # the broker completes an AMQP handshake (a wedged node accepts TCP only)
  "$PY" - <<'PYEOF'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", 5672), timeout=2)
    s.settimeout(10)
    s.sendall(b"AMQP\x00\x00\x09\x01")
    frame = s.recv(7)
    s.close()
except OSError:
    sys.exit(1)
sys.exit(0 if frame[:1] == b"\x01" else 1)  # a method frame: connection.start
PYEOF
}

restart_wedged_rabbit() {
  echo "rabbitmq: port open but no AMQP handshake; restarting the local node" >&2
  timeout 30 rabbitmqctl stop >/dev/null 2>&1 || pkill -9 -u rabbitmq beam.smp || pkill -9 -f 'beam.smp.*rabbit' || true
  sleep 2
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_port 127.0.0.1 5672 90 rabbitmq
  timeout 60 rabbitmqctl await_startup >/dev/null 2>&1 || true
}

ensure_rabbit() {
  if port_open 127.0.0.1 5672; then
    if amqp_answers; then echo "rabbitmq: answering on 127.0.0.1:5672"; return; fi
    if command -v rabbitmq-server >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      restart_wedged_rabbit
      if amqp_answers; then echo "rabbitmq: up"; return; fi
    fi
    echo "error: RabbitMQ on 127.0.0.1:5672 accepts connections but does not answer AMQP" >&2
    exit 1
  fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "rabbitmq: not installed; installing Debian's rabbitmq-server"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
    else
      cat >&2 <<'MSG'
error: RabbitMQ is not running on 127.0.0.1:5672 and cannot be installed here (not root
or no apt-get). Install and start it yourself, e.g.:
    sudo apt-get install rabbitmq-server && sudo rabbitmq-server -detached
or point RABBIT_URL at a broker you have.
MSG
      exit 1
    fi
  fi
  echo "rabbitmq: starting (rabbitmq-server -detached)"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_port 127.0.0.1 5672 90 rabbitmq
  command -v rabbitmqctl >/dev/null 2>&1 && timeout 60 rabbitmqctl await_startup >/dev/null 2>&1 || true
  echo "rabbitmq: up"
}

ensure_mongo() {
  if [ "$MONGO_URL" != "$DEFAULT_MONGO_URL" ]; then
    echo "mongo: using MONGO_URL (not starting the embedded store)"; return
  fi
  if port_open 127.0.0.1 "$MONGO_PORT"; then echo "mongo: answering on 127.0.0.1:$MONGO_PORT"; return; fi
  if [ ! -x .venv-secantus/bin/secantusd-py ]; then
    echo "secantusdb: installing into .venv-secantus"
    "$PY" -m venv .venv-secantus
    .venv-secantus/bin/pip install -q 'SecantusDB==0.7.0b3'
  fi
  mkdir -p var/secantus-data
  echo "secantusdb: starting on 127.0.0.1:$MONGO_PORT (data in var/secantus-data)"
  nohup .venv-secantus/bin/secantusd-py --host 127.0.0.1 --port "$MONGO_PORT" \
    --storage-path var/secantus-data --sync-on-commit --log-level WARNING \
    >var/log/secantus.log 2>&1 &
  echo $! >var/run/secantus.pid
  wait_port 127.0.0.1 "$MONGO_PORT" 60 secantusdb
  echo "secantusdb: up (pid $(cat var/run/secantus.pid))"
}

ensure_promtool() {
  if command -v promtool >/dev/null 2>&1; then echo "promtool: $(command -v promtool)"; return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "promtool: not installed; installing Debian's prometheus package"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    echo "promtool: $(command -v promtool)"
  else
    cat >&2 <<'MSG'
error: promtool is not installed and cannot be installed here (not root or no apt-get).
The deploy tests check the alert rules with it. Install it yourself, e.g.:
    sudo apt-get install --no-install-recommends prometheus
or put a promtool binary from https://prometheus.io/download/ on PATH.
MSG
    exit 1
  fi
}

ensure_chromium() {  # Playwright's own browser download cannot be used: Debian's chromium
  if [ -x /usr/bin/chromium ] && [ -n "$(fc-list :lang=zh 2>/dev/null || true)" ]; then
    echo "chromium: /usr/bin/chromium"; return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "chromium: not installed; installing Debian's chromium and fonts-wqy-zenhei"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
    [ -x /usr/bin/chromium ] || { echo "error: apt-get installed no /usr/bin/chromium" >&2; exit 1; }
    echo "chromium: /usr/bin/chromium"
  else
    cat >&2 <<'MSG'
error: /usr/bin/chromium is not installed and cannot be installed here (not root or no
apt-get). The browser test of the offline /docs and /asyncapi pages drives it. Install it
yourself, e.g.:
    sudo apt-get install chromium fonts-wqy-zenhei
MSG
    exit 1
  fi
}

CJK_FONT=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
ensure_font() {  # the charts' and posters' CJK font, by path (never a font cache)
  if [ -f "$CJK_FONT" ]; then echo "font: $CJK_FONT"; return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "font: not installed; installing Debian's fonts-wqy-zenhei"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null
    [ -f "$CJK_FONT" ] || { echo "error: apt-get installed no $CJK_FONT" >&2; exit 1; }
    echo "font: $CJK_FONT"
  else
    cat >&2 <<MSG
error: $CJK_FONT is not installed and cannot be installed here (not root or no apt-get).
The reporting service's charts and the audience service's posters need it. Install it
yourself (sudo apt-get install fonts-wqy-zenhei), or point REPORTING_CJK_FONT and
AUDIENCE_POSTER_FONTS at another CJK font file.
MSG
    exit 1
  fi
}

case "$what" in
  rabbit) ensure_rabbit ;;
  mongo) ensure_mongo ;;
  all) ensure_rabbit; ensure_mongo; ensure_font ;;
  promtool) ensure_promtool ;;
  chromium) ensure_chromium ;;
  font) ensure_font ;;
  tools) ensure_promtool; ensure_chromium; ensure_font ;;
  *) echo "usage: $0 [rabbit|mongo|all|promtool|chromium|font|tools]" >&2; exit 2 ;;
esac
