"""Telematics alarms: recorded always, one incident per open (vehicle, alarm type)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from escalation.models import EscalationState
from incidents import services as incident_services
from incidents.models import Incident
from regulatory import services
from regulatory.models import Alarm, AlarmCase, AlarmRule, Outcome, RegulatoryReport
from tests.regulatory.conftest import vin

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def alarm(v: str, level: int = 3, types=("thermal_runaway",), at=T0, **extra):
    return services.AlarmIn(vin=v, level=level, alarm_types=list(types), occurred_at=at, **extra)


def ingest(data, actor=None, now=None):
    return services.ingest_alarm(data, actor=actor, now=now or T0 + timedelta(seconds=5))


@pytest.mark.django_db
def test_thousand_repeats_of_one_alarm_make_one_incident(org, vehicle):
    first = ingest(alarm(vehicle.vin, latitude=31.2, longitude=121.5, data_window={"t": [40]}))
    assert first.outcome == Outcome.CREATED
    for n in range(999):
        repeat = ingest(alarm(vehicle.vin, at=T0 + timedelta(seconds=n + 1)))
        assert repeat.outcome == Outcome.JOINED
        assert repeat.incident_id == first.incident_id
    assert Incident.objects.filter(asset_ref=vehicle.vin).count() == 1
    case = AlarmCase.objects.get()
    assert (case.count, case.last_at) == (1000, T0 + timedelta(seconds=999))
    assert Alarm.objects.count() == 1000
    incident = first.incident
    assert (incident.grade, incident.category.slug) == ("I", "safety-accident")
    assert (float(incident.latitude), float(incident.longitude)) == (31.2, 121.5)
    assert '"t": [40]' in incident.description


@pytest.mark.django_db(transaction=True)
def test_racing_duplicate_alarms_make_one_incident(org, vehicle):
    """Eight threads, each its own PostgreSQL connection, post the same alarm at once."""
    start = threading.Barrier(8)
    results, errors = [], []

    def post():
        try:
            start.wait()
            results.append(ingest(alarm(vehicle.vin)).outcome)
        except Exception as exc:  # pragma: no cover - the assertion shows it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == ["created"] + ["joined"] * 7
    assert Incident.objects.filter(asset_ref=vehicle.vin).count() == 1
    assert AlarmCase.objects.get().count == 8


@pytest.mark.django_db
def test_alarm_for_unknown_vin_is_recorded_and_flagged(org):
    recorded = ingest(alarm(vin(999)))
    assert recorded.pk and recorded.outcome == Outcome.UNKNOWN_VEHICLE
    assert recorded.vehicle is None and recorded.incident is None
    assert not Incident.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("alarm_type", "level", "outcome", "grade"),
    [
        ("battery_high_temp", 1, "recorded", None),
        ("battery_high_temp", 2, "created", "III"),
        ("battery_high_temp", 3, "created", "I"),
        ("thermal_runaway", 1, "created", "I"),
        ("soc_low", 2, "recorded", None),  # no rule row: the default
        ("some_new_code", 3, "created", "I"),  # a code we do not know: the default
    ],
)
def test_level_rules(org, vehicle, alarm_type, level, outcome, grade):
    result = ingest(alarm(vehicle.vin, level=level, types=[alarm_type]))
    assert result.outcome == outcome
    assert (result.incident.grade if result.incident else None) == grade


@pytest.mark.django_db
def test_an_edited_rule_and_the_strongest_type_decide(org, vehicle):
    AlarmRule.objects.update_or_create(alarm_type="soc_low", defaults={"level_1": "incident_iii"})
    assert services.decide(["soc_high", "soc_low"], 1) == ("soc_low", "incident_iii")
    result = ingest(alarm(vehicle.vin, level=1, types=["soc_high", "soc_low"]))
    assert (result.alarm_type, result.incident.grade) == ("soc_low", "III")


@pytest.mark.django_db
def test_a_resolved_incident_frees_its_key(org, vehicle, manager):
    first = ingest(alarm(vehicle.vin))
    incident = first.incident
    Incident.objects.filter(pk=incident.pk).update(status="on_site", arrived_at=T0)
    incident.refresh_from_db()
    incident_services.resolve_incident(
        incident, actor=manager, resolution="Pack replaced.", now=T0 + timedelta(minutes=9)
    )
    again = ingest(alarm(vehicle.vin), now=T0 + timedelta(minutes=10))
    assert again.outcome == Outcome.CREATED and again.incident_id != incident.pk


@pytest.mark.django_db
def test_a_thermal_runaway_alarm_starts_the_report_clocks(org, vehicle):
    result = ingest(alarm(vehicle.vin))
    kinds = dict(
        RegulatoryReport.objects.filter(case__incident=result.incident).values_list(
            "kind", "due_at"
        )
    )
    assert kinds == {"reg_first": T0 + timedelta(hours=12), "reg_detail": T0 + timedelta(hours=48)}
    assert set(
        EscalationState.objects.filter(incident=result.incident).values_list("target", flat=True)
    ) >= {"reg_first", "reg_detail"}


# --- the API --------------------------------------------------------------------------------


@pytest.fixture
def api(platform, key_client):
    return key_client(platform)


BODY = {"level": 3, "alarm_types": ["thermal_runaway"], "occurred_at": "2026-11-20T10:00:00+08:00"}


@pytest.mark.django_db
def test_api_answers_202_naming_the_incident_created_or_joined(org, vehicle, api):
    body = {**BODY, "vin": vehicle.vin.lower(), "latitude": 31.2, "longitude": 121.5}
    first = api.post("/api/v1/alarms/", body, format="json")
    assert first.status_code == 202, first.content
    second = api.post("/api/v1/alarms/", body, format="json")
    assert first.json()["outcome"] == "created" and second.json()["outcome"] == "joined"
    assert first.json()["incident"]["id"] == second.json()["incident"]["id"]
    assert second.json()["repeats"] == 2
    unknown = api.post("/api/v1/alarms/", {**BODY, "vin": "NOT-A-VIN"}, format="json")
    assert unknown.status_code == 202
    assert unknown.json()["unknown_vehicle"] is True and unknown.json()["incident"] is None
    listed = api.get("/api/v1/alarms/?outcome=unknown_vehicle")
    assert listed.status_code == 403  # the platform posts; the desk reads


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {**BODY, "vin": "X", "level": 4},
        {**BODY, "vin": "X", "level": "high"},
        {**BODY, "vin": "X", "alarm_types": []},
        {**BODY, "vin": "X", "alarm_types": ["Thermal Runaway!"]},
        {**BODY, "vin": "X", "alarm_types": "thermal_runaway"},
        {**BODY, "vin": "X", "occurred_at": "yesterday"},
        {**BODY, "vin": "X", "latitude": 91, "longitude": 0},
        {**BODY, "vin": "X", "latitude": 30},
        {**BODY, "vin": "X" * 40},
        {**BODY, "vin": "X", "data_window": {"x": "y" * 70000}},
        {**BODY, "vin": "X", "data_ref": "not a url"},
        {**BODY, "vin": "X", "data_window": {"cell": "a\x00b"}},
        {**BODY, "vin": "X\x00"},
        [1, 2],
    ],
)
def test_api_refuses_bad_bodies_with_400_json(org, api, body):
    response = api.post("/api/v1/alarms/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert not Alarm.objects.exists()


@pytest.mark.django_db
def test_api_needs_a_key_that_may_report(org, key_client, technician):
    assert key_client(technician).post("/api/v1/alarms/", BODY, format="json").status_code == 403
