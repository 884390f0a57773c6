"""Where technicians are: the one place dispatch reads a technician's position from.

A technician's last known position (reported from the phone by ``field`` at an arrival,
resolution or sign-off) wins while it is fresh; otherwise the site of their service centre.
Coordinates are WGS-84 degrees, as the incident's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps

# A phone position older than this no longer says where the technician is.
FRESH = timedelta(hours=8)


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    source: str  # "field": the phone's last position; "centre": the service centre's site
    at: datetime | None = None


def last_field_positions(*, now: datetime) -> dict[int, Position]:
    """The last positions reported from the phones (``field``'s ``LastPosition``, one row
    per technician), those fresher than ``FRESH``, by user id. One query."""
    try:
        model = apps.get_model("field", "LastPosition")
    except LookupError:  # the field app without its positions (an older schema)
        return {}
    rows = model.objects.filter(at__gte=now - FRESH).values_list(
        "user_id", "latitude", "longitude", "at"
    )
    return {
        user_id: Position(float(lat), float(lon), "field", at) for user_id, lat, lon, at in rows
    }
