"""The phone's sync: order, device times, idempotency, conflicts, positions (services and
the endpoint)."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from field import services
from field.models import LastPosition, SyncedAction
from incidents import services as incidents
from incidents.models import EventKind, IncidentEvent
from notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

SITE = {"latitude": Decimal("31.230400"), "longitude": Decimal("121.473700")}
NEAR = {"status": "ok", "latitude": 31.2310, "longitude": 121.4740, "accuracy": 12}
FAR = {"status": "ok", "latitude": 31.3000, "longitude": 121.5500, "accuracy": 20}


@pytest.fixture
def job(technician):
    hour_ago = timezone.now() - timedelta(hours=1)
    incident = factories.report(
        grade="II", location="People's Square", reported_at=hour_ago, now=hour_ago, **SITE
    )
    incidents.confirm_incident(incident, actor=None, now=hour_ago)
    incidents.dispatch_incident(incident, actor=None, assignee=technician, now=hour_ago)
    return incident


def action(kind, job, key, minutes_ago=5, data=None, position=None, now=None):
    at = (now or timezone.now()) - timedelta(minutes=minutes_ago)
    return {
        "key": key,
        "kind": kind,
        "job": job.pk,
        "device_at": at.isoformat(),
        "data": data or {},
        "position": position,
    }


def sync(client, actions, sent_at=None):
    body = {"sent_at": (sent_at or timezone.now()).isoformat(), "actions": actions}
    response = client.post(reverse("field:sync"), json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_queue_is_applied_in_order_with_the_phones_times(technician_client, job):
    now = timezone.now()
    queue = [
        action("arrive", job, "a1", 9, position=NEAR, now=now),
        action("note", job, "n1", 7, {"text": "Battery pack swapped"}, now=now),
        action("resolve", job, "r1", 2, {"resolution": "Pack replaced"}, position=NEAR, now=now),
    ]
    results = sync(technician_client, queue)
    assert [r["status"] for r in results] == ["applied"] * 3
    job.refresh_from_db()
    assert job.status == "resolved"
    assert abs((job.arrived_at - (now - timedelta(minutes=9))).total_seconds()) < 1
    assert abs((job.resolved_at - (now - timedelta(minutes=2))).total_seconds()) < 1
    note = IncidentEvent.objects.get(incident=job, kind=EventKind.NOTE)
    assert abs((note.created_at - (now - timedelta(minutes=7))).total_seconds()) < 1
    arrival = SyncedAction.objects.get(key="a1")
    assert arrival.received_at > arrival.acted_at == arrival.device_at
    assert 50 < arrival.distance_m < 100 and not arrival.far
    assert LastPosition.objects.get(user=job.assignee).accuracy_m == 12


def test_a_retry_never_doubles_an_action(technician_client, job):
    queue = [
        action("arrive", job, "a1", 6),
        action("note", job, "n1", 5, {"text": "Here"}),
    ]
    sync(technician_client, queue)
    again = sync(technician_client, queue)
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert IncidentEvent.objects.filter(incident=job, kind=EventKind.NOTE).count() == 1
    assert IncidentEvent.objects.filter(incident=job, kind=EventKind.ARRIVED).count() == 1
    assert SyncedAction.objects.count() == 2


def test_a_key_reused_for_another_action_is_refused(technician_client, job):
    sync(technician_client, [action("note", job, "k", 5, {"text": "one"})])
    (result,) = sync(technician_client, [action("note", job, "k", 4, {"text": "two"})])
    assert result["status"] == "rejected" and "key" in result["errors"]
    assert IncidentEvent.objects.filter(incident=job, kind=EventKind.NOTE).count() == 1


def test_a_job_reassigned_meanwhile_is_a_conflict_not_applied(
    technician_client, job, other_technician
):
    incidents.dispatch_incident(job, actor=None, assignee=other_technician)
    results = sync(
        technician_client,
        [
            action("arrive", job, "a1", 5, position=NEAR),
            action("note", job, "n1", 4, {"text": "x"}),
        ],
    )
    assert [r["status"] for r in results] == ["rejected", "rejected"]  # no longer visible
    job.refresh_from_db()
    assert job.status == "dispatched" and job.arrived_at is None


def test_a_job_reassigned_within_the_team_is_a_conflict(technician_client, job, technician, org):
    colleague = factories.UserFactory(username="tech3", roles=["technician"])
    factories.MembershipFactory(team=org["service_centre"], user=colleague)
    incidents.dispatch_incident(job, actor=None, assignee=colleague)
    arrive = action("arrive", job, "a1", 5)
    (result,) = sync(technician_client, [arrive])
    assert result["status"] == "conflict"
    assert "someone else" in result["message"]
    job.refresh_from_db()
    assert job.status == "dispatched"
    # The answer is kept: a retry gets the same conflict, and nothing is applied.
    (again,) = sync(technician_client, [arrive])
    assert again["status"] == "duplicate" and again["outcome"] == "conflict"


def test_cancelled_and_already_resolved_jobs_are_conflicts(technician_client, job, technician):
    incidents.resolve_incident(job, actor=technician, resolution="Done online")
    (result,) = sync(technician_client, [action("resolve", job, "r1", 1, {"resolution": "x"})])
    assert result["status"] == "conflict" and "already resolved" in result["message"]
    other = factories.report(**SITE)
    incidents.confirm_incident(other, actor=None)
    incidents.dispatch_incident(other, actor=None, assignee=technician)
    incidents.cancel_incident(other, actor=None, reason="Customer called back")
    (result,) = sync(technician_client, [action("arrive", other, "a2", 1)])
    assert result["status"] == "conflict" and "cancelled" in result["message"]


def test_a_phone_clock_hours_off_is_corrected_by_its_offset(technician_client, job):
    now = timezone.now()
    phone_now = now - timedelta(hours=3)  # the phone's clock is 3 h behind
    queue = [action("arrive", job, "a1", 5, now=phone_now)]
    (result,) = sync(technician_client, queue, sent_at=phone_now)
    assert result["time_rule"] == "skew"
    job.refresh_from_db()
    assert abs((job.arrived_at - (now - timedelta(minutes=5))).total_seconds()) < 5


def test_device_time_is_bounded_by_receipt_and_the_previous_step(technician_client, job):
    now = timezone.now()
    ahead = action("arrive", job, "a1", -1, now=now)  # 1 min ahead: within the skew
    (result,) = sync(technician_client, [ahead], sent_at=now)
    assert result["time_rule"] == "future"
    job.refresh_from_db()
    assert job.arrived_at <= timezone.now()
    before = action("note", job, "n1", 60 * 24, {"text": "old"})  # before the arrival
    (result,) = sync(technician_client, [before])
    assert result["time_rule"] == "before_previous"
    assert result["acted_at"] == job.arrived_at.isoformat()


@pytest.mark.parametrize(
    ("position", "words"),
    [
        ({"status": "ok", "latitude": 0, "longitude": 0, "accuracy": 10}, "0, 0"),
        ({"status": "ok", "latitude": 31.2, "longitude": 121.4, "accuracy": 50000}, "50,000 m"),
        ({"status": "ok", "latitude": 91, "longitude": 121.4, "accuracy": 10}, "between -90"),
        ({"status": "ok", "latitude": "x", "longitude": 1, "accuracy": 10}, "could not be read"),
    ],
)
def test_nonsense_positions_are_refused_with_no_write(technician_client, job, position, words):
    (result,) = sync(technician_client, [action("arrive", job, "a1", 5, position=position)])
    assert result["status"] == "rejected"
    assert words in " ".join(result["errors"]["position"])
    job.refresh_from_db()
    assert job.status == "dispatched"
    assert not SyncedAction.objects.exists() and not LastPosition.objects.exists()


def test_a_refused_position_is_recorded_and_does_not_block(technician_client, job):
    (result,) = sync(
        technician_client, [action("arrive", job, "a1", 5, position={"status": "denied"})]
    )
    assert result["status"] == "applied"
    assert SyncedAction.objects.get().position_status == "denied"


def test_a_far_arrival_is_flagged_on_the_incident_page(technician_client, dispatcher_client, job):
    (result,) = sync(technician_client, [action("arrive", job, "a1", 5, position=FAR)])
    assert result["far"] and result["distance_m"] > 2000
    page = dispatcher_client.get(reverse("incidents:detail", args=[job.pk])).content.decode()
    assert "data-far-arrival" in page and "Arrival far from the reported location" in page


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_photos_and_sign_off_go_through_their_services(technician_client, job, technician):
    batch = {
        "sent_at": timezone.now().isoformat(),
        "actions": [
            action("photo", job, "p1", 4, {"caption": "Pack"}),
            action("resolve", job, "r1", 3, {"resolution": "Replaced"}, position=NEAR),
            action("sign_off", job, "s1", 2, {"no_signature_reason": "Customer away"}),
        ],
    }
    response = technician_client.post(
        reverse("field:sync"),
        {"batch": json.dumps(batch), "file:p1": SimpleUploadedFile("a.png", _png())},
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3, results
    assert job.photos.count() == 1
    assert job.signoff.no_signature_reason == "Customer away"


def test_the_endpoint_is_csrf_protected_and_needs_a_session(technician, job):
    body = json.dumps({"actions": [action("arrive", job, "a1")]})
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(technician)
    url = reverse("field:sync")
    assert strict.post(url, body, content_type="application/json").status_code == 403
    assert Client().post(url, body, content_type="application/json").status_code == 403
    loose = Client()
    loose.force_login(technician)
    assert loose.post(url, "{not json", content_type="application/json").status_code == 400
    job.refresh_from_db()
    assert job.status == "dispatched"


def test_a_new_job_alerts_the_technician_in_app(technician):
    incident = factories.report()
    incidents.confirm_incident(incident, actor=None)
    incidents.dispatch_incident(incident, actor=None, assignee=technician)
    alert = Notification.objects.get(user=technician, channel="inapp", event="dispatched")
    assert incident.number in alert.title


def test_service_accepts_a_batch_without_a_request(technician, job):
    answers = services.sync_actions(technician, [action("note", job, "n1", 1, {"text": "hi"})])
    assert answers[0].status == "applied"


def test_the_card_forms_post_online_with_the_position(technician_client, job):
    jobs = reverse("incidents:my_jobs")
    arrived = technician_client.post(
        reverse("field:act", args=[job.pk, "arrive"]),
        {
            "next": jobs,
            "position_status": "ok",
            "latitude": "31.2310",
            "longitude": "121.4740",
            "accuracy": "12",
        },
    )
    assert arrived["Location"] == jobs
    assert SyncedAction.objects.get(kind="arrive").position_status == "ok"
    sign = reverse("assessments:sign", args=[job.pk])
    url = reverse("field:act", args=[job.pk, "resolve"])
    refused = technician_client.post(url, {"resolution": "", "next": jobs, "then": sign})
    assert refused["Location"] == jobs
    done = technician_client.post(
        url, {"resolution": "New fuse", "next": jobs, "then": sign, "position_status": "denied"}
    )
    assert done["Location"] == sign
    job.refresh_from_db()
    assert job.status == "resolved"
