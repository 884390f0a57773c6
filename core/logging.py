"""Log context and log safety: the request id and the incident number on every record, and
no customer phone number in any log line.

The request id (``X-Request-ID``, core/middleware.py) and the incident number live in
context variables: set by the request middleware, by ``incident_context`` where code handles
one incident (a page's incident, a delivery), and in Celery tasks from the message headers
(config/celery.py). ``ContextFilter`` copies them onto each record, so the JSON formatter of
production (settings.LOGGING) writes them as fields; ``PiiFilter`` masks phone-like digit
runs in the message as a safety net (code should not log customer data in the first place).
"""

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger import json as json_log

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
incident_var: ContextVar[str] = ContextVar("incident", default="")

# A client's id is taken as is when it looks like an id (UUIDs, hex, trace ids), else a new
# one is made: a header must not smuggle newlines, JSON or customer data into every line.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

# Eight or more digits, allowing the separators people write in phone numbers (+86 138 0013
# 8000, (010) 6552-9988). Not masked: digit runs inside words or after a dash, slash, colon
# or dot (incident numbers AS-20261123-0001, paths, times, versions) and dates (2026-11-23).
_PHONE = re.compile(r"(?<![\w/:.-])(?!\d{4}-\d\d-\d\d(?!\d))\+?\d(?:[ ().-]{0,2}\d){7,}(?![\w:])")
MASK = "[phone]"


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """``value`` when it is a well-formed request id, else a new one."""
    if value and _REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


def mask_phones(text: str) -> str:
    return _PHONE.sub(MASK, text)


@contextmanager
def incident_context(number: str) -> Iterator[None]:
    """Log records made inside carry ``incident=number``."""
    token = incident_var.set(number)
    try:
        yield
    finally:
        incident_var.reset(token)


def bind_incident(number: str) -> None:
    """For the rest of the current request (or task): records carry ``incident=number``.
    The request middleware and the task signals start each request and task afresh."""
    incident_var.set(number)


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``incident`` (empty strings when unknown) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.incident = incident_var.get()
        return True


class PiiFilter(logging.Filter):
    """Masks phone-like numbers in the formatted message (the formatters below mask the
    exception text: the record's exc_info must stay whole for Sentry)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return True
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class TextFormatter(logging.Formatter):
    def formatException(self, ei) -> str:
        return mask_phones(super().formatException(ei))


class JsonFormatter(json_log.JsonFormatter):
    def formatException(self, ei) -> str:
        text = super().formatException(ei)
        return mask_phones(text if isinstance(text, str) else "\n".join(text))


def logging_config(*, json: bool, level: str) -> dict:
    """settings.LOGGING: JSON lines (production) or readable text (development, tests),
    both with the context and PII filters on the one console handler."""
    plain = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(incident)s] %(message)s"
    formatter: dict = {"()": "core.logging.TextFormatter", "fmt": plain}
    if json:
        formatter = {
            "()": "core.logging.JsonFormatter",
            # ISO 8601 in UTC with microseconds, then the record's own fields.
            "timestamp": "time",
            "fmt": ["levelname", "name", "message", "request_id", "incident"],
            "rename_fields": {"levelname": "level", "name": "logger"},
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "core.logging.ContextFilter"},
            "pii": {"()": "core.logging.PiiFilter"},
        },
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["context", "pii"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
