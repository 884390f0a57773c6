"""/readyz turns when the sweep stops (issue 14: it said ok while nothing escalated)."""

import sys
import time
from pathlib import Path

import pytest

from tests.escalation.procs import Procs, broker_url, flush
from tests.integration.stack import free_port, get_json, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def test_readyz_turns_within_10_seconds_when_the_sweep_stops(tmp_path):
    flush(broker_url())
    procs = Procs(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/readyz"
    try:
        fast = {"ESCALATION_SWEEP_SECONDS": 1}
        procs.start(
            "web",
            [
                GUNICORN,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
            ],
            **fast,
        )
        procs.worker("esc", **fast)  # consumes the default queue; add the escalation one
        procs.start(
            "esc2",
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                "escalation",
                "-n",
                "esc2@%h",
                "--concurrency",
                "1",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            **fast,
        )
        procs.beat("b1", **fast)

        ready = wait_for(lambda: (get_json(url) or (0, None))[0] == 200, 45, interval=0.5)
        assert ready, (get_json(url), procs.log("esc2")[-2000:], procs.log("web")[-2000:])

        procs.kill("b1")  # no more sweeps
        stopped = time.monotonic()
        turned = wait_for(lambda: (get_json(url) or (0, None))[0] == 503, 10, interval=0.25)
        elapsed = time.monotonic() - stopped
        status, body = get_json(url)
        assert turned and status == 503, body
        assert elapsed <= 10
        assert body["failing"] == ["sweep_recent"]
        assert body["sweep_recent"]["reason"] == "the last completed sweep is too old"
    finally:
        procs.stop_all()
