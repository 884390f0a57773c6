"""The embedded-default stack (`make run`) comes up: web, worker and beat under honcho on
SQLite and the filesystem broker, with no servers at all."""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60
# Variables that would point the stack at PostgreSQL/Redis or non-default settings.
SERVER_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_ENV")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _embedded_env(var_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    env.update(
        VAR_DIR=str(var_dir),
        PORT=str(port),
        PYTHONUNBUFFERED="1",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def _get_json(url: str) -> tuple[int, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - fixed http URL
            return response.status, json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


class _Output:
    """Collects honcho's combined output in a background thread."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)


def _stop(process: subprocess.Popen, output: _Output) -> None:
    """SIGTERM honcho's process group (honcho then stops each child's own session), then
    make sure nothing it started survives."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    for pid in re.findall(r"started \(pid=(\d+)\)", output.text()):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(int(pid), signal.SIGKILL)


@pytest.mark.integration
def test_embedded_stack_serves_healthz_with_worker_and_beat_running(tmp_path):
    port = _free_port()
    env = _embedded_env(tmp_path / "var", port)
    (tmp_path / "var").mkdir()
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")

    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert (tmp_path / "var" / "db.sqlite3").exists()

    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run.sh"), "-e", str(empty_env_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = _Output(process.stdout)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            health = _get_json(f"http://127.0.0.1:{port}/healthz")
            if health is not None:
                break
            time.sleep(0.5)
        assert health == (200, {"status": "ok"}), output.text()

        # The worker and beat must come up too, not merely not have crashed yet.
        while time.monotonic() < deadline and process.poll() is None:
            text = output.text()
            ready = re.search(r"celery@\S+ ready\.", text) and "beat: Starting..." in text
            if ready and "links in messages point at" in text:
                break
            time.sleep(0.5)
        text = output.text()
        assert re.search(r"celery@\S+ ready\.", text), text
        assert "beat: Starting..." in text, text
        assert process.poll() is None, text
        # honcho gives the worker a PORT of its own; its links must still lead to the web.
        assert f"links in messages point at http://127.0.0.1:{port}\n" in text, text
    finally:
        _stop(process, output)
    assert process.returncode is not None
