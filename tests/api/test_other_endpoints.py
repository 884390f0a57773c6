import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiKey
from tests.api.conftest import NEW_INCIDENT

pytestmark = pytest.mark.django_db


def test_categories_list_and_detail(desk):
    body = desk.get("/api/v1/categories/").json()
    slugs = [c["slug"] for c in body["results"]]
    assert "product-quality" in slugs and "safety-accident" in slugs
    detail = desk.get("/api/v1/categories/product-quality/")
    assert detail.status_code == 200 and detail.json()["name"]
    assert desk.get("/api/v1/categories/nope/").status_code == 404


def test_categories_are_read_only(desk):
    assert desk.post("/api/v1/categories/", {"slug": "x"}).status_code == 405


def test_teams_with_members_and_roles(desk, org):
    body = desk.get("/api/v1/teams/", {"page_size": 200}).json()
    hq = next(t for t in body["results"] if t["slug"] == "hq")
    roles = {m["username"]: m["role"] for m in hq["members"]}
    assert roles["commander"] == "leader"
    assert roles["deputy1"] == "deputy"
    detail = desk.get(f"/api/v1/teams/{org['tech'].pk}/")
    assert detail.status_code == 200 and detail["ETag"]
    assert detail.json()["members"][0]["role"] == "leader"


def test_teams_filter_by_kind(desk, org):
    body = desk.get("/api/v1/teams/", {"kind": "service_centre"}).json()
    assert {t["slug"] for t in body["results"]} == {"service-centre", "service-centre-2"}
    assert desk.get("/api/v1/teams/", {"kind": "pirates"}).status_code == 400


def test_teams_list_query_count_is_flat(desk, org, django_assert_max_num_queries):
    desk.get("/api/v1/teams/")
    with django_assert_max_num_queries(5):
        desk.get("/api/v1/teams/")


def test_throttle_per_key_gives_429_with_retry_after(desk, settings):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {"key": "3/minute", "anon": "2/minute", "bad_key": None}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [desk.get("/api/v1/categories/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = desk.get("/api/v1/categories/")
        assert int(response["Retry-After"]) > 0
        anon = APIClient()
        anon_codes = [anon.get("/api/v1/categories/").status_code for _ in range(3)]
        assert anon_codes == [401, 401, 429]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


def test_schema_and_docs_are_served_locally(desk, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/incidents/",
        "/api/v1/incidents/{id}/confirm/",
        "/api/v1/incidents/{id}/events/",
        "/api/v1/teams/",
        "/api/v1/categories/",
    ):
        assert path in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "//cdn" not in html and "unpkg" not in html


def test_profile_creates_shows_once_lists_and_revokes(dispatcher_client, dispatcher):
    page = dispatcher_client.get(reverse("profile"))
    assert page.status_code == 200
    created = dispatcher_client.post(
        reverse("profile"), {"name": "CRM", "read_only": "on", "expires_in_days": "30"}
    )
    raw = created.context["new_key"]
    assert raw and raw in created.content.decode()
    api_key = ApiKey.objects.get(user=dispatcher)
    assert api_key.read_only and api_key.expires_at
    listing = dispatcher_client.get(reverse("profile")).content.decode()
    assert "CRM" in listing and raw not in listing
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/incidents/").status_code == 200
    dispatcher_client.post(reverse("api_key_revoke", args=[api_key.pk]))
    assert client.get("/api/v1/incidents/").status_code == 401


def test_profile_cannot_revoke_someone_elses_key(dispatcher_client, manager):
    from accounts.services import create_api_key

    api_key, _raw = create_api_key(manager, name="theirs")
    response = dispatcher_client.post(reverse("api_key_revoke", args=[api_key.pk]))
    assert response.status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_profile_needs_login(client):
    assert client.get(reverse("profile")).status_code == 302


def test_create_counts_its_sql_statements(desk, django_assert_num_queries):
    desk.post("/api/v1/incidents/", NEW_INCIDENT, format="json")  # warm the caches
    # In one transaction (a savepoint inside the test's): ids from the sequences, the
    # incident and its directive in one INSERT, the events in one, the confirm clock
    # (INCIDENT_LIFECYCLE["report"]), the customer record found by the phone's blind index
    # (customers.services.for_report); then the customer's "received" message
    # (tracking.hooks.tell_received): the tracking link (looked for, then INSERTed in a
    # savepoint), the service line (one read), and messaging's queueing in a savepoint: the
    # customer's phones, the phone's SMS sent in the last hour and day (the rate limits),
    # what this message already wrote, the INSERT and the read of what it wrote. 13 of the
    # 20 are the customer message's: the cost of creation the benches show (issue 15).
    with django_assert_num_queries(20):
        assert desk.post("/api/v1/incidents/", NEW_INCIDENT, format="json").status_code == 201
