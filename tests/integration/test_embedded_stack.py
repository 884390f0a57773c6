"""The embedded-default stack (`make run`) comes up: web, the escalation and delivery
workers and beat under supervisord on SQLite and the filesystem broker, with no servers."""

import re
import time

import pytest

from tests.integration.stack import Stack, cmdline, embedded_env, free_port, migrate

STARTUP_SECONDS = 60


@pytest.mark.integration
def test_embedded_stack_serves_healthz_with_workers_and_beat_running(tmp_path):
    port = free_port()
    (tmp_path / "var").mkdir()
    env = embedded_env(tmp_path / "var", port)
    migrate(env)
    assert (tmp_path / "var" / "db.sqlite3").exists()

    stack = Stack(env)
    try:
        assert stack.wait_healthy(port, STARTUP_SECONDS) == (200, {"status": "ok"}), (
            stack.output.text()
        )
        # Both workers and beat must come up too, not merely not have crashed yet.
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and stack.process.poll() is None:
            text = stack.output.text()
            ready = (
                re.search(r"escalation \| .*escalation@\S+ ready\.", text)
                and re.search(r"worker \| .*delivery@\S+ ready\.", text)
                and "beat: Starting..." in text
            )
            if ready and text.count("links in messages point at") >= 2:
                break
            time.sleep(0.5)
        text = stack.output.text()
        assert re.search(r"escalation@\S+ ready\.", text), text
        assert re.search(r"delivery@\S+ ready\.", text), text
        assert "beat: Starting..." in text, text
        assert stack.process.poll() is None, text
        # Every process's links lead to the web's port.
        links = re.findall(r"links in messages point at (\S+)", text)
        assert links and set(links) == {f"http://127.0.0.1:{port}"}, text
        left = stack.stop()
    finally:
        stack.stop()
    assert stack.process.returncode is not None
    assert left == [], [cmdline(pid) for pid in left]
