"""Liveness and readiness probes (no authentication, JSON)."""

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


@never_cache
@require_GET
def readyz(request):
    """Ready when the database answers. A broker outage is reported but does not make the
    web tier unready, because accepting reports never depends on the broker."""
    database = _database()
    broker = _broker()
    status = 200 if database["ok"] else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "unavailable",
            "database": database,
            "broker": broker,
        },
        status=status,
    )
