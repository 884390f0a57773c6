"""Defaults seeded by migration 0002 (plain constants: migrations import this module).

Report figures: 市场监管总局质量发展局关于进一步规范新能源汽车事故报告的补充通知
(质函[2019]5号, October 2019), under 市监质函[2019]531号; docs/regulatory.md.
"""

# Alarm rules: type -> (level 1, level 2, level 3). A type without a row: level 3 opens
# a Level I incident, levels 1 and 2 are recorded.
ALARM_RULES = {
    "thermal_runaway": ("incident_i", "incident_i", "incident_i"),
    "battery_high_temp": ("record", "incident_iii", "incident_i"),
    "temp_difference": ("record", "incident_iii", "incident_i"),
    "insulation": ("record", "incident_iii", "incident_i"),
    "hv_interlock": ("record", "incident_iii", "incident_i"),
    "brake_system": ("record", "incident_iii", "incident_i"),
    "pack_overcharge": ("record", "incident_iii", "incident_i"),
}

NEV_FIRE_RULE = {
    "name": "NEV fire / smoke / thermal runaway",
    "name_zh": "新能源汽车冒烟、起火、热失控",
    "regulator": "市场监管总局质量发展局 (SAMR Quality Development Bureau)",
    "source": "质函〔2019〕5号 市场监管总局质量发展局关于进一步规范新能源汽车事故报告的补充通知",  # noqa: RUF001
    "on_flag": True,
    "alarm_types": ["thermal_runaway"],
    "first_hours": 12,
    "first_hours_severe": 6,
    "detailed_hours": 48,
    "warn_before_minutes": 120,
}

# The report clocks' chains: legal when the warning lead starts (2 h before the due
# time by default), HQ's commander at the due time, then HQ every hour until filed.
REPORT_CHAINS = [
    ("Regulator: first report", "reg_first"),
    ("Regulator: detailed report", "reg_detail"),
]
REPORT_CHAIN_STEPS = [(0, ["legal"]), (120, ["hq_commander"])]
REPORT_CHAIN_REPEAT = (60, ["legal", "hq_commander"])
