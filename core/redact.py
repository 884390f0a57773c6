"""What access logs may not keep: a survey link's token and the query strings of URLs.

A survey link (``/assessments/survey/<token>/``) is the customer's key to their survey: in a
log line it is a key anyone reading the logs could use, so the token is written ``…``
everywhere (``RedactFilter`` on the console handler, every logger). Query strings carry
what people searched for (a customer's name, a phone number typed into the caller lookup):
access log lines keep the path only (runserver's ``django.server`` lines through the same
filter, gunicorn's through ``GunicornLogger``, referers included).
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

SURVEY = re.compile(r"(/survey/)[^/?#\s\"']+")
QUERY = re.compile(r"\?[^\s\"']*")
HIDDEN = "…"
ACCESS_LOGGERS = ("django.server", "gunicorn.access")


def redact(text: str, *, query: bool = False) -> str:
    """``text`` with survey tokens (and, with ``query``, query strings) replaced by …."""
    text = SURVEY.sub(rf"\g<1>{HIDDEN}", text)
    return QUERY.sub(f"?{HIDDEN}", text) if query else text


class RedactFilter(logging.Filter):
    """On a handler: survey tokens out of every record; query strings out of access logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it
            return True
        cleaned = redact(message, query=record.name in ACCESS_LOGGERS)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class GunicornLogger(Logger):
    """gunicorn's access log without survey tokens or query strings (``logger_class``)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i", "{raw_uri}e", "{query_string}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key], query=True)
        atoms["q"] = HIDDEN if atoms.get("q") else ""
        return atoms
