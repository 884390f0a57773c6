"""gunicorn settings for production: `gunicorn -c config/gunicorn.py config.wsgi:application`.

Only what prometheus-client's multiprocess mode needs (HTTP latency by view across the
workers of a host, core/metrics.py): with PROMETHEUS_MULTIPROC_DIR set, the directory is
emptied when the server starts (figures of a previous run would be added to this one's)
and a worker that exits is marked dead; access lines are redacted (logger_class). Everything
else stays on the command line."""

import os
import shutil
from pathlib import Path

# Access log lines without survey tokens or query strings (core/redact.py).
logger_class = "core.redact.GunicornLogger"


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
