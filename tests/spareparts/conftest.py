"""Spare-parts fixtures: depots at HQ and two service centres, a few parts, logistics."""

import pytest

from spareparts import services
from spareparts.models import Depot, Part, Supplier
from tests import factories


@pytest.fixture
def depots(org):
    return {
        "hq": Depot.objects.create(
            code="hq", name="HQ central depot", kind="hq", team=org["logistics"]
        ),
        "east": Depot.objects.create(code="east", name="East depot", team=org["service_centre"]),
        "west": Depot.objects.create(code="west", name="West depot", team=org["service_centre_2"]),
    }


@pytest.fixture
def battery(depots):
    return Part.objects.create(
        sku="BAT-48V", name="48V battery pack", category="battery", tracking="none"
    )


@pytest.fixture
def charger(depots):
    return Part.objects.create(
        sku="CHG-10A", name="10A charger", category="charger", tracking="batch"
    )


@pytest.fixture
def controller(depots):
    return Part.objects.create(
        sku="MC-72V", name="72V motor controller", category="controller", tracking="serial"
    )


@pytest.fixture
def supplier(db):
    return Supplier.objects.create(code="acme", name="Acme Power Co.")


@pytest.fixture
def logistics(db):
    return factories.UserFactory(username="logi", roles=["logistics"])


@pytest.fixture
def stock(logistics):
    """Put ``quantity`` of ``part`` on hand at ``depot`` (an opening-balance adjustment)."""

    def put(part, depot, quantity, lots=None):
        return services.adjust_stock(
            part=part,
            depot=depot,
            delta=quantity,
            lots=lots,
            reason="Opening balance",
            actor=logistics,
        )

    return put


@pytest.fixture
def incident(dispatcher):
    return factories.report(dispatcher)
