"""What the soak (tests/integration/test_soak.py) and its bench (bench/soak.py) put around
the stack: a Redis server of their own to stop, a webhook receiver that counts deliveries
by key, and the supervised programs to kill. Standard library and redis-py only (the bench
imports it before Django is set up)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis

from tests.integration.stack import cmdline, free_port, wait_for

# The production topology as local processes (docs/high-availability.md): two of each, under
# scripts/run.sh with SCALE; the web copies share one port (--reuse-port), each worker and
# beat copy has its own node name or schedule file (PROCESS_NUM).
PROCFILE = """\
web: gunicorn config.wsgi:application --bind 127.0.0.1:{port} --reuse-port --workers {web_workers} \
--threads 4 --timeout 30 --graceful-timeout 5 --no-control-socket
escalation: celery -A config worker -l {log} -Q escalation -n escalation$PROCESS_NUM@%h \
--concurrency 1 --without-mingle --without-gossip
worker: celery -A config worker -l {log} -Q celery -n delivery$PROCESS_NUM@%h \
--concurrency {delivery_concurrency} --without-mingle --without-gossip
beat: celery -A config beat -l {log} -s {var}/beat-$PROCESS_NUM --pidfile=
"""
SCALE = "web=2 escalation=2 worker=2 beat=2"


def procfile(
    port: int,
    var: Path,
    *,
    web_workers: int = 1,
    delivery_concurrency: int = 1,
    log: str = "info",
) -> str:
    return PROCFILE.format(
        port=port,
        var=var,
        web_workers=web_workers,
        delivery_concurrency=delivery_concurrency,
        log=log,
    )


class RedisServer:
    """A redis-server of the caller's own, so stopping it disturbs nobody else."""

    def __init__(self, directory: Path):
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server not installed: scripts/services.sh up installs it")
        self.exe, self.dir, self.port = exe, directory, free_port()
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [self.exe, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.dir)]
        with open(self.dir / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port)
        if not wait_for(lambda: _ping(client), 15):
            raise RuntimeError((self.dir / "redis.log").read_text()[-2000:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None


def _ping(client) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


class Receiver:
    """The integrations' webhook receiver on 127.0.0.1: records each delivery key's
    arrivals (a receiver drops repeats by this key)."""

    def __init__(self):
        self.receipts: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("X-Aftersales-Delivery", "")
                with receiver.lock:
                    receiver.receipts[key].append(time.time())
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def counts(self) -> Counter:
        with self.lock:
            return Counter({key: len(times) for key, times in self.receipts.items()})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def programs(supervisor: int) -> list[int]:
    """The supervised programs: supervisord's children (not their output filters)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == supervisor:
                    found.append(int(entry.name))
    return [pid for pid in found if "sed" not in cmdline(pid).split(" ")[0]]


def program_name(pid: int) -> str:
    line = cmdline(pid)
    if "gunicorn" in line:
        return "web"
    if " beat" in line:
        return "beat"
    if "-Q escalation" in line:
        return "escalation"
    return "delivery"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]
