#!/usr/bin/env bash
# Starts web, worker and beat (Procfile) under honcho on 127.0.0.1:$PORT. Extra arguments go
# to `honcho start`.
#
# honcho gives each process its own PORT (web 8000, worker 8100, beat 8200), and SITE_URL,
# the base of every link in a notification or survey message, defaults to the PORT the
# process sees. So it is fixed here, once, from the web's port, for all three.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
exec honcho start -f "$ROOT/Procfile" -d "$ROOT" "$@"
