import pytest
from rest_framework.test import APIClient

from accounts.services import create_api_key
from spareparts.models import StockMove
from tests import factories
from tests.spareparts.helpers import balance


def token_client(user) -> APIClient:
    _key, raw = create_api_key(user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def api(dispatcher):
    return token_client(dispatcher)


def test_stock_lists_on_hand_reserved_available_per_part_and_depot(
    api, depots, battery, stock, incident, dispatcher
):
    from spareparts import services

    stock(battery, depots["east"], 5)
    services.reserve_part(
        incident, part=battery, depot=depots["east"], quantity=2, actor=dispatcher
    )

    body = api.get("/api/v1/stock/", {"sku": "BAT-48V", "depot_code": "east"}).json()

    (row,) = body["results"]
    assert (row["on_hand"], row["reserved"], row["available"]) == (5, 2, 3)
    assert set(body) == {"next", "previous", "results"}
    detail = api.get(f"/api/v1/stock/{row['id']}/")
    assert detail.status_code == 200 and detail["ETag"]


def test_parts_and_depots_are_listed(api, depots, battery, charger):
    parts = api.get("/api/v1/parts/", {"search": "charger"}).json()["results"]
    assert [p["sku"] for p in parts] == ["CHG-10A"]
    codes = {d["code"] for d in api.get("/api/v1/depots/").json()["results"]}
    assert codes == {"hq", "east", "west"}


def test_post_incident_parts_reserves_and_409s_when_not_enough(
    api, depots, battery, stock, incident
):
    stock(battery, depots["hq"], 3)
    url = f"/api/v1/incidents/{incident.pk}/parts/"

    ok = api.post(url, {"part": battery.pk, "depot": depots["hq"].pk, "quantity": 2}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["kind"] == "reserve" and ok.json()["quantity"] == 2

    short = api.post(url, {"part": "BAT-48V", "depot": "hq", "quantity": 2}, format="json")
    assert short.status_code == 409
    assert "1 available" in short.json()["detail"]
    assert balance(battery, depots["hq"]).reserved == 2

    listed = api.get(url).json()["results"]
    assert listed == [
        {
            "part": battery.pk,
            "sku": "BAT-48V",
            "depot": depots["hq"].pk,
            "depot_code": "hq",
            "reserved": 2,
            "issued": 0,
        }
    ]


def test_post_incident_parts_is_idempotent_and_validates(api, depots, battery, stock, incident):
    stock(battery, depots["hq"], 3)
    url = f"/api/v1/incidents/{incident.pk}/parts/"
    body = {"part": battery.pk, "depot": depots["hq"].pk, "quantity": 1}
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert StockMove.objects.filter(kind="reserve").count() == 1
    bad = api.post(url, {"part": "NOPE", "depot": "hq", "quantity": 0}, format="json")
    assert bad.status_code == 400 and {"part", "quantity"} <= set(bad.json())


def test_technician_cannot_reserve_for_someone_elses_job(
    depots, battery, stock, technician, dispatcher
):
    stock(battery, depots["hq"], 3)
    job = factories.report(dispatcher)
    client = token_client(technician)
    response = client.post(
        f"/api/v1/incidents/{job.pk}/parts/",
        {"part": battery.pk, "depot": depots["hq"].pk, "quantity": 1},
        format="json",
    )
    assert response.status_code in (403, 404)
    assert client.get("/api/v1/stock/").status_code == 403
