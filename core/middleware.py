"""Request context: an id for every request (logs, the X-Request-ID answer header, Sentry)
and the HTTP latency histogram (core/metrics.py)."""

import time

from core.logging import clean_request_id, incident_var, request_id_var
from core.metrics import HTTP_LATENCY

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Takes the front server's or client's ``X-Request-ID`` when it is well formed, else
    makes one; sets it (and an empty incident) in the log context for this request, and
    answers it in the same header. First in MIDDLEWARE, so every answer carries it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        incident_token = incident_var.set("")
        try:
            response = self.get_response(request)
        finally:
            # A gunicorn thread serves the next request in the same context.
            request_id_var.reset(id_token)
            incident_var.reset(incident_token)
        response[HEADER] = request_id
        return response


class HttpMetricsMiddleware:
    """Observes each request's duration under its view's URL name (``unmatched`` when no
    URL matched): a clock read and a histogram increment, a few microseconds. After
    WhiteNoise, so static files are not counted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unmatched"
        method = request.method if request.method in METHODS else "other"
        HTTP_LATENCY.labels(view, method, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response
