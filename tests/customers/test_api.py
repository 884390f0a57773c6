"""GET/POST /api/v1/customers/ and the customer on the incident."""

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


@pytest.fixture
def api(dispatcher):
    client = APIClient()
    client.force_authenticate(dispatcher)
    return client


def test_create_then_find_by_phone_exactly_and_read_it_on_the_incident(api, dispatcher):
    created = api.post(
        URL,
        {"name": "Li Na", "phones": ["+86 139 0000 0001"], "language": "en", "consent": True},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["phones"] == ["139 0000 0001"] and body["consent_source"] == "api"
    found = api.get(URL, {"phone": "13900000001"}).json()
    assert [c["id"] for c in found["results"]] == [body["id"]]
    assert api.get(URL, {"phone": "13900000002"}).json()["results"] == []
    assert [c["id"] for c in api.get(URL, {"name": "li na"}).json()["results"]] == [body["id"]]
    assert api.get(f"{URL}{body['id']}/").json()["name"] == "Li Na"
    incident = factories.report(dispatcher, customer_phone="139-0000-0001")
    assert api.get(f"/api/v1/incidents/{incident.pk}/").json()["customer"] == body["id"]


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "A", "phones": ["12345"]},
        {"name": "A", "phones": []},
        {"name": "A"},
        {"name": "A", "phones": ["13900000001"], "language": "fr"},
        {"name": "A", "phones": "13900000001x"},
        {"name": "A" * 200, "phones": ["13900000001"]},
    ],
)
def test_bad_input_is_a_400_with_json(api, payload):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)


def test_a_taken_phone_is_a_400_and_a_technician_is_refused(api, technician):
    api.post(URL, {"name": "A", "phones": ["13900000001"]}, format="json")
    again = api.post(URL, {"name": "B", "phones": ["139 0000 0001"]}, format="json")
    assert again.status_code == 400 and "phones" in again.json()
    client = APIClient()
    client.force_authenticate(technician)
    assert client.get(URL).status_code == 403
