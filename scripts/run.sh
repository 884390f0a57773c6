#!/usr/bin/env bash
# Starts the Procfile's processes (web, the escalation worker, the delivery worker, beat)
# under supervisord on 127.0.0.1:$PORT until Ctrl-C. A process that dies is restarted (with
# a growing back-off if it keeps failing to start) while the others keep serving; Ctrl-C
# (SIGINT) or SIGTERM stops every one of them. The configuration is generated from the
# Procfile into $VAR_DIR/supervisord.conf (scripts/supervisor_conf.py).
#
# SITE_URL, the base of every link in a notification or survey message, is fixed here,
# once, from the web's port, for every process.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
VAR="${VAR_DIR:-$ROOT/var}"
mkdir -p "$VAR"
PY="${PYTHON:-$(command -v python3)}"
if [[ -x "$ROOT/.venv/bin/python" ]]; then
  PY="$ROOT/.venv/bin/python"
  export PATH="$ROOT/.venv/bin:$PATH"
fi
# SCALE="web=2 beat=2" runs two copies of those lines (the soak's topology).
# shellcheck disable=SC2086
"$PY" "$ROOT/scripts/supervisor_conf.py" "${PROCFILE:-$ROOT/Procfile}" "$ROOT" "$VAR" \
  ${SCALE:-} >"$VAR/supervisord.conf"
cd "$ROOT"
exec "$(dirname "$PY")/supervisord" -c "$VAR/supervisord.conf" "$@"
