"""The regulatory app's public API: alarms in, reports owed to the regulator."""

from regulatory.services.alarms import AlarmIn, close_cases, decide, ingest_alarm
from regulatory.services.reports import (
    due_times,
    file_report,
    flag_rules,
    open_case,
    prefill,
    set_severe,
)

__all__ = [
    "AlarmIn",
    "close_cases",
    "decide",
    "due_times",
    "file_report",
    "flag_rules",
    "ingest_alarm",
    "open_case",
    "prefill",
    "set_severe",
]
