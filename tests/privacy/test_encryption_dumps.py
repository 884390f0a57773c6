"""What a thief of the database gets: a ``pg_dump`` of the test database and the SQLite file
of ``make run``, each with the demo organisation loaded, hold no demo customer's phone or
name in clear, and no webhook secret. The migrations that encrypt run both ways."""

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from demo.data import CUSTOMERS
from notifications.models import WebhookEndpoint

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hook-signing-secret-7d1e"


def pg_dump() -> str:
    """Debian keeps the server's binaries out of PATH; the client's pg_dump is on it."""
    found = shutil.which("pg_dump") or sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[-1:]
    if not found:
        pytest.fail("pg_dump not found: run scripts/services.sh up (installs PostgreSQL)")
    return found if isinstance(found, str) else found[0]


def clear_forms(phone: str, name: str) -> list[str]:
    """How a customer could appear in clear: the phone as typed, its digits with and without
    the country code; the name whole, its Chinese part and its Latin part."""
    digits = "".join(c for c in phone if c.isdigit())
    chinese, _, latin = name.partition(" ")
    return [phone, digits, digits[2:], name, chinese, latin]


def assert_nothing_in_clear(text: str) -> None:
    leaks = [f for name, phone in CUSTOMERS for f in clear_forms(phone, name) if f in text]
    where = [text[max(0, text.index(f) - 80) : text.index(f) + 40] for f in leaks[:3]]
    assert not leaks, f"in clear: {leaks[:10]} in {where}"
    assert SECRET not in text


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_holds_no_customer_phone_name_or_webhook_secret():
    call_command("load_demo", verbosity=0)
    WebhookEndpoint.objects.create(name="ERP", url="https://erp.example.com/h", secret=SECRET)
    assert connection.vendor == "postgresql"
    db = connection.settings_dict
    dump = subprocess.run(
        [
            pg_dump(),
            "--data-only",
            "-h",
            db["HOST"],
            "-p",
            str(db["PORT"]),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        env={**os.environ, "PGPASSWORD": db["PASSWORD"]},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "COPY public.incidents_incident" in dump
    assert "enc1:" in dump  # the customers are there, encrypted
    assert_nothing_in_clear(dump)


def test_the_sqlite_file_of_make_run_holds_no_customer_phone(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{database}",
        "VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "memory://",
        "CACHE_URL": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (("migrate", "--noinput", "-v", "0"), ("load_demo", "-v", "0")):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    content = database.read_bytes().decode("utf-8", errors="replace")
    for wal in tmp_path.glob("db.sqlite3-*"):  # a write-ahead log, if one is left
        content += wal.read_bytes().decode("utf-8", errors="replace")
    assert "enc1:" in content
    assert_nothing_in_clear(content)


@pytest.mark.django_db(transaction=True)
def test_the_encrypting_migrations_run_both_ways(org, dispatcher):
    from tests import factories

    incident = factories.report(dispatcher, customer_name="Li Na", customer_phone="138 0013 8000")
    hook = WebhookEndpoint.objects.create(
        name="ERP", url="https://erp.example.com/h", secret=SECRET
    )

    def raw(sql, pk):
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            return cursor.fetchone()

    incident_sql = "SELECT customer_name, customer_phone FROM incidents_incident WHERE id = %s"
    secret_sql = "SELECT secret FROM notifications_webhookendpoint WHERE id = %s"
    try:
        call_command("migrate", "incidents", "0013", verbosity=0)
        call_command("migrate", "notifications", "0005", verbosity=0)
        assert raw(incident_sql, incident.pk) == ("Li Na", "138 0013 8000")
        assert raw(secret_sql, hook.pk) == (SECRET,)
    finally:
        call_command("migrate", verbosity=0)
    name, phone = raw(incident_sql, incident.pk)
    assert name.startswith("enc1:") and phone.startswith("enc1:")
    assert raw(secret_sql, hook.pk)[0].startswith("enc1:")
    from incidents.models import Incident

    assert list(Incident.objects.filter(customer_phone="13800138000")) == [incident]
    assert WebhookEndpoint.objects.get(pk=hook.pk).secret == SECRET
