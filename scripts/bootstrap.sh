#!/usr/bin/env bash
# Create .venv if missing and install requirements-dev.txt into it, but only when a
# requirements file (or the Python version) changed since the last install: a stamp in
# .venv records what was installed, so repeated runs take well under a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.requirements.sha256"
cd "$ROOT"

# WeasyPrint (the PDF reports) needs pango and the fonts it embeds.
"$ROOT/scripts/services.sh" deps libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    fonts-noto-color-emoji

if [ ! -x "$VENV/bin/python" ]; then
    # Bare Debian has no python3, or python3 without ensurepip (package python3-venv).
    "$ROOT/scripts/services.sh" deps python3 python3-venv
    echo "bootstrap: creating $VENV" >&2
    python3 -m venv "$VENV"
fi

wanted="$(
    {
        "$VENV/bin/python" -c 'import sys; print(sys.version)'
        cat requirements*.txt
    } | sha256sum | cut -d' ' -f1
)"

if [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ]; then
    echo "bootstrap: installing requirements-dev.txt" >&2
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r requirements-dev.txt
    echo "$wanted" >"$STAMP"
fi
