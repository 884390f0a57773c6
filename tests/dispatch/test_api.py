"""The candidates endpoint and the duty roster in the API."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.services import create_api_key
from incidents import services as incident_services
from teams.models import DutyShift
from tests import factories
from tests.dispatch.helpers import LUJIAZUI, centre, incident_at, local, on_shift, technician

pytestmark = pytest.mark.django_db
NOW = local(2026, 3, 2, 10, 0)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api(user) -> APIClient:
    _key, raw = create_api_key(user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def setup(org, dispatcher):
    team = centre("lujiazui", LUJIAZUI)
    tech = technician("near", team, first_name="Li", last_name="Near")
    on_shift(tech, team, NOW - timedelta(hours=1), NOW + timedelta(hours=8))
    return team, tech


def test_candidates_ranked_with_reasons(setup, dispatcher):
    team, tech = setup
    incident = incident_at(now=NOW)
    response = api(dispatcher).get(f"/api/v1/incidents/{incident.pk}/candidates/?limit=5")
    assert response.status_code == 200
    body = response.json()
    first = body["candidates"][0]
    assert (first["rank"], first["kind"], first["user"], first["team"]) == (
        1,
        "technician",
        tech.pk,
        team.pk,
    )
    assert first["reasons"][0].endswith("km from centre")
    assert body["needs_hv_qualification"] is False and body["excluded"] == []


def test_candidates_refuse_a_bad_limit_with_400_json(setup, dispatcher):
    incident = incident_at(now=NOW)
    response = api(dispatcher).get(f"/api/v1/incidents/{incident.pk}/candidates/?limit=abc")
    assert response.status_code == 400
    assert "limit" in response.json()


def test_candidates_answer_404_for_an_incident_the_caller_may_not_see(setup):
    _team, tech = setup
    incident = incident_at(now=NOW)
    assert api(tech).get(f"/api/v1/incidents/{incident.pk}/candidates/").status_code == 404
    incident_services.dispatch_incident(incident, actor=None, assignee=tech, now=NOW)
    # Their own job: they see it but may not dispatch it.
    assert api(tech).get(f"/api/v1/incidents/{incident.pk}/candidates/").status_code == 403


def test_the_roster_is_listed_created_and_edited(setup, manager, dispatcher):
    team, tech = setup
    client = api(manager)
    listed = client.get(f"/api/v1/duty-shifts/?team={team.pk}")
    assert listed.status_code == 200
    assert [s["user"] for s in listed.json()["results"]] == [tech.pk]
    created = client.post(
        "/api/v1/duty-shifts/",
        {
            "team": team.pk,
            "user": tech.pk,
            "kind": "field",
            "starts_at": "2026-03-03T20:00:00+08:00",
            "ends_at": "2026-03-04T08:00:00+08:00",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["source"] == "manual"
    edited = client.patch(
        f"/api/v1/duty-shifts/{created.json()['id']}/",
        {"ends_at": "2026-03-04T06:00:00+08:00"},
        format="json",
    )
    assert edited.status_code == 200
    assert DutyShift.objects.get(pk=created.json()["id"]).ends_at == local(2026, 3, 4, 6)
    refused = api(dispatcher).post(
        "/api/v1/duty-shifts/",
        {
            "team": team.pk,
            "user": tech.pk,
            "kind": "field",
            "starts_at": "2026-03-05T08:00:00+08:00",
            "ends_at": "2026-03-05T20:00:00+08:00",
        },
        format="json",
    )
    assert refused.status_code == 403


def test_the_roster_refuses_bad_shifts_with_400(setup, manager):
    team, tech = setup
    client = api(manager)
    backwards = client.post(
        "/api/v1/duty-shifts/",
        {
            "team": team.pk,
            "user": tech.pk,
            "kind": "field",
            "starts_at": "2026-03-05T08:00:00+08:00",
            "ends_at": "2026-03-05T07:00:00+08:00",
        },
        format="json",
    )
    assert backwards.status_code == 400 and "ends_at" in backwards.json()
    outsider = factories.UserFactory(username="outsider")
    stranger = client.post(
        "/api/v1/duty-shifts/",
        {
            "team": team.pk,
            "user": outsider.pk,
            "kind": "field",
            "starts_at": "2026-03-05T08:00:00+08:00",
            "ends_at": "2026-03-05T09:00:00+08:00",
        },
        format="json",
    )
    assert stranger.status_code == 400 and "user" in stranger.json()


def test_the_schema_documents_candidates_and_the_roster(setup, manager):
    schema = api(manager).get("/api/schema/?format=json").json()
    assert "/api/v1/incidents/{id}/candidates/" in schema["paths"]
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/duty-shifts/"])
