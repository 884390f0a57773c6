"""The line the timeline shows under a parts move: the part's and the depot's names in the
reader's language (see incidents.extensions; registered in SparepartsConfig.ready)."""

from incidents.extensions import event_details, name_in_language
from incidents.models import EventKind

PART_KINDS = (
    EventKind.PART_RESERVED,
    EventKind.PART_RELEASED,
    EventKind.PART_ISSUED,
    EventKind.PART_RETURNED,
)


def part_move(event) -> str:
    data = event.data or {}
    part = name_in_language(data, "part_name")
    # Events written before the depot's names were recorded have only its code.
    depot = name_in_language(data, "depot_name") or data.get("depot") or ""
    return " · ".join(x for x in (part, depot) if x)


def register() -> None:
    for kind in PART_KINDS:
        event_details[kind] = part_move
