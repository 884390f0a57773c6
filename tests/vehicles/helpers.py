"""VINs with a valid check digit, built the way the standard builds them."""

from __future__ import annotations

from datetime import date

from tests import factories
from vehicles.models import Powertrain, Vehicle, VehicleModel
from vehicles.vin import VALUES, WEIGHTS


def with_check_digit(body: str) -> str:
    """``body`` (17 characters, position 9 anything) with its check digit in position 9,
    computed here independently of vehicles.vin.check_digit."""
    total = sum(VALUES[c] * w for c, w in zip(body, WEIGHTS, strict=True))
    digit = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + digit + body[9:]


def wrong_check_digit(vin: str) -> str:
    wrong = "0" if vin[8] != "0" else "1"
    return vin[:8] + wrong + vin[9:]


def make_model(code="ev7", powertrain=Powertrain.NEV, **fields) -> VehicleModel:
    fields.setdefault("name", "Huayuan EV7")
    fields.setdefault("name_zh", "华远 EV7")
    return VehicleModel.objects.create(code=code, powertrain=powertrain, **fields)


def make_vehicle(vin: str | None = None, *, model=None, sale_date=date(2025, 6, 1), **fields):
    vin = vin or with_check_digit("LHYEV7C40RG100137")
    return Vehicle.objects.create(
        vin=vin, model=model or make_model(), sale_date=sale_date, **fields
    )


def repair(vehicle, *, reported_at, resolved_at=None, arrived_at=None, category="product-quality"):
    """An incident of ``vehicle`` reported through the service; its arrival and resolution
    times are set directly (the counters read only the times)."""
    incident = factories.report(
        asset_ref=vehicle.vin, reported_at=reported_at, now=reported_at, category_slug=category
    )
    type(incident).objects.filter(pk=incident.pk).update(
        arrived_at=arrived_at,
        resolved_at=resolved_at,
        resolution="Repaired." if resolved_at else "",
    )
    incident.refresh_from_db()
    return incident
