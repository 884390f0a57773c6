import io

import pytest
from django.core.management import call_command

from demo.data import vin
from vehicles import services
from vehicles.models import Powertrain, Vehicle
from vehicles.vin import validate_vin


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_the_demo_taxi_with_two_repairs_of_one_problem_shows_the_warning(demo):
    vehicles = list(Vehicle.objects.select_related("model"))
    assert len(vehicles) == 8
    for vehicle in vehicles:
        validate_vin(vehicle.vin)
    assert {v.model.powertrain for v in vehicles} == set(Powertrain.values)
    taxi = services.vehicle_for_ref(vin(1))
    assert taxi is not None and taxi.model.powertrain == Powertrain.NEV
    status = services.sanbao_status(taxi)
    assert status.in_period is True
    assert status.level == "warning"
    same = next(f for f in status.alerts if f.code == "same_problem")
    assert (same.value, same.limit) == (2, 2)
