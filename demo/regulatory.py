"""The demo's alarms and reports to the regulator (DEMO ONLY).

- An NEV fire: an EV7 taxi caught fire in a car park five hours ago; the dispatcher marked
  it "NEV fire / smoke"; legal filed the first report (due 12 h after the fire) an hour
  ago; the detailed report (due 48 h after) is still running on its clock.
- A telematics alarm: the monitoring platform sent a level-3 battery over-temperature for
  an EV5 three hours ago, then 40 repeats, one a minute: one Level I incident, 41 alarms
  counted on it.
- An alarm for a VIN that is not on file: recorded and flagged, nothing opened.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from demo import data
from incidents import services as incident_services
from incidents.models import Category
from regulatory import services
from regulatory.models import Alarm, RegulatoryReport, ReportKind, ReportRule

FIRE_VIN = 5  # data.vin(5): an EV7 taxi
ALARM_VIN = 4  # data.vin(4): an EV5 compact
REPEATS = 40
UNKNOWN_VIN = data.vin(999)  # a well-formed VIN that is not on file


def load() -> None:
    if Alarm.objects.exists():
        return
    users = get_user_model().objects.in_bulk(["dispatcher", "legal"], field_name="username")
    now = timezone.now()
    _fire(users["dispatcher"], users["legal"], now)
    _alarms(now)


def _fire(dispatcher, legal, now) -> None:
    at = now - timedelta(hours=5)
    incident = incident_services.report_incident(
        actor=dispatcher,
        title="EV7 taxi on fire in an underground car park",
        category=Category.objects.get(slug="safety-accident"),
        grade="I",
        reported_at=at,
        now=at + timedelta(minutes=4),
        asset_ref=data.vin(FIRE_VIN),
        location="上海市浦东新区世纪大道 1200 号地下车库 B2 / Century Ave 1200, car park B2",
        latitude="31.228600",
        longitude="121.529100",
        description=(
            "Smoke from under the rear seat while parked, then open flame at the battery pack. "
            "Fire brigade on site within 9 minutes."
        ),
        impact_scope="The taxi burnt out; two neighbouring cars scorched. Nobody hurt.",
        customer_name="周强",
        customer_phone="+86 139 1600 2211",
    )
    rule = ReportRule.objects.get(name="NEV fire / smoke / thermal runaway")
    services.open_case(
        incident, rule=rule, actor=dispatcher, occurred_at=at, now=at + timedelta(minutes=6)
    )
    first = RegulatoryReport.objects.get(case__incident=incident, kind=ReportKind.FIRST)
    filed = now - timedelta(hours=1)
    services.file_report(
        first,
        actor=legal,
        content={**services.prefill(first), "initial_cause": "Under investigation (pack)."},
        reference="SAMR-QDB-2026-0417",
        filed_at=filed,
        now=filed,
    )


def _alarms(now) -> None:
    start = now - timedelta(hours=3)
    window = {"max_cell_temp_c": [52, 57, 63, 68], "min_insulation_kohm": 980, "soc": 77}
    for n in range(REPEATS + 1):
        at = start + timedelta(minutes=n)
        services.ingest_alarm(
            services.AlarmIn(
                vin=data.vin(ALARM_VIN),
                level=3,
                alarm_types=["battery_high_temp"],
                occurred_at=at,
                latitude=30.274100,
                longitude=120.155100,
                data_window=window if n == 0 else None,
            ),
            actor=None,
            now=at + timedelta(seconds=2),
        )
    services.ingest_alarm(
        services.AlarmIn(vin=UNKNOWN_VIN, level=2, alarm_types=["insulation"], occurred_at=start),
        actor=None,
        now=start + timedelta(seconds=3),
    )
