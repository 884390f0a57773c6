"""The dispatcher's map: open incidents as cells or points, technicians' last positions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from field import services
from incidents import services as incidents
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def located(technician):
    made = []
    for n, (lat, lon) in enumerate([(31.2304, 121.4737), (31.2310, 121.4740), (39.9087, 116.3975)]):
        made.append(
            factories.report(
                grade=["I", "II", "III"][n], latitude=Decimal(str(lat)), longitude=Decimal(str(lon))
            )
        )
    incidents.cancel_incident(
        factories.report(latitude=Decimal("30"), longitude=Decimal("120")), actor=None, reason="x"
    )
    services.record_position(
        technician,
        services.Position(Decimal("31.2"), Decimal("121.4"), 15.0),
        at=timezone.now() - timedelta(minutes=3),
    )
    return made


def test_zoomed_out_the_map_groups_open_incidents(dispatcher_client, located, technician):
    data = dispatcher_client.get(reverse("field:map_data"), {"zoom": 4}).json()
    assert sorted(c[2] for c in data["cells"]) == [1, 2]  # Shanghai's two, Beijing's one
    assert {c[3] for c in data["cells"]} == {"I", "III"}  # the worst grade of each cell
    (tech,) = data["technicians"]
    assert tech[0] == technician.pk and tech[2] == pytest.approx(31.2)


def test_zoomed_in_the_map_shows_each_incident_in_the_viewport(dispatcher_client, located):
    bbox = "121.4,31.2,121.5,31.3"  # west,south,east,north: Shanghai only
    data = dispatcher_client.get(reverse("field:map_data"), {"zoom": 15, "bbox": bbox}).json()
    assert sorted(p[0] for p in data["points"]) == sorted(i.pk for i in located[:2])


def test_the_map_is_for_dispatchers_and_managers(technician_client, dispatcher_client):
    assert technician_client.get(reverse("field:map")).status_code == 403
    assert technician_client.get(reverse("field:map_data")).status_code == 403
    page = dispatcher_client.get(reverse("field:map")).content.decode()
    assert "vendor/leaflet/leaflet.js" in page and "unpkg" not in page and "cdn" not in page


def test_manifest_and_service_worker_cover_my_jobs(client):
    manifest = client.get(reverse("field:manifest")).json()
    assert manifest["start_url"] == reverse("incidents:my_jobs")
    assert reverse("incidents:my_jobs").startswith(manifest["scope"])
    worker = client.get(reverse("field:service_worker"))
    assert worker["Service-Worker-Allowed"] == "/incidents/"
    assert worker["Content-Type"].startswith("text/javascript")
