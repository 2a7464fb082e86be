#!/usr/bin/env bash
# Start the seven services (the five stages, the console's gateway, audience) in the
# background (logs in var/log/, pids in var/run/) and
# wait until each answers /ready. Settings come from the environment and var/local.env
# (created once with random API tokens; never committed).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p var/log var/run
if [ ! -f var/local.env ]; then
  .venv/bin/python - >var/local.env <<'PYEOF'
import json, secrets
roles = ["editor", "reviewer", "director", "admin", "system"]
tokens = {r: f"{r}-{secrets.token_hex(16)}" for r in roles}
tokens["editor2"] = f"editor2-{secrets.token_hex(16)}"
api = {tokens[r]: {"subject": r, "roles": [r]} for r in roles}
api[tokens["editor2"]] = {"subject": "editor2", "roles": ["editor"]}
print("API_TOKENS='" + json.dumps(api) + "'")
for r, t in tokens.items():
    print(f"TOKEN_{r.upper()}={t}")
PYEOF
  chmod 600 var/local.env
fi
# The console (#13): the gateway's Ed25519 signing key and its public half for every
# service, its first admin and the demo's people (made once; a var/local.env from before
# the console gains them here).
if ! grep -q '^GATEWAY_SIGNING_KEY=' var/local.env; then
  .venv/bin/python -m services.gateway.admin_cli keypair >>var/local.env
fi
if ! grep -q '^GATEWAY_ADMIN_PASSWORD=' var/local.env; then
  .venv/bin/python - >>var/local.env <<'PYEOF'
import secrets
print("GATEWAY_ADMIN_USERNAME=admin")
print(f"GATEWAY_ADMIN_PASSWORD={secrets.token_urlsafe(12)}")
for who in ("editor", "reviewer", "director", "staff"):
    print(f"CONSOLE_PASSWORD_{who.upper()}={secrets.token_urlsafe(12)}")
PYEOF
fi
# the second official account's editor (#12), added to machines set up before it
if ! grep -q '^CONSOLE_PASSWORD_TALENT=' var/local.env; then
  .venv/bin/python -c 'import secrets; print(f"CONSOLE_PASSWORD_TALENT={secrets.token_urlsafe(12)}")' >>var/local.env
fi
set -a; . var/local.env; set +a
if [ "${DEMO:-0}" = 1 ] && [ -f var/demo.env ]; then set -a; . var/demo.env; set +a; fi
SERVICES="${SERVICES:-drafting review publisher feedback reporting gateway audience}"
# The demo's simulated WeChat API (#14): the audience service gets its branches' QR codes
# from it. Only for a demo run (its environment names the port); stop.sh stops it.
if [ "${DEMO:-0}" = 1 ] && [ -n "${DEMO_WECHAT_SIM_PORT:-}" ]; then
  pidfile=var/run/wechat-sim.pid
  if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    nohup .venv/bin/python -m tests.fakes.wechat_server --port "$DEMO_WECHAT_SIM_PORT" \
      --appid "$AUDIENCE_WECHAT_APP_ID" --secret "$AUDIENCE_WECHAT_APP_SECRET" \
      --log-level warning >>var/log/wechat-sim.log 2>&1 &
    echo $! >"$pidfile"
    echo "wechat-sim: started (pid $!, the demo's simulated WeChat on :$DEMO_WECHAT_SIM_PORT)"
  fi
fi
for s in $SERVICES; do
  pidfile="var/run/$s.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "$s: already running (pid $(cat "$pidfile"))"; continue
  fi
  nohup .venv/bin/python -m "services.$s" >>"var/log/$s.log" 2>&1 &
  echo $! >"$pidfile"
  echo "$s: started (pid $!, log var/log/$s.log)"
done
declare -A PORTS=([drafting]=8101 [review]=8102 [publisher]=8103 [feedback]=8104 [reporting]=8105 [gateway]=8106 [audience]=8107)
for s in $SERVICES; do
  port_var="${s^^}_HTTP_PORT"; port="${!port_var:-${PORTS[$s]}}"
  ok=""
  for _ in $(seq 1 60); do
    if .venv/bin/python -c "import sys,urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/ready', timeout=2)" 2>/dev/null; then ok=1; break; fi
    sleep 1
  done
  if [ -z "$ok" ]; then echo "error: $s is not ready on :$port; see var/log/$s.log" >&2; tail -20 "var/log/$s.log" >&2; exit 1; fi
  echo "$s: ready on http://127.0.0.1:$port (docs /docs, events /asyncapi, metrics /metrics)"
done
