"""Real Celery worker and beat processes for the integration tests.

They run ``.venv/bin/celery -A config worker|beat`` against the pytest-django test database
(``test_<name>``, committed data: use ``django_db(transaction=True)``) and a Redis database
of our own, flushed first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")
DEFAULT_BROKER = "redis://127.0.0.1:56379/9"


def broker_url() -> str:
    return os.environ.get("ESCALATION_TEST_BROKER_URL", DEFAULT_BROKER)


def database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


def flush(url: str) -> None:
    redis.Redis.from_url(url).flushdb()


class Procs:
    """Starts processes and stops every one of them (by process group) at teardown."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.running: dict[str, subprocess.Popen] = {}

    def env(self, **extra) -> dict:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": broker_url(),
                "DJANGO_ENV": "test",
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "VAR_DIR": str(self.tmp / "var"),
                "PYTHONUNBUFFERED": "1",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "DB_CONN_MAX_AGE": "0",
            }
        )
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start(self, name: str, args: list[str], **env) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = proc
        return proc

    def worker(self, name: str = "w1", concurrency: int = 1, **env) -> subprocess.Popen:
        return self.start(
            name,
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                "-Q",
                "celery,escalation",  # both queues (config/celery.py routes the sweep)
                "-n",
                f"{name}@%h",
                "--concurrency",
                str(concurrency),
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            **env,
        )

    def beat(self, name: str = "b1", **env) -> subprocess.Popen:
        return self.start(
            name,
            [
                CELERY,
                "-A",
                "config",
                "beat",
                "-l",
                "info",
                "-s",
                str(self.tmp / f"{name}-schedule"),
                "--pidfile=",
            ],
            **env,
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.running):
            proc = self.running[name]
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            self.kill(name) if proc.poll() is None else self.running.pop(name)

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def wait_for(predicate, timeout: float, interval: float = 0.25):
    """Poll ``predicate`` until it returns something truthy; return it, or the last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
