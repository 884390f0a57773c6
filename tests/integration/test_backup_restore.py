"""The restore drill: data in, scripts/backup.sh, scripts/restore.sh into a new database and
media directory, and the copy equals the original (every table's row count, the latest
incident's row, the uploaded photo's bytes)."""

import io
import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from incidents import services
from incidents.models import Incident, IncidentPhoto
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


def _tables(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "select tablename from pg_tables where schemaname = 'public' order by 1"
            )
        ]
        return {
            name: conn.execute(f'select count(*) from "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }


def _latest_incident(url: str) -> tuple:
    with psycopg.connect(url) as conn:
        return conn.execute("select * from incidents_incident order by id desc limit 1").fetchone()


def _run(*args: str, env: dict) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def restored_db():
    name = f"restore_drill_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def test_a_backup_restores_into_a_new_database_with_the_same_rows_and_files(tmp_path, restored_db):
    assert connection.vendor == "postgresql", "the drill needs PostgreSQL (tests/conftest.py)"
    org = factories.make_org()
    first = factories.report(title="Gearbox noise")
    latest = factories.report(grade="II", title="Charger fault")
    services.add_note(latest, actor=org["commander"], text="Customer called back")
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 120, 200)).save(buffer, format="PNG")
    photo = services.add_photo(
        latest,
        actor=org["commander"],
        image=SimpleUploadedFile("site.png", buffer.getvalue(), content_type="image/png"),
    )
    assert Incident.objects.count() == 2 and first.pk < latest.pk

    source = _url(settings.DATABASES["default"]["NAME"])
    env = {
        **os.environ,
        "DATABASE_URL": source,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "BACKUP_KEEP": "2",
    }
    backups = tmp_path / "backups"
    made = [_run("scripts/backup.sh", str(backups), env=env).strip() for _ in range(3)]
    # Retention: the newest two complete backups stay.
    assert sorted(p.name for p in backups.iterdir()) == sorted(Path(m).name for m in made[1:])

    media = tmp_path / "restored-media"
    _run("scripts/restore.sh", made[-1], _url(restored_db), str(media), env=env)

    original = _tables(source)
    assert original["incidents_incident"] == 2
    assert original["incidents_incidentevent"] >= 4
    assert _tables(_url(restored_db)) == original
    assert _latest_incident(_url(restored_db)) == _latest_incident(source)
    stored = IncidentPhoto.objects.get(pk=photo.pk).image.name
    assert (media / stored).read_bytes() == (Path(settings.MEDIA_ROOT) / stored).read_bytes()


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    assert connection.vendor == "postgresql", "the drill needs PostgreSQL (tests/conftest.py)"
    source = _url(settings.DATABASES["default"]["NAME"])
    env = {**os.environ, "DATABASE_URL": source, "MEDIA_ROOT": str(tmp_path / "none")}
    made = _run("scripts/backup.sh", str(tmp_path / "b"), env=env).strip()
    result = subprocess.run(
        ["scripts/restore.sh", made, source, str(tmp_path / "m")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "not empty" in result.stderr
