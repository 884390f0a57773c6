"""The code ``make run`` executes: the portable write paths on SQLite, end to end, in a
subprocess (the suite itself runs on PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_report_sweep_and_delivery_run_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'stack.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CACHE_URL": "",
        "WEBHOOK_TIMEOUT_SECONDS": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=280,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        return done.stdout

    manage("migrate", "--noinput", "-v", "0")
    script = (ROOT / "tests" / "stack" / "sqlite_run.py").read_text()
    assert "STACK OK" in manage("shell", "-c", script)
