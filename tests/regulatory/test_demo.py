"""The demo's regulatory cases (demo/regulatory.py), loaded on their own (the full demo is
tested in tests/demo)."""

import pytest

from demo import data
from demo import regulatory as regulatory_demo
from regulatory.models import Alarm, AlarmCase, Outcome, RegulatoryReport
from tests import factories
from tests.vehicles.helpers import make_model, make_vehicle


@pytest.mark.django_db
def test_demo_fire_with_one_report_filed_an_alarm_with_40_repeats_and_an_unknown_vin(org):
    factories.UserFactory(username="dispatcher", roles=["dispatcher"])
    legal = factories.UserFactory(username="legal", roles=["legal"])
    model = make_model()
    for n in (regulatory_demo.FIRE_VIN, regulatory_demo.ALARM_VIN):
        make_vehicle(data.vin(n), model=model)
    regulatory_demo.load()

    reports = RegulatoryReport.objects.filter(case__incident__asset_ref=data.vin(5))
    assert {r.kind: r.filed_by for r in reports} == {"reg_first": legal, "reg_detail": None}
    case = AlarmCase.objects.get()
    assert case.count == 41 and case.vehicle.vin == data.vin(4)
    assert Alarm.objects.filter(outcome=Outcome.UNKNOWN_VEHICLE, vin=data.vin(999)).count() == 1
    regulatory_demo.load()  # a second run creates nothing
    assert Alarm.objects.count() == 42
