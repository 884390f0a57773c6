"""The 三包 counters and their thresholds (vehicles.services.sanbao_status)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents.models import Incident, Status
from tests.vehicles.helpers import make_model, make_vehicle, repair
from vehicles import services
from vehicles.models import MileageReading, SanbaoRule

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def finding(status, code, subject=""):
    return next(f for f in status.findings if f.code == code and subject in ("", f.subject))


def test_the_default_rule_set_carries_the_2021_figures():
    rule = services.default_rule()
    assert rule.pk is not None and rule.is_default
    assert (rule.replacement_repair_days, rule.replacement_same_problem_repairs) == (30, 4)
    assert (rule.loaner_after_days, rule.major_part_return_days) == (5, 7)
    assert (rule.major_failure_days, rule.major_failure_km, rule.serious_safety_repairs) == (
        60,
        3000,
        2,
    )


@pytest.mark.parametrize(("repairs", "level"), [(3, "ok"), (4, "warning"), (5, "crossed")])
def test_same_problem_warns_at_four_repairs_and_crosses_at_five(repairs, level):
    vehicle = make_vehicle()
    for n in range(repairs):
        start = at(2025, 7, 1 + n * 3, 10)
        repair(vehicle, reported_at=start, resolved_at=start + timedelta(hours=3))
    status = services.sanbao_status(vehicle, now=at(2025, 9, 1, 12))
    same = finding(status, "same_problem")
    assert (same.value, same.level) == (repairs, level)
    assert status.level == level
    if level == "warning":
        assert "next repair of this problem makes a replacement case" in same.message


def test_another_problem_and_cancelled_incidents_do_not_count():
    vehicle = make_vehicle()
    for n in range(4):
        start = at(2025, 7, 1 + n, 10)
        repair(vehicle, reported_at=start, resolved_at=start + timedelta(hours=1))
    start = at(2025, 7, 10, 10)
    repair(vehicle, reported_at=start, resolved_at=start, category="service-quality")
    cancelled = repair(vehicle, reported_at=at(2025, 7, 12, 10))
    Incident.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)
    status = services.sanbao_status(vehicle, now=at(2025, 9, 1, 12))
    counts = {f.subject: f.value for f in status.findings if f.code == "same_problem"}
    assert sorted(counts.values()) == [1, 4]
    assert status.repairs == 5


@pytest.mark.parametrize(("days", "level"), [(29, "ok"), (30, "warning"), (31, "crossed")])
def test_cumulative_repair_time_crosses_after_thirty_days(days, level):
    vehicle = make_vehicle()
    arrived = at(2025, 7, 1, 9)
    repair(
        vehicle,
        reported_at=arrived - timedelta(hours=2),
        arrived_at=arrived,
        resolved_at=arrived + timedelta(days=days - 1, hours=2),
    )
    status = services.sanbao_status(vehicle, now=at(2025, 9, 1, 12))
    assert status.repair_days == days
    assert finding(status, "repair_days").level == level


def test_repair_days_are_shanghai_calendar_days():
    vehicle = make_vehicle()
    # 23:30 to 00:30 the next night in Shanghai: two local days, though one UTC day.
    repair(vehicle, reported_at=at(2025, 7, 1, 23, 0), resolved_at=at(2025, 7, 2, 0, 30))
    # 07:30 to 09:00 in Shanghai is 23:30 to 01:00 UTC: one local day, though two UTC days.
    repair(vehicle, reported_at=at(2025, 7, 10, 7, 30), resolved_at=at(2025, 7, 10, 9, 0))
    status = services.sanbao_status(vehicle, now=at(2025, 9, 1, 12))
    assert status.repair_days == 3


def test_repairs_on_the_same_days_are_not_counted_twice():
    vehicle = make_vehicle()
    repair(vehicle, reported_at=at(2025, 7, 1, 9), resolved_at=at(2025, 7, 3, 9))
    repair(vehicle, reported_at=at(2025, 7, 2, 9), resolved_at=at(2025, 7, 4, 9))
    status = services.sanbao_status(vehicle, now=at(2025, 9, 1, 12))
    assert status.repair_days == 4


def test_repair_time_starts_at_arrival_when_there_is_one():
    vehicle = make_vehicle()
    repair(
        vehicle,
        reported_at=at(2025, 7, 1, 9),
        arrived_at=at(2025, 7, 3, 9),
        resolved_at=at(2025, 7, 3, 18),
    )
    assert services.sanbao_status(vehicle, now=at(2025, 9, 1)).repair_days == 1


@pytest.mark.parametrize(
    ("now", "days", "level"),
    [
        (at(2025, 7, 5, 23, 59), 5, "warning"),  # day 5 of the repair, Shanghai time
        (at(2025, 7, 6, 0, 1), 6, "crossed"),  # just past midnight: day 6
    ],
)
def test_an_open_repair_owes_a_loaner_from_its_sixth_day(now, days, level):
    vehicle = make_vehicle()
    repair(vehicle, reported_at=at(2025, 7, 1, 8), arrived_at=at(2025, 7, 1, 10))
    with time_machine.travel(now, tick=False):
        status = services.sanbao_status(vehicle)
    loaner = finding(status, "loaner")
    assert (loaner.value, loaner.level) == (days, level)


def test_a_finished_repair_of_exactly_five_days_owed_nothing():
    vehicle = make_vehicle()
    repair(vehicle, reported_at=at(2025, 7, 1, 8), resolved_at=at(2025, 7, 5, 18))
    loaner = finding(services.sanbao_status(vehicle, now=at(2025, 9, 1)), "loaner")
    assert (loaner.value, loaner.level) == (5, "ok")


def test_the_period_ends_on_the_same_day_months_later():
    vehicle = make_vehicle(sale_date=date(2024, 3, 15))
    last_day = services.sanbao_status(vehicle, now=at(2026, 3, 15, 23, 59))
    after = services.sanbao_status(vehicle, now=at(2026, 3, 16, 0, 1))
    assert last_day.period_end == date(2026, 3, 15)
    assert last_day.in_period is True
    assert after.in_period is False


def test_a_period_from_the_31st_ends_on_the_last_day_of_a_shorter_month():
    assert services.add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert services.add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)


@pytest.mark.parametrize(("km", "in_period"), [(50000, True), (50001, False)])
def test_the_period_ends_at_the_mileage_whichever_comes_first(km, in_period):
    vehicle = make_vehicle(sale_date=date(2025, 6, 1))
    MileageReading.objects.create(vehicle=vehicle, km=1200, read_at=at(2025, 7, 1))
    MileageReading.objects.create(vehicle=vehicle, km=km, read_at=at(2025, 8, 1))
    status = services.sanbao_status(vehicle, now=at(2025, 9, 1))
    assert status.km == km
    assert status.in_period is in_period


def test_outside_the_period_nothing_warns_and_earlier_incidents_do_not_count():
    vehicle = make_vehicle(sale_date=date(2025, 6, 1))
    for n in range(4):
        start = at(2025, 5, 1 + n, 10)  # before the sale: not in this period
        repair(vehicle, reported_at=start, resolved_at=start)
    status = services.sanbao_status(vehicle, now=at(2025, 9, 1))
    assert status.repairs == 0
    MileageReading.objects.create(vehicle=vehicle, km=60000, read_at=at(2025, 8, 1))
    for n in range(4):
        start = at(2025, 7, 1 + n, 10)
        repair(vehicle, reported_at=start, resolved_at=start)
    status = services.sanbao_status(vehicle, now=at(2025, 9, 1))
    assert finding(status, "same_problem").level == "warning"
    assert status.in_period is False
    assert status.level == "ok"


def test_the_early_windows_by_days_and_km():
    vehicle = make_vehicle(sale_date=date(2025, 6, 1))
    assert services.sanbao_status(vehicle, now=at(2025, 6, 8, 20)).in_return_window
    assert not services.sanbao_status(vehicle, now=at(2025, 6, 9, 1)).in_return_window
    assert services.sanbao_status(vehicle, now=at(2025, 7, 31, 12)).in_early_window
    MileageReading.objects.create(vehicle=vehicle, km=3001, read_at=at(2025, 7, 1))
    assert not services.sanbao_status(vehicle, now=at(2025, 7, 31, 12)).in_early_window


def test_a_models_own_rule_set_is_used():
    rule = SanbaoRule.objects.create(name="Maker's promise", replacement_same_problem_repairs=2)
    vehicle = make_vehicle(model=make_model(rule=rule))
    for n in range(2):
        start = at(2025, 7, 1 + n, 10)
        repair(vehicle, reported_at=start, resolved_at=start)
    same = finding(services.sanbao_status(vehicle, now=at(2025, 9, 1)), "same_problem")
    assert (same.value, same.limit, same.level) == (2, 2, "warning")


def test_status_of_a_vehicle_with_200_incidents_takes_three_queries(django_assert_num_queries):
    vehicle = make_vehicle()
    start = at(2025, 7, 1, 10)
    for n in range(3):
        repair(vehicle, reported_at=start + timedelta(days=n), resolved_at=start)
    vehicle = services.vehicle_for_ref(vehicle.vin)
    with django_assert_num_queries(3):  # the default rule, the mileage, the incidents
        services.sanbao_status(vehicle, now=at(2025, 9, 1))
