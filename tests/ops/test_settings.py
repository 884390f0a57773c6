"""The database options production behind PgBouncer (transaction mode) needs reach
DATABASES (docs/operations.md, "Production topology")."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://u:p@db.internal:6432/aftersales"


def database_settings(**env: str) -> dict:
    code = (
        "import json; from django.conf import settings; db = settings.DATABASES['default']; "
        "print(json.dumps({'options': db['OPTIONS'], "
        "'no_cursors': db['DISABLE_SERVER_SIDE_CURSORS']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": PG, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_pgbouncer_transaction_mode_settings_reach_the_connection_options():
    behind_pgbouncer = database_settings(
        DB_PREPARE_THRESHOLD="0", DB_DISABLE_SERVER_SIDE_CURSORS="1"
    )
    assert behind_pgbouncer["options"]["prepare_threshold"] is None  # never prepare
    assert behind_pgbouncer["no_cursors"] is True

    direct = database_settings()
    assert direct["options"]["prepare_threshold"] == 5
    assert direct["options"]["server_side_binding"] is True
    assert direct["no_cursors"] is False


def test_a_malformed_database_option_fails_loudly():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.DATABASES"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": PG,
            "DB_DISABLE_SERVER_SIDE_CURSORS": "sometimes",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DB_DISABLE_SERVER_SIDE_CURSORS must be a boolean" in result.stderr
