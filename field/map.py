"""The dispatcher's map: open incidents and technicians' last positions as compact JSON.

Zoomed out, incidents come grouped in grid cells (one row per cell: count, mean position,
worst grade) by one GROUP BY in the database; zoomed in, each incident in the viewport, up
to ``MAX_POINTS``, else cells again. So the answer stays a few hundred rows whatever the
number of open incidents (30,000: bench/offline_sync.py prints the figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    Value,
)
from django.db.models.functions import Cast, Floor

from field.models import LastPosition
from incidents.models import Incident

MAX_POINTS = 2_000
POINTS_FROM_ZOOM = 11  # street level: each incident on its own
CELLS_PER_TILE = 6  # a cell about 40 px wide on a 256 px tile
POSITION_DAYS = 7  # a technician's position older than this is not shown
STATUS_CODES = {"reported": 0, "confirmed": 1, "dispatched": 2, "on_site": 3}


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def parse(cls, text: str | None) -> Box | None:
        """``west,south,east,north`` (Leaflet's ``toBBoxString``); None if absent or bad."""
        try:
            west, south, east, north = (float(x) for x in (text or "").split(","))
        except ValueError:
            return None
        if not (-90 <= south <= north <= 90) or not (-540 <= west <= east <= 540):
            return None
        return cls(south, max(west, -180), north, min(east, 180))


def _open_located(box: Box | None):
    qs = Incident.objects.open().filter(latitude__isnull=False, longitude__isnull=False)
    if box is not None:
        qs = qs.filter(
            latitude__gte=box.south,
            latitude__lte=box.north,
            longitude__gte=box.west,
            longitude__lte=box.east,
        )
    return qs


def cells(box: Box | None, zoom: int) -> list[list]:
    """``[lat, lon, count, worst grade]`` per grid cell of the viewport."""
    size = Value(Decimal(360) / (2 ** max(0, min(zoom, 20))) / CELLS_PER_TILE)
    rows = (
        _open_located(box)
        # numeric, not cast to float: the cast of every row costs a third of the query
        .annotate(
            gy=Floor(ExpressionWrapper(F("latitude") / size, output_field=DecimalField())),
            gx=Floor(ExpressionWrapper(F("longitude") / size, output_field=DecimalField())),
        )
        .values("gy", "gx")
        .annotate(n=Count("id"), lat=Avg("latitude"), lon=Avg("longitude"), grade=Min("grade"))
        .values_list("lat", "lon", "n", "grade")
    )
    return [[round(float(lat), 5), round(float(lon), 5), n, grade] for lat, lon, n, grade in rows]


def points(box: Box | None) -> list[list] | None:
    """``[id, lat, lon, grade, status code]`` per incident, or None past MAX_POINTS."""
    rows = list(
        _open_located(box)
        .annotate(lat=Cast("latitude", FloatField()), lon=Cast("longitude", FloatField()))
        .values_list("pk", "lat", "lon", "grade", "status")[: MAX_POINTS + 1]
    )
    if len(rows) > MAX_POINTS:
        return None
    return [
        [pk, lat, lon, grade, STATUS_CODES.get(status, 0)] for pk, lat, lon, grade, status in rows
    ]


def technicians(now: datetime) -> list[list]:
    """``[user id, name, lat, lon, ISO time, incident id]`` per recent last position."""
    rows = (
        LastPosition.objects.filter(at__gte=now - timedelta(days=POSITION_DAYS))
        .annotate(
            lat=Cast("latitude", FloatField()),
            lon=Cast("longitude", FloatField()),
            first=F("user__first_name"),
            last=F("user__last_name"),
            username=F("user__username"),
        )
        .values_list("user_id", "first", "last", "username", "lat", "lon", "at", "incident_id")
    )
    return [
        [uid, f"{first} {last}".strip() or username, lat, lon, at.isoformat(), incident]
        for uid, first, last, username, lat, lon, at, incident in rows
    ]


def map_data(box: Box | None, zoom: int, now: datetime) -> dict:
    found = points(box) if zoom >= POINTS_FROM_ZOOM else None
    out: dict = {"points": found} if found is not None else {"cells": cells(box, zoom)}
    out["technicians"] = technicians(now)
    return out
