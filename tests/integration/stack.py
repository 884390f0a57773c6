"""Starting `scripts/run.sh` (the `make run` stack) as a real process tree, finding its
processes, and stopping every one of them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Variables that would point the stack at PostgreSQL/Redis or non-default settings.
SERVER_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_ENV")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(var_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    env.update(
        VAR_DIR=str(var_dir),
        PORT=str(port),
        PYTHONUNBUFFERED="1",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def get_json(url: str) -> tuple[int, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - fixed http URL
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


class Output:
    """Collects the stack's combined output in a background thread."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            ppid = _ppid(int(entry.name))
            if ppid is not None:
                parents[int(entry.name)] = ppid
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        found.extend(children)
        frontier.extend(children)
    return found


def celery_workers(root: int, queue: str | None = None) -> list[int]:
    """The main process of each Celery worker below ``root`` (not its pool children),
    optionally only the one consuming ``queue``."""
    below = descendants(root)
    mains = []
    for pid in below:
        line = cmdline(pid)
        if " worker" not in line or "celery" not in line:
            continue
        parent = _ppid(pid)
        if parent is not None and "celery" in cmdline(parent) and " worker" in cmdline(parent):
            continue  # a pool child
        if queue is None or f"-Q {queue} " in line + " ":
            mains.append(pid)
    return mains


def pool_children(worker: int) -> list[int]:
    return [p for p in descendants(worker) if "celery" in cmdline(p)]


class Stack:
    """`scripts/run.sh` in its own session; ``stop`` leaves nothing it started alive."""

    def __init__(self, env: dict[str, str], *args: str):
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "run.sh"), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.output = Output(self.process.stdout)
        # pid -> its start time: with pid_max at 32768 a pid is soon reused (a kernel
        # worker thread took two within the 15 s wait once), so a leftover is a pid that
        # still has the start time it had when it was seen.
        self.seen: dict[int, str | None] = {}

    def remember(self) -> list[int]:
        pids = descendants(self.process.pid)
        for pid in pids:
            self.seen.setdefault(pid, _started(pid))
        return pids

    def wait_healthy(self, port: int, timeout: float) -> tuple[int, object] | None:
        deadline = time.monotonic() + timeout
        health = None
        while time.monotonic() < deadline and self.process.poll() is None:
            health = get_json(f"http://127.0.0.1:{port}/healthz")
            if health is not None:
                break
            time.sleep(0.5)
        return health

    def stop(self, sig: int = signal.SIGTERM) -> list[int]:
        """Stop the stack with ``sig``; return what was still alive 15 s after it exited
        (then killed)."""
        self.remember()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, sig)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        left = wait_for(lambda: not self.leftovers(), 15) or self.leftovers()
        self.kill_leftovers()
        return [] if left is True else left

    def leftovers(self) -> list[int]:
        return [
            pid
            for pid, started in self.seen.items()
            if started is not None and _started(pid) == started and _alive(pid)
        ]

    def kill_leftovers(self) -> None:
        for pid in self.leftovers():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(predicate, timeout: float, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
