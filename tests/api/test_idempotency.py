import threading
from datetime import timedelta

import pytest
import requests
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.api import idempotency
from accounts.models import IdempotencyRecord
from accounts.services import create_api_key, purge_idempotency_records
from incidents.models import Incident
from tests.api.conftest import NEW_INCIDENT

LIST = "/api/v1/incidents/"


@pytest.mark.django_db
def test_retry_with_same_key_returns_first_response_and_creates_one(desk):
    first = desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert not first.has_header("Idempotent-Replayed")
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_other_body_gets_422(desk):
    desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = desk.post(
        LIST, {**NEW_INCIDENT, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert other.status_code == 422
    assert "detail" in other.json()
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_key_order_of_the_json_does_not_matter(desk):
    desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="k")
    reordered = dict(reversed(list(NEW_INCIDENT.items())))
    again = desk.post(LIST, reordered, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_keys_are_per_user(org, desk, key_client, manager):
    other = key_client(manager)
    desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = other.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_failed_request_stores_nothing_and_can_be_retried(desk):
    bad = desk.post(LIST, {**NEW_INCIDENT, "grade": "X"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


@pytest.mark.django_db
def test_key_expires_after_24_hours(desk):
    desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="k")
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1), tick=False):
        again = desk.post(
            LIST, {**NEW_INCIDENT, "title": "New day"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
        )
        assert again.status_code == 201
        assert purge_idempotency_records() == 0  # the stale one was replaced
    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_purge_deletes_old_records(desk):
    desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="k")
    later = timezone.now() + timedelta(hours=25)
    assert purge_idempotency_records(now=later) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_invalid_key_gets_400(desk, key):
    response = desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_note_post_is_idempotent(desk, incident):
    path = f"{LIST}{incident.pk}/events/"
    first = desk.post(path, {"text": "Called"}, format="json", HTTP_IDEMPOTENCY_KEY="n1")
    again = desk.post(path, {"text": "Called"}, format="json", HTTP_IDEMPOTENCY_KEY="n1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert incident.events.filter(kind="note").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_request_in_flight_gets_409(org, dispatcher, key_client):
    """While another transaction holds the key's lock, the request is refused with 409."""
    client = key_client(dispatcher)
    held, release = threading.Event(), threading.Event()

    def hold():
        from django.db import connection as conn
        from django.db import transaction

        with transaction.atomic():
            assert idempotency._try_lock(dispatcher.pk, "busy")
            held.set()
            release.wait(10)
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    try:
        response = client.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    finally:
        release.set()
        thread.join()
    assert response.status_code == 409
    assert Incident.objects.count() == 0
    assert (
        client.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="busy").status_code
        == 201
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_requests_with_one_key_create_one_incident(live_server, org, dispatcher):
    """Eight clients fire the same request at once: one incident; every answer is either the
    201 (first or replayed, identical body) or a 409 'in flight'."""
    _api_key, raw = create_api_key(dispatcher, name="race")
    barrier = threading.Barrier(8)
    results = []

    def fire():
        barrier.wait()
        r = requests.post(
            f"{live_server.url}{LIST}",
            json=NEW_INCIDENT,
            timeout=30,
            headers={"Authorization": f"Token {raw}", "Idempotency-Key": "race-1"},
        )
        results.append((r.status_code, r.json()))

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    connection.close()
    assert Incident.objects.count() == 1, results
    statuses = sorted(code for code, _body in results)
    assert set(statuses) <= {201, 409}
    bodies = [body for code, body in results if code == 201]
    assert bodies and all(body == bodies[0] for body in bodies)
    retry = requests.post(
        f"{live_server.url}{LIST}",
        json=NEW_INCIDENT,
        timeout=30,
        headers={"Authorization": f"Token {raw}", "Idempotency-Key": "race-1"},
    )
    assert retry.status_code == 201 and retry.json() == bodies[0]
    assert retry.headers["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_beat_runs_the_purge_task(desk, settings):
    from accounts.tasks import purge_idempotency_records as task

    entry = settings.CELERY_BEAT_SCHEDULE["accounts-purge-idempotency-records"]
    assert entry["task"] == task.name
    desk.post(LIST, NEW_INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY="old")
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        assert task() == 1
