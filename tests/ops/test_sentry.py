"""Optional Sentry: on with SENTRY_DSN, and what it sends has no customer data. The DSN
points at a receiver on 127.0.0.1 standing in for Sentry."""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest

from core.sentry import scrub_event

ROOT = Path(__file__).resolve().parents[2]


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        type(self).bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _events(bodies: list[bytes]) -> list[dict]:
    """The event items of the envelopes (a header line, then item header/payload pairs)."""
    events = []
    for body in bodies:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_a_failing_request_reaches_sentry_without_customer_data(receiver, tmp_path):
    port = receiver.server_address[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/42",
        "SENTRY_ENVIRONMENT": "staging",
        "SENTRY_RELEASE": "aftersales@1.4.0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.ops.sentry_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (event,) = [e for e in _events(_Receiver.bodies) if e.get("exception")]

    assert event["environment"] == "staging"
    assert event["release"] == "aftersales@1.4.0"
    assert event["tags"]["request_id"] == "probe-request-0001"
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == "caller [phone] could not be saved"
    request = event["request"]
    assert request["url"].endswith("/fails/") and request["method"] == "POST"
    assert request["headers"]["X-Request-Id"] == "probe-request-0001"
    assert "data" not in request and "cookies" not in request
    assert not {"cookie", "authorization"} & {name.lower() for name in request["headers"]}
    raw = b"".join(_Receiver.bodies)
    for secret in (b"Zhang", b"13800138000", b"138 0013 8000", b"secret-token-value"):
        assert secret not in raw
    frames = exception["stacktrace"]["frames"]
    assert frames and all("vars" not in frame for frame in frames)


def test_scrub_event_masks_phones_everywhere_and_keeps_only_the_user_id():
    event = {
        "message": "call 13800138000",
        "request": {
            "data": {"customer_phone": "x"},
            "cookies": {"sessionid": "s"},
            "headers": {"Cookie": "sessionid=s", "X-Api-Key": "k", "Accept": "text/html"},
        },
        "user": {"id": 7, "username": "zhang", "ip_address": "10.0.0.1"},
        "breadcrumbs": {"values": [{"message": "dialled +86 138 0013 8000"}]},
    }
    scrubbed = scrub_event(event, {})
    assert scrubbed["message"] == "call [phone]"
    assert scrubbed["request"] == {"headers": {"Accept": "text/html"}}
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["breadcrumbs"]["values"][0]["message"] == "dialled [phone]"


def test_sentry_is_off_without_a_dsn():
    code = (
        "import django; django.setup(); import sentry_sdk; "
        "print(sentry_sdk.get_client().is_active())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SENTRY_DSN": ""}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr
