"""Issue 13, finding 7 (part): pages and API answers that show customer data, and the page
showing a new API key, tell browsers and proxies not to keep a copy."""

import pytest
from rest_framework.test import APIClient

from accounts.services import create_api_key
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org):
    return factories.report(grade="III")


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_incident_pages_are_not_stored(dispatcher_client, incident):
    for url in ("/incidents/", f"/incidents/{incident.pk}/", "/"):
        response = dispatcher_client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_the_new_api_key_page_is_not_stored(dispatcher_client):
    response = dispatcher_client.post("/profile/", {"name": "crm"})
    assert response.status_code == 200
    assert "new-key" in response.content.decode()
    assert _no_store(response)


def test_api_answers_with_customer_fields_are_not_stored(dispatcher, incident):
    _api_key, raw = create_api_key(dispatcher, name="crm")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    for url in ("/api/v1/incidents/", f"/api/v1/incidents/{incident.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_a_view_that_sets_its_own_cache_policy_keeps_it(rf):
    from django.http import HttpResponse

    from accounts.middleware import NoStoreMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "private, max-age=3600"
        return response

    assert NoStoreMiddleware(view)(rf.get("/"))["Cache-Control"] == "private, max-age=3600"
