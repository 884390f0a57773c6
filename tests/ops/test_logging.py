"""Logs: JSON lines in production with the request id and the incident number, readable text
elsewhere, phone numbers masked; X-Request-ID taken or made; the context into Celery tasks."""

import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from config import celery as celery_config
from core.logging import (
    clean_request_id,
    incident_context,
    incident_var,
    logging_config,
    mask_phones,
    request_id_var,
)
from incidents.access import get_incident_for
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_output():
    """The console handler of settings-style logging, writing to a buffer."""
    stream = io.StringIO()

    def configure(*, json_lines: bool) -> io.StringIO:
        config = logging_config(json=json_lines, level="INFO")
        config["handlers"]["console"]["stream"] = stream
        logging.config.dictConfig(config)
        return stream

    yield configure
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call +86 138 0013 8000 now", "call [phone] now"),
        ("call 13800138000", "call [phone]"),
        ("tel (010) 6552-9988.", "tel ([phone]."),
        ("incident AS-20261123-0001 at 02:00:05", "incident AS-20261123-0001 at 02:00:05"),
        ("notification 1234567 failed", "notification 1234567 failed"),
        ("at 2026-11-23 02:00:05 UTC", "at 2026-11-23 02:00:05 UTC"),
        ("GET /incidents/12345678/ 200", "GET /incidents/12345678/ 200"),
    ],
)
def test_phone_like_numbers_are_masked_and_ids_are_not(text, masked):
    assert mask_phones(text) == masked


def test_production_logs_are_one_json_object_per_line_with_context(log_output):
    stream = log_output(json_lines=True)
    token = request_id_var.set("req-12345678")
    try:
        with incident_context("AS-20261123-0007"):
            logging.getLogger("aftersales.test").warning("caller %s", "+86 138 0013 8000")
        logging.getLogger("aftersales.other").error("no incident here")
    finally:
        request_id_var.reset(token)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "WARNING" and first["logger"] == "aftersales.test"
    assert first["message"] == "caller [phone]"
    assert first["request_id"] == "req-12345678"
    assert first["incident"] == "AS-20261123-0007"
    assert first["time"].startswith("20") and "+00:00" in first["time"]
    assert second["incident"] == "" and second["request_id"] == "req-12345678"
    assert "138" not in stream.getvalue()


def test_exception_text_is_masked_too(log_output):
    stream = log_output(json_lines=True)
    try:
        raise ValueError("bad number 13800138000")
    except ValueError:
        logging.getLogger("aftersales.test").exception("saving failed")
    line = json.loads(stream.getvalue())
    assert "13800138000" not in stream.getvalue()
    assert "[phone]" in line["exc_info"]
    assert "ValueError" in line["exc_info"]


def test_development_logs_are_readable_text(log_output):
    stream = log_output(json_lines=False)
    with incident_context("AS-1"):
        logging.getLogger("aftersales.test").info("hello")
    line = stream.getvalue().strip()
    assert line.endswith("INFO aftersales.test [ AS-1] hello")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_request_ids_are_taken_when_well_formed_else_made():
    assert clean_request_id("3f2a9c1e-77aa-4c1b-9d3e-0a1b2c3d4e5f") == (
        "3f2a9c1e-77aa-4c1b-9d3e-0a1b2c3d4e5f"
    )
    for bad in (None, "", "short", "has space in it", 'x"}{' * 5, "a" * 129, "id\nforged"):
        made = clean_request_id(bad)
        assert made != bad and len(made) == 32 and int(made, 16) >= 0


@pytest.mark.urls("tests.ops.urls")
def test_a_request_answers_its_id_and_logs_it(client, log_output):
    stream = log_output(json_lines=True)
    response = client.get("/logs/", HTTP_X_REQUEST_ID="edge-7f3a9c11aa")
    assert response["X-Request-ID"] == "edge-7f3a9c11aa"
    record = json.loads(stream.getvalue().splitlines()[0])
    assert record["request_id"] == "edge-7f3a9c11aa"
    assert record["message"] == "caller [phone] asked for news"

    forged = client.get("/logs/", HTTP_X_REQUEST_ID="bad id")
    assert forged["X-Request-ID"] != "bad id" and len(forged["X-Request-ID"]) == 32
    assert request_id_var.get() == ""  # the thread's next request starts clean


@pytest.mark.django_db
def test_fetching_an_incident_for_a_user_names_it_in_the_logs():
    org = factories.make_org()
    incident = factories.report()
    token = incident_var.set("")
    try:
        get_incident_for(org["commander"], incident.pk)
        assert incident_var.get() == incident.number
    finally:
        incident_var.reset(token)


def test_tasks_carry_the_request_id_and_incident_of_their_sender():
    headers: dict = {}
    id_token = request_id_var.set("req-abcdef12")
    try:
        with incident_context("AS-20261123-0042"):
            celery_config._pass_log_context(headers=headers)
    finally:
        request_id_var.reset(id_token)
    assert headers == {"request_id": "req-abcdef12", "incident": "AS-20261123-0042"}

    # In the worker, the message headers are attributes of task.request.
    task = SimpleNamespace(request=SimpleNamespace(**headers))
    celery_config._task_log_context(task_id="t-1", task=task)
    assert (request_id_var.get(), incident_var.get()) == ("req-abcdef12", "AS-20261123-0042")
    # A task nobody sent from a request (beat): its own id, no incident.
    celery_config._task_log_context(task_id="t-2", task=SimpleNamespace(request=SimpleNamespace()))
    assert (request_id_var.get(), incident_var.get()) == ("t-2", "")
    request_id_var.set("")


def _settings_in(env: dict, expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_logs_json_and_development_text():
    formatter = 'settings.LOGGING["formatters"]["main"]["()"]'
    assert _settings_in({"LOG_JSON": "1"}, formatter) == "core.logging.JsonFormatter"
    assert _settings_in({"DJANGO_ENV": "development"}, formatter) == "core.logging.TextFormatter"
