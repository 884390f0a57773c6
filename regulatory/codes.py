"""The alarm type codes of ``POST /api/v1/alarms/`` (docs/regulatory.md has the table).

GB/T 32960.3-2016 sends a vehicle's general alarms as a 32-bit flag word (table 18); a
monitoring platform in front of us turns the bits it saw into these codes. The bit of each
code is kept here for whoever maps a raw frame. ``thermal_runaway`` has no bit in the 2016
table (the 2025 revision adds it); platforms detect it from the pack's data. Plain
constants: migrations import this module.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# code: (GB/T 32960.3 bit or None, English label, is thermal)
ALARM_TYPES: dict[str, tuple[int | None, object, bool]] = {
    "thermal_runaway": (None, _("Thermal runaway"), True),
    "battery_high_temp": (1, _("Battery over-temperature"), True),
    "temp_difference": (0, _("Temperature difference"), True),
    "pack_overvoltage": (2, _("Energy storage over-voltage"), False),
    "pack_undervoltage": (3, _("Energy storage under-voltage"), False),
    "soc_low": (4, _("SOC low"), False),
    "cell_overvoltage": (5, _("Cell over-voltage"), False),
    "cell_undervoltage": (6, _("Cell under-voltage"), False),
    "soc_high": (7, _("SOC too high"), False),
    "soc_jump": (8, _("SOC jump"), False),
    "pack_mismatch": (9, _("Energy storage mismatch"), False),
    "cell_consistency": (10, _("Poor cell consistency"), False),
    "insulation": (11, _("Insulation fault"), False),
    "dcdc_temp": (12, _("DC-DC over-temperature"), False),
    "brake_system": (13, _("Brake system"), False),
    "dcdc_status": (14, _("DC-DC status"), False),
    "motor_controller_temp": (15, _("Drive motor controller over-temperature"), False),
    "hv_interlock": (16, _("High-voltage interlock"), False),
    "motor_temp": (17, _("Drive motor over-temperature"), False),
    "pack_overcharge": (18, _("Energy storage overcharge"), False),
}

THERMAL_TYPES = frozenset(code for code, (_bit, _label, thermal) in ALARM_TYPES.items() if thermal)


def alarm_type_label(code: str) -> str:
    found = ALARM_TYPES.get(code)
    return str(found[1]) if found else code
