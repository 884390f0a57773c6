"""No survey token and no customer data in access logs (issue 13, finding 9): survey links
are written /survey/…/ in every log line, and access lines (runserver's and gunicorn's)
keep no query string (searches and the caller lookup carry names and phones)."""

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config

from core.redact import GunicornLogger, RedactFilter, redact

TOKEN = "q8Jx2mS0b7Yt4WcZ1nPe6RkA9dLfVhUo3GiTsN5yXwE"
SURVEY = f"/assessments/survey/{TOKEN}/"


def test_redact_hides_survey_tokens_and_on_access_lines_query_strings():
    assert redact(f"GET {SURVEY}?lang=zh-hans HTTP/1.1") == (
        "GET /assessments/survey/…/?lang=zh-hans HTTP/1.1"
    )
    line = "GET /incidents/new/caller/?customer_phone=13800138000&asset_ref= HTTP/1.1"
    assert redact(line, query=True) == "GET /incidents/new/caller/?… HTTP/1.1"
    assert redact("GET /incidents/42/ HTTP/1.1", query=True) == "GET /incidents/42/ HTTP/1.1"


def _record(name: str, msg: str, *args) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


def test_the_filter_keeps_searches_out_of_access_lines_only():
    keep = RedactFilter()
    access = _record(
        "django.server", '"%s" %s %s', "GET /incidents/?search=Zhang+Wei HTTP/1.1", 200, 9
    )
    assert keep.filter(access)
    assert access.getMessage() == '"GET /incidents/?… HTTP/1.1" 200 9'
    other = _record("incidents", "Deadline moved for %s?", "AS-20261123-000042")
    keep.filter(other)
    assert other.getMessage() == "Deadline moved for AS-20261123-000042?"


@pytest.fixture
def console():
    """The console handler of settings.LOGGING, writing into a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield buffer
    handler.setStream(old)


def test_runserver_access_lines_go_through_the_filter(console):
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET {SURVEY}?lang=en HTTP/1.1", "200", "512"
    )
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /incidents/new/caller/?customer_phone=13800138000 HTTP/1.1", 200, 1
    )
    out = console.getvalue()
    assert "/assessments/survey/…/?… HTTP/1.1" in out
    assert TOKEN not in out and "13800138000" not in out and "lang=en" not in out


@pytest.mark.django_db
def test_a_refused_survey_post_logs_no_token(console):
    Client(enforce_csrf_checks=True).post(SURVEY, {"rating": "5"})
    out = console.getvalue()
    assert "Forbidden (CSRF" in out and "/assessments/survey/…/" in out
    assert TOKEN not in out


def test_gunicorn_access_lines_keep_no_token_query_or_referer_query():
    log = GunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{SURVEY}?lang=zh-hans",
        "PATH_INFO": SURVEY,
        "QUERY_STRING": "lang=zh-hans",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://desk.example{SURVEY}?lang=en",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    resp = SimpleNamespace(status="200 OK", sent=512, headers=[])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = log.atoms(resp, req, environ, timedelta(milliseconds=12))
    line = log.cfg.access_log_format % atoms
    assert TOKEN not in line and "lang=" not in line
    assert '"GET /assessments/survey/…/?… HTTP/1.1" 200 512' in line
    assert atoms["U"] == "/assessments/survey/…/" and atoms["q"] == "…"
    assert TOKEN not in str(atoms["{referer}i"])
