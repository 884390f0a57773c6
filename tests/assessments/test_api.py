import pytest
from rest_framework.test import APIClient

from assessments.models import Survey


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def test_create_submit_and_list_assessments(api, resolved_incident, manager):
    incident = resolved_incident("I")
    created = api.post(
        "/api/v1/assessments/", {"incident": incident.pk, "cause": "Fuse"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert [m["step"] for m in body["efficiency"]] == ["confirm", "dispatch", "arrive", "resolve"]
    assert "ETag" in created
    incomplete = api.patch(f"/api/v1/assessments/{body['id']}/", {"submit": True}, format="json")
    assert incomplete.status_code == 400
    assert "summary" in incomplete.json()
    done = api.patch(
        f"/api/v1/assessments/{body['id']}/", {"summary": "ok", "submit": True}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["status"] == "submitted"
    again = api.patch(f"/api/v1/assessments/{body['id']}/", {"summary": "x"}, format="json")
    assert again.status_code == 409
    action = api.post(
        f"/api/v1/assessments/{body['id']}/actions/",
        {"description": "Fix", "owner": manager.pk, "due_date": "2020-01-01"},
        format="json",
    )
    assert action.status_code == 201
    assert action.json()["overdue"] is True
    overdue = api.get("/api/v1/assessments/corrective-actions/", {"overdue": "true"})
    assert [a["id"] for a in overdue.json()["results"]] == [action.json()["id"]]
    listed = api.get("/api/v1/assessments/")
    assert listed.json()["results"][0]["id"] == body["id"]


def test_assessing_an_open_incident_is_a_conflict(api, org):
    from tests.assessments.conftest import utc, walk

    incident = walk("I", utc(2026, 11, 2, 2, 0), confirm=5)
    response = api.post("/api/v1/assessments/", {"incident": incident.pk}, format="json")
    assert response.status_code == 409


def test_evaluation_endpoint(api, resolved_incident):
    incident = resolved_incident("I")
    Survey.objects.filter(incident=incident).update(rating=4, answered_at=incident.resolved_at)
    response = api.get(
        "/api/v1/assessments/evaluation/", {"start": "2026-10-01", "end": "2026-12-31"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"]["n_all"] == 1
    assert body["total"]["csat"] == 4
    assert len(body["weekly"]) == 14


def test_technician_cannot_read_assessments(technician):
    client = APIClient()
    client.force_authenticate(technician)
    assert client.get("/api/v1/assessments/").status_code == 403
