from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.vehicles.helpers import make_model, make_vehicle, repair
from vehicles.models import MileageReading, SanbaoRule

pytestmark = pytest.mark.django_db


def warned_vehicle():
    """A vehicle whose model's rule warns at two repairs of the same problem."""
    rule = SanbaoRule.objects.create(name="Maker's promise", replacement_same_problem_repairs=2)
    vehicle = make_vehicle(
        model=make_model(rule=rule), sale_date=timezone.localdate() - timedelta(days=200)
    )
    MileageReading.objects.create(vehicle=vehicle, km=18250, read_at=timezone.now())
    now = timezone.now()
    old = repair(vehicle, reported_at=now - timedelta(days=6), resolved_at=now - timedelta(days=6))
    new = repair(vehicle, reported_at=now - timedelta(hours=1))
    return vehicle, old, new


def test_the_incident_page_shows_the_vehicles_sanbao_warning_and_links_the_vehicle(
    dispatcher_client,
):
    vehicle, _old, incident = warned_vehicle()
    page = dispatcher_client.get(reverse("incidents:detail", args=[incident.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="sanbao-panel"' in html
    assert 'data-sanbao-level="warning"' in html
    assert "The next repair of this problem makes a replacement case" in html
    assert reverse("vehicles:detail", args=[vehicle.vin]) in html


def test_an_equipment_serial_shows_no_vehicle_panel(dispatcher_client):
    incident = factories.report(asset_ref="CP-DC60-2023-01542")
    html = dispatcher_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "sanbao-panel" not in html


def test_the_vehicle_page_shows_model_mileage_status_and_incidents(dispatcher_client):
    vehicle, old, new = warned_vehicle()
    page = dispatcher_client.get(reverse("vehicles:detail", args=[vehicle.vin.lower()]))
    html = page.content.decode()
    assert page.status_code == 200
    assert vehicle.vin in html and "Huayuan EV7" in html
    assert "New-energy vehicle (NEV)" in html
    assert "18250 km" in html
    assert 'data-sanbao-level="warning"' in html
    assert old.number in html and new.number in html


def test_the_vehicle_page_in_chinese(dispatcher_client):
    vehicle, _old, _new = warned_vehicle()
    dispatcher_client.cookies["django_language"] = "zh-hans"
    html = dispatcher_client.get(
        reverse("vehicles:detail", args=[vehicle.vin]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "三包预警" in html
    assert "此问题再修理一次即构成换车情形" in html


def test_a_technician_sees_only_the_incidents_of_their_jobs(technician_client, technician):
    vehicle, old, new = warned_vehicle()
    type(new).objects.filter(pk=new.pk).update(assignee=technician)
    html = technician_client.get(reverse("vehicles:detail", args=[vehicle.vin])).content.decode()
    assert new.number in html
    assert old.number not in html


def test_an_unknown_vin_is_404(dispatcher_client):
    assert (
        dispatcher_client.get(reverse("vehicles:detail", args=["LSVAU2180N2183294"])).status_code
        == 404
    )


def test_the_vehicle_page_needs_the_view_permission(login):
    vehicle, _old, _new = warned_vehicle()
    nobody = factories.UserFactory(username="nobody")
    assert login(nobody).get(reverse("vehicles:detail", args=[vehicle.vin])).status_code == 403


def test_the_vehicle_page_query_count_does_not_grow_with_incidents(
    dispatcher_client, django_assert_max_num_queries
):
    vehicle, _old, _new = warned_vehicle()
    for n in range(5):
        repair(vehicle, reported_at=timezone.now() - timedelta(days=10 + n))
    with django_assert_max_num_queries(20):
        assert (
            dispatcher_client.get(reverse("vehicles:detail", args=[vehicle.vin])).status_code == 200
        )


def test_the_owner_is_a_customer_shown_as_the_privacy_policy_says(dispatcher_client, login):
    """The owner's name is a customer's: in clear for the desk, masked for legal (who may
    reveal it on the owner's incidents, not here)."""
    vehicle = make_vehicle(owner_name="Wang Fang")
    url = reverse("vehicles:detail", args=[vehicle.vin])
    assert "Wang Fang" in dispatcher_client.get(url).content.decode()
    legal = factories.UserFactory(username="counsel", roles=["legal"])
    html = login(legal).get(url).content.decode()
    assert "Wang Fang" not in html
    assert "W*** Fang" in html
