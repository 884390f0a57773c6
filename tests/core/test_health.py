"""/healthz and /readyz: unauthenticated JSON probes."""

import socket

import pytest
from django.db.utils import OperationalError

from config.celery import app as celery_app
from core import health


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down(settings, monkeypatch):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_BROKER_URL = url
    # Celery reads the CELERY_BROKER_URL environment variable before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    return url


def test_healthz_is_ok_without_login_or_database(client):
    """No django_db mark: any database query here would fail the test."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def swept(db):
    """A sweep completed just now (otherwise /readyz is not ready: see test_readiness)."""
    from django.utils import timezone

    from escalation.health import record_sweep

    record_sweep(finished_at=timezone.now(), duration_ms=5, fired=0)


@pytest.mark.django_db
def test_readyz_reports_the_database(client, monkeypatch, swept):
    monkeypatch.setattr(health, "_broker", lambda: {"ok": True, "transport": "memory"})

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_a_broker_outage_without_failing(client, broker_down, swept):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]
    assert "accepted" in body["broker"]["note"]


@pytest.mark.django_db
def test_readyz_reports_a_reachable_broker(client, settings, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")
    monkeypatch.setitem(celery_app.conf, "broker_url", "memory://")
    settings.CELERY_BROKER_URL = "memory://"

    body = client.get("/readyz").json()

    assert body["broker"] == {"ok": True, "transport": "memory"}


def test_readyz_is_unavailable_when_the_database_is_down(client, monkeypatch):
    class DeadConnection:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", DeadConnection())
    monkeypatch.setattr(health, "_broker", lambda: {"ok": True, "transport": "memory"})

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
