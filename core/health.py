"""Liveness and readiness probes (no authentication, JSON).

/healthz: the process answers. /readyz: the database answers, and every check named in
settings.READINESS_CHECKS passes (the apps above core declare them: a recent sweep, no late
escalation step, no overdue delivery); 503 with each check's reason otherwise."""

from functools import cache

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means not ready
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker() -> dict:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # reported, not raised: reports don't need it
        return {
            "ok": False,
            "error": exc.__class__.__name__,
            "note": "reports are still accepted; escalation catches up when it is back",
        }
    return {"ok": True, "transport": settings.CELERY_BROKER_URL.split("://", 1)[0]}


@cache
def _checks() -> tuple[tuple[str, object], ...]:
    from django.utils.module_loading import import_string

    return tuple(
        (path.rsplit(".", 1)[1], import_string(path)) for path in settings.READINESS_CHECKS
    )


def _run(check) -> dict:
    try:
        return check()
    except Exception as exc:  # a check that cannot answer is a failed check
        return {"ok": False, "reason": "the check failed", "error": exc.__class__.__name__}


@never_cache
@require_GET
def readyz(request):
    """Ready when the database answers and every declared check passes. A broker outage is
    reported but does not by itself make the site unready, because accepting reports never
    depends on the broker (a long one shows as a stale sweep)."""
    database = _database()
    body: dict = {"database": database, "broker": _broker()}
    if database["ok"]:
        body.update({name: _run(check) for name, check in _checks()})
    failing = [name for name, value in body.items() if name != "broker" and not value["ok"]]
    body = {"status": "unavailable" if failing else "ok", "failing": failing, **body}
    return JsonResponse(body, status=503 if failing else 200)
