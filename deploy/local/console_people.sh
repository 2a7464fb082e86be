#!/usr/bin/env bash
# The console's demo people (#13): one person per role, added to the gateway's store with
# the passwords var/local.env holds (run.sh makes them once, at random, per machine); an
# existing person is left as it is. With --print, the console's address and the people.
# Runs in the services' environment (demo.sh: with_env).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
if [ "${1:-}" = --print ]; then
  port="${GATEWAY_HTTP_PORT:-8106}"
  echo
  echo "控制台 / console: http://127.0.0.1:$port/   (make stop stops it)"
  printf '  %-10s %-26s %s\n' "用户名" "密码" "角色"
  printf '  %-10s %-26s %s\n' "${GATEWAY_ADMIN_USERNAME:-admin}" "${GATEWAY_ADMIN_PASSWORD:-}" "admin"
  printf '  %-10s %-26s %s\n' editor "$CONSOLE_PASSWORD_EDITOR" "editor 编辑"
  printf '  %-10s %-26s %s\n' reviewer "$CONSOLE_PASSWORD_REVIEWER" "reviewer 审核（运营经理）"
  printf '  %-10s %-26s %s\n' director "$CONSOLE_PASSWORD_DIRECTOR" "director 总监"
  printf '  %-10s %-26s %s\n' staff "$CONSOLE_PASSWORD_STAFF" "editor 客服（回复咨询）"
  if [ -n "${ACCOUNTS:-}" ]; then
    printf '  %-10s %-26s %s\n' talent "${CONSOLE_PASSWORD_TALENT:-}" "editor+reviewer 仅融智人才"
  fi
  exit 0
fi
"$PY" -m services.gateway.admin_cli add-person editor "编辑 小王" editor "$CONSOLE_PASSWORD_EDITOR"
"$PY" -m services.gateway.admin_cli add-person reviewer "运营经理 李娜" reviewer "$CONSOLE_PASSWORD_REVIEWER"
"$PY" -m services.gateway.admin_cli add-person director "总监 张伟" director "$CONSOLE_PASSWORD_DIRECTOR"
"$PY" -m services.gateway.admin_cli add-person staff "客服 陈静" editor "$CONSOLE_PASSWORD_STAFF"
# With several accounts (the demo's ACCOUNTS, #12): the second account's editor, who also
# reviews there, and holds no role on the first account.
if [ -n "${ACCOUNTS:-}" ] && [ -n "${CONSOLE_PASSWORD_TALENT:-}" ]; then
  "$PY" -m services.gateway.admin_cli add-person talent "人才编辑 周敏" editor,reviewer \
    "$CONSOLE_PASSWORD_TALENT" --accounts talent
fi
