"""`make run` under supervision: a process that dies is restarted while the others keep
serving, and Ctrl-C still stops everything (issue 14, failure 1: killing the worker used to
make honcho stop web and beat too)."""

import os
import signal
import time

import pytest

from tests.integration.stack import (
    Stack,
    celery_workers,
    cmdline,
    embedded_env,
    free_port,
    get_json,
    migrate,
    wait_for,
)

QUEUE = "escalation"
pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_killed_worker_is_restarted_while_web_keeps_answering_and_ctrl_c_stops_all(tmp_path):
    port = free_port()
    (tmp_path / "var").mkdir()
    env = embedded_env(tmp_path / "var", port)
    migrate(env)
    stack = Stack(env)
    try:
        assert stack.wait_healthy(port, 60) == (200, {"status": "ok"}), stack.output.text()
        workers = wait_for(lambda: celery_workers(stack.process.pid, QUEUE), 30)
        assert len(workers) == 1, stack.output.text()
        stack.remember()
        killed = workers[0]

        os.kill(killed, signal.SIGKILL)
        # The web keeps answering the whole time the worker is down and coming back.
        answers = []
        deadline = time.monotonic() + 20
        replacement: list[int] = []
        while time.monotonic() < deadline:
            answers.append(get_json(f"http://127.0.0.1:{port}/healthz"))
            replacement = celery_workers(stack.process.pid, QUEUE)
            if replacement and replacement != [killed] and len(answers) >= 10:
                break
            time.sleep(0.3)
        assert replacement and killed not in replacement, stack.output.text()[-4000:]
        assert all(a == (200, {"status": "ok"}) for a in answers), answers
        assert stack.process.poll() is None, stack.output.text()[-4000:]
        stack.remember()

        # Ctrl-C: the terminal sends SIGINT to the foreground process group.
        os.killpg(stack.process.pid, signal.SIGINT)
        stack.process.wait(timeout=40)
        assert wait_for(lambda: not stack.leftovers(), 15), [
            cmdline(pid) for pid in stack.leftovers()
        ]
        assert get_json(f"http://127.0.0.1:{port}/healthz") is None
    finally:
        stack.stop()
