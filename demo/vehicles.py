# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""The demo's vehicles (DEMO ONLY): four models, the first eight VINs of the demo cases,
their mileage, and the maker's own 三包 commitment for the taxi model, so the taxi that
came back with the same charging fault (``vin(1)``, two repairs) shows the 三包 warning."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from demo import data
from vehicles.models import MileageReading, Powertrain, SanbaoRule, Vehicle, VehicleModel

# VIN characters 4-8 (the demo's model descriptor): code, English, Chinese, powertrain
MODELS = {
    "EV5B2": ("ev5", "Huayuan EV5 compact", "华远 EV5 紧凑型", Powertrain.NEV),
    "EV7C4": ("ev7-taxi", "Huayuan EV7 taxi", "华远 EV7 出租车型", Powertrain.NEV),
    "BU2A8": ("bu2", "Huayuan BU2 hybrid city bus", "华远 BU2 混合动力公交", Powertrain.HYBRID),
    "TR3D6": ("tr3", "Huayuan TR3 light truck (diesel)", "华远 TR3 轻卡（柴油）", Powertrain.ICE),
}
# The maker promises better than the rules for its taxi fleet customers: a replacement
# after more than 2 repairs of the same problem (the rules say 4).
CARE_PLUS = {
    "name": "Huayuan Care+ fleet commitment (better than the 2021 rules)",
    "name_zh": "华远 Care+ 车队承诺（优于 2021 年三包规定）",
    "replacement_same_problem_repairs": 2,
}
VEHICLES = 8
# days since the sale and odometer km of vehicle n (1-based)
HISTORY = {1: (210, 41800), 2: (40, 2150), 3: (400, 23100), 4: (95, 7400)}


def load() -> None:
    if Vehicle.objects.exists():
        return
    care_plus = SanbaoRule.objects.create(**CARE_PLUS)
    models = {}
    for key, (code, name, name_zh, powertrain) in MODELS.items():
        models[key] = VehicleModel.objects.create(
            code=code,
            name=name,
            name_zh=name_zh,
            powertrain=powertrain,
            rule=care_plus if code == "ev7-taxi" else None,
        )
    now = timezone.now()
    for n in range(1, VEHICLES + 1):
        vin = data.vin(n)
        model = models[vin[3:8]]
        days, km = HISTORY.get(n, (120 + 37 * n, 9000 + 1300 * n))
        customer, _phone = data.CUSTOMERS[n % len(data.CUSTOMERS)]
        vehicle = Vehicle.objects.create(
            vin=vin,
            model=model,
            battery_serial=f"BP-{vin[-6:]}" if model.powertrain != Powertrain.ICE else "",
            production_batch=f"2025-W{10 + n:02d}",
            sale_date=timezone.localdate(now) - timedelta(days=days),
            owner_name=customer,
        )
        MileageReading.objects.bulk_create(
            [
                MileageReading(
                    vehicle=vehicle, km=km // 2, read_at=now - timedelta(days=days // 2)
                ),
                MileageReading(vehicle=vehicle, km=km, read_at=now - timedelta(days=1)),
            ]
        )
